"""What the who-may tests share with scripts/mutate_checks.py: an estate in the middle of a
day (a key loan waiting for the owner's consent, a quotation waiting for the owner, a unit's
job waiting for the unit, a repair form waiting for signatures, a key asked for a reason),
everyone who may press something, the presses generated from the Application's own
handlers, and the judge of each press: nothing changes and nothing is shown unless the table
of who may (workflow/access.py) admits the presser."""

from __future__ import annotations

import random
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from handlers.common import REFUSALS
from tests.harness import DeskHarness, Person
from tests.stories import assign_to_tech, complete, report_leak, resident_of_a12, staff
from tests.test_keys import key_room
from tests.test_repair_form import engineer_and_project
from tests.test_units_in_chat import aqua_works, send_to_aqua
from workflow import access, admin, roles

IDS = (1, 2, 3, 4, 99)  # the records that exist, and one that does not (ids too big for
# the database are section 6 of issue 24, another change)
NOT_CONFIRMED = ("Your unit is not confirmed yet. A clerk will check it soon, and we will "
                 "message you here.")
START_FIRST = ("Please send /start and share your phone number first, so we know which unit "
               "is yours.")
SHOWING = {"sendMessage", "sendPhoto", "sendDocument", "sendMediaGroup", "editMessageText",
           "editMessageReplyMarkup", "editMessageCaption", "sendVoice", "copyMessage"}


@dataclass
class Estate:
    desk: DeskHarness
    outsiders: dict[str, Person]  # a stranger, a removed clerk, a neighbour, another unit
    staff: dict[str, Person]  # one of each role, and the resident of the records
    shown: list[str] = field(default_factory=list)  # every button's data the bot showed


async def estate_in_mid_day(desk: DeskHarness) -> Estate:
    """Ticket 1: Aqua Works' job, done and confirmed, its repair form waiting for the
    signatures. Ticket 2: a job waiting for Aqua Works to accept it. Ticket 3: our
    technician's job; the keys the owner deposited are asked for (loan 1, waiting for the
    owner's consent) and the owner pays (a quotation waiting for the owner's answer). Loan 2:
    the pump room's key, asked for a reason, waiting for a supervisor."""
    clerk, tech, boss = await staff(desk)
    keeper = await key_room(desk)
    lee, wong = await aqua_works(desk)
    engineer, project = await engineer_and_project(desk)
    await admin.add_contractor(desk.db, "Bright Electric", "", ["electrical"],
                               timedelta(days=3), "bright", timedelta(hours=4))
    sparks = desk.person(7101, "Sparks")
    await sparks.send("/start " + await admin.invite(desk.db, roles.CONTRACTOR, "Bright: Sparks",
                                                     desk.clock(), contractor="bright"))
    others = {}
    for user_id, role in enumerate((roles.MANAGER, roles.STOREKEEPER, roles.ARCHIVIST,
                                    roles.CASHIER, roles.SALES_SERVICE, roles.SALES_SUPERVISOR),
                                   start=9004):
        others[role] = desk.person(user_id, role.title(), "en")
        await desk.hire(others[role], role)
    removed = desk.person(9010, "Gone", "en")
    await desk.hire(removed, roles.CLERK, "Former clerk")
    await admin.staff_remove(desk.db, removed.user_id)
    resident = await resident_of_a12(desk)
    neighbour = desk.person(5002, "Neighbour", "en")
    await neighbour.send("/start")
    await neighbour.share_contact("+886 922 111 222")
    await neighbour.tap("All of them")

    await report_leak(resident, photos=("leak-1",))
    await send_to_aqua(clerk, 1)
    await lee.tap_starting("u:ok:1:")
    await complete(lee, 1)
    await resident.tap_starting("s:ok:1")
    await report_leak(resident, "The bathroom tap drips all night.")
    await send_to_aqua(clerk, 2)
    await report_leak(resident, "The kitchen's waste pipe is cracked.")
    await assign_to_tech(clerk, 3)
    await tech.tap_data("w:v:3")
    await tech.tap("Ask for the unit's keys")
    await clerk.tap_data("d:v:3")
    await clerk.tap("Who pays")
    await clerk.tap("The owner (with a quotation)")
    await clerk.send("1200 a new waste pipe")
    await tech.send("/borrow PR-B1 check the pump room's water leak")
    assert not desk.errors
    shown = sorted({b["callback_data"] for c in desk.api.calls for b in c.buttons()})
    return Estate(desk, {"stranger": desk.person(6001, "Stranger", "en"),
                         "removed clerk": removed, "neighbour": neighbour,
                         "another unit's person": sparks},
                  {"clerk": clerk, "technician": tech, "supervisor": boss, "key keeper": keeper,
                   "unit's person": lee, "unit's other person": wong,
                   "supervising engineer": engineer, "project department": project,
                   **others, "resident": resident}, shown)


def callback_handlers(desk: DeskHarness) -> list[CallbackQueryHandler]:
    return [h for h in desk.app.handlers[0] if isinstance(h, CallbackQueryHandler)]


def commands(desk: DeskHarness) -> list[str]:
    return sorted({c for h in desk.app.handlers[0] if isinstance(h, CommandHandler)
                   for c in h.commands})


def _forged(data: str) -> Iterator[str]:
    """The data with each id in it replaced by another record's (its version mark kept)."""
    parts = data.split(":")
    for i, part in enumerate(parts):
        if part.isdigit():
            for other in IDS:
                yield ":".join(parts[:i] + [str(other)] + parts[i + 1:])


def _literal_start(pattern: str) -> str:
    """What every data of a pattern starts with ('^s:(sg|sup):' gives 's:')."""
    return re.split(r"[\\(\[.*+?$|]", pattern.lstrip("^"), maxsplit=1)[0]


def presses(estate: Estate) -> list[str]:
    """Every button's data the bot showed and the same with other records' ids, and for a
    pattern nothing showed, data made from the pattern itself."""
    found = set(estate.shown)
    for data in estate.shown:
        found.update(_forged(data))
    for handler in callback_handlers(estate.desk):
        pattern = handler.pattern.pattern if handler.pattern is not None else "zz:"
        start = _literal_start(str(pattern))
        if not any(re.match(pattern, d) for d in found):
            found.update(f"{start}{tail}" for tail in ("1", "x:1", "1:1", "y:1"))
    return sorted(found)


def messages(estate: Estate) -> list[str]:
    """Every command, bare and with ids and words after it."""
    return [f"/{c}{tail}" for c in commands(estate.desk)
            for tail in ("", " 1", " 2 3", " PR-B1 a reason", " DRW-A-07 inspection why")]


def handler_of(estate: Estate, update: dict) -> str:
    """The action of the handler the Application gives this update to."""
    parsed = Update.de_json({"update_id": 1, **update}, estate.desk.app.bot)
    for handler in estate.desk.app.handlers[0]:
        if handler.check_update(parsed):
            return handler.callback.access_action
    return ""


class Verdicts:
    """What the table said during a press: whether it admitted the presser to anything it
    restricts (an action open to everyone admits nothing by itself)."""

    def __init__(self) -> None:
        self.admitted = False

    def install(self, monkeypatch) -> None:
        role_admits, admits = access.role_admits, access.admits

        def spy_role(action, person):
            verdict = role_admits(action, person)
            rule = access.RULES[action]
            if verdict and rule.relation is None and rule.roles != access.EVERYONE:
                self.admitted = True
            return verdict

        async def spy(conn, action, person, record=None):
            verdict = await admits(conn, action, person, record)
            rule = access.RULES[action]
            if verdict and (rule.relation is not None or rule.roles != access.EVERYONE):
                self.admitted = True
            return verdict

        monkeypatch.setattr(access, "role_admits", spy_role)
        monkeypatch.setattr(access, "admits", spy)


async def dump(desk: DeskHarness) -> dict[str, list]:
    """Every table but the replay guard's, sorted."""
    if desk.schema is None:
        names = await desk.query("SELECT name FROM sqlite_master WHERE type = 'table' AND "
                                 "name NOT LIKE 'sqlite_%'")
    else:
        names = await desk.query("SELECT table_name FROM information_schema.tables WHERE "
                                 "table_schema = current_schema()")
    found = {}
    async with desk.db.reading() as conn:
        for (name,) in names:
            if name != "seen_updates":
                rows = await (await conn.execute(f"SELECT * FROM {name}")).fetchall()
                found[name] = sorted((tuple(r) for r in rows), key=repr)
    return found


def refusals(desk: DeskHarness) -> set[str]:
    """The answers that tell nothing: a refusal, or how to start, in every language."""
    found = set()
    for language in desk.settings.languages:
        tr = desk.app.bot_data.desk.tr(language)
        found |= {tr(text) for text in (*REFUSALS.values(), NOT_CONFIRMED, START_FIRST)}
    return found


@dataclass
class Press:
    who: str
    person: Person
    what: str  # the button's data, or the message


async def judge(estate: Estate, press: Press, verdicts: Verdicts, before: dict) -> tuple[
        str | None, dict]:
    """Presses or sends, then: None if it held, else what went wrong; and the tables now."""
    desk, person = estate.desk, press.person
    is_button = not press.what.startswith("/")
    update = {"callback_query": {"id": "1", "from": person.user, "chat_instance": "1",
                                 "data": press.what}} if is_button else \
        {"message": {"message_id": 1, "date": 0, "chat": {"id": 1, "type": "private"},
                     "from": person.user, "text": press.what, "entities": [{
                         "type": "bot_command", "offset": 0,
                         "length": len(press.what.split()[0])}]}}
    action = handler_of(estate, update)
    rule = access.RULES[action]
    open_to_all = rule.roles == access.EVERYONE and rule.relation is None and \
        action != "button.per_action"
    seen = len(desk.api.calls)
    verdicts.admitted = False
    try:
        if is_button:
            await person.tap_data(press.what)
        else:
            await person.send(press.what)
    except AssertionError as failed:  # a handler failed: a traceback instead of an answer
        desk.errors.clear()
        return f"{press.who} {press.what!r} ({action}) failed: {failed}", await dump(desk)
    after = await dump(desk)
    if open_to_all or verdicts.admitted:
        return None, after
    changed = [t for t in after if after[t] != before.get(t)]
    if changed:
        return f"{press.who} {press.what!r} ({action}) changed {changed}", after
    allowed_texts = refusals(desk)
    for call in desk.api.calls[seen:]:
        if call.chat_id != person.user_id and call.method != "answerCallbackQuery":
            continue
        text = call.params.get("text")
        if (call.method in SHOWING or text) and text not in allowed_texts:
            return f"{press.who} {press.what!r} ({action}) was shown {call.method}: " \
                f"{str(text)[:80]!r}", after
    return None, after


def plan(estate: Estate, seed: int, staff_sample: int) -> list[Press]:
    """Every press as every outsider; a seeded sample of them as each member of staff and
    the resident (after the outsiders: they may change what the outsiders found)."""
    every = presses(estate) + messages(estate)
    chosen = [Press(who, p, what) for what in every for who, p in estate.outsiders.items()]
    rng = random.Random(seed)
    for who, person in estate.staff.items():
        chosen += [Press(who, person, what)
                   for what in rng.sample(every, min(staff_sample, len(every)))]
    return chosen
