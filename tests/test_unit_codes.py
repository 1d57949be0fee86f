"""Joining by the code on the office's sheet. LINE gives no verified phone number, so the office
prints one code a unit (`estatedesk roster codes`); a resident on an app without a phone share
(the in-memory app with contact=False, as LINE) accepts the privacy notice, types the code and
is linked to the unit; their household uses the same code. Wrong, expired, replaced and
used-up codes, too many wrong tries, a photo or a long text instead of a code: each refused
with its reason, nothing stored. 'I have no code' leads to the unit typed for a clerk to
approve. On Telegram the phone share stays, and a code may be typed instead."""

from __future__ import annotations

import csv
import io
import subprocess
import sys
from pathlib import Path

import pytest

from bot import cli, cli_roster_codes
from bot.app import DOORS
from handlers import router
from handlers.channels.dispatch import Dispatcher
from tests import printed
from tests.memory_channel import MEMORY, MemoryChannel, MemoryPerson
from workflow import roles
from workflow.onboarding import unit_codes

ROOT = Path(__file__).resolve().parent.parent


class NoPhoneApp:
    """The desk's people on an app with no phone share (as LINE); what the desk owes them is
    delivered after each thing they do."""

    def __init__(self, desk) -> None:
        self.desk = desk
        self.channel = MemoryChannel(contact=False)
        desk.app.bot_data.outboxes = {**desk.app.bot_data.outboxes, MEMORY: self.channel}
        every = (*DOORS, router.door(DOORS))
        self.dispatcher = Dispatcher(desk.app.bot_data.desk, self.channel,
                                     (r for door in every for r in door.routes),
                                     deliver_soon=lambda: None)

    async def _handle(self, turn) -> None:
        await self.dispatcher.handle(turn)
        await self.desk.deliver()

    def person(self, external_id: str, first_name: str, language: str = "en") -> MemoryPerson:
        return MemoryPerson(self.channel, self._handle, external_id, first_name, language)


@pytest.fixture
def app(desk) -> NoPhoneApp:
    return NoPhoneApp(desk)


async def print_codes(desk, capsys, *options: str) -> dict[str, str]:
    """The office runs `estatedesk roster codes --csv ...`: the codes by unit."""
    args = cli._parser().parse_args(["roster", "codes", "--csv", *options])
    done = await cli_roster_codes.COMMANDS[("roster", "codes")](
        args, None, desk.settings, desk.db, desk.clock())
    printed_out = capsys.readouterr()
    assert done == 0, printed_out.err
    return {f"{row['building']} {row['unit']}": row["code"]
            for row in csv.DictReader(io.StringIO(printed_out.out))}


async def joined(app: NoPhoneApp, external_id: str, name: str) -> MemoryPerson:
    """A newcomer adds the desk, reads the notice and taps 'I accept'."""
    person = app.person(external_id, name)
    await person.send("/start")
    assert person.shown[-1].asking is None  # no phone button on this app
    assert person.labels() == ["I accept", "Decline"]
    await person.tap("I accept")
    assert "type the code for your unit from the office's sheet" in person.last_text
    assert person.labels() == ["I have no code"]
    return person


async def person_of(desk, external_id: str) -> int:
    rows = await desk.query("SELECT person_id FROM channel_accounts WHERE channel = ? AND "
                            "external_id = ?", MEMORY, external_id)
    return rows[0][0]


async def units_of(desk, external_id: str) -> list[str]:
    rows = await desk.query(
        "SELECT u.building || ' ' || u.unit FROM residencies r JOIN units u ON u.id = r.unit_id "
        "JOIN channel_accounts a ON a.person_id = r.user_id WHERE a.external_id = ?",
        external_id)
    return [r[0] for r in rows]


async def test_a_household_joins_by_its_units_code_and_reports_a_repair(desk, app, capsys):
    codes = await print_codes(desk, capsys, "--units", "A-12F-3,B 3F-2")
    assert sorted(codes) == ["A 12F-3", "B 3F-2"]
    code = codes["A 12F-3"]
    assert len(code) == 9 and code[4] == "-" and not set(code) & set("01OI")
    assert await desk.query("SELECT count(*) FROM unit_codes WHERE code = ?", code) == [(0,)]

    may = await joined(app, "u-may", "May")
    assert await units_of(desk, "u-may") == []
    await may.send(code.lower().replace("-", ""))  # typed on a phone: no dash, small letters
    assert "Thank you. You are linked to unit A 12F-3." in may.texts()
    assert may.last_text == "What would you like to do?"
    assert "Report a repair" in may.labels()
    assert app.channel.menus["u-may"] == (roles.RESIDENT, True)
    may_id = await person_of(desk, "u-may")
    assert await desk.query("SELECT role FROM people WHERE user_id = ?", may_id) == [
        (roles.RESIDENT,)]
    assert await desk.query("SELECT person_id, channel, external_id FROM unit_code_uses") == [
        (may_id, MEMORY, "u-may")]

    await may.send("/repair")
    assert "Plumbing" in may.labels()  # a resident now: the repair report begins

    # Her husband uses the same slip, with the dash and in full-width letters
    ken = await joined(app, "u-ken", "Ken")
    await ken.send("".join(chr(ord(c) + 0xFEE0) for c in code))  # Ｋ７ＱＭ－３ＷＸＴ
    assert "Thank you. You are linked to unit A 12F-3." in ken.texts()
    assert await desk.query("SELECT used, uses FROM unit_codes WHERE replaced_at IS NULL "
                            "ORDER BY id") == [(2, 4), (0, 4)]
    assert sorted(await units_of(desk, "u-ken") + await units_of(desk, "u-may")) == [
        "A 12F-3", "A 12F-3"]


async def test_a_stranger_who_types_the_code_first_is_shown_the_notice_first(desk, app,
                                                                            capsys):
    code = (await print_codes(desk, capsys, "--units", "A-5F-1"))["A 5F-1"]
    lin = app.person("u-lin", "Lin")
    await lin.send(code)
    assert "Before anything about you is kept" in lin.last_text
    assert "join the desk with your unit's code" in lin.last_text
    assert await desk.query("SELECT count(*) FROM channel_accounts WHERE external_id = 'u-lin'"
                            ) == [(0,)]  # nothing kept before 'I accept'
    await lin.tap("I accept")  # the button carries the code
    assert "Thank you. You are linked to unit A 5F-1." in lin.texts()


async def test_wrong_expired_replaced_and_used_up_codes_are_refused_and_nothing_is_stored(
        desk, app, capsys):
    first = await print_codes(desk, capsys, "--units", "A-12F-3", "--uses", "1")
    short = await print_codes(desk, capsys, "--units", "B-3F-2", "--days", "1")
    ann = await joined(app, "u-ann", "Ann")

    async def refused(typed, why: str) -> None:
        await (ann.send(typed) if isinstance(typed, str) else typed())
        assert why in ann.last_text, ann.last_text
        assert ann.labels() == ["I have no code"]  # asked again, with the way out
        assert await units_of(desk, "u-ann") == []
        assert await desk.query("SELECT count(*) FROM unit_code_uses WHERE external_id = ?",
                                "u-ann") == [(0,)]

    # a photo (a sticker on LINE) or a long text: not a code, and no wrong try counted
    await refused(lambda: ann.send_photo("sticker-1"), "That is not a code")
    await refused("I live in A 12F-3 with my parents, please link me", "That is not a code")
    await refused("K7QM-3WX", "That is not a code")  # one character short
    assert await desk.query("SELECT count(*) FROM link_failures") == [(0,)]

    await refused("K7QM-3WXT", "This code is unknown")
    desk.clock.advance(days=3)
    await refused(short["B 3F-2"], "This code has expired")
    # the first slip of A 12F-3 admits one person: Bo uses it
    bo = await joined(app, "u-bo", "Bo")
    await bo.send(first["A 12F-3"])
    assert await units_of(desk, "u-bo") == ["A 12F-3"]
    await refused(first["A 12F-3"], "used by as many people as it admits")
    # the office makes a new code for A 12F-3 (a lost slip): the old one is replaced
    second = await print_codes(desk, capsys, "--units", "A-12F-3")
    await refused(first["A 12F-3"], "replaced by a newer one")
    assert await desk.query("SELECT count(*) FROM link_failures") == [(4,)]

    # five wrong codes within the hour: from then on, even the right one waits an hour
    await refused("ZZZZ-ZZZZ", "This code is unknown")
    await refused("YYYY-YYYY", "This code is unknown")
    await refused(second["A 12F-3"], "Too many wrong codes")
    desk.clock.advance(hours=1, minutes=1)
    await ann.send(second["A 12F-3"])
    assert "Thank you. You are linked to unit A 12F-3." in ann.texts()


async def test_no_code_the_unit_typed_and_a_clerk_approves(desk, app):
    clerk = app.person("u-clerk", "Clerk")
    await clerk.send(f"/start {await invite(desk, roles.CLERK, 'Desk clerk')}")
    await clerk.tap("I accept")
    assert "registered as clerk" in clerk.last_text

    lin = await joined(app, "u-lin", "Lin Chih-ming")
    desk.clock.advance(days=2)  # he looks for the sheet for two days, then gives up
    await lin.tap("I have no code")
    assert "Please type your building and unit" in lin.last_text
    await lin.send("B 3F-2")
    assert "A clerk will confirm your unit soon" in lin.last_text
    assert clerk.last_text == ("Please confirm a resident: Lin Chih-ming, who joined without a "
                               "phone number, says they live in B 3F-2.\nThe roster has for "
                               "this unit: 林志明 0922 111 222")
    assert await units_of(desk, "u-lin") == []
    await lin.send("/repair")  # not yet
    assert "Your unit is not linked yet" in lin.last_text or "not confirmed" in lin.last_text
    await clerk.tap("Approve")
    assert await units_of(desk, "u-lin") == ["B 3F-2"]
    assert "B 3F-2" in lin.last_text
    await lin.send("/repair")
    assert "Plumbing" in lin.labels()


async def invite(desk, role: str, name: str) -> str:
    from workflow import admin
    return await admin.invite(desk.db, role, name, desk.clock())


async def test_on_telegram_the_phone_stays_and_a_code_may_be_typed_instead(desk, capsys):
    code = (await print_codes(desk, capsys, "--units", "A-5F-1"))["A 5F-1"]
    wu = desk.person(5101, "Wu", "en")
    await wu.send("/start")
    assert "share your phone number" in wu.last_text  # the phone path as before
    await wu.send(code)  # typed instead of sharing: the notice first, 'I accept' carries it
    assert "join the desk with your unit's code" in wu.last_text
    await wu.tap("I accept")
    assert "Thank you. You are linked to unit A 5F-1." in wu.texts()
    assert await desk.query("SELECT channel, external_id FROM unit_code_uses") == [
        ("telegram", "5101")]

    # A tenant whose number is not on the roster is asked for the unit: the code does too
    ho = desk.person(5102, "Ho", "en")
    await ho.send("/start")
    await ho.share_contact("0955 000 111")
    assert "Please type your building and unit" in ho.last_text
    await ho.send(code)
    assert "Thank you. You are linked to unit A 5F-1." in ho.texts()
    assert await desk.query("SELECT count(*) FROM join_requests") == [(0,)]


@pytest.mark.parametrize("language, unit_word", [
    ("zh_Hant", "單位"), ("zh_Hans", "单位"), ("en", "Unit")])
@pytest.mark.parametrize("viewer", printed.VIEWERS)
def test_the_sheet_reads_back_the_unit_and_its_code(tmp_path, language, unit_word, viewer):
    roster = tmp_path / "roster.csv"
    roster.write_text("building,unit,name,phone\nA,12F-3,陳美玲,0912-345-678\n"
                      "A,5F-1,林志明,0922 111 222\nB,3F-2,林志明,0922 111 222\n",
                      encoding="utf-8")
    assert run(tmp_path, "roster", "import", str(roster)).returncode == 0
    sheet = tmp_path / f"codes-{language}.pdf"
    made = run(tmp_path, "roster", "codes", "--building", "A", "--language", language,
               "--out", str(sheet), "--csv")
    assert made.returncode == 0, made.stderr
    rows = list(csv.DictReader(io.StringIO(made.stdout)))
    assert [(r["building"], r["unit"]) for r in rows] == [("A", "12F-3"), ("A", "5F-1")]
    assert "2 units, one code each" in made.stderr
    pages = printed.pages(viewer, sheet)
    assert len(pages) == 1 and pages[0].ink > 1000
    text = "".join(pages[0].text.split())
    for row in rows:
        assert f"{unit_word}A{row['unit']}" in text.replace(" ", "")
        assert row["code"] in text
    assert printed.unembedded_fonts(sheet) == []


def test_the_office_is_told_what_is_wrong_and_no_code_is_made(tmp_path):
    roster = tmp_path / "roster.csv"
    roster.write_text("building,unit,name,phone\nA,12F-3,陳美玲,0912-345-678\n",
                      encoding="utf-8")
    run(tmp_path, "roster", "import", str(roster))
    unknown = run(tmp_path, "roster", "codes", "--units", "A-12F-3,C-9F-9", "--csv")
    assert unknown.returncode == 1 and "no unit C-9F-9" in unknown.stderr
    folder = run(tmp_path, "roster", "codes", "--out", str(tmp_path / "nowhere" / "x.pdf"))
    assert folder.returncode == 1 and "No code was made" in folder.stderr
    both = run(tmp_path, "roster", "codes", "--units", "A-12F-3", "--building", "A")
    assert both.returncode == 2 and "not allowed with" in both.stderr
    import sqlite3
    with sqlite3.connect(tmp_path / "desk.sqlite3") as conn:
        assert conn.execute("SELECT count(*) FROM unit_codes").fetchone() == (0,)


def run(tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    environment = {"ESTATEDESK_DB": str(tmp_path / "desk.sqlite3"), "PATH": "/usr/bin:/bin"}
    return subprocess.run([sys.executable, "-m", "bot", *args], cwd=ROOT, env=environment,
                          capture_output=True, text=True, timeout=120)


def test_a_code_is_read_however_it_is_typed():
    assert unit_codes.normal("k7qm-3wxt") == unit_codes.normal(" K7QM 3WXT ") == "K7QM3WXT"
    assert unit_codes.normal("Ｋ７ＱＭ－３ＷＸＴ") == "K7QM3WXT"
    for not_one in ("K7QM-3WX0", "K7QM-3WXTT", "", None, "I7QM-3WXT", "x" * 200):
        assert unit_codes.normal(not_one) is None
    assert unit_codes.shown("K7QM3WXT") == "K7QM-3WXT"
