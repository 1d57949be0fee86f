"""The webhook worker (`estatedesk serve`): Telegram posts each update with the secret the
desk registered. A wrong secret is refused and stores nothing; the same update delivered
twice at once has one effect; while the database cannot be reached the worker answers 503
(Telegram delivers it again later), and once it is back the update is handled, even one cut
off half way."""

import asyncio

import httpx
import psycopg

from bot import serve
from handlers.onboarding import onboarding as onboarding_handlers
from workflow import admin

SECRET = "s3cret-from-webhook-set"


def client(desk) -> httpx.AsyncClient:
    app = serve.web(desk.app, run_desk=False)  # the desk is already running (the harness)
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://worker")


def update(desk, person, **content) -> dict:
    """An update as Telegram posts it (a command carries its entity, as the apps send it)."""
    desk.next_update_id += 1
    if content.get("text", "").startswith("/"):
        content["entities"] = [{"type": "bot_command", "offset": 0,
                                "length": len(content["text"].split()[0])}]
    return {"update_id": desk.next_update_id, "message": person._message(**content)}


async def post(web, data: dict, secret: str = SECRET) -> httpx.Response:
    return await web.post("/telegram", json=data,
                          headers={serve.SECRET_HEADER: secret})


async def test_a_wrong_secret_is_refused_and_nothing_is_stored(desk):
    await admin.set_webhook_secret(desk.db, SECRET)
    stranger = desk.person(6100, "Someone", "en")
    async with client(desk) as web:
        refused = await post(web, update(desk, stranger, text="hello"), secret="guess")
        assert refused.status_code == 403
        assert await desk.query("SELECT count(*) FROM people WHERE user_id = 6100") == [(0,)]
        assert stranger.texts() == []
        taken = await post(web, update(desk, stranger, text="hello"))
        assert taken.status_code == 200
        assert stranger.texts()  # answered, once the update was handled
        assert (await web.get("/healthz")).status_code == 200
        assert (await web.get("/readyz")).text == "ready"


async def test_the_same_update_delivered_twice_at_once_has_one_effect(desk):
    await admin.set_webhook_secret(desk.db, SECRET)
    resident = desk.person(5001, "May", "en")
    await resident.send("/start")
    contact = {"phone_number": "0912-345-678", "first_name": "May", "user_id": 5001}
    shared = update(desk, resident, contact=contact)
    async with client(desk) as web:
        answers = await asyncio.gather(post(web, shared), post(web, shared))
    assert [a.status_code for a in answers] == [200, 200]
    assert sum(t.startswith("Thank you. You are linked") for t in resident.texts()) == 1
    assert await desk.query("SELECT count(*) FROM residencies WHERE user_id = 5001") == [(1,)]


async def test_an_unreachable_database_answers_503_then_the_update_is_handled(desk):
    await admin.set_webhook_secret(desk.db, SECRET)
    stranger = desk.person(6100, "Someone", "en")
    waiting = update(desk, stranger, text="/start")
    async with client(desk) as web:
        await web.post("/telegram", json=update(desk, stranger, text="/help"),
                       headers={serve.SECRET_HEADER: SECRET})  # the secret is read once
        await desk.db.close()  # the database goes away
        down = await post(web, waiting)
        assert down.status_code == 503 and down.headers["Retry-After"] == "5"
        assert (await web.get("/readyz")).status_code == 503
        await desk.db.open()
        again = await post(web, waiting)  # Telegram delivers it again
        assert again.status_code == 200
    assert stranger.last_text.startswith("Welcome")


async def test_the_database_lost_midway_answers_503_and_the_update_is_handled_again(
        desk, monkeypatch):
    """The sign-up is committed, then the connection breaks before the answer: the worker
    answers 503 rather than telling the resident to try again, and the update is not marked
    handled, so Telegram's second delivery answers it."""
    await admin.set_webhook_secret(desk.db, SECRET)
    resident = desk.person(5001, "May", "en")
    await resident.send("/start")
    shared = update(desk, resident, contact={"phone_number": "0912-345-678",
                                             "first_name": "May", "user_id": 5001})
    real, breaks = onboarding_handlers.onboarding.contact_shared, [True]

    async def committed_then_cut_off(*args):
        outcome = await real(*args)
        if breaks:
            breaks.pop()
            raise psycopg.OperationalError("server closed the connection unexpectedly")
        return outcome

    monkeypatch.setattr(onboarding_handlers.onboarding, "contact_shared",
                        committed_then_cut_off)
    async with client(desk) as web:
        assert (await post(web, shared)).status_code == 503
        assert not any("went wrong" in t for t in resident.texts())
        assert (await post(web, shared)).status_code == 200
    assert sum(t.startswith("Thank you. You are linked") for t in resident.texts()) == 1
    assert await desk.query("SELECT count(*) FROM residencies WHERE user_id = 5001") == [(1,)]


async def test_the_worker_reports_its_updates_pool_and_memory_for_monitoring(desk):
    await admin.set_webhook_secret(desk.db, SECRET)
    stranger = desk.person(6100, "Someone", "en")
    async with client(desk) as web:
        await post(web, update(desk, stranger, text="/start"))
        await post(web, update(desk, stranger, text="/help"))
        text = (await web.get("/metrics")).text
    figures = dict(line.split() for line in text.splitlines())
    assert figures["estatedesk_updates_total"] == "2"
    assert float(figures["estatedesk_update_seconds_total"]) > 0
    assert int(figures["estatedesk_resident_memory_bytes"]) > 10_000_000
    if desk.schema is not None:  # PostgreSQL: the pool's counters, waits among them
        assert int(figures["estatedesk_pool_requests_num"]) > 0


async def test_many_updates_at_once_never_starve_their_own_transactions(desk):
    """Each update holds a connection for its chat's lock: with eight people writing at
    once to a worker whose pool has four connections, every update is still handled (those
    beyond half the pool wait their turn before taking a lock) and none gets a 503."""
    await admin.set_webhook_secret(desk.db, SECRET)
    people = [desk.person(6200 + n, f"Person {n}", "en") for n in range(8)]
    async with client(desk) as web:
        answers = await asyncio.gather(*(post(web, update(desk, p, text="/start"))
                                         for p in people))
    assert [a.status_code for a in answers] == [200] * 8
    assert all(p.texts() for p in people)


async def test_a_worker_refuses_what_is_not_an_update_and_bodies_over_a_megabyte(desk, caplog):
    """After the secret: a JSON array or a web page is a 400 and one line in the log, not a
    traceback; a body over 1 MB is refused by its length before it is read, or counted as it
    streams in."""
    await admin.set_webhook_secret(desk.db, SECRET)
    headers = {serve.SECRET_HEADER: SECRET}
    async with client(desk) as web:
        for body in (b"[1, 2]", b"<html>", b'{"message": {}}', b"\xff\xfe"):
            refused = await web.post("/telegram", content=body, headers=headers)
            assert refused.status_code == 400, body
        huge = b"{" + b" " * (serve.MAX_BODY + 1) + b"}"
        assert (await web.post("/telegram", content=huge, headers=headers)).status_code == 413

        async def streamed():
            for _ in range(20):
                yield b" " * 65536

        too_long = await web.post("/telegram", content=streamed(), headers=headers)
        assert too_long.status_code == 413
        assert (await web.post("/telegram", content=huge)).status_code == 403  # secret first
    logged = [r for r in caplog.records if r.name == "bot.serve"]
    assert len(logged) == 6 and not any(r.exc_info for r in logged)
