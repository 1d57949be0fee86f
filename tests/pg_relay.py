"""A TCP relay in front of the PostgreSQL server, so a test can take the database away as a
restart does (every connection cut, new ones refused for a while) without touching the
server that the rest of the suite, and the machine's other users, share."""

from __future__ import annotations

import socket
import threading
import time
from urllib.parse import urlsplit, urlunsplit


class PgRelay:
    def __init__(self, url: str) -> None:
        parts = urlsplit(url)
        self._server = (parts.hostname or "127.0.0.1", parts.port or 5432)
        self._listener = socket.create_server(("127.0.0.1", 0))
        port = self._listener.getsockname()[1]
        netloc = parts.netloc.rsplit("@", 1)
        host = f"127.0.0.1:{port}"
        self.url = urlunsplit(parts._replace(
            netloc=f"{netloc[0]}@{host}" if len(netloc) == 2 else host))
        self._open: set[socket.socket] = set()
        self._lock = threading.Lock()
        self._down_until = 0.0
        self.refused = 0  # connections refused while down
        self._stopped = False
        threading.Thread(target=self._accept, daemon=True).start()

    def restart(self, seconds: float) -> None:
        """The server goes away: every connection is cut, new ones fail for `seconds`."""
        with self._lock:
            self._down_until = time.monotonic() + seconds
            for sock in self._open:
                _close(sock)
            self._open.clear()

    @property
    def down(self) -> bool:
        return time.monotonic() < self._down_until

    def close(self) -> None:
        self._stopped = True
        _close(self._listener)
        self.restart(0)

    def _accept(self) -> None:
        while not self._stopped:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            if self.down:
                self.refused += 1
                _close(client)
                continue
            try:
                server = socket.create_connection(self._server)
            except OSError:
                _close(client)
                continue
            with self._lock:
                self._open |= {client, server}
            for a, b in ((client, server), (server, client)):
                threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    def _pump(self, source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        for sock in (source, sink):
            _close(sock)
            with self._lock:
                self._open.discard(sock)


def _close(sock: socket.socket) -> None:
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    sock.close()
