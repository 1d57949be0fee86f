"""LINE's way of answering, through LINE's own SDK over HTTP: a turn's replies in one reply
call (free), the rest pushed; a spent or expired reply token, a push that timed out, LINE
busy or refusing, each with what it means for the person and for the outbox.

LINE is played by a small HTTP server answering the two calls the adapter makes (reply,
push) with LINE's JSON and statuses, so the SDK's own serialisation and errors are real."""

from __future__ import annotations

import asyncio
import json
import uuid
from datetime import timedelta
from urllib.parse import quote

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from linebot.v3.messaging import ApiException

from bot.app import DOORS
from handlers import notices, router
from handlers.channels.content import Ask, Asking, choices
from handlers.channels.dispatch import Dispatcher
from handlers.channels.line.api import LineApi, LineSettings
from handlers.channels.line.channel import RETRY_KEYS, LineChannel
from handlers.channels.outcomes import Verdict
from handlers.channels.turns import Turn, Voice
from storage.records import Account
from workflow import admin, roles

MAY = "U" + "a1" * 16  # a resident's LINE userId
CLERK = "U" + "c3" * 16
WAI = "U" + "7e" * 16
TOKEN = "bot-token"


class FakeLine:
    """LINE's reply and push endpoints: reply tokens single use, retry keys remembered (a
    second push with one is answered 409, not shown again), faults on demand."""

    def __init__(self) -> None:
        self.shown: dict[str, list[dict]] = {}
        self.calls: list[tuple[str, dict, dict]] = []  # path, headers, body
        self.tokens: dict[str, str] = {}  # reply token -> the user it answers
        self.keys: dict[str, str] = {}  # retry key -> accepted request id
        self.faults: list[tuple[str, int, dict, dict]] = []  # path, status, body, headers
        self.slow_push = 0.0  # seconds a push's answer takes (it is accepted at once)
        self.slow_reply = 0.0
        self.server: TestServer | None = None

    def reply_token(self, user: str) -> str:
        token = uuid.uuid4().hex
        self.tokens[token] = user
        return token

    def fail_next(self, path: str, status: int, message: str = "",
                  headers: dict | None = None) -> None:
        self.faults.append((path, status, {"message": message}, headers or {}))

    def _fault(self, path: str) -> web.Response | None:
        for n, (where, status, body, headers) in enumerate(self.faults):
            if where == path:
                del self.faults[n]
                return web.json_response(body, status=status, headers=headers)
        return None

    async def _called(self, request: web.Request, path: str) -> dict:
        if request.headers.get("Authorization") != f"Bearer {TOKEN}":
            raise web.HTTPUnauthorized()
        body = await request.json()
        self.calls.append((path, dict(request.headers), body))
        return body

    async def reply(self, request: web.Request) -> web.Response:
        body = await self._called(request, "reply")
        fault = self._fault("reply")
        if fault is not None:
            return fault
        user = self.tokens.pop(body["replyToken"], None)
        if user is None:
            return web.json_response({"message": "Invalid reply token"}, status=400)
        self.shown.setdefault(user, []).extend(body["messages"])
        await asyncio.sleep(self.slow_reply)
        return web.json_response({"sentMessages": [
            {"id": str(n), "quoteToken": "q"} for n, _ in enumerate(body["messages"])]})

    async def push(self, request: web.Request) -> web.Response:
        body = await self._called(request, "push")
        fault = self._fault("push")
        if fault is not None:
            return fault
        key = request.headers.get("X-Line-Retry-Key")
        if key in self.keys:
            return web.json_response(
                {"message": "The retry key is already accepted"}, status=409,
                headers={"x-line-accepted-request-id": self.keys[key]})
        if key is not None:
            self.keys[key] = uuid.uuid4().hex
        self.shown.setdefault(body["to"], []).extend(body["messages"])
        await asyncio.sleep(self.slow_push)
        return web.json_response({"sentMessages": [
            {"id": str(n), "quoteToken": "q"} for n, _ in enumerate(body["messages"])]})

    def pushes(self) -> list[tuple[dict, dict]]:
        return [(headers, body) for path, headers, body in self.calls if path == "push"]

    def replies(self) -> list[dict]:
        return [body for path, _, body in self.calls if path == "reply"]

    def texts(self, user: str) -> list[str]:
        return [m.get("text") or m.get("altText") or m["type"] for m in self.shown.get(user, [])]


class Media:
    """The desk's media as the adapter uses it: bytes kept under `media:` references, and
    the signed https address LINE fetches each from."""

    def __init__(self) -> None:
        self.kept: dict[str, tuple[bytes, str, str]] = {}

    async def keep(self, data: bytes, name: str, content_type: str) -> str:
        ref = f"media:{len(self.kept) + 1}"
        self.kept[ref] = (data, name, content_type)
        return ref

    def url(self, ref: str, name: str | None = None) -> str:
        tail = f"/{quote(name)}" if name else ""
        return f"https://desk.example/line/media/{quote(ref, safe='')}{tail}"

    async def bytes_of(self, ref: str) -> bytes:
        return self.kept[ref][0]


class Budget:
    """The month's pushes, counted by kind; near the cap, progress notes are folded."""

    def __init__(self) -> None:
        self.counted: dict[str, int] = {}
        self.folding: set[str] = set()

    async def allows(self, kind: str) -> bool:
        return kind not in self.folding

    async def pushed(self, kind: str, count: int) -> None:
        self.counted[kind] = self.counted.get(kind, 0) + count


@pytest.fixture
async def line():
    fake = FakeLine()
    app = web.Application()
    app.router.add_post("/v2/bot/message/reply", fake.reply)
    app.router.add_post("/v2/bot/message/push", fake.push)
    fake.server = TestServer(app)
    await fake.server.start_server()
    yield fake
    await fake.server.close()


@pytest.fixture
async def channel(line):
    root = str(line.server.make_url("")).rstrip("/")
    api = LineApi(LineSettings.at("secret", TOKEN, root), timeout=0.5)
    found = LineChannel(api, Media(), Budget(), estate="harbour")
    yield found
    await api.close()


def test_one_root_serves_both_hosts_as_a_stand_in_does_and_lines_own_are_two():
    one = LineApi(LineSettings.at("secret", TOKEN, "http://line.invalid/"))
    assert one.settings.api_url == one.settings.data_url == "http://line.invalid"
    own = LineApi(LineSettings.at("secret", TOKEN, None))
    assert (own.settings.api_url, own.settings.data_url) == ("https://api.line.me",
                                                             "https://api-data.line.me")


async def test_the_clients_are_made_in_the_running_loop_and_share_one_root(channel):
    api = channel.api
    assert api.blob.api_client is api.messaging.api_client
    own = LineApi(LineSettings.at("secret", TOKEN, None))
    assert own.messaging.api_client.configuration.host == "https://api.line.me"
    assert own.blob.api_client.configuration.host == "https://api-data.line.me"
    assert own.messaging.api_client.default_headers["Authorization"] == f"Bearer {TOKEN}"
    await own.close()


def key_of(estate: str, text: str) -> str:
    return str(uuid.uuid5(RETRY_KEYS, f"{estate}:{text}"))


async def test_a_turns_three_replies_go_in_one_free_reply_call(line, channel):
    async with channel.replying(line.reply_token(MAY), "ev-1", MAY):
        await channel.send(MAY, "Photo 1 of 5 received.")
        await channel.send(MAY, "Photo 2 of 5 received.")
        await channel.send(MAY, "Send another, or tap 'Done'.", choices([[("Done", "ph:d")]]),
                           Asking(Ask.PHOTO, "Take a photo"))
        assert line.calls == []  # nothing goes before the turn ends
    assert len(line.replies()) == 1 and line.pushes() == []
    assert line.texts(MAY) == ["Photo 1 of 5 received.", "Photo 2 of 5 received.",
                               "Send another, or tap 'Done'."]
    last = line.shown[MAY][-1]["quickReply"]["items"]
    assert [i["action"]["type"] for i in last] == ["camera", "cameraRoll", "postback"]
    assert channel.budget.counted == {}  # replies are free


async def test_six_replies_five_by_the_reply_and_the_sixth_pushed_with_a_key(line, channel):
    async with channel.replying(line.reply_token(MAY), "ev-6", MAY):
        for n in range(1, 6):
            await channel.send(MAY, f"Ticket {n}", choices([[("Open", f"t:{n}")]]))
        await channel.send(MAY, "That is all.", choices([[("Menu", "m:menu")]]))
    [reply] = line.replies()
    assert len(reply["messages"]) == 5
    # quick replies show only under the last message: the cards before it keep buttons
    assert [m["type"] for m in reply["messages"]] == ["flex"] * 5
    [(headers, push)] = line.pushes()
    assert push["messages"][0]["text"] == "That is all."
    assert push["messages"][0]["quickReply"]["items"][0]["action"]["label"] == "Menu"
    assert headers["X-Line-Retry-Key"] == key_of("harbour", "event:ev-6:1")
    assert channel.budget.counted == {"reply": 1}
    assert len(line.texts(MAY)) == 6


async def test_an_expired_reply_token_pushes_every_reply_each_call_with_a_key(line, channel):
    async with channel.replying("expired-token", "ev-7", MAY):
        for n in range(7):
            await channel.send(MAY, f"Line {n}")
    assert len(line.replies()) == 1  # tried, refused: Invalid reply token
    keys = [headers["X-Line-Retry-Key"] for headers, _ in line.pushes()]
    assert keys == [key_of("harbour", "event:ev-7:1"), key_of("harbour", "event:ev-7:2")]
    assert line.texts(MAY) == [f"Line {n}" for n in range(7)]
    assert channel.budget.counted == {"reply": 2}  # two calls: a call counts once


async def test_a_spent_token_and_the_same_turn_again_show_nothing_twice(line, channel):
    """The turn handled again after a crash (its event's pushes have the same keys)."""
    for _ in range(2):
        async with channel.replying("spent", "ev-8", MAY):
            await channel.send(MAY, "Registered as R-2026-00001.")
    assert line.texts(MAY) == ["Registered as R-2026-00001."]
    assert len(line.pushes()) == 2  # the second answered 409: already shown


async def test_a_reply_whose_answer_never_comes_is_not_pushed_again(line, channel):
    """It may have been shown (it was): pushing it too could show it twice."""
    line.slow_reply = 1.0
    async with channel.replying(line.reply_token(MAY), "ev-5", MAY):
        await channel.send(MAY, "Registered as R-2026-00001.")
    assert line.texts(MAY) == ["Registered as R-2026-00001."] and line.pushes() == []


async def test_a_notice_pushed_from_the_outbox_keeps_its_key_on_every_try(line, channel):
    card = choices([[("Accept", "t:acc:7:2")]])
    line.slow_push = 1.0  # LINE takes it, but the answer comes too late
    with channel.sending(41, "task_assigned"):
        with pytest.raises(TimeoutError) as late:
            await channel.send(CLERK, "New task for you: R-2026-00007", card)
    fault = channel.classify(late.value)
    assert fault.verdict is Verdict.RETRY  # safe: the retry key
    line.slow_push = 0.0
    with channel.sending(41, "task_assigned"):  # the outbox's next try
        await channel.send(CLERK, "New task for you: R-2026-00007", card)
    first, second = (headers["X-Line-Retry-Key"] for headers, _ in line.pushes())
    assert first == second == key_of("harbour", "41:send0:0")
    assert line.texts(CLERK) == ["New task for you: R-2026-00007"]  # shown once
    [shown] = line.shown[CLERK]
    assert shown["type"] == "flex"  # a notice's buttons stay tappable
    assert channel.budget.counted == {"task_assigned": 1}


async def test_a_messages_parts_have_keys_of_their_own_and_keep_them_when_one_is_skipped(
        line, channel):
    """Photos, then the card: the card's key is the card's even when a retry skips the
    photos already shown."""
    with channel.sending(52, "dispatch"):
        await channel.send_photos(CLERK, ["leak-1"], "R-2026-00002")
        await channel.send(CLERK, "New repair report")
    with channel.sending(52, "dispatch"):
        await channel.send(CLERK, "New repair report")
    keys = [headers["X-Line-Retry-Key"] for headers, _ in line.pushes()]
    assert keys == [key_of("harbour", "52:photos0:0"), key_of("harbour", "52:send0:0"),
                    key_of("harbour", "52:send0:0")]
    assert line.texts(CLERK) == ["image", "R-2026-00002", "New repair report"]


async def test_a_reply_line_refuses_as_bad_is_not_pushed_instead(line, channel):
    line.fail_next("reply", 400, "The request body has 1 error(s)")
    async with channel.replying(line.reply_token(MAY), "ev-4", MAY):
        await channel.send(MAY, "Registered as R-2026-00001.")
    assert len(line.replies()) == 1 and line.pushes() == []


async def test_what_lines_faults_mean_for_the_outbox(line, channel, caplog):
    async def fault_of(status: int, message: str, headers: dict | None = None):
        line.fail_next("push", status, message, headers)
        with channel.sending(60 + status, "progress"), pytest.raises(ApiException) as failed:
            await channel.send(MAY, "R-2026-00003: the technician is on the way.")
        return channel.classify(failed.value), failed.value

    busy, exc = await fault_of(429, "The API rate limit has been exceeded.", {"Retry-After": "7"})
    assert busy.verdict is Verdict.RETRY and busy.wait == timedelta(seconds=7)
    assert channel.passing(exc) and channel.wait_for(exc) == timedelta(seconds=7)
    month, _ = await fault_of(429, "You have reached your monthly limit.")
    assert month.verdict is Verdict.RETRY and month.wait == timedelta(hours=1)
    assert "messages for this month are used up" in caplog.text  # the office must act
    down, _ = await fault_of(500, "Internal server error")
    assert down.verdict is Verdict.RETRY and down.wait is None
    bad, exc = await fault_of(400, "The request body has 1 error(s)")
    assert bad.verdict is Verdict.REFUSED and "request body" in bad.error
    assert not channel.passing(exc) and channel.failing(exc)
    blocked, _ = await fault_of(403, "Not allowed to send messages to this user")
    assert blocked.verdict is Verdict.UNREACHABLE and not blocked.chat_goes_on
    gone, _ = await fault_of(404, "Not found")
    assert gone.verdict is Verdict.UNREACHABLE
    assert line.texts(MAY) == []

    assert channel.classify(TimeoutError()).verdict is Verdict.RETRY
    assert channel.classify(ValueError("a bug")) is None  # not LINE's: cannot be rendered


async def test_line_out_of_reach_is_a_fault_that_passes(channel):
    await channel.api.close()
    channel.api = LineApi(LineSettings.at("secret", TOKEN, "http://127.0.0.1:9"), timeout=0.5)
    with channel.sending(70, "survey"), pytest.raises(aiohttp.ClientError) as failed:
        await channel.send(MAY, "How did we do?")
    assert channel.classify(failed.value).verdict is Verdict.RETRY
    assert channel.passing(failed.value)


async def test_near_the_cap_the_budget_folds_a_progress_note_and_keeps_it(line, channel):
    channel.budget.folding.add("progress")
    with channel.sending(80, "progress"), pytest.raises(Exception) as folded:
        await channel.send(MAY, "R-2026-00004: the technician is on the way.")
    fault = channel.classify(folded.value)
    assert fault.verdict is Verdict.RETRY and fault.wait == timedelta(hours=1)
    assert line.calls == []
    with channel.sending(81, "task_assigned"):
        await channel.send(CLERK, "New task for you")
    assert channel.budget.counted == {"task_assigned": 1}


async def test_photos_are_image_messages_at_https_addresses_five_a_call(line, channel):
    chart = b"\x89PNG\r\n\x1a\n" + b"0" * 32
    with channel.sending(90, "report"):
        await channel.send_photos(CLERK, ["p1", "p2", "p3", "p4", "p5", chart], "R-2026-00005")
    first, second = (body["messages"] for _, body in line.pushes())
    assert [m["type"] for m in first] == ["image"] * 5
    assert [m["type"] for m in second] == ["image", "text"]
    assert first[0]["originalContentUrl"] == "https://desk.example/line/media/p1"
    assert first[0]["previewImageUrl"] == first[0]["originalContentUrl"]
    assert second[0]["originalContentUrl"] == "https://desk.example/line/media/media%3A1"
    assert channel.media.kept["media:1"] == (chart, "photo", "image/png")
    assert second[1]["text"] == "R-2026-00005"


async def test_a_statement_is_a_card_with_a_link_to_open_it(line, channel):
    async with channel.replying(line.reply_token(MAY), "ev-9", MAY):
        await channel.send_document(MAY, b"%PDF-1.7 ...", filename="statement-2026-11.pdf",
                                    caption="Your statement for November")
        await channel.send_recording(MAY, Voice("voice", "media:7", 12), "R-2026-00006: voice")
    card, voice = line.shown[MAY]
    assert card["type"] == "flex" and card["altText"] == "Your statement for November"
    button = card["contents"]["footer"]["contents"][0]["action"]
    assert button == {"type": "uri", "label": "⬇ statement-2026-11.pdf",
                      "uri": "https://desk.example/line/media/media%3A1/statement-2026-11.pdf"}
    assert channel.media.kept["media:1"][1:] == ("statement-2026-11.pdf", "application/pdf")
    assert voice["contents"]["footer"]["contents"][0]["action"]["uri"] == \
        "https://desk.example/line/media/media%3A7"


async def test_a_tap_on_an_old_card_gets_the_fresh_choices_as_a_new_message(line, channel):
    turn = Turn(channel, "ev-10", Account("line", MAY), MAY, token="sv:q")
    assert not await channel.edit(MAY, "ref", "changed", None)
    async with channel.replying(line.reply_token(MAY), "ev-10", MAY):
        await channel.toast(turn, "Already assigned to Ah Wai by Desk clerk")
        await channel.set_choices(turn, None)  # cannot be taken away: nothing sent
        await channel.set_choices(turn, choices([[("✓ Quick", "sv:q")], [("Next", "sv:n")]]))
        await channel.done(turn)
    toast, fresh = line.shown[MAY]
    assert toast["text"] == "Already assigned to Ah Wai by Desk clerk"
    assert [i["action"]["label"] for i in fresh["quickReply"]["items"]] == ["✓ Quick", "Next"]


async def test_a_send_to_someone_else_in_a_turn_is_pushed_at_once(line, channel):
    async with channel.replying(line.reply_token(CLERK), "ev-11", CLERK):
        await channel.send(MAY, "Your unit A 12F-3 is confirmed.")
        assert line.texts(MAY) == ["Your unit A 12F-3 is confirmed."]
        await channel.send(CLERK, "Approved.")
    assert line.texts(CLERK) == ["Approved."] and len(line.replies()) == 1
    assert line.pushes()[0][0]["X-Line-Retry-Key"] == key_of("harbour", "event:ev-11:1")


async def test_the_outbox_started_during_a_turn_pushes_rather_than_joining_the_reply(
        line, channel):
    """A task started in the turn inherits its context: the outbox's sends are its own."""
    async def outbox() -> None:
        with channel.sending(99, "resident_assigned"):
            await channel.send(MAY, "Ah Wai will take care of your repair.")

    async with channel.replying(line.reply_token(MAY), "ev-12", MAY):
        await channel.send(MAY, "Thank you.")
        await asyncio.create_task(outbox())
    assert line.texts(MAY) == ["Ah Wai will take care of your repair.", "Thank you."]
    assert line.pushes()[0][0]["X-Line-Retry-Key"] == key_of("harbour", "99:send0:0")


async def test_replies_line_cannot_take_now_wait_in_the_outbox_and_go_later(desk, line,
                                                                           channel):
    """LINE failing when the reply and the push are tried: the replies are kept as content
    and the outbox pushes them (its own keys), in order, with their choices."""
    d = desk.app.bot_data.desk
    line.fail_next("reply", 500, "Internal server error")
    line.fail_next("push", 503, "Service unavailable")
    async with channel.replying(line.reply_token(MAY), "ev-13", MAY, d):
        await channel.send(MAY, "Registered as R-2026-00001.")
        await channel.send(MAY, "What next?", choices([[("My tickets", "m:tix")]]))
    assert line.texts(MAY) == []
    stored = await desk.query("SELECT kind, channel, address, payload FROM outbox ORDER BY id")
    assert [(kind, where, to) for kind, where, to, _ in stored] == [("reply", "line", MAY)] * 2
    assert json.loads(stored[1][3]) == {"text": "What next?", "choices": [[["My tickets",
                                                                            "m:tix"]]]}
    assert await notices.deliver(d, asyncio.Lock(), {"line": channel}) == 2
    assert line.texts(MAY) == ["Registered as R-2026-00001.", "What next?"]
    assert line.shown[MAY][1]["quickReply"]["items"][0]["action"]["data"] == "m:tix"
    ids = [row[0] for row in await desk.query("SELECT id FROM outbox ORDER BY id")]
    keys = [headers["X-Line-Retry-Key"] for headers, _ in line.pushes()[-2:]]
    assert keys == [key_of("harbour", f"{n}:send0:0") for n in ids]


def token_of(message: dict, label: str) -> str:
    """What a tap on the labelled quick reply or card button sends back."""
    actions = [item["action"] for item in message.get("quickReply", {}).get("items", [])]
    footer = message.get("contents", {}).get("footer") or {}
    stack = [footer]
    while stack:
        component = stack.pop()
        if component.get("type") == "button":
            actions.append(component["action"])
        stack.extend(component.get("contents", []))
    found = [a["data"] for a in actions if a.get("label") == label]
    assert found, f"no {label!r} in {actions}"
    return found[0]


async def test_a_technician_joins_on_line_each_answer_in_one_free_reply(desk, line, channel):
    """The desk's own flows, through the dispatcher, answered LINE's way."""
    d = desk.app.bot_data.desk
    every = (*DOORS, router.door(DOORS))
    dispatcher = Dispatcher(d, channel, (r for door in every for r in door.routes),
                            deliver_soon=lambda: None)
    code = await admin.invite(desk.db, roles.TECHNICIAN, "Ah Wai", desk.clock())

    async def does(event: str, **what) -> None:
        turn = Turn(channel, event, Account("line", WAI), WAI, language="en",
                    first_name="Wai", **what)
        async with channel.replying(line.reply_token(WAI), event, WAI, d):
            await dispatcher.handle(turn)

    await does("ev-20", text=f"/start {code}", command="start", args=[code])
    accept = token_of(line.shown[WAI][-1], "I accept")
    await does("ev-21", token=accept)
    assert "registered as technician" in " ".join(line.texts(WAI))
    assert len(line.replies()) == 2 and line.pushes() == []
    assert await desk.query("SELECT role FROM people WHERE user_id = (SELECT person_id FROM "
                            "channel_accounts WHERE channel = 'line' AND external_id = ?)",
                            WAI) == [("technician",)]
