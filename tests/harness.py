"""The desk as tests meet it: the production Application with the offline Bot API, a fake
clock, and people who send messages and tap buttons the way Telegram delivers them."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from telegram import Update

from bot.app import build_application, sweep
from handlers import notices
from storage.db import from_db_time
from tests import backends
from tests.fake_telegram import BOT, Call, FakeBotApi
from workflow import admin, alerts
from workflow.settings import EstateSettings

START = datetime(2026, 11, 26, 2, 0, tzinfo=UTC)  # 10:00 in Taipei


@dataclass
class FakeClock:
    now: datetime = START

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta) -> None:
        self.now += timedelta(**delta)


@dataclass
class Person:
    """Someone on Telegram, talking to the bot in a private chat."""
    desk: DeskHarness
    user_id: int
    first_name: str
    language_code: str | None = None
    seen: int = 0  # how many calls had been made when `new_texts` was last read
    last_name: str | None = None  # Telegram's family name, when the person gave one

    @property
    def user(self) -> dict:
        user = {"id": self.user_id, "is_bot": False, "first_name": self.first_name}
        if self.language_code:
            user["language_code"] = self.language_code
        if self.last_name:
            user["last_name"] = self.last_name
        return user

    def _message(self, **content) -> dict:
        self.desk.next_message_id += 1
        return {"message_id": self.desk.next_message_id, "date": self.desk.api.now,
                "chat": {"id": self.user_id, "type": "private", "first_name": self.first_name},
                "from": self.user, **content}

    async def send(self, text: str) -> None:
        content: dict = {"text": text}
        if text.startswith("/"):
            command = text.split()[0]
            content["entities"] = [{"type": "bot_command", "offset": 0, "length": len(command)}]
        await self.desk.feed({"message": self._message(**content)})

    async def send_photo(self, file_id: str, album: str | None = None,
                         caption: str | None = None) -> None:
        """A photo; photos sent together as an album share a media_group_id."""
        sizes = [{"file_id": f"{file_id}-small", "file_unique_id": f"{file_id}s", "width": 90,
                  "height": 90},
                 {"file_id": file_id, "file_unique_id": f"{file_id}l", "width": 1280,
                  "height": 960}]
        extra: dict = {"media_group_id": album} if album else {}
        if caption:
            extra["caption"] = caption
        await self.desk.feed({"message": self._message(photo=sizes, **extra)})

    async def send_voice(self, file_id: str, seconds: int, kind: str = "voice",
                         caption: str | None = None) -> None:
        """A voice note (or an audio file, or a round video note) of that length."""
        media: dict = {"file_id": file_id, "file_unique_id": file_id[-8:], "duration": seconds}
        if kind == "video_note":
            media["length"] = 240
        extra: dict = {"caption": caption} if caption else {}
        await self.desk.feed({"message": self._message(**{kind: media}, **extra)})

    async def send_sticker(self) -> None:
        sticker = {"file_id": "sticker-1", "file_unique_id": "st1", "type": "regular",
                   "width": 512, "height": 512, "is_animated": False, "is_video": False}
        await self.desk.feed({"message": self._message(sticker=sticker)})

    async def share_contact(self, phone: str, owner: int | None = None) -> None:
        contact = {"phone_number": phone, "first_name": self.first_name,
                   "user_id": self.user_id if owner is None else owner}
        await self.desk.feed({"message": self._message(contact=contact)})

    async def join(self, code: str) -> None:
        """Opens an invitation link (/start <code>) and, as a newcomer shown the privacy
        notice, accepts it."""
        await self.send(f"/start {code}")
        last = self.calls()[-1] if self.calls() else None
        offered = [b["callback_data"] for b in last.buttons()] if last else []
        accept = next((data for data in offered if data.startswith("pn:ok:")), None)
        if accept is not None:
            await self.tap_data(accept, last)

    def calls(self) -> list[Call]:
        return [c for c in self.desk.api.calls if c.chat_id == self.user_id]

    def texts(self) -> list[str]:
        return [c.text for c in self.calls() if c.text]

    def new_texts(self) -> list[str]:
        """What arrived since the last time this was asked."""
        calls = self.desk.api.calls
        fresh = [c.text for c in calls[self.seen:] if c.chat_id == self.user_id and c.text]
        self.seen = len(calls)
        return fresh

    @property
    def last_text(self) -> str:
        return self.texts()[-1]

    def button(self, label: str) -> tuple[Call, dict]:
        """The newest message to this person that has a button with this label."""
        for call in reversed(self.calls()):
            for button in call.buttons():
                if button["text"] == label:
                    return call, button
        raise AssertionError(f"no button {label!r} in the chat of {self.first_name}; "
                             f"last messages: {self.texts()[-3:]}")

    def labels(self) -> list[str]:
        """The buttons of the newest message that has any."""
        for call in reversed(self.calls()):
            if call.buttons():
                return [b["text"] for b in call.buttons()]
        return []

    async def tap(self, label: str) -> None:
        call, button = self.button(label)
        await self.tap_data(button["callback_data"], call)

    async def tap_starting(self, prefix: str) -> None:
        """Taps the newest button whose data starts so (as shown, with its version mark)."""
        for call in reversed(self.calls()):
            for button in call.buttons():
                if button["callback_data"].startswith(prefix):
                    await self.tap_data(button["callback_data"], call)
                    return
        raise AssertionError(f"no button {prefix!r}… in the chat of {self.first_name}; "
                             f"last messages: {self.texts()[-3:]}")

    async def tap_data(self, data: str, call: Call | None = None) -> None:
        """Presses a button with this data; a forged or stale one as well as a real one."""
        self.desk.next_message_id += 1
        message = {"message_id": self.desk.next_message_id, "date": self.desk.api.now,
                   "chat": {"id": self.user_id, "type": "private"}, "from": BOT,
                   "text": call.text if call else "..."}
        self.desk.next_update_id += 1
        query = {"id": str(self.desk.next_update_id), "from": self.user,
                 "chat_instance": str(self.user_id), "data": data, "message": message}
        await self.desk.feed({"callback_query": query})


@dataclass
class DeskHarness:
    path: Path
    settings: EstateSettings = field(default_factory=EstateSettings)
    clock: FakeClock = field(default_factory=FakeClock)
    api: FakeBotApi = field(default_factory=FakeBotApi)
    next_update_id: int = 1
    next_message_id: int = 1
    errors: list[BaseException] = field(default_factory=list)
    rate_limited: bool = False  # production's rate limiter in front of the stand-in
    database: object | None = None  # instead of the suite's backend (the benchmarks')

    async def start(self) -> None:
        self.db = self.database or backends.database(self.path, getattr(self, "schema", None))
        self.schema = getattr(self.db, "schema", None)
        await self.db.open()
        self.app = build_application(self.settings, self.db, token="123:TEST",
                                     api_url="http://bot-api.invalid", clock=self.clock,
                                     request=self.api, rate_limited=self.rate_limited)
        self.app.bot_data.desk.deliver_at_once = False
        self.app.add_error_handler(self._record_error)
        await self.app.initialize()

    async def stop(self) -> None:
        """The process stops; its database stays (on PostgreSQL the schema is dropped when
        the test session ends)."""
        await self.app.shutdown()
        await self.db.close()

    async def restart(self) -> None:
        """A new process on the same database file."""
        await self.stop()
        self.api = FakeBotApi(calls=self.api.calls, _message_id=self.api._message_id)
        await self.start()

    async def _record_error(self, update, context) -> None:
        self.errors.append(context.error)

    async def feed(self, data: dict) -> None:
        self.next_update_id += 1
        self.last_update = {"update_id": self.next_update_id, **data}
        await self._process(self.last_update)

    async def replay_last(self) -> None:
        """Telegram delivers the last update again, as after a crash."""
        await self._process(self.last_update)

    async def _process(self, data: dict) -> None:
        update = Update.de_json(data, self.app.bot)
        await self.app.process_update(update)
        await self.deliver()
        if self.errors:
            raise AssertionError(f"a handler failed: {self.errors[0]!r}") from self.errors[0]

    async def deliver(self) -> int:
        """The outbox delivered in a task of its own, as production's kick does: its commits
        (a claim on PostgreSQL) are not the update's."""
        return await asyncio.create_task(notices.deliver_due(self.app))

    async def run_until(self, moment: datetime) -> None:
        """Time passes; the sweep runs whenever something falls due, as the JobQueue's
        minute-by-minute sweep would, and once at the end."""
        while True:
            async with self.db.reading() as conn:
                row = await (await conn.execute(
                    "SELECT min(due_at) FROM timers WHERE fired_at IS NULL")).fetchone()
            due = from_db_time(row[0])
            if due is None or due > moment:
                break
            self.clock.now = max(self.clock.now, due)
            await self.sweep()
        self.clock.now = max(self.clock.now, moment)
        await self.sweep()

    async def sweep(self) -> None:
        await sweep(_JobContext(self.app))
        if self.errors:
            raise AssertionError(f"the sweep failed: {self.errors[0]!r}") from self.errors[0]

    def person(self, user_id: int, first_name: str, language_code: str | None = "zh-TW",
               last_name: str | None = None) -> Person:
        return Person(self, user_id, first_name, language_code, last_name=last_name)

    async def import_roster(self, csv_text: str) -> None:
        await admin.import_roster(self.db, admin.parse_roster(csv_text.encode("utf-8")))

    async def hire(self, person: Person, role: str, name: str | None = None) -> None:
        """The office invites, the person opens the link: /start <code>, and accepts the
        privacy notice it shows a newcomer."""
        await person.join(await admin.invite(self.db, role, name, self.clock()))

    async def add_contractor(self, name: str, trades: list[str], phone: str = "",
                             deadline_hours: int | None = None) -> int:
        return await admin.add_contractor(
            self.db, name, phone, trades,
            timedelta(hours=deadline_hours) if deadline_hours else None)

    async def start_schedule(self) -> None:
        """What the bot does at start-up: the first digest is scheduled."""
        await alerts.schedule_digest(self.db, self.settings, self.clock())

    async def query(self, sql: str, *args) -> list[tuple]:
        """Reads the database directly, to check what is stored."""
        async with self.db.reading() as conn:
            return [tuple(r) for r in await (await conn.execute(sql, args)).fetchall()]


@dataclass
class _JobContext:
    """What a JobQueue callback receives, enough for the sweep."""
    application: object
