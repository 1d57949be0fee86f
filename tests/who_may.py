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

from handlers.channels.telegram.routes import routed
from handlers.common import REFUSALS
from tests.harness import DeskHarness, Person
from tests.stories import assign_to_tech, complete, report_leak, resident_of_a12, staff
from tests.test_intake import take_repair_by_phone
from tests.test_keys import key_room
from tests.test_renovations import apply_for_a_bathroom
from tests.test_repair_form import engineer_and_project
from tests.test_units_in_chat import aqua_works, send_to_aqua
from workflow import access, admin, roles
from workflow.office import settlement
from workflow.registers import archives
from workflow.sales import reservations

IDS = (1, 2, 3, 4, 5, 6, 99)
TAILS = ("", " 1", " 2 3", " PR-B1 a reason", " DRW-A-07 inspection why",
         " DRW-A-07 history")  # after a command
ARCHIVE = """code,title,kind,location,confidentiality
DRW-A-07,Block A water risers,drawing,Cabinet 3 shelf 2,internal
CON-2024-01,Lift maintenance contract,contract,Cabinet 1,confidential
"""  # the records that exist, and one that does not (ids too big for
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
    outsiders: dict[str, Person]  # a stranger, a removed clerk, a neighbour, a newcomer the
    # desk has not confirmed yet, another unit's person
    staff: dict[str, Person]  # one of each role, and the resident of the records
    shown: list[str] = field(default_factory=list)  # every button's data the bot showed


async def estate_in_mid_day(desk: DeskHarness) -> Estate:
    """Ticket 1: Aqua Works' job, done and confirmed, its repair form waiting for the
    signatures. Ticket 2: a job waiting for Aqua Works to accept it. Ticket 3: our
    technician's job; the keys the owner deposited are asked for (loan 1, waiting for the
    owner's consent) and the owner pays (a quotation waiting for the owner's answer). Loan 2:
    the pump room's key, asked for a reason, waiting for a supervisor. Ticket 4: Aqua Works'
    job, a visit time proposed to the resident. Ticket 5: done by our technician, waiting for
    the resident to confirm, its measurement to confirm. Ticket 6: a complaint routed to
    security. The resident rated ticket 1 one star. Aqua Works' settlement was delivered. A
    newcomer's unit waits for the desk; a neighbour is choosing a unit for a report; a clerk
    was removed while taking a report, another (who lives here) after sending a photo. The
    resident's privacy requests 1 (a deletion) and 2 (a correction) wait for the desk."""
    clerk, tech, boss = await staff(desk)
    keeper = await key_room(desk)
    lee, wong = await aqua_works(desk, "zh-TW")  # (an English settlement does not render yet:
    # its sheet's name holds ":", section 4 of issue 24)
    engineer, project = await engineer_and_project(desk)
    await admin.add_contractor(desk.db, "Bright Electric", "", ["electrical"],
                               timedelta(days=3), "bright", timedelta(hours=4))
    sparks = desk.person(7101, "Sparks")
    await sparks.join(await admin.invite(desk.db, roles.CONTRACTOR, "Bright: Sparks",
                                                     desk.clock(), contractor="bright"))
    others = {}
    for user_id, role in enumerate((roles.MANAGER, roles.STOREKEEPER, roles.ARCHIVIST,
                                    roles.CASHIER, roles.SALES_SERVICE, roles.SALES_SUPERVISOR),
                                   start=9004):
        others[role] = desk.person(user_id, role.title(), "zh-TW")
        await desk.hire(others[role], role)
    head = desk.person(9012, "Security head", "en")
    await head.join(await admin.invite(desk.db, roles.SUPERVISOR, "Head of security",
                                                   desk.clock(), department="security"))
    resident = await resident_of_a12(desk)
    neighbour = desk.person(5002, "Neighbour", "en")
    await neighbour.send("/start")
    await neighbour.share_contact("+886 922 111 222")
    await neighbour.tap("All of them")
    newcomer = desk.person(5003, "Newcomer", "en")  # not on the roster: waits for the desk
    await newcomer.send("/start")
    await newcomer.share_contact("+886 955 000 111")
    await newcomer.send("C 7F-1")

    await report_leak(resident, photos=("leak-1",))
    await send_to_aqua(clerk, 1)
    await lee.tap_starting("u:ok:1:")
    await complete(lee, 1)
    await resident.tap_starting("s:ok:1")
    await clerk.tap_data("s:pp:1")  # a paper signature: whose?
    await desk.run_until(desk.clock.now + timedelta(hours=24))  # the survey
    await resident.tap_starting("sv:r:1:1")  # one star: the supervisors may follow it up
    await resident.tap("Next")
    await resident.tap("Skip")
    await report_leak(resident, "The bathroom tap drips all night.")
    await send_to_aqua(clerk, 2)
    await report_leak(resident, "The kitchen's waste pipe is cracked.")
    await assign_to_tech(clerk, 3)
    await tech.tap_data("w:v:3")
    await tech.tap("Ask for the unit's keys")
    await tech.tap_starting("ky:pk:3:")  # the first of the unit's keys
    await tech.tap_starting("ky:ask:3:")
    await clerk.tap_data("d:v:3")
    await clerk.tap("Who pays")
    await clerk.tap("The owner (with a quotation)")
    await clerk.send("1200 a new waste pipe")
    await tech.send("/borrow PR-B1 check the pump room's water leak")
    await report_leak(resident, "Water seeps under the bathtub.")
    await send_to_aqua(clerk, 4)
    await lee.tap_starting("u:ok:4:")
    await lee.tap_starting("u:pv:4")  # a visit time
    await lee.tap_starting("u:pd:4:")
    await lee.tap_starting("u:ps:4:")
    await report_leak(resident, "The toilet cistern keeps running.")
    await assign_to_tech(clerk, 5)
    await complete(tech, 5)
    await clerk.tap_data("d:v:5")  # its measurement to confirm
    await resident.send("/complain")  # ticket 6, for the head of security to answer
    await resident.tap("Security")
    await resident.send("The night guard was asleep at the gate again.")
    await resident.tap("Skip")
    await resident.tap("Yes, please call me")
    await resident.tap("Confirm and send")
    await clerk.tap("Acknowledge")
    await clerk.tap("Route to a department")
    await clerk.tap("Security")
    await settlement.deliver_now(desk.db, "2026-Q4", desk.clock())  # to Aqua Works
    await resident.send("/mytickets")
    await resident.tap_data("t:v:3")  # add to it
    await boss.send("/signoffs")
    await boss.send("/report")
    await tech.send("/borrow PR-B1-S the spare, for the night shift")  # loan 3
    await tech.send("/borrow A12-D")  # refused: a resident's key goes only for a job
    await boss.tap_data("ky:ok:2")
    await boss.tap_data("ky:ok:3")
    await keeper.tap_data("ky:out:2")  # loan 2 out, loan 3 ready to hand out
    await tech.send("/borrow PR-B1 the pump again tomorrow")  # loan 4, for a supervisor
    await boss.send("/keys")
    archivist = desk.person(9030, "Archivist", "en")
    await desk.hire(archivist, roles.ARCHIVIST)
    await archives.load_index(desk.db, archives.parse_index(ARCHIVE.encode()), desk.clock())
    await tech.send("/archive DRW-A-07 trace the riser behind A 12F-3")  # archive loan 1
    await tech.send("/archive CON-2024-01 check the lift contract's terms")  # 2
    await clerk.send("/archive DRW-A-07 the riser again")  # 3: waits for the manager
    await others[roles.MANAGER].tap_data("ar:ok:1")
    await others[roles.MANAGER].tap_data("ar:ok:2")
    await archivist.tap_data("ar:out:1")  # 1 out, 2 ready
    await others[roles.MANAGER].send("/archives")
    await archivist.send("/archives")
    await clerk.send("/activity 2026-12-12 14:00 | 6 | 3 | Clubhouse | Christmas crafts")
    await resident.send("/activities")
    await resident.tap_data("ac:j:1")
    await resident.tap_data("ac:n:1:2")
    await clerk.send("/activities")
    today = desk.clock.now.astimezone(desk.settings.tz).date()  # the works start today
    await apply_for_a_bathroom(resident, f"{today} 2026-12-20")  # renovation 1: reviewed,
    await resident.tap("Confirm and send")  # paid, permitted, its acceptance inspection asked
    await boss.tap_data("rn:ra:1")  # for
    await boss.send("Route checked.")
    await others[roles.CASHIER].tap_data("rn:pay:1")
    await others[roles.CASHIER].send("0 0 R0042")
    await desk.deliver()  # the desk's card to grant the permit
    await clerk.tap_starting("rn:ok:1")
    await resident.tap_starting("rv:in:1")
    await reservations.import_inventory(desk.db, b"building,unit,area,price,status\n"
                                        b"S,20F-1,35,12800000,available\n", "units.csv", "en",
                                        desk.clock())  # a unit for sale
    await others[roles.CASHIER].send("/reserve S 20F-1 50000 R0043 Chan Tai Man")  # to verify
    await neighbour.send("/repair")  # left at "which unit?"
    removed = desk.person(9010, "Gone", "en")  # removed in the middle of taking a report
    await desk.hire(removed, roles.CLERK, "Former clerk")
    await removed.send("/intake")
    await admin.staff_remove(desk.db, removed.user_id)
    await desk.import_roster("building,unit,name,phone\nC,2F-1,王大同,0933 222 333\n")
    at_home = desk.person(9011, "At home", "en")  # a clerk who lives here, removed after
    await at_home.send("/start")  # sending a photo of a leak at home
    await at_home.share_contact("+886 933 222 333")
    await at_home.join(await admin.invite(desk.db, roles.CLERK, "Clerk at home",
                                                      desk.clock()))
    await at_home.send_photo("leak-at-home")
    await admin.staff_remove(desk.db, at_home.user_id)
    await a_resident_without_telegram(desk, clerk, lee)
    await renovations_waiting(desk, resident, boss, others[roles.CASHIER], today)
    await resident.tap_data("pv:delete")  # privacy request 1, a deletion for the desk
    await resident.tap_data("pv:delete:yes")
    await resident.tap_data("pv:correct")  # 2, a correction
    await resident.send("My phone is 0912-345-678, not 0912-345-679.")
    await clerk.send("/requests")  # their buttons: grant, refuse, extend, note
    await desk.deliver()
    assert not desk.errors
    shown = sorted({b["callback_data"] for c in desk.api.calls for b in c.buttons()})
    return Estate(desk, {"stranger": desk.person(6001, "Stranger", "en"),
                         "removed clerk": removed, "removed clerk who lives here": at_home,
                         "neighbour": neighbour,
                         "newcomer waiting for the desk": newcomer,
                         "another unit's person": sparks},
                  {"clerk": clerk, "technician": tech, "supervisor": boss, "key keeper": keeper,
                   "head of security": head, "archivist": archivist,
                   "unit's person": lee, "unit's other person": wong,
                   "supervising engineer": engineer, "project department": project,
                   **others, "resident": resident}, shown)


async def a_resident_without_telegram(desk: DeskHarness, clerk: Person, lee: Person) -> None:
    """A job for a resident on the roster without Telegram: the desk is asked to phone them
    ("I phoned them") and to read out the unit's proposed visit ("agreed by phone")."""
    await desk.import_roster("building,unit,name,phone\nC,3F-2,林阿嬤,0911 000 222\n")
    await clerk.send("/intake")
    await clerk.send("c 3f-2")
    await take_repair_by_phone(clerk, "c 3f-2", clerk.labels()[0])  # 林阿嬤, with her number
    await clerk.tap("Confirm and send")
    (job,), = await desk.query("SELECT max(id) FROM tickets")
    await send_to_aqua(clerk, job)
    await lee.tap_starting(f"u:ok:{job}:")
    await lee.tap_starting(f"u:pv:{job}")
    await lee.tap_starting(f"u:pd:{job}:")
    await lee.tap_starting(f"u:ps:{job}:")


async def renovations_waiting(desk: DeskHarness, owner: Person, boss: Person, cashier: Person,
                              today) -> None:
    """Renovation 2 reviewed and waiting for its fees (the cashier's button), 3 paid and
    waiting for the desk's permit (the desk's button)."""
    for number, receipt in ((2, None), (3, "R0044")):
        await apply_for_a_bathroom(owner, f"{today} 2026-12-24")
        await owner.tap("Confirm and send")
        await boss.tap_data(f"rn:ra:{number}")
        await boss.send("Route checked.")
        if receipt:
            await cashier.tap_data(f"rn:pay:{number}")
            await cashier.send(f"0 0 {receipt}")


def button_patterns(desk: DeskHarness) -> list[re.Pattern[str] | None]:
    """The installed bot's button routes' patterns, in their order (None: any button)."""
    return [pattern for pattern, _ in routed(desk.app).buttons.buttons]


def commands(desk: DeskHarness) -> list[str]:
    return sorted(routed(desk.app).commands)


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
    for compiled in button_patterns(estate.desk):
        pattern = compiled.pattern if compiled is not None else "zz:"
        start = _literal_start(str(pattern))
        if not any(re.match(pattern, d) for d in found):
            found.update(f"{start}{tail}" for tail in ("1", "x:1", "1:1", "y:1"))
    return sorted(found)


def messages(estate: Estate) -> list[str]:
    """Every command, bare and with ids and words after it."""
    return [f"/{c}{tail}" for c in commands(estate.desk) for tail in TAILS]


def handler_of(estate: Estate, update: dict) -> str:
    """The action of the handler the Application gives this update to."""
    parsed = Update.de_json({"update_id": 1, **update}, estate.desk.app.bot)
    found = routed(estate.desk.app).check_update(parsed)
    return found[0].access_action if found else ""


class Verdicts:
    """What the table said during a press: whether it admitted the presser to anything it
    restricts (an action open to everyone admits nothing by itself), and whether it refused
    them anything (a handler's wide gate admits, the button's own rule then refuses)."""

    def __init__(self) -> None:
        self.admitted = False
        self.refused = False
        self.asked: set[str] = set()  # the actions the press asked the table about
        self.changed = False  # whether the press changed the database

    def install(self, monkeypatch) -> None:
        role_admits, admits = access.role_admits, access.admits

        def spy_role(action, person):
            self.asked.add(action)
            verdict = role_admits(action, person)
            rule = access.RULES[action]
            if verdict and rule.relation is None and rule.roles != access.EVERYONE:
                self.admitted = True
            self.refused |= not verdict
            return verdict

        async def spy(conn, action, person, record=None):
            self.asked.add(action)
            verdict = await admits(conn, action, person, record)
            rule = access.RULES[action]
            if verdict and (rule.relation is not None or rule.roles != access.EVERYONE):
                self.admitted = True
            self.refused |= not verdict
            return verdict

        monkeypatch.setattr(access, "role_admits", spy_role)
        monkeypatch.setattr(access, "admits", spy)


_DIGEST: dict[int, str] = {}  # per desk: one query that digests every table (PostgreSQL)


async def dump(desk: DeskHarness) -> dict[str, object]:
    """Every table but the replay guard's: its rows sorted (SQLite, in the process), or a
    digest of them in one round trip (PostgreSQL)."""
    if desk.schema is None:
        names = await desk.query("SELECT name FROM sqlite_master WHERE type = 'table' AND "
                                 "name NOT LIKE 'sqlite_%'")
        found: dict[str, object] = {}
        async with desk.db.reading() as conn:
            for (name,) in names:
                if name != "seen_updates":
                    rows = await (await conn.execute(f"SELECT * FROM {name}")).fetchall()
                    found[name] = sorted((tuple(r) for r in rows), key=repr)
        return found
    if id(desk) not in _DIGEST:
        names = await desk.query("SELECT table_name FROM information_schema.tables WHERE "
                                 "table_schema = current_schema() AND table_name <> "
                                 "'seen_updates' ORDER BY table_name")
        _DIGEST[id(desk)] = " UNION ALL ".join(
            f"SELECT '{n}', (SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), "
            f"'')) FROM {n} t)" for (n,) in names)
    return dict(await desk.query(_DIGEST[id(desk)]))


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
    verdicts.admitted, verdicts.refused, verdicts.asked = False, False, set()
    try:
        if is_button:
            await person.tap_data(press.what)
        else:
            await person.send(press.what)
    except AssertionError as failed:  # a handler failed: a traceback instead of an answer
        desk.errors.clear()
        return f"{press.who} {press.what!r} ({action}) failed: {failed}", await dump(desk)
    after = await dump(desk)
    changed = [t for t in after if after[t] != before.get(t)]
    verdicts.changed = bool(changed)
    if open_to_all or (verdicts.admitted and not verdicts.refused):
        return None, after
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
    """Every button the bot showed anyone and every command, as every outsider; each forged
    or made-up button as one outsider chosen with the seed, and as any outsider who was shown
    the real one; then, as each member of staff and the resident, each kind of button the
    bot showed (one of them, chosen with the seed), each command (each with one of the words
    after it, in turn) and a seeded sample of the rest (after the
    outsiders: they may change what the outsiders found)."""
    every = presses(estate) + messages(estate)
    shown = set(estate.shown) | set(messages(estate))
    rng = random.Random(seed)
    outsiders = list(estate.outsiders.items())
    theirs = {who: {f for c in p.calls() for b in c.buttons() for f in _forged(b["callback_data"])}
              for who, p in outsiders}  # the buttons shown to them, with other records' ids
    chosen = [Press(who, p, what) for what in every for who, p in outsiders
              if what in shown or what in theirs[who]]
    chosen += [Press(*rng.choice(outsiders), what) for what in every if what not in shown]
    rest = [what for what in every if what not in shown]
    shapes: dict[str, list[str]] = {}
    for what in estate.shown:  # the same button of another record: "d:v:#", "ky:y:#"
        shapes.setdefault(re.sub(r"\d+", "#", what), []).append(what)
    for number, (who, person) in enumerate(estate.staff.items()):
        sample = rng.sample(rest, min(staff_sample, len(rest)))
        commands_once = [f"/{c}{TAILS[number % len(TAILS)]}" for c in commands(estate.desk)]
        one_of_each = [rng.choice(found) for found in shapes.values()]
        chosen += [Press(who, person, what) for what in [*one_of_each, *commands_once,
                                                        *sample]]
    return chosen
