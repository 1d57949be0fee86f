"""LINE on the web worker, and its settings: LINE posts to /line (/line/<estate> for one of
several estates); a request without LINE's signature is refused before its body is read and
stores nothing; a body over the limit is refused (413); while the database is away the worker
answers 503 with Retry-After, as for Telegram. What the desk shows on LINE is served at a
signed address that expires. The office sets LINE with two variables (both or neither) and
checks it with `estatedesk line info`."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from bot import cli, estates, serve
from bot.config import DEFAULT_LINE_API_URL, DEFAULT_LINE_DATA_URL, ConfigError, deployment
from storage import accounts
from storage.privacy.erasure import scrub_tickets
from storage.records import Account
from tests.line_front_fakes import PUBLIC, FakeLineApi, LineUser, body_of, build, signature
from tests.line_front_fakes import user_id as line_user
from tests.stories import report_leak, resident_of_a12
from workflow.privacy.erasure import erase_person

MAY = line_user(1)
PHOTO = b"\xff\xd8\xff\xe0" + b"a photo of the meter room" * 40


@pytest.fixture
def line_api():
    with FakeLineApi() as api:
        api.profiles[MAY] = {"displayName": "May", "language": "en"}
        yield api


@pytest.fixture
async def line(desk, line_api):
    front, channel = build(desk, line_api)
    yield front, channel
    await front.client.close()


def worker(desk) -> httpx.AsyncClient:
    app = serve.web(desk.app, run_desk=False)  # the desk is already running (the harness)
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://worker")


def follow(line) -> tuple[LineUser, bytes]:
    front, channel = line
    may = LineUser(front, channel, MAY, "May")
    return may, body_of(may.event("follow", follow={"isUnblocked": False}))


async def test_line_posts_to_slash_line_and_is_answered_once_the_event_is_handled(desk, line):
    may, body = follow(line)
    async with worker(desk) as web:
        answer = await web.post("/line", content=body,
                                headers={"X-Line-Signature": signature(body)})
    assert answer.status_code == 200
    assert "Privacy notice" in may.last_text


async def test_a_request_without_lines_signature_is_refused_and_stores_nothing(desk, line):
    may, body = follow(line)
    async with worker(desk) as web:
        unsigned = await web.post("/line", content=body)
        forged = await web.post("/line", content=body,
                                headers={"X-Line-Signature": signature(body, "guessed")})
    assert (unsigned.status_code, forged.status_code) == (401, 401)
    assert may.shown == []
    assert await desk.query("SELECT count(*) FROM seen_updates") == [(0,)]


async def test_a_body_over_the_limit_is_refused_before_it_is_read(desk, line):
    big = b"{" + b" " * serve.MAX_BODY + b"}"
    async with worker(desk) as web:
        answer = await web.post("/line", content=big,
                                headers={"X-Line-Signature": signature(big)})
    assert answer.status_code == 413


async def test_the_database_away_answers_503_with_retry_after(desk, line):
    may, body = follow(line)
    async with worker(desk) as web:
        await desk.db.close()
        down = await web.post("/line", content=body,
                              headers={"X-Line-Signature": signature(body)})
        assert down.status_code == 503 and down.headers["Retry-After"] == serve.RETRY_SECONDS
        await desk.db.open()
        again = await web.post("/line", content=body,
                               headers={"X-Line-Signature": signature(body)})
    assert again.status_code == 200
    assert "Privacy notice" in may.last_text


async def test_beside_long_polling_a_server_in_the_same_loop_takes_line_only(desk, line):
    """`estatedesk run` with LINE set: the polling loop runs a web server for /line (and the
    media) beside it; Telegram's updates still come by polling, so no Telegram route."""
    may, body = follow(line)
    beside = serve.listener(desk.app, "127.0.0.1", 0)
    serving = asyncio.ensure_future(beside.serve())
    while not beside.started:
        await asyncio.sleep(0.01)
    port = beside.servers[0].sockets[0].getsockname()[1]
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as web:
        taken = await web.post("/line", content=body,
                               headers={"X-Line-Signature": signature(body)})
        telegram = await web.post("/telegram", json={"update_id": 1})
    beside.should_exit = True
    await serving
    assert (taken.status_code, telegram.status_code) == (200, 404)
    assert "Privacy notice" in may.last_text


async def test_one_estate_of_several_takes_line_at_its_own_path(desk, line_api):
    front, channel = build(desk, line_api, estate_key="harbour_view")
    try:
        may = LineUser(front, channel, MAY, "May")
        body = body_of(may.event("follow", follow={"isUnblocked": False}))
        async with worker(desk) as web:
            elsewhere = await web.post("/line", content=body,
                                       headers={"X-Line-Signature": signature(body)})
            taken = await web.post("/line/harbour_view", content=body,
                                   headers={"X-Line-Signature": signature(body)})
        assert elsewhere.status_code in (404, 405) and taken.status_code == 200
        assert front.media.url("media:1").startswith(f"{PUBLIC}/line/media/harbour_view/")
    finally:
        await front.client.close()


async def test_a_shown_file_is_served_at_its_signed_address_until_it_expires(desk, line):
    front, _ = line
    ref = await front.media.keep(PHOTO, "meter room.jpg", "image/jpeg",
                                 sender=Account("line", MAY))
    address = front.media.url(ref)
    assert address.startswith(f"{PUBLIC}/line/media/")
    path = address[len(PUBLIC):]
    body, _, signed = path.rpartition("/")[2].partition(".")
    async with worker(desk) as web:
        served = await web.get(path)
        assert served.status_code == 200 and served.content == PHOTO
        assert served.headers["content-type"] == "image/jpeg"
        other = front.media.url("media:2")  # another file's token, signed: not this one's
        forged = f"/line/media/{other.rpartition('/')[2].partition('.')[0]}.{signed}"
        assert (await web.get(forged)).status_code == 403
        assert (await web.get("/line/media/not-a-token")).status_code == 403
        assert (await web.get(other[len(PUBLIC):])).status_code == 404  # no such file
        desk.clock.advance(days=8)
        assert (await web.get(path)).status_code == 403  # expired


async def test_the_desks_own_files_go_once_their_address_has_expired(desk, line):
    front, _ = line
    await front.media.keep(b"%PDF-1.7 a statement", "statement.pdf", "application/pdf")
    desk.clock.advance(days=9)
    await front.media.keep(b"%PDF-1.7 the next one", "statement.pdf", "application/pdf")
    assert await desk.query("SELECT content_type, size FROM media") == [
        ("application/pdf", len(b"%PDF-1.7 the next one"))]


async def test_a_line_persons_photos_go_when_they_are_erased(desk, line, line_api):
    front, _ = line
    ref = await front.media.keep(PHOTO, "photo.jpg", "image/jpeg", sender=Account("line", MAY))
    ours = await front.media.keep(b"%PDF-1.7", "form.pdf", "application/pdf")
    resident = await resident_of_a12(desk)
    async with desk.db.transaction() as conn:  # she linked her LINE account (/link)
        await accounts.link(conn, Account("line", MAY), resident.user_id, "en", desk.clock())
    await erase_person(desk.db, resident.user_id, desk.clock())
    assert await desk.query("SELECT count(*) FROM media") == [(1,)]
    assert await front.media.bytes_of(ours) == b"%PDF-1.7"
    with pytest.raises(FileNotFoundError):
        await front.media.bytes_of(ref)


async def test_a_tickets_kept_photos_go_when_its_content_is_forgotten(desk, line):
    """The retention sweep (and erasure) forget a ticket's photos: those the desk keeps
    itself are deleted with their refs."""
    front, _ = line
    ref = await front.media.keep(PHOTO, "photo.jpg", "image/jpeg", sender=Account("line", MAY))
    resident = await resident_of_a12(desk)
    await report_leak(resident, photos=(ref,))
    assert await desk.query("SELECT file_id FROM ticket_photos") == [(ref,)]
    async with desk.db.transaction() as conn:
        await scrub_tickets(conn, [1], desk.clock())
    assert await desk.query("SELECT count(*) FROM media") == [(0,)]


async def test_a_line_photo_reaches_a_technician_on_telegram_as_an_upload(desk, line):
    front, _ = line
    ref = await front.media.keep(PHOTO, "photo.jpg", "image/jpeg", sender=Account("line", MAY))
    telegram = desk.app.bot_data.outboxes["telegram"]
    await telegram.send_photos(9002, [ref], caption="R-2026-00001")
    sent = [c for c in desk.api.calls if c.method == "sendPhoto"][-1]
    assert [content for _, content in sent.files.values()] == [PHOTO]


# The office's settings


def test_line_is_set_by_its_secret_and_token_and_half_of_it_is_an_error():
    assert deployment({}).line is None
    line = deployment({"LINE_CHANNEL_SECRET": "s", "LINE_CHANNEL_ACCESS_TOKEN": "t"}).line
    assert line is not None and (line.api_url, line.data_url) == (DEFAULT_LINE_API_URL,
                                                                  DEFAULT_LINE_DATA_URL)
    with pytest.raises(ConfigError, match="LINE_CHANNEL_ACCESS_TOKEN is not"):
        deployment({"LINE_CHANNEL_SECRET": "s"})
    with pytest.raises(ConfigError, match="LINE_CHANNEL_SECRET is not"):
        deployment({"LINE_CHANNEL_ACCESS_TOKEN": "t"})
    proxied = deployment({"LINE_CHANNEL_SECRET": "s", "LINE_CHANNEL_ACCESS_TOKEN": "t",
                          "LINE_API_URL": "http://127.0.0.1:8082/",
                          "LINE_PUBLIC_URL": "http://127.0.0.1:8443"}).line
    assert proxied is not None
    assert (proxied.api_url, proxied.data_url) == ("http://127.0.0.1:8082",) * 2
    with pytest.raises(ConfigError, match="LINE reaches only an https address"):
        deployment({"LINE_CHANNEL_SECRET": "s", "LINE_CHANNEL_ACCESS_TOKEN": "t",
                    "LINE_PUBLIC_URL": "http://desk.example.com"})


def test_an_estate_takes_line_from_the_variables_it_names(tmp_path):
    listed = tmp_path / "estates.toml"
    listed.write_text('[[estates]]\nkey = "harbour_view"\ntoken_env = "HV_TOKEN"\n'
                      'line_secret_env = "HV_LINE_SECRET"\nline_token_env = "HV_LINE_TOKEN"\n'
                      '[[estates]]\nkey = "lakeside"\ntoken_env = "LS_TOKEN"\n')
    env = {"HV_TOKEN": "1:a", "LS_TOKEN": "2:b", "HV_LINE_SECRET": "s", "HV_LINE_TOKEN": "t"}
    harbour, lakeside = estates.load(str(listed), env)
    assert harbour.line is not None and harbour.line.secret == "s" and lakeside.line is None
    with pytest.raises(ConfigError, match="harbour_view.*HV_LINE_SECRET is set but "
                                          "HV_LINE_TOKEN is not"):
        estates.load(str(listed), {**env, "HV_LINE_TOKEN": ""})


def test_line_info_without_line_set_says_what_to_set(monkeypatch, capsys, tmp_path):
    monkeypatch.delenv("LINE_CHANNEL_SECRET", raising=False)
    monkeypatch.delenv("LINE_CHANNEL_ACCESS_TOKEN", raising=False)
    monkeypatch.setenv("ESTATEDESK_DB", str(tmp_path / "desk.sqlite3"))
    assert cli.main(["line", "info"]) == 2
    assert "set LINE_CHANNEL_SECRET and LINE_CHANNEL_ACCESS_TOKEN" in capsys.readouterr().err


def test_line_info_and_set_webhook_talk_to_lines_api(monkeypatch, capsys, tmp_path):
    with FakeLineApi() as api:
        monkeypatch.setenv("LINE_CHANNEL_SECRET", "line-channel-secret")
        monkeypatch.setenv("LINE_CHANNEL_ACCESS_TOKEN", "line-access-token")
        monkeypatch.setenv("LINE_API_URL", api.url)
        monkeypatch.setenv("LINE_PUBLIC_URL", "https://desk.example.com")
        monkeypatch.setenv("ESTATEDESK_DB", str(tmp_path / "desk.sqlite3"))
        assert cli.main(["line", "set-webhook"]) == 0
        assert api.webhook == {"endpoint": "https://desk.example.com/line", "active": True}
        said = capsys.readouterr().out
        assert "LINE now posts to https://desk.example.com/line" in said
        assert "answers: no: 0 COULD_NOT_CONNECT" in said  # the desk is not running
        assert cli.main(["line", "info"]) == 0
        said = capsys.readouterr().out
        assert "bot: Lakeside desk (@123abcde)" in said
        assert "webhook: https://desk.example.com/line (on)" in said
        monkeypatch.setenv("LINE_CHANNEL_ACCESS_TOKEN", "an-old-token")
        assert cli.main(["line", "info"]) == 1
        assert "LINE refused the channel access token (401)" in capsys.readouterr().err


def test_half_a_line_setting_stops_the_desk_with_a_clear_message(monkeypatch, capsys):
    monkeypatch.setenv("LINE_CHANNEL_SECRET", "s")
    monkeypatch.delenv("LINE_CHANNEL_ACCESS_TOKEN", raising=False)
    assert cli.main(["run"]) == 2
    assert "configuration error: LINE_CHANNEL_SECRET is set but LINE_CHANNEL_ACCESS_TOKEN" \
        in capsys.readouterr().err

