"""LINE's month of messages. A reply to what a person just wrote is free; a push counts
against the plan (in Taiwan 200 free a month, 3,000 for NT$800, 6,000 for NT$1,200 and
then a fee per message). The desk counts its pushes by kind, reads LINE's own figures
through the SDK's client, warns the managers at 80% and at the cap (once a month, however
many workers and restarts), and near the cap holds progress notes back: each is shown in
the person's next reply or in /mytickets, or pushed when the month turns. Never dropped.

The app here is the in-memory one (tests/memory_channel.py) with LINE's bill: what the
outbox sends is a push (the budget asked first, counted after), what answers a turn is a
reply, free; LINE's quota comes from a small HTTP fake of its two quota endpoints."""

from __future__ import annotations

import asyncio
import contextlib
import socket
import threading
from contextvars import ContextVar
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import uvicorn
from linebot.v3.messaging import AsyncApiClient, AsyncMessagingApi, Configuration
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from bot import cli_line_quota
from bot.app import DOORS
from handlers import held, renderers, router
from handlers.channels.dispatch import Dispatcher
from handlers.channels.line.budget import LineBudget, held_for, month_of
from handlers.i18n import Tr
from storage import outbox
from tests.memory_channel import MEMORY, MemoryChannel, MemoryPerson, Shown
from tests.test_second_channel import report_a_leak
from workflow import admin, delivery, roles, told
from workflow import line_budget as policy
from workflow.settings import EstateSettings

TOKEN = "line-test-token"
TAIPEI = EstateSettings().tz


class QuotaLine:
    """LINE's two quota endpoints, as LINE answers them, on a thread: the plan's limit
    (`quota`, None: no limit set) and the month's consumption (`used`); `calls` counts
    what was asked. The standin helper's sandbox/line_api.py serves the whole API."""

    def __init__(self, quota: int | None = 200, used: int = 0) -> None:
        self.quota, self.used, self.calls = quota, used, 0
        self.url = ""

    async def _quota(self, request: Request) -> JSONResponse:
        if request.headers.get("authorization") != f"Bearer {TOKEN}":
            return JSONResponse({"message": "Authentication failed"}, 401)
        self.calls += 1
        return JSONResponse({"type": "none"} if self.quota is None else
                            {"type": "limited", "value": self.quota})

    async def _consumption(self, request: Request) -> JSONResponse:
        if request.headers.get("authorization") != f"Bearer {TOKEN}":
            return JSONResponse({"message": "Authentication failed"}, 401)
        self.calls += 1
        return JSONResponse({"totalUsage": self.used})

    def __enter__(self) -> QuotaLine:
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        sock.listen(16)
        self.url = f"http://127.0.0.1:{sock.getsockname()[1]}"
        app = Starlette(routes=[Route("/v2/bot/message/quota", self._quota),
                                Route("/v2/bot/message/quota/consumption", self._consumption)])
        self._server = uvicorn.Server(uvicorn.Config(app, log_level="warning",
                                                     access_log=False, lifespan="off"))
        started = threading.Event()

        async def serve() -> None:
            started.set()
            await self._server.serve(sockets=[sock])

        self._thread = threading.Thread(target=asyncio.run, args=(serve(),), daemon=True)
        self._thread.start()
        started.wait(10)
        return self

    def __exit__(self, *exc) -> None:
        self._server.should_exit = True
        self._thread.join(10)


class Line:
    """The SDK's own async client for a LINE root (LineApi's `messaging`)."""

    def __init__(self, url: str) -> None:
        self.client = AsyncApiClient(Configuration(host=url, access_token=TOKEN))
        self.messaging = AsyncMessagingApi(self.client)


def nowhere() -> str:
    """A root where nothing answers: LINE out of reach."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    return f"http://127.0.0.1:{port}"


@pytest.fixture
async def sdk():
    """The SDK's clients a test makes, closed after it."""
    made: list[Line] = []

    def client(url: str) -> Line:
        made.append(Line(url))
        return made[-1]
    yield client
    for found in made:
        await found.client.close()


@pytest.fixture
def line():
    with QuotaLine() as fake:
        yield fake


_KIND: ContextVar[str | None] = ContextVar("outbox kind", default=None)


class BilledChannel(MemoryChannel):
    """The in-memory app billed as LINE is, used as LINE's adapter uses the budget: an
    outbox message's sends are pushes (allowed first, else held; counted once sent); a
    turn's answers are replies, free. `pushes`: the kinds pushed, in order."""

    def __init__(self) -> None:
        super().__init__()
        self.budget: LineBudget | None = None
        self.pushes: list[str] = []

    @contextlib.contextmanager
    def sending(self, message_id: int, kind: str):
        token = _KIND.set(kind)
        try:
            yield
        finally:
            _KIND.reset(token)

    async def _allowed(self) -> str | None:
        """The kind of the outbox message being pushed (None: a reply), once the budget
        allows it; held (raised) when it does not."""
        kind = _KIND.get()
        if kind is None or self.budget is None:
            return None
        if not await self.budget.allows(kind):
            raise self.budget.fold()
        return kind

    async def _count(self, kind: str | None) -> None:
        if kind is not None and self.budget is not None:
            self.pushes.append(kind)
            await self.budget.pushed(kind, 1)

    async def send(self, address, text, choices=None, asking=None) -> Any:
        kind = await self._allowed()
        ref = await super().send(address, text, choices, asking)
        await self._count(kind)
        return ref

    async def send_photos(self, address, photos, caption=None) -> None:
        kind = await self._allowed()
        await super().send_photos(address, photos, caption)
        await self._count(kind)


class LineApp:
    """The desk's people on the billed app; what the desk owes them is delivered after each
    thing they do; what was held for them is added to the reply to their next turn, as
    LINE's adapter adds `held_for` to its reply."""

    def __init__(self, desk, api, folds_into_replies: bool = True) -> None:
        self.desk, self.folds_into_replies = desk, folds_into_replies
        self.channel = BilledChannel()
        self.channel.budget = LineBudget(desk.db, desk.settings, api, desk.clock)
        desk.app.bot_data.outboxes = {**desk.app.bot_data.outboxes, MEMORY: self.channel}
        every = (*DOORS, router.door(DOORS))
        self.dispatcher = Dispatcher(desk.app.bot_data.desk, self.channel,
                                     (r for door in every for r in door.routes),
                                     deliver_soon=lambda: None)

    @property
    def budget(self) -> LineBudget:
        assert self.channel.budget is not None
        return self.channel.budget

    async def _handle(self, turn) -> None:
        await self.dispatcher.handle(turn)
        if self.folds_into_replies:
            for text in await self.budget.held_for(turn.account):
                self.channel._show(turn.address, Shown(text))
        await self.desk.deliver()

    def person(self, external_id: str, first_name: str, language: str = "en") -> MemoryPerson:
        return MemoryPerson(self.channel, self._handle, external_id, first_name, language)

    async def hire(self, person: MemoryPerson, role: str, name: str) -> None:
        code = await admin.invite(self.desk.db, role, name, self.desk.clock())
        await person.send(f"/start {code}")
        await person.tap("I accept")


async def staff_and_may(app: LineApp, manager_language: str = "en"):
    clerk, tech = app.person("m-clerk", "Clerk"), app.person("m-tech", "Tech")
    await app.hire(clerk, roles.CLERK, "Desk clerk")
    await app.hire(tech, roles.TECHNICIAN, "Ah Wai")
    may = app.person("m-may", "May")
    await may.send("/start")
    await may.share_contact("+886 912 345 678")
    return clerk, tech, may


async def held_rows(desk, external_id: str = "m-may"):
    """The kinds of what waits held for the person (may, by default), oldest first."""
    return await desk.query(
        "SELECT kind FROM outbox WHERE last_error = ? AND sent_at IS NULL AND failed_at IS "
        "NULL AND recipient_id = ? ORDER BY id", outbox.HELD, await person_of(desk, external_id))


# --- the policy --------------------------------------------------------------------------

def test_every_kind_of_message_the_desk_writes_is_named_kept_or_foldable():
    """A new notice (a renderer, an estate notice) fails here until the table says whether
    it is pushed near the cap."""
    written = set(renderers.ABOUT_A_TICKET) | set(renderers.PLAIN) | {delivery.REPLY} | {
        row.notice for rows in (*told.TOLD.values(), *told.TOLD_OF_PERSON.values(),
                                *told.ESTATE_TOLD.values()) for row in rows}
    assert sorted(written - set(policy.KINDS)) == []
    assert sorted(set(policy.KINDS) - written) == [policy.ANNOUNCEMENT]  # sent by its pump
    assert set(policy.KINDS.values()) == {policy.KEEP, policy.FOLD}
    assert policy.KEPT | policy.FOLDABLE == set(policy.KINDS)
    for kind in ("task_assigned", "dispatch", "overdue_alert", "sla_warning", "signoff_request",
                 "survey", "survey_reminder", "breach_notice", "privacy_decided",
                 delivery.REPLY, policy.WARN_KIND, policy.CAP_KIND, "fee_receipt"):
        assert policy.kept(kind), kind
    for kind in ("resident_assigned", "resident_en_route", "resident_arrived", "digest",
                 "activity_new", "task_confirmed"):
        assert not policy.kept(kind), kind
    assert policy.kept("a kind from a newer version")  # never held by mistake


def test_the_plans_of_taiwan_and_the_cost_of_a_month():
    assert policy.plan_of({}) == policy.Plan("free", 200, 0)
    light = policy.plan_of({"plan": "light"})
    standard = policy.plan_of({"plan": "standard"})
    assert (light.quota, light.price, light.extra) == (3_000, 800_00, None)
    assert (standard.quota, standard.price, standard.extra) == (6_000, 1_200_00, 20)
    # the standard plan sends past its quota, at a price a message; the others do not
    assert policy.cost(standard, 5_000) == policy.Cost(1_200_00, 0, 0)
    assert policy.cost(standard, 6_500) == policy.Cost(1_200_00 + 500 * 20, 500, 0)
    assert policy.cost(light, 3_400) == policy.Cost(800_00, 0, 400)
    assert policy.cost(policy.PLANS["free"], 150) == policy.Cost(0, 0, 0)
    # an estate's own figures
    own = policy.plan_of({"plan": "standard", "plan_quota": 8000, "extra_price": "0.15",
                          "plan_price": 1500})
    assert own == policy.Plan("standard", 8_000, 1_500_00, 15)
    assert policy.plan_of({"plan": "standard", "extra_price": 0}).extra is None


@pytest.mark.parametrize("raw, says", [
    ({"plan": "gold"}, "line.plan: 'gold' is not one of free, light, standard"),
    ({"plan_quota": "lots"}, "line.plan_quota: must be a whole number"),
    ({"extra_price": "0.205"}, "line.extra_price: '0.205' must be an amount in NT$"),
    ({"extra_price": -1}, "line.extra_price: '-1' must be an amount"),
    ({"quota": 200}, "line.quota: unknown setting"),
])
def test_a_wrong_line_setting_is_named_with_what_to_write(raw, says):
    with pytest.raises(ValueError, match=says.replace("$", r"\$").replace("(", r"\(")):
        policy.plan_of(raw)


def test_the_forecast_is_linear_on_the_days_elapsed_in_the_estates_time_zone():
    # the 10th at noon in Taipei: 9.5 days of December's 31 gone
    noon = datetime(2026, 12, 10, 12, tzinfo=TAIPEI)
    assert policy.forecast(950, noon, TAIPEI) == 3_100
    # the first morning of the month counts as a whole day: no wild trend from one hour
    assert policy.forecast(10, datetime(2026, 12, 1, 1, tzinfo=TAIPEI), TAIPEI) == 310
    # 17:00 UTC on 30 November is already 1 December in Taipei: a new month, begun afresh
    turn = datetime(2026, 11, 30, 17, tzinfo=UTC)
    assert policy.month_of(turn, TAIPEI) == "2026-12"
    assert policy.next_month(turn, TAIPEI) == datetime(2027, 1, 1, tzinfo=TAIPEI)
    assert policy.forecast(0, turn, TAIPEI) == 0


# --- counting and LINE's own figures -----------------------------------------------------

async def test_pushes_are_counted_by_month_and_kind(desk, sdk):
    budget = LineBudget(desk.db, desk.settings, sdk(nowhere()), desk.clock)
    await budget.pushed("resident_assigned", 1)
    await budget.pushed("survey", 2)  # two people pushed to: two
    await budget.pushed("resident_assigned", 1)
    month = policy.month_of(desk.clock(), TAIPEI)
    assert await desk.query("SELECT month, kind, pushed FROM line_pushes ORDER BY kind") == [
        (month, "resident_assigned", 2), (month, "survey", 2)]
    desk.clock.now = policy.next_month(desk.clock(), TAIPEI)
    await budget.pushed("survey", 1)
    found = await month_of(desk.db, desk.settings, None, desk.clock())
    assert (found.by_kind, found.used, found.from_line) == ({"survey": 1}, 1, False)


async def test_the_quota_is_read_from_line_through_the_sdk_and_kept_a_few_minutes(desk, line,
                                                                                 sdk):
    line.quota, line.used = 6_000, 1_234
    api = sdk(line.url)
    budget = LineBudget(desk.db, desk.settings, api, desk.clock)
    month = await budget.month()
    assert (month.from_line, month.quota, month.used) == (True, 6_000, 1_234)
    assert line.calls == 2  # the quota and the consumption
    await budget.pushed("digest", 3)
    assert (await budget.month()).used == 1_237  # LINE's figure, and the pushes since
    assert line.calls == 2
    line.used = 1_300  # pushes made by hand in LINE's own manager count too
    desk.clock.advance(minutes=5)
    assert (await budget.month()).used == 1_300
    assert line.calls == 4
    line.quota = None  # no limit set at LINE: the plan in the settings is the quota
    desk.clock.advance(minutes=5)
    assert (await budget.month()).quota == desk.settings.line_plan.quota


async def test_line_out_of_reach_the_desks_own_count_serves(desk, sdk):
    api = sdk(nowhere())
    budget = LineBudget(desk.db, desk.settings, api, desk.clock)
    await budget.pushed("resident_en_route", 5)
    month = await budget.month()
    assert (month.from_line, month.quota, month.used) == (False, 200, 5)
    assert month.by_kind == {"resident_en_route": 5}


# --- the managers' warnings --------------------------------------------------------------

async def managers(desk):
    """Three managers, each in their own language, on Telegram."""
    found = []
    for user_id, name, language in ((801, "Manager Wu", "zh-TW"), (802, "Manager Li", "zh-CN"),
                                    (803, "Manager Grey", "en")):
        person = desk.person(user_id, name, language)
        await desk.hire(person, roles.MANAGER, name)
        found.append(person)
    return found


async def test_the_managers_are_warned_at_80_percent_once_a_month_whatever_restarts(desk,
                                                                                   line, sdk):
    wu, li, grey = await managers(desk)
    line.quota, line.used = 200, 150
    first = LineBudget(desk.db, desk.settings, sdk(line.url), desk.clock)
    await first.pushed("resident_assigned", 9)  # 159 of 200: not yet
    await desk.deliver()
    assert not any("LINE" in t for t in grey.texts())
    await first.pushed("resident_assigned", 1)  # 160: 80%
    await desk.deliver()
    assert sum("pushed 160 of the plan's 200 messages" in t for t in grey.texts()) == 1
    assert any("本月已推播 200 則中的 160 則" in t for t in wu.texts())
    assert any("本月已推送 200 条中的 160 条" in t for t in li.texts())

    # a restart and a second worker, each with its own memory, cross 80% again: no one is
    # told twice (the month's warning is a row of the database)
    second = LineBudget(desk.db, desk.settings, sdk(line.url), desk.clock)
    await asyncio.gather(second.pushed("digest", 1), first.pushed("digest", 1))
    await desk.deliver()
    assert sum("LINE:" in t for t in grey.texts()) == 1

    # the cap: the second warning, once, though both workers cross it at the same moment
    line.used = 189  # LINE's count of everything pushed, read again after five minutes
    desk.clock.advance(minutes=5)
    await asyncio.gather(second.pushed("survey", 1), first.pushed("survey", 1))  # 190: 95%
    await first.pushed("survey", 1)
    await desk.deliver()
    assert sum("From now on the desk pushes only what matters" in t for t in grey.texts()) == 1
    assert any("之後只推播要緊的訊息" in t for t in wu.texts())
    assert any("之后只推送要紧的消息" in t for t in li.texts())
    assert await desk.query("SELECT level FROM line_warnings ORDER BY at") == [
        ("warning",), ("cap",)]
    month = await month_of(desk.db, desk.settings, None, desk.clock())
    assert "the managers were told this month: at 80%, at the cap" in \
        cli_line_quota.report(month, desk.settings, desk.clock(), line_set=True)

    # a new month: warned afresh when it comes to it
    desk.clock.now = policy.next_month(desk.clock(), TAIPEI) + timedelta(days=20)
    line.used = 170
    third = LineBudget(desk.db, desk.settings, sdk(line.url), desk.clock)
    await third.pushed("survey", 1)
    await desk.deliver()
    assert sum("LINE:" in t for t in grey.texts()) == 3


# --- holding near the cap ----------------------------------------------------------------

async def test_at_the_cap_progress_notes_are_held_and_shown_in_her_next_reply(desk, line,
                                                                               sdk):
    """LINE is at 95% of the free plan: the resident is not pushed "assigned", "on the way",
    "arrived" (progress notes), but is pushed "is it fixed?" and the survey. Her tap on
    "Confirm" is answered with all three, folded in one message, free."""
    app = LineApp(desk, sdk(line.url))
    clerk, tech, may = await staff_and_may(app)
    await report_a_leak(may)
    line.quota, line.used = 200, 190
    desk.clock.advance(minutes=10)  # LINE's figures read afresh
    await clerk.tap("Assign technician")
    await clerk.tap("Ah Wai")
    await clerk.tap(clerk.labels()[0])
    assert "New task for you" in tech.last_text  # an assignment: pushed all the same
    assert not any("Ah Wai will take care of your repair" in t for t in may.texts())
    await tech.send("/mytasks")
    await tech.tap(tech.labels()[0])
    await tech.tap("On my way")
    await tech.tap("Arrived")
    assert await held_rows(desk) == [("resident_assigned",), ("resident_en_route",),
                                     ("resident_arrived",)]
    await tech.tap("Complete")
    await tech.send_photo("fixed-1")
    await tech.tap("Done")
    await tech.send("Replaced the trap seal.")
    await tech.send("1.5")
    await tech.send("120")
    assert "Is it fixed?" in may.last_text  # asks her: pushed
    assert "signoff_request" in app.channel.pushes
    assert "resident_en_route" not in app.channel.pushes

    await may.tap("Confirm, it is fixed")
    fold = next(t for t in may.texts() if t.startswith("While you were away:"))
    assert "Ah Wai will take care of your repair" in fold
    assert "the technician is on the way" in fold
    assert fold.index("will take care") < fold.index("on the way")  # in their order
    assert await held_rows(desk) == []
    # the technician's own progress note ("confirmed") waits for his next message
    assert await held_rows(desk, "m-tech") == [("task_confirmed",)]
    await tech.send("/mytasks")
    assert any(t.startswith("While you were away:") and "confirmed" in t for t in tech.texts())
    assert await held_rows(desk, "m-tech") == []

    await desk.run_until(desk.clock.now + timedelta(days=1))
    assert any("How did we do?" in t for t in may.texts())  # the survey: pushed
    assert app.channel.pushes.count("survey") == 1
    await may.send("/help")
    assert sum(t.startswith("While you were away:") for t in may.texts()) == 1  # once only


async def assign(clerk) -> None:
    await clerk.tap("Assign technician")
    await clerk.tap("Ah Wai")
    await clerk.tap(clerk.labels()[0])


async def complete(tech) -> None:
    await tech.send("/mytasks")
    await tech.tap(tech.labels()[0])
    await tech.tap("On my way")
    await tech.tap("Arrived")
    await tech.tap("Complete")
    await tech.send_photo("fixed-1")
    await tech.tap("Done")
    await tech.send("Replaced the trap seal.")
    await tech.send("1.5")
    await tech.send("120")


async def test_a_note_held_after_a_failed_try_holds_back_none_of_her_later_messages(
        desk, line, sdk):
    """"Assigned" fails once (LINE away), and by its next try the month is at the cap: it
    is held. It waited for a fault before, but now it waits by choice: "Is it fixed?"
    still reaches her at once."""
    app = LineApp(desk, sdk(line.url))
    clerk, tech, may = await staff_and_may(app)
    await report_a_leak(may)
    app.channel.failing_next["m-may"] = ConnectionError("LINE is away")
    await assign(clerk)
    assert await desk.query("SELECT kind, attempts FROM outbox WHERE sent_at IS NULL AND "
                            "failed_at IS NULL") == [("resident_assigned", 1)]
    line.used = 196
    desk.clock.advance(minutes=5)
    await desk.deliver()
    assert await held_rows(desk) == [("resident_assigned",)]
    await complete(tech)
    assert "Is it fixed?" in may.last_text


async def test_the_cap_reached_by_pushes_made_elsewhere_is_told_when_a_note_is_held(
        desk, line, sdk):
    """The office broadcasts from LINE's own manager: the month jumps from 100 to 196 of 200
    without the desk. The next message, a progress note, is held, and the managers are told
    of the cap then (once: the 80% notice is past news)."""
    grey = desk.person(803, "Manager Grey", "en")
    await desk.hire(grey, roles.MANAGER, "Manager Grey")
    app = LineApp(desk, sdk(line.url))
    clerk, tech, may = await staff_and_may(app)
    await report_a_leak(may)
    line.used = 100
    await assign(clerk)
    line.used = 196
    desk.clock.advance(minutes=5)
    await tech.send("/mytasks")
    await tech.tap(tech.labels()[0])
    await tech.tap("On my way")  # its one notice: her progress note
    assert await held_rows(desk) == [("resident_en_route",)]
    assert [t for t in grey.texts() if "LINE" in t] == [
        "LINE: 196 of the plan's 200 messages are used this month. From now on the desk pushes "
        "only what matters (assignments, alerts, confirmations, surveys); progress notes wait "
        "for each person's next message or /mytickets. A larger plan is chosen in LINE "
        "Official Account Manager."]
    assert await desk.query("SELECT level FROM line_warnings ORDER BY level") == [
        ("cap",), ("warning",)]


async def test_mytickets_lists_what_was_held_with_its_count(desk, line, sdk):
    """On an app that does not fold held notes into its replies (or before LINE's reply
    does), /mytickets shows them first, with how many there were; once only."""
    app = LineApp(desk, sdk(line.url), folds_into_replies=False)
    clerk, tech, may = await staff_and_may(app)
    await report_a_leak(may)
    line.quota, line.used = 200, 195
    desk.clock.advance(minutes=10)
    await clerk.tap("Assign technician")
    await clerk.tap("Ah Wai")
    await clerk.tap(clerk.labels()[0])
    await tech.send("/mytasks")
    await tech.tap(tech.labels()[0])
    await tech.tap("On my way")
    assert len(await held_rows(desk)) == 2
    await may.send("/mytickets")
    head = next(t for t in may.texts() if "not pushed" in t)
    assert head.startswith("2 updates were not pushed to save the month's LINE messages; "
                           "here they are:")
    assert "Ah Wai will take care of your repair" in head and "on the way" in head
    assert "Your tickets, newest first" in may.last_text
    assert await held_rows(desk) == []
    await may.send("/mytickets")
    assert sum("not pushed" in t for t in may.texts()) == 1


async def test_a_held_note_nobody_asks_for_goes_out_when_the_month_turns(desk, line, sdk):
    """Never dropped: a resident who writes nothing is pushed her held note with the new
    month's quota."""
    app = LineApp(desk, sdk(line.url))
    clerk, tech, may = await staff_and_may(app)
    await report_a_leak(may)
    line.quota, line.used = 200, 199
    desk.clock.advance(minutes=10)
    await clerk.tap("Assign technician")
    await clerk.tap("Ah Wai")
    await clerk.tap(clerk.labels()[0])
    assert await held_rows(desk) == [("resident_assigned",)]
    desk.clock.now = policy.next_month(desk.clock(), TAIPEI) + timedelta(minutes=1)
    line.used = 0
    await desk.deliver()
    assert "Ah Wai will take care of your repair" in may.last_text
    assert await held_rows(desk) == []
    assert app.channel.pushes[-1] == "resident_assigned"
    assert await desk.query("SELECT count(*) FROM outbox WHERE sent_at IS NULL AND "
                            "failed_at IS NULL") == [(0,)]  # nothing left behind


async def test_the_fold_is_in_three_languages_and_never_longer_than_line_takes():
    for language, head in (("zh_Hant", "您不在時："), ("zh_Hans", "您不在时："),
                           ("en", "While you were away:")):
        tr = Tr(language, TAIPEI)
        assert held.folded(tr, ["a", "b"]) == [f"{head}\n\na\n\nb"]
        many = held.folded(tr, ["x" * 3000, "y" * 3000])
        assert len(many) == 2 and all(len(m) <= held.TEXT for m in many)
        assert all(m.startswith(head) for m in many)
        assert held.folded(tr, []) == []
    tw, cn = Tr("zh_Hant", TAIPEI), Tr("zh_Hans", TAIPEI)
    assert "本月" in tw.plural("{n} update was not pushed to save the month's LINE messages; "
                               "here it is:", "{n} updates were not pushed to save the month's "
                               "LINE messages; here they are:", 2)
    assert "本月" in cn.plural("{n} update was not pushed to save the month's LINE messages; "
                               "here it is:", "{n} updates were not pushed to save the month's "
                               "LINE messages; here they are:", 2)


async def test_held_for_a_stranger_or_someone_with_nothing_held_is_nothing(desk):
    from storage.records import Account
    assert await held_for(desk.db, Account("line", "U" + "0" * 32)) == []


# --- the command line --------------------------------------------------------------------

async def test_line_quota_shows_lines_figures_the_desks_count_and_the_months_cost(
        desk, line, capsys, monkeypatch, sdk):
    line.quota, line.used = 6_000, 1_900
    settings = EstateSettings(line_plan=policy.PLANS["standard"])
    desk.clock.now = datetime(2026, 12, 10, 12, tzinfo=TAIPEI)
    budget = LineBudget(desk.db, settings, sdk(line.url), desk.clock)
    await budget.pushed("resident_assigned", 40)
    await budget.pushed("survey", 12)
    monkeypatch.setenv(cli_line_quota.TOKEN, TOKEN)
    monkeypatch.setenv(cli_line_quota.API_URL, line.url)
    assert await cli_line_quota.COMMANDS[("line", "quota")](None, None, settings, desk.db,
                                                          desk.clock()) == 0
    printed = capsys.readouterr().out
    assert "the plan's quota (from LINE): 6,000 messages" in printed
    assert "used this month (from LINE): 1,900" in printed
    assert "the desk's own count of its pushes: 52:" in printed
    assert "resident_assigned       40  held near the cap" in printed
    assert "survey                  12  kept near the cap" in printed
    # 1,900 in 9.5 days of 31: 6,200 by the month's end, 200 past the quota at NT$0.20
    assert "forecast for the month: 6,200 messages" in printed
    assert "costs NT$1,240" in printed and "200 messages past the quota at NT$0.20" in printed


async def test_line_quota_without_line_says_it_shows_the_desks_own_count(desk, capsys,
                                                                         monkeypatch, sdk):
    budget = LineBudget(desk.db, desk.settings, sdk(nowhere()), desk.clock)
    await budget.pushed("survey", 3)
    monkeypatch.delenv(cli_line_quota.TOKEN, raising=False)
    await cli_line_quota.COMMANDS[("line", "quota")](None, None, desk.settings, desk.db,
                                                     desk.clock())
    printed = capsys.readouterr().out
    assert "LINE_CHANNEL_ACCESS_TOKEN is not set: these are the desk's own count only" in printed
    assert "used: 3 of 200" in printed
    monkeypatch.setenv(cli_line_quota.TOKEN, TOKEN)
    monkeypatch.setenv(cli_line_quota.API_URL, nowhere())
    await cli_line_quota.COMMANDS[("line", "quota")](None, None, desk.settings, desk.db,
                                                     desk.clock())
    assert "LINE could not be reached: these are the desk's own count only" in \
        capsys.readouterr().out


def test_the_quota_subcommand_hangs_under_the_line_group():
    import argparse
    parser = argparse.ArgumentParser()
    group = parser.add_subparsers(dest="command").add_parser("line").add_subparsers(
        dest="action")
    cli_line_quota.add_parsers(group)
    assert vars(parser.parse_args(["line", "quota"])) == {"command": "line", "action": "quota"}


async def person_of(desk, external_id: str) -> int:
    rows = await desk.query("SELECT person_id FROM channel_accounts WHERE channel = ? AND "
                            "external_id = ?", MEMORY, external_id)
    return rows[0][0]
