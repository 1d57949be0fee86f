"""Files on LINE. What a person sends is fetched from LINE's content host at once (LINE
deletes it after a while) and kept by the desk (storage/channels/media.py): its ref `media:<n>` is
what tickets hold. LINE shows an image only from an https address it fetches itself, so what
the desk shows is served at a signed address that expires: `{public_url}/line/media/<token>`
(`/line/media/<estate>/<token>` for one of several estates). A token names the file and
when it expires, signed with the channel's secret: nobody can guess another file's address."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import time
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote

from handlers.channels.turns import Channel
from storage.channels import media as store
from storage.db import Database
from storage.records import Account

log = logging.getLogger(__name__)
LINK_DAYS = 7  # how long a shown file's address works (LINE fetches it when it is opened)
KINDS = {"image": ("image/jpeg", "photo.jpg"), "audio": ("audio/m4a", "voice.m4a"),
         "video": ("video/mp4", "video.mp4"), "file": ("application/octet-stream", "file")}
# What a file is, from its first bytes: a Telegram photo comes without a type.
MAGIC = ((b"\xff\xd8\xff", "image/jpeg"), (b"\x89PNG", "image/png"), (b"%PDF", "application/pdf"),
         (b"OggS", "audio/ogg"), (b"GIF8", "image/gif"))


class Unfetched(Exception):
    """LINE's content host did not give a message's file (gone, or LINE away)."""


def _now() -> datetime:
    return datetime.now(UTC)


class LineMedia:
    """`keep` stores bytes (→ `media:<n>`), `bytes_of` reads any ref (a Telegram file id
    through the Telegram channel in `channels`), `url` signs an address of it, `endpoint`
    serves that address. `blob` is the SDK's AsyncMessagingApiBlob (the content host)."""

    def __init__(self, db: Database, settings: Any, channels: Mapping[str, Channel], *,
                 blob: Any = None, estate_key: str = "",
                 clock: Callable[[], datetime] = _now) -> None:
        self.db, self.channels, self.blob, self.clock = db, channels, blob, clock
        self.secret = settings.secret.encode()
        self.public_url = (settings.public_url or "").rstrip("/")
        self.estate_key = estate_key

    async def keep(self, data: bytes, name: str, content_type: str, *,
                   origin: str | None = None, sender: Account | None = None) -> str:
        """The bytes kept; their ref. The desk's own (no `sender`) go once their address has
        expired; a message's file (`origin`) is kept once however often LINE delivers it."""
        now = self.clock()
        expires = None if sender is not None else now + timedelta(days=LINK_DAYS + 1)
        async with self.db.transaction() as conn:
            if sender is None:
                await store.forget_expired(conn, now)
            number = await store.keep(conn, data, name, content_type, now, origin=origin,
                                      sender=sender, expires_at=expires)
        return store.ref_of(number)

    async def keep_from_line(self, message_id: str, kind: str, sender: Account,
                             name: str | None = None) -> str:
        """A person's image, audio, video or file, fetched from LINE's content host and
        kept; the same message again gives the same ref without fetching it again."""
        origin = f"line:{message_id}"
        async with self.db.reading() as conn:
            found = await store.by_origin(conn, origin)
        if found is not None:
            return store.ref_of(found)
        content_type, default_name = KINDS.get(kind, KINDS["file"])
        try:
            answer = await self.blob.get_message_content_with_http_info(message_id)
        except Exception as exc:
            raise Unfetched(f"LINE's content of message {message_id}: {exc}") from exc
        data = bytes(answer.data or b"")
        given = (answer.headers or {}).get("Content-Type") or \
            (answer.headers or {}).get("content-type")
        if not data:
            raise Unfetched(f"LINE's content of message {message_id} is empty")
        try:
            return await self.keep(data, name or default_name, given or content_type,
                                   origin=origin, sender=sender)
        except store.TooLarge as exc:
            raise Unfetched(f"message {message_id}: {exc}") from exc

    async def bytes_of(self, ref: str) -> bytes:
        return (await self._file(ref))[0]

    async def _file(self, ref: str) -> tuple[bytes, str, str]:
        """(bytes, name, content type) of a kept file, or of one another channel keeps."""
        number = store.id_of(ref)
        if number is not None:
            async with self.db.reading() as conn:
                kept = await store.get(conn, number)
            if kept is None:
                raise FileNotFoundError(ref)
            return kept.data, kept.name, kept.content_type
        holder = self.channels.get("telegram")  # the only other app whose file ids we hold
        if holder is None:
            raise FileNotFoundError(ref)
        data = await holder.fetch(ref)
        return data, "", sniffed(data)

    def url(self, ref: str, name: str | None = None) -> str:
        """The signed address LINE (or the person's phone) fetches the file at."""
        expires = int(self.clock().timestamp()) + LINK_DAYS * 86400
        body = _b64(json.dumps([ref, expires, name or ""], separators=(",", ":")).encode())
        token = f"{body}.{_b64(self._sign(body))}"
        where = f"/line/media/{self.estate_key}" if self.estate_key else "/line/media"
        return f"{self.public_url}{where}/{token}"

    def _sign(self, body: str) -> bytes:
        return hmac.new(self.secret, b"media:" + body.encode(), hashlib.sha256).digest()[:20]

    def opened(self, token: str) -> tuple[str, str] | None:
        """(ref, name) of a token this desk signed and that has not expired; else None."""
        body, _, signature = token.partition(".")
        try:
            given = base64.urlsafe_b64decode(signature + "=" * (-len(signature) % 4))
            if not hmac.compare_digest(given, self._sign(body)):
                return None
            ref, expires, name = json.loads(base64.urlsafe_b64decode(
                body + "=" * (-len(body) % 4)))
        except (ValueError, TypeError):
            return None
        if not isinstance(ref, str) or not isinstance(expires, int) or \
                expires < self.clock().timestamp():
            return None
        return ref, name if isinstance(name, str) else ""

    async def endpoint(self, request: Any) -> Any:
        """Starlette's: GET the file of a token (403: not ours or expired; 404: gone)."""
        from starlette.responses import PlainTextResponse, Response

        opened = self.opened(request.path_params.get("token", ""))
        if opened is None:
            return PlainTextResponse("forbidden", status_code=403)
        ref, name = opened
        began = time.perf_counter()
        try:
            data, kept_name, content_type = await self._file(ref)
        except FileNotFoundError:
            return PlainTextResponse("gone", status_code=404)
        except Exception as exc:  # the other app's file could not be fetched now
            log.warning("a shown file (%s) could not be read: %s", ref[:40], exc)
            return PlainTextResponse("not available now", status_code=503,
                                     headers={"Retry-After": "30"})
        log.debug("served %s (%d bytes) in %.3f s", ref[:40], len(data),
                  time.perf_counter() - began)
        headers = {"Cache-Control": "private, max-age=86400"}
        filename = name or kept_name
        if filename:
            headers["Content-Disposition"] = f"inline; filename*=UTF-8''{quote(filename)}"
        return Response(data, media_type=content_type, headers=headers)


def sniffed(data: bytes) -> str:
    return next((kind for magic, kind in MAGIC if data.startswith(magic)),
                "application/octet-stream")


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()
