"""Backups encrypted at rest with a passphrase (個人資料保護法 Art. 27: appropriate security
measures): ChaCha20-Poly1305 from libsodium (PyNaCl), in chunks so that a large database
never sits whole in memory, with a key derived by scrypt (the standard library's) from the
passphrase and a random salt kept in the file's header. (Not the `cryptography` library:
python-telegram-bot imports it at start whenever it is installed, some 9 MiB for every
estate's process.)

The file: MAGIC, a version byte, scrypt's cost (log2 n, r, p), the salt (16 bytes), a random
nonce prefix (7 bytes) and the chunk size (4 bytes), then each chunk as its length (4 bytes)
and its ciphertext. A chunk's nonce is the prefix, its number and a flag on the last one, and
each authenticates the header too: a wrong passphrase, an altered byte, chunks reordered or
the file cut short are all refused, never half-restored."""

from __future__ import annotations

import hashlib
import os
import struct
from pathlib import Path

MAGIC = b"estatedesk encrypted backup\n"
VERSION = 1
CHUNK = 1 << 20
SCRYPT = (15, 8, 1)  # n = 2**15, r = 8, p = 1: some 32 MiB and a fraction of a second
OWNER_ONLY = 0o600
_HEAD = struct.Struct(">BBBB16s7sI")  # version, log2 n, r, p, salt, nonce prefix, chunk size
_LENGTH = struct.Struct(">I")
SHORTEST = 12  # characters of a passphrase


class Unreadable(Exception):
    """Not an encrypted backup this desk can read, a wrong passphrase, or a damaged file."""


def is_encrypted(path: str | Path) -> bool:
    try:
        with open(path, "rb") as f:
            return f.read(len(MAGIC)) == MAGIC
    except OSError:
        return False


def weak(passphrase: str) -> str | None:
    """Why a passphrase is refused, or None."""
    if len(passphrase) < SHORTEST:
        return f"a passphrase needs at least {SHORTEST} characters"
    return None


class _Cipher:
    """ChaCha20-Poly1305 (IETF, 12-byte nonces) keyed by scrypt. (The library loads here, not
    with the module: a plain backup or restore, and the bot's start, never need it.)"""

    def __init__(self, passphrase: str, salt: bytes, log_n: int, r: int, p: int) -> None:
        from nacl import bindings
        self._seal = bindings.crypto_aead_chacha20poly1305_ietf_encrypt
        self._open = bindings.crypto_aead_chacha20poly1305_ietf_decrypt
        need = 128 * r * (1 << log_n) * p  # scrypt's memory: the header's costs, bounded
        self._key = hashlib.scrypt(passphrase.encode(), salt=salt, n=1 << log_n, r=r, p=p,
                                   maxmem=need + (1 << 20), dklen=32)

    def encrypt(self, nonce: bytes, data: bytes, head: bytes) -> bytes:
        return self._seal(data, head, nonce, self._key)

    def decrypt(self, nonce: bytes, data: bytes, head: bytes) -> bytes:
        from nacl.exceptions import CryptoError
        try:
            return self._open(data, head, nonce, self._key)
        except CryptoError:
            raise Unreadable("wrong passphrase, or the file was altered or cut short"
                             ) from None


def _nonce(prefix: bytes, number: int, last: bool) -> bytes:
    return prefix + struct.pack(">I?", number, last)


def _private(path: Path):
    path.unlink(missing_ok=True)
    return os.fdopen(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, OWNER_ONLY), "wb")


def encrypt(plain: str | Path, target: str | Path, passphrase: str) -> None:
    """`plain` encrypted into `target` (owner-only), through a temporary file: a failure
    never leaves half a file under the target's name."""
    target = Path(target)
    partial = target.with_name(target.name + ".partial")
    log_n, r, p = SCRYPT
    salt, prefix = os.urandom(16), os.urandom(7)
    head = MAGIC + _HEAD.pack(VERSION, log_n, r, p, salt, prefix, CHUNK)
    cipher = _Cipher(passphrase, salt, log_n, r, p)
    try:
        with open(plain, "rb") as source, _private(partial) as out:
            out.write(head)
            number, chunk = 0, source.read(CHUNK)
            while True:
                following = source.read(CHUNK)
                sealed = cipher.encrypt(_nonce(prefix, number, not following), chunk, head)
                out.write(_LENGTH.pack(len(sealed)) + sealed)
                if not following:
                    break
                number, chunk = number + 1, following
            out.flush()
            os.fsync(out.fileno())
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)


def decrypt(sealed: str | Path, target: str | Path, passphrase: str) -> None:
    """`sealed` decrypted into `target` (owner-only); Unreadable, and no target left, when
    the passphrase is wrong or the file is not whole."""
    target = Path(target)
    try:
        with open(sealed, "rb") as source, _private(target) as out:
            if source.read(len(MAGIC)) != MAGIC:
                raise Unreadable(f"{sealed} is not an encrypted estatedesk backup")
            fields = source.read(_HEAD.size)
            if len(fields) < _HEAD.size:
                raise Unreadable(f"{sealed} is cut short")
            version, log_n, r, p, salt, prefix, chunk_size = _HEAD.unpack(fields)
            if version != VERSION:
                raise Unreadable(f"{sealed} was written by a newer estatedesk (format "
                                 f"{version}); update this one first")
            if not (10 <= log_n <= 20 and 1 <= r <= 8 and 1 <= p <= 2):  # scrypt: at most 2 GiB
                raise Unreadable(f"{sealed} has a damaged header")
            head = MAGIC + fields
            cipher = _Cipher(passphrase, salt, log_n, r, p)
            number, length = 0, source.read(_LENGTH.size)
            while True:
                if len(length) < _LENGTH.size:
                    raise Unreadable(f"{sealed} is cut short")
                size = _LENGTH.unpack(length)[0]
                if size > chunk_size + 16:
                    raise Unreadable(f"{sealed} is damaged")
                data = source.read(size)
                length = source.read(_LENGTH.size)
                last = not length
                out.write(cipher.decrypt(_nonce(prefix, number, last), data, head))
                if last:
                    break
                number += 1
    except BaseException:
        target.unlink(missing_ok=True)
        raise
