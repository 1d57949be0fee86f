"""Many estates from one worker: each in its own schema, on one shared pool of connections,
each transaction naming its estate. A resident of one estate never sees another's reports,
however the two estates' work interleaves; one estate's webhook secret opens nothing of the
other's; and the estates file says clearly what is wrong with it."""

import asyncio

import httpx
import pytest

from bot import estates, serve
from bot.config import ConfigError
from storage import postgres
from tests import backends
from tests.harness import DeskHarness
from tests.stories import report_leak, resident_of_a12, staff
from workflow import admin, views

pytestmark = pytest.mark.postgres_only
ROSTER = "building,unit,name,phone\nA,12F-3,陳美玲,0912-345-678\n"


async def two_estates(tmp_path, monkeypatch, shared):
    monkeypatch.setattr(backends, "database", lambda path, schema=None: postgres.PgDatabase(
        backends.PG_URL, schema or backends.fresh_schema(), shared=shared))
    found = []
    for name in ("harbour", "hillside"):
        desk = DeskHarness(tmp_path / name)
        await desk.start()
        await desk.import_roster(ROSTER)  # the same unit name and phone in both estates
        found.append(desk)
    return found


async def test_a_resident_of_one_estate_never_sees_another_estates_reports(tmp_path,
                                                                           monkeypatch):
    shared = postgres.pool(backends.PG_URL, max_size=4)
    await shared.open(wait=True)
    harbour, hillside = await two_estates(tmp_path, monkeypatch, shared)
    try:
        await staff(harbour)
        await report_leak(await resident_of_a12(harbour))
        neighbour = await resident_of_a12(hillside)  # the same Telegram account, elsewhere
        await neighbour.send("/mytickets")
        assert "R-2026-00001" not in " ".join(neighbour.labels())

        async def look(desk) -> int:
            return len(await views.resident_tickets(desk.db, 5001))

        counts = await asyncio.gather(*(look(d) for _ in range(20) for d in (harbour, hillside)))
        assert counts == [1, 0] * 20  # each transaction in its own estate, connections shared

        await admin.set_webhook_secret(harbour.db, "harbour-secret")
        await admin.set_webhook_secret(hillside.db, "hillside-secret")
        web = serve.web({"/telegram/harbour": harbour.app, "/telegram/hillside": hillside.app},
                        run_desk=False)
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=web),
                                     base_url="http://worker") as client:
            hillside.next_update_id += 1
            update = {"update_id": hillside.next_update_id,
                      "message": neighbour._message(text="hello")}
            wrong = await client.post("/telegram/hillside", json=update,
                                      headers={serve.SECRET_HEADER: "harbour-secret"})
            assert wrong.status_code == 403
            right = await client.post("/telegram/hillside", json=update,
                                      headers={serve.SECRET_HEADER: "hillside-secret"})
            assert right.status_code == 200
            assert (await client.get("/readyz")).status_code == 200
    finally:
        for desk in (harbour, hillside):
            await desk.stop()
        await shared.close()


def test_the_estates_file_says_what_is_wrong(tmp_path):
    listing = tmp_path / "estates.toml"
    listing.write_text('[[estates]]\nkey = "harbour"\ntoken_env = "HARBOUR_TOKEN"\n'
                       '[[estates]]\nkey = "harbour"\ntoken_env = "HILLSIDE_TOKEN"\n')
    env = {"HARBOUR_TOKEN": "1:a", "HILLSIDE_TOKEN": "2:b"}
    with pytest.raises(ConfigError, match="the key harbour is listed twice"):
        estates.load(str(listing), env)
    listing.write_text('[[estates]]\nkey = "Harbour View"\ntoken_env = "HARBOUR_TOKEN"\n')
    with pytest.raises(ConfigError, match="lower-case letters"):
        estates.load(str(listing), env)
    listing.write_text('[[estates]]\nkey = "harbour"\ntoken_env = "NOT_SET"\n')
    with pytest.raises(ConfigError, match="set the environment variable NOT_SET"):
        estates.load(str(listing), env)
    listing.write_text('[[estates]]\nkey = "harbour"\ntoken_env = "HARBOUR_TOKEN"\n')
    [one] = estates.load(str(listing), env)
    assert (one.key, one.token) == ("harbour", "1:a")
