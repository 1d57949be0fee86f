"""The seam between the desk and the chat apps (handlers/channels/): only a chat app's adapter
imports its library, and the outbox delivers through the adapter of the recipient's channel,
which alone says what its app's faults mean."""

import ast
import logging
from datetime import timedelta
from pathlib import Path

import httpx
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut

from handlers import notices
from handlers.channels.outcomes import Verdict
from handlers.channels.telegram.channel import TelegramChannel
from storage import outbox
from tests.stories import resident_of_a12
from workflow import delivery

ROOT = Path(__file__).resolve().parent.parent
CHAT_APPS = ("telegram",)  # the libraries of the chat apps
ADAPTERS = {"telegram": "handlers/channels/telegram"}  # where each may be imported


def imported(path: Path) -> set[str]:
    """The modules a file imports (absolute imports, at any depth of the file)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.add(node.module)
    return found


def importers(packages: tuple[str, ...], library: str, outside: str | None = None) -> list[str]:
    """The files of `packages` (but those under `outside`) that import `library` or a
    module of it."""
    bad = []
    for package in packages:
        for path in sorted((ROOT / package).rglob("*.py")):
            name = path.relative_to(ROOT).as_posix()
            if outside is not None and name.startswith(outside + "/"):
                continue
            if any(m == library or m.startswith(library + ".") for m in imported(path)):
                bad.append(name)
    return bad


def test_only_a_chat_apps_adapter_imports_its_library():
    for library in CHAT_APPS:
        assert importers(("handlers",), library, outside=ADAPTERS[library]) == []


def test_workflow_and_storage_import_no_chat_app():
    for library in CHAT_APPS:
        assert importers(("workflow", "storage"), library) == []


def test_the_desk_reaches_an_adapter_only_through_the_seam():
    """The area flows, the renderers and the outbox use a `Channel`; only the composition
    root (bot/) picks the adapters."""
    for library, folder in ADAPTERS.items():
        module = folder.replace("/", ".")
        assert importers(("handlers", "workflow", "storage"), module, outside=folder) == []


class Watched(TelegramChannel):
    """Telegram's adapter, noting to whom it delivered."""

    def __init__(self, bot) -> None:
        super().__init__(bot)
        self.addresses: list[int] = []

    async def send(self, address, text, choices=None, asking=None):
        self.addresses.append(address)
        return await super().send(address, text, choices, asking)


async def test_the_outbox_delivers_through_the_adapter_of_the_recipients_channel(desk):
    resident = await resident_of_a12(desk)
    watched = Watched(desk.app.bot)
    desk.app.bot_data.outboxes = {"telegram": watched}
    async with desk.db.transaction() as conn:
        await outbox.add(conn, resident.user_id, delivery.REPLY, desk.clock(),
                         payload={"text": "Your reply, later."})
    assert await desk.deliver() == 1
    assert watched.addresses == [resident.user_id]
    assert resident.last_text == "Your reply, later."


async def test_a_message_for_a_channel_without_its_adapter_here_waits_and_holds_up_no_one(
        desk, monkeypatch, caplog):
    monkeypatch.setattr(notices, "route", lambda message: (
        "another app" if message.recipient_id == 7202 else "telegram", message.recipient_id))
    async with desk.db.transaction() as conn:
        for person in (7201, 7202, 7203):
            await outbox.add(conn, person, delivery.REPLY, desk.clock(),
                             payload={"text": f"Hello {person}"})
    assert await desk.deliver() == 2
    assert sorted(c.text for c in desk.api.calls if c.method == "sendMessage") == \
        ["Hello 7201", "Hello 7203"]
    assert await desk.query("SELECT recipient_id FROM outbox WHERE sent_at IS NULL") == \
        [(7202,)]
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == [
        "outbox: no adapter for the channel 'another app' here; its messages wait"]


def test_what_telegrams_faults_mean_for_the_outbox():
    telegram = TelegramChannel.for_outbox(None)
    blocked = telegram.classify(Forbidden("Forbidden: bot was blocked by the user"))
    assert blocked.verdict is Verdict.UNREACHABLE and not blocked.chat_goes_on
    gone = telegram.classify(BadRequest("Chat not found"))
    assert gone.verdict is Verdict.UNREACHABLE and gone.chat_goes_on
    assert telegram.classify(BadRequest("Message is too long")).verdict is Verdict.REFUSED
    flood = telegram.classify(RetryAfter(7))
    assert (flood.verdict, flood.wait) == (Verdict.RETRY, timedelta(seconds=7))
    assert telegram.classify(NetworkError("Bad Gateway")).verdict is Verdict.RETRY
    try:  # no answer at all within the outbox's patience: it may have been shown
        raise TimedOut("Timed out") from httpx.ReadTimeout("read timed out")
    except TimedOut as exc:
        assert telegram.classify(exc).verdict is Verdict.UNKNOWN_IF_DELIVERED
    try:  # the request never went out whole: sent again
        raise TimedOut("Timed out") from httpx.ConnectTimeout("connect timed out")
    except TimedOut as exc:
        assert telegram.classify(exc).verdict is Verdict.RETRY
    assert telegram.classify(KeyError("unit")) is None  # the desk's own bug, not Telegram's


def test_telegram_shows_an_ask_with_the_button_it_has_for_it():
    from handlers.channels.content import ASKED, Ask, Asking, choices
    from handlers.channels.telegram.channel import markup
    done = choices([[("Done", "r:pd")]])
    contact = markup(None, Asking(Ask.CONTACT, "Share my phone number")).to_dict()
    assert contact["keyboard"][0][0]["request_contact"] is True
    place = markup(None, Asking(Ask.LOCATION, "Send the place")).to_dict()
    assert place["keyboard"][0][0]["request_location"] is True
    assert markup(done, Asking(Ask.PHOTO, "Camera")).to_dict() == {  # no camera button
        "inline_keyboard": [[{"callback_data": "r:pd", "text": "Done"}]]}
    assert markup(None, ASKED).to_dict() == {"remove_keyboard": True}
