"""`estatedesk demo`: the real bot, built by the production factory, against the local Bot API
stand-in, with a seeded demo estate in its own SQLite file and a page on 127.0.0.1 where one
person plays every role. The desk's LINE front is attached too, against the LINE stand-in, so
a resident on LINE and the office on Telegram meet on the same tickets. One process, one event
loop, one port: the page, its JSON routes, both stand-ins and the desk's LINE webhook and
media are one Starlette app."""

from __future__ import annotations

import asyncio
import logging
import secrets
import signal
import socket
import sqlite3
import sys
import tempfile
import webbrowser
from contextlib import asynccontextmanager, closing, contextmanager
from dataclasses import replace
from pathlib import Path

import uvicorn
from starlette.applications import Starlette
from starlette.middleware import Middleware

from bot import app as desk_app
from bot import line as desk_line
from bot import polling
from bot.serve import line_routes
from handlers.channels.line.api import LineSettings
from sandbox import seed
from sandbox.bot_api import BotApiStandIn
from sandbox.clock import DemoClock
from sandbox.line_api import LineApiStandIn
from sandbox.web import OwnPageOnly, Sandbox
from storage import backup as backups
from storage.db import Database
from workflow.settings import EstateSettings

log = logging.getLogger(__name__)
TOKEN = f"100000001:{secrets.token_urlsafe(24)}"  # new at each start; only the stand-in sees it
# LINE's channel secret and access token, made up at each start: only the LINE stand-in sees them.
LINE_SECRET = secrets.token_hex(16)
LINE_TOKEN = secrets.token_urlsafe(32)
# The desk's public https root as LINE knows it: LINE fetches the desk's pictures from there
# and its app shows LINE's copy; the page shows them from the demo's own server instead.
LINE_PUBLIC_URL = "https://demo.estatedesk.invalid"
ESTATE_NAME = "Demo Estate 示範花園"
DEMO_FILE = 0x45444D4F  # "EDMO" in SQLite's application_id: a file the demo made


def run(host: str, port: int, db_path: Path | None, open_page: bool) -> int:
    try:
        sock = socket.socket()
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(128)
    except OSError as exc:
        print(f"demo: cannot listen on {host}:{port} ({exc.strerror}); choose another port "
              f"with --port", file=sys.stderr)
        return 2
    folder = None
    if db_path is None:
        folder = tempfile.TemporaryDirectory(prefix="estatedesk-demo-")
        db_path = Path(folder.name) / "demo.sqlite3"
    if not db_path.parent.is_dir():
        print(f"demo: --db: the folder {db_path.parent} does not exist", file=sys.stderr)
        return 2
    held = backups.hold_running_lock(db_path)  # (held until the demo stops, as `run` does)
    if held is None:
        print(f"demo: --db {db_path}: another estatedesk is using it; nothing was touched. "
              f"Choose another file.", file=sys.stderr)
        return 2
    refused = not_a_demo(db_path)
    if refused:
        print(f"demo: --db {db_path} {refused}; the demo replaces only a demo estate it made, "
              f"and left it as it is. Choose a new file name.", file=sys.stderr)
        return 2
    for stale in (db_path, Path(f"{db_path}-wal"), Path(f"{db_path}-shm")):
        stale.unlink(missing_ok=True)  # the demo starts afresh every time
    backups.create_private(db_path)
    with closing(sqlite3.connect(db_path)) as marking:
        marking.execute(f"PRAGMA application_id = {DEMO_FILE}")
    try:
        asyncio.run(_serve(sock, db_path, open_page))
    finally:
        if folder is not None:
            folder.cleanup()
    return 0


def not_a_demo(path: Path) -> str | None:
    """Why the file at `path` is not the demo's to replace, or None: it is a demo estate (it
    carries the demo's mark in SQLite's header) or there is no file."""
    if not path.exists():
        return None
    if not path.is_file():
        return "is not a file"
    try:
        with closing(sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)) as conn:
            mark = conn.execute("PRAGMA application_id").fetchone()[0]
    except sqlite3.Error:
        return "is not a database the demo made"
    return None if mark == DEMO_FILE else "is a database the demo did not make"


async def _serve(sock: socket.socket, db_path: Path, open_page: bool) -> None:
    host, port = sock.getsockname()[:2]
    url = f"http://{host}:{port}"
    settings = replace(EstateSettings(), estate_name=ESTATE_NAME)
    clock = DemoClock(settings.tz)
    api = BotApiStandIn(token=TOKEN)  # a page elsewhere cannot use it with another token
    db = Database(str(db_path))
    app = desk_app.build_application(settings, db, token=TOKEN, api_url=url, clock=clock.now,
                                     rate_limited=False)
    line = LineApiStandIn(secret=LINE_SECRET, token=LINE_TOKEN, quota=None)
    desk_line.attach(app, LineSettings(secret=LINE_SECRET, token=LINE_TOKEN, api_url=url,
                                       data_url=url, public_url=LINE_PUBLIC_URL))
    people = seed.personas()

    async def advanced() -> None:
        assert app.job_queue is not None
        app.job_queue.run_once(desk_app.sweep, 0)

    sandbox = Sandbox(api, clock, people, [p.user_id for p in seed.SHOWN], advanced, line,
                      LINE_PUBLIC_URL)
    stop = asyncio.Event()
    server: uvicorn.Server

    async def run_bot() -> None:
        await app.initialize()
        assert app.post_init is not None
        await app.post_init(app)
        await app.start()
        poller = asyncio.create_task(polling.poll(app, stop))
        try:
            await seed.seed(api, line, db, people, clock.now())
            sandbox.ready = True
            api.touch()
            print(f"The demo estate is ready: open {url} (Ctrl-C stops the sandbox)",
                  flush=True)
            if open_page:
                webbrowser.open(url)
            await poller
        except Exception:
            log.exception("the sandbox could not set up its demo estate")
            server.should_exit = True
            raise
        finally:
            stop.set()
            await asyncio.gather(poller, return_exceptions=True)
            await app.stop()
            await app.shutdown()
            assert app.post_shutdown is not None
            await app.post_shutdown(app)

    @asynccontextmanager
    async def lifespan(_):
        api.attach(asyncio.get_running_loop(), url)
        line.attach(asyncio.get_running_loop(), url)
        line.webhook_url = f"{url}/line"  # as `estatedesk line set-webhook` registers it
        task = asyncio.create_task(run_bot())
        yield
        stop.set()
        api.stop()
        await asyncio.gather(task, return_exceptions=True)
        await api.close()

    desk_routes = line_routes([app], {"updates": 0, "seconds": 0.0}, None)
    web = Starlette(routes=[*sandbox.routes(), *api.routes(), *line.routes(), *desk_routes],
                    lifespan=lifespan,
                    middleware=[Middleware(OwnPageOnly, listen=host)])
    print(f"Starting the sandbox at {url}: the demo estate is being set up …", flush=True)
    def stopping() -> None:  # the bot and the page's waits first, then the server
        stop.set()
        api.stop()

    server = _Server(uvicorn.Config(web, log_level="warning", access_log=False,
                                    timeout_graceful_shutdown=5), stopping)
    await server.serve(sockets=[sock])


class _Server(uvicorn.Server):
    """Ctrl-C or SIGTERM stops the bot before the server, and the process exits 0."""

    def __init__(self, config: uvicorn.Config, stopping) -> None:
        super().__init__(config)
        self.stopping = stopping

    @contextmanager
    def capture_signals(self):
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, self.handle_exit, sig, None)
        try:
            yield
        finally:
            for sig in (signal.SIGINT, signal.SIGTERM):
                loop.remove_signal_handler(sig)

    def handle_exit(self, sig, frame) -> None:
        self.stopping()
        super().handle_exit(sig, frame)
