"""`estatedesk serve`: one webhook worker (Starlette on uvicorn), run as many times as
wanted behind a load balancer on PostgreSQL, with no sticky sessions. Per update: Telegram's
secret header is checked (else 403, nothing stored); one update of a chat at a time across
every worker (a lock held for the whole update); the replay guard drops a second delivery;
200 only once the update is handled, so Telegram's own queue per chat keeps the order; 503
with Retry-After while the database cannot be reached, so Telegram delivers it again; 413 for a
body over 1 MB (refused before it is read), 400 for one that is not an update.
Messages any worker commits wake every worker's sender (LISTEN/NOTIFY on PostgreSQL).
/healthz says the process lives; /readyz that the database answers at the current schema.
An estate with LINE set (bot/line.py) takes LINE's webhook at /line (/line/<estate key> with
--estates): its signature is checked first (401 and nothing stored), then the same rules
(413, 503 with Retry-After, 200 once handled); what the desk shows on LINE is served at
/line/media/<token> (/line/media/<estate key>/<token>), signed and expiring.
SIGTERM (uvicorn's) finishes the updates in flight, then the desk stops, and the process
exits 0."""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import json
import logging
import os
import resource
import time
from collections.abc import AsyncIterator

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route
from telegram import Update
from telegram.ext import Application

from bot.app import redeliverable
from bot.wakeups import for_apps
from storage.backend import unreachable
from workflow import admin

log = logging.getLogger(__name__)
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
RETRY_SECONDS = "5"
MAX_BODY = 2 ** 20  # Telegram's updates are a few kB; a larger body is not Telegram's
LINE_SIGNATURE = "X-Line-Signature"
LINE_ANSWERS = {200: "ok", 400: "not LINE's events", 401: "unauthorized"}


def down() -> tuple[type[BaseException], ...]:
    """The database cannot be reached, or is not open (RuntimeError)."""
    return (*unreachable(), RuntimeError)


def chat_of(update: Update) -> int:
    """Whose queue an update belongs to: its chat, else its sender."""
    if update.effective_chat is not None:
        return update.effective_chat.id
    return update.effective_user.id if update.effective_user is not None else 0


def web(app: Application | dict[str, Application], path: str = "/telegram", *,
        run_desk: bool = True, shared=None, telegram: bool = True) -> Starlette:
    """The worker's web application around the desk's (already built) Application, or
    several estates' ({path: Application}, one route each); with `run_desk` its lifespan
    starts and stops the desks (tests drive started ones), and opens the `shared` pool the
    estates' databases use first. Without `telegram` only LINE's routes are served (beside
    long polling: `listener`)."""
    apps = app if isinstance(app, dict) else {path: app}

    async def healthz(request: Request) -> Response:
        return PlainTextResponse("ok")

    async def readyz(request: Request) -> Response:
        try:
            ready = all([await a.bot_data.desk.db.ready() for a in apps.values()])
        except down():
            ready = False
        return PlainTextResponse("ready" if ready else "not ready",
                                 status_code=200 if ready else 503)

    handled = {"updates": 0, "seconds": 0.0}

    async def metrics(request: Request) -> Response:
        """For the operator's monitoring: updates handled, time spent on them, the
        connection pool's waits (the estates' shared pool counted once), resident memory."""
        lines = [f"estatedesk_updates_total {handled['updates']}",
                 f"estatedesk_update_seconds_total {handled['seconds']:.3f}",
                 f"estatedesk_estates {len(apps)}",
                 f"estatedesk_resident_memory_bytes {_resident_memory()}"]
        pools = {id(p): p for p in (getattr(a.bot_data.desk.db, "connection_pool", None)
                                    for a in apps.values()) if p is not None}
        seen: dict[str, int] = {}  # psycopg_pool's counters: requests_wait_ms, ...
        for pool in pools.values():
            for key, value in pool.get_stats().items():
                seen[key] = seen.get(key, 0) + value
        lines += [f"estatedesk_pool_{key} {value}" for key, value in sorted(seen.items())]
        return PlainTextResponse("\n".join(lines) + "\n")

    @contextlib.asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        if not run_desk:
            yield
            return
        if shared is not None:
            await shared.open(wait=True)
        started = []
        wakeups = None
        try:
            for one in apps.values():
                await one.initialize()
                if one.post_init:
                    await one.post_init(one)
                await one.start()
                started.append(one)
            wakeups = for_apps(started)
            if wakeups is not None:
                wakeups.start()
            yield
        finally:
            if wakeups is not None:
                await wakeups.stop()
            for one in reversed(started):
                await one.stop()
                await one.shutdown()
                if one.post_shutdown:
                    await one.post_shutdown(one)
            if shared is not None:
                await shared.close()

    # An update holds a pooled connection for its chat's lock and takes another for each
    # transaction: at most half the pool's connections go to updates in flight, so their
    # transactions always find one (the rest wait their turn here, not in the pool).
    most = min((getattr(a.bot_data.desk.db, "max_connections", 0) for a in apps.values()),
               default=0)
    in_flight = asyncio.Semaphore(max(1, most // 2)) if most else None
    routes = [Route(p, _endpoint(a, handled, in_flight), methods=["POST"])
              for p, a in apps.items() if telegram]
    routes += line_routes(apps.values(), handled, in_flight)
    return Starlette(routes=[*routes, Route("/healthz", healthz), Route("/readyz", readyz),
                             Route("/metrics", metrics)], lifespan=lifespan)


def _resident_memory() -> int:
    """Bytes of memory the process holds now (Linux), else its peak."""
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except OSError:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def _endpoint(app: Application, handled: dict, in_flight: asyncio.Semaphore | None):
    db = app.bot_data.desk.db

    async def telegram(request: Request) -> Response:
        secret = await _secret(app)
        given = request.headers.get(SECRET_HEADER, "")
        if secret is None or not hmac.compare_digest(given.encode(), secret.encode()):
            return PlainTextResponse("forbidden", status_code=403)
        body = await _body(request)
        if body is None:
            log.warning("a webhook request of more than %d bytes was refused (413)",
                        MAX_BODY)
            return PlainTextResponse("too large", status_code=413)
        try:
            data = json.loads(body)
            if not isinstance(data, dict) or not isinstance(data.get("update_id"), int):
                raise ValueError("not a JSON object with an update_id")
            update = Update.de_json(data, app.bot)
        except (ValueError, TypeError, KeyError, AttributeError) as exc:
            log.warning("a webhook request that is not an update was refused (400): %s",
                        str(exc)[:200])
            return PlainTextResponse("not an update", status_code=400)
        failures: list[BaseException] = []  # a handler's, the database unreachable
        token = redeliverable.set(failures)
        began = time.perf_counter()
        try:
            async with in_flight or contextlib.nullcontext(), db.update_lock(chat_of(update)):
                await app.process_update(update)
        except down() as exc:
            failures.append(exc)
        finally:
            redeliverable.reset(token)
            handled["updates"] += 1
            handled["seconds"] += time.perf_counter() - began
        if failures:
            log.warning("update %s: the database cannot be reached (%s): 503",
                        update.update_id, failures[0])
            return PlainTextResponse("database unreachable", status_code=503,
                                     headers={"Retry-After": RETRY_SECONDS})
        return PlainTextResponse("ok")

    return telegram


def line_routes(apps, handled: dict, in_flight: asyncio.Semaphore | None) -> list[Route]:
    """LINE's webhook and its media, for each estate that has LINE set."""
    found = []
    for app in apps:
        front = getattr(app.bot_data, "line", None)
        if front is None:
            continue
        key = f"/{front.estate_key}" if front.estate_key else ""
        found += [Route(f"/line{key}", _line_endpoint(app, front, handled, in_flight),
                        methods=["POST"]),
                  Route(f"/line/media{key}/{{token}}", front.media.endpoint, methods=["GET"])]
    return found


def _line_endpoint(app: Application, front, handled: dict,
                   in_flight: asyncio.Semaphore | None):
    async def line(request: Request) -> Response:
        signature = request.headers.get(LINE_SIGNATURE, "")
        if not signature:  # not LINE's: refused before its body is read
            return PlainTextResponse("unauthorized", status_code=401)
        body = await _body(request)
        if body is None:
            log.warning("a LINE webhook request of more than %d bytes was refused (413)",
                        MAX_BODY)
            return PlainTextResponse("too large", status_code=413)
        began = time.perf_counter()
        try:
            async with in_flight or contextlib.nullcontext():
                status = await front.handle(body, signature)
        except down() as exc:  # the database lost before an event was reached
            log.warning("LINE webhook: the database cannot be reached (%s): 503", exc)
            status = 503
        finally:
            handled["updates"] += 1
            handled["seconds"] += time.perf_counter() - began
        if status == 503:
            return PlainTextResponse("database unreachable", status_code=503,
                                     headers={"Retry-After": RETRY_SECONDS})
        return PlainTextResponse(LINE_ANSWERS.get(status, "refused"), status_code=status)

    return line


async def _body(request: Request) -> bytes | None:
    """The request's body, or None past MAX_BODY: refused by its Content-Length before
    reading, else counted as it streams in (a sender may lie or send it chunked)."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_BODY:
        return None
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


async def _secret(app: Application) -> str | None:
    """The secret `estatedesk webhook set` registered (every worker reads the same)."""
    data = app.bot_data
    if data.webhook_secret is None:
        data.webhook_secret = await admin.webhook_secret(data.desk.db)
    return data.webhook_secret


def run(app: Application | dict[str, Application], listen: str, port: int, path: str,
        shared=None) -> int:
    import uvicorn

    class Worker(uvicorn.Server):
        def handle_exit(self, sig, frame) -> None:
            super().handle_exit(sig, frame)
            # uvicorn raises the signal again once stopped (the exit code then says killed);
            # a stop the operator asked for, with every update finished, is a clean exit.
            self._captured_signals.clear()

    log.info("serving Telegram's webhook at http://%s:%d%s", listen, port, path)
    for one in (app.values() if isinstance(app, dict) else [app]):
        front = getattr(one.bot_data, "line", None)
        if front is not None:
            log.info("serving LINE's webhook at http://%s:%d/line%s", listen, port,
                     f"/{front.estate_key}" if front.estate_key else "")
    # uvicorn's own log at WARNING: at INFO it writes a line for every update
    Worker(uvicorn.Config(web(app, path, shared=shared), host=listen, port=port,
                          log_level="warning",
                          timeout_graceful_shutdown=30)).run()
    return 0


def listener(app: Application, listen: str, port: int):
    """LINE's webhook beside long polling (`estatedesk run`): a uvicorn server run in the
    polling loop (bot/polling.py), which owns the signals and starts and stops the desk;
    set `should_exit` to stop it (the requests in flight are finished first)."""
    import uvicorn

    class Beside(uvicorn.Server):
        @contextlib.contextmanager
        def capture_signals(self):  # the polling loop's handlers stay
            yield

    log.info("serving LINE's webhook at http://%s:%d/line", listen, port)
    return Beside(uvicorn.Config(web(app, run_desk=False, telegram=False), host=listen,
                                 port=port, log_level="warning", lifespan="off",
                                 timeout_graceful_shutdown=30))
