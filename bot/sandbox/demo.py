"""`estatedesk demo`: the real bot, built by the production factory, against the local Bot API
stand-in, with a seeded demo estate in its own SQLite file and a page on 127.0.0.1 where one
person plays every role. One process, one event loop, one port: the page, its JSON routes and
the stand-in's Bot API are one Starlette app."""

from __future__ import annotations

import asyncio
import logging
import signal
import socket
import sys
import tempfile
import webbrowser
from contextlib import asynccontextmanager, contextmanager
from dataclasses import replace
from pathlib import Path

import uvicorn
from starlette.applications import Starlette

from bot import app as desk_app
from bot import polling
from bot.sandbox import seed
from bot.sandbox.bot_api import BotApiStandIn
from bot.sandbox.clock import DemoClock
from bot.sandbox.web import Sandbox
from storage.db import Database
from workflow.settings import EstateSettings

log = logging.getLogger(__name__)
TOKEN = "100000001:SANDBOX"  # only the stand-in ever sees it
ESTATE_NAME = "Demo Estate 示範花園"


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
    else:
        db_path.unlink(missing_ok=True)  # the demo starts afresh every time
    try:
        asyncio.run(_serve(sock, db_path, open_page))
    finally:
        if folder is not None:
            folder.cleanup()
    return 0


async def _serve(sock: socket.socket, db_path: Path, open_page: bool) -> None:
    host, port = sock.getsockname()[:2]
    url = f"http://{host}:{port}"
    settings = replace(EstateSettings(), estate_name=ESTATE_NAME)
    clock = DemoClock(settings.tz)
    api = BotApiStandIn()
    db = Database(str(db_path))
    app = desk_app.build_application(settings, db, token=TOKEN, api_url=url, clock=clock.now,
                                     rate_limited=False)
    people = seed.personas()

    async def advanced() -> None:
        assert app.job_queue is not None
        app.job_queue.run_once(desk_app.sweep, 0)

    sandbox = Sandbox(api, clock, people, [p.user_id for p in seed.SHOWN], advanced)
    stop = asyncio.Event()
    server: uvicorn.Server

    async def run_bot() -> None:
        await app.initialize()
        assert app.post_init is not None
        await app.post_init(app)
        await app.start()
        poller = asyncio.create_task(polling.poll(app, stop))
        try:
            await seed.seed(api, db, people, clock.now())
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
        task = asyncio.create_task(run_bot())
        yield
        stop.set()
        api.stop()
        await asyncio.gather(task, return_exceptions=True)
        await api.close()

    web = Starlette(routes=[*sandbox.routes(), *api.routes()], lifespan=lifespan)
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
