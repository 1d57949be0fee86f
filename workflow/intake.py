"""Reports the desk takes for a resident (業主報修: by phone, at the counter, in writing; the
住戶報修記錄表 of §4.2.2). The clerk finds the unit, by building and unit or by the caller's
number, picks whose report it is, the channel and the caller, then writes the report with the
same steps a resident uses. The ticket is the resident's in every way; a resident who does not
use the bot is kept informed through the desk, which is asked to phone them."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from storage import drafts, people, roster
from storage.db import Database
from storage.records import Draft, Unit
from workflow import access, conversations, phones, units
from workflow import tickets as machine
from workflow.complaints import complaints
from workflow.privacy import access as access_log
from workflow.repairs import report
from workflow.settings import EstateSettings
from workflow.tickets import Kind

FLOW = "intake"
CHANNELS = ("phone", "counter", "written")
KINDS = tuple(Kind)
MAX_QUERY = 100
MAX_CALLER = 100


@dataclass(frozen=True)
class Candidate:
    """Someone whose report it can be: `key` is 'u<Telegram id>' or 'r<roster line>'."""
    key: str
    name: str
    phone: str
    on_telegram: bool


async def _step(conn, actor_id: int, now: datetime, *steps: str) -> Draft:
    """The clerk's intake, which must be waiting at one of these steps."""
    await access.require(conn, "intake.take", actor_id)
    draft = await conversations.current(conn, actor_id, now)
    if draft is None or draft.flow != FLOW or draft.step not in steps:
        raise machine.Refusal(machine.Refusal.STALE)
    return draft


async def start(db: Database, actor_id: int, now: datetime) -> None:
    async with db.transaction() as conn:
        await access.require(conn, "intake.take", actor_id)
        await conversations.begin(conn, Draft(actor_id, FLOW, "find", {}), now)


async def find(db: Database, actor_id: int, text: str,
               now: datetime) -> tuple[list[Unit], list[Unit]]:
    """The units a typed unit (however written) or a caller's number points to; when none,
    the closest units on the roster."""
    async with db.reading() as conn:
        await _step(conn, actor_id, now, "find")
        if phones.is_valid(text) and not re.search(r"[A-Za-z棟栋座幢樓楼]", text):
            entries = await roster.entries_by_phone_key(conn, phones.phone_key(text))
            found = {e.unit.id: e.unit for e in entries if phones.same_number(e.phone, text)}
            return list(found.values()), []
        return await units.find(conn, text)


async def candidates(conn, unit_id: int) -> list[Candidate]:
    """The unit's people: each roster line (on Telegram or not), and anyone the desk linked
    to the unit who is not on the roster."""
    on_telegram = await people.residents_of_unit(conn, unit_id)
    found, matched = [], set()
    for entry in await roster.entries_of_unit(conn, unit_id):
        person = next((p for p in on_telegram if p.phone and phones.same_number(
            p.phone, entry.phone)), None)
        if person is not None:
            matched.add(person.user_id)
            found.append(Candidate(f"u{person.user_id}", entry.name, entry.phone, True))
        else:
            found.append(Candidate(f"r{entry.id}", entry.name, entry.phone, False))
    found += [Candidate(f"u{p.user_id}", p.name, p.phone or "", True)
              for p in on_telegram if p.user_id not in matched]
    return found


async def choose_unit(db: Database, actor_id: int, unit_id: int,
                      now: datetime) -> tuple[Unit, list[Candidate]]:
    async with db.transaction() as conn:
        draft = await _step(conn, actor_id, now, "find")
        unit = await roster.get_unit(conn, unit_id)
        if unit is None:
            raise machine.Refusal(machine.Refusal.NOT_FOUND)
        found = await candidates(conn, unit.id)
        # the clerk is shown the unit's people with their phones: the access log's
        await access_log.record_in(conn, actor_id, [int(c.key[1:]) for c in found
                                                    if c.on_telegram], access_log.RECORD,
                                   unit.label, "/intake", now)
        await drafts.put(conn, Draft(actor_id, FLOW, "person", {**draft.data,
                                                                 "unit_id": unit.id}), now)
        return unit, found


async def choose_person(db: Database, settings: EstateSettings, actor_id: int, key: str,
                        now: datetime) -> Candidate:
    """Checked against the unit's own people: a forged key finds nobody."""
    async with db.transaction() as conn:
        draft = await _step(conn, actor_id, now, "person")
        unit_id = draft.data["unit_id"]
        chosen = next((c for c in await candidates(conn, unit_id) if c.key == key), None)
        if chosen is None:
            raise machine.Refusal(machine.Refusal.FORBIDDEN)
        if chosen.on_telegram:
            resident_id = int(chosen.key[1:])
        else:
            resident_id = await people.ensure_without_telegram(
                conn, int(chosen.key[1:]), chosen.name, chosen.phone,
                settings.default_language, now)
            await people.link_unit(conn, resident_id, unit_id, now)
        await drafts.put(conn, Draft(actor_id, FLOW, "channel", {
            **draft.data, "resident_id": resident_id, "resident_name": chosen.name}), now)
        return chosen


async def choose_channel(db: Database, actor_id: int, channel: str, now: datetime) -> None:
    if channel not in CHANNELS:
        raise machine.Refusal(machine.Refusal.INVALID)
    async with db.transaction() as conn:
        draft = await _step(conn, actor_id, now, "channel")
        await drafts.put(conn, Draft(actor_id, FLOW, "caller", {**draft.data,
                                                                 "channel": channel}), now)


def parse_caller(text: str) -> tuple[str, str]:
    """'陳大文 0912-345-678' -> the name and the number; either may be missing."""
    found = re.search(r"\+?\d[\d\s()\-.]{6,}\d", text)
    if found is None or not phones.is_valid(found.group()):
        return text.strip(), ""
    name = (text[:found.start()] + " " + text[found.end():]).strip(" ,，、")
    return " ".join(name.split()), found.group().strip()


async def set_caller(db: Database, actor_id: int, caller: str | None, now: datetime) -> None:
    """Who called or came: None when it is the resident themselves."""
    async with db.transaction() as conn:
        draft = await _step(conn, actor_id, now, "caller")
        name, number = parse_caller(caller) if caller else (None, None)
        await drafts.put(conn, Draft(actor_id, FLOW, "kind", {
            **draft.data, "caller_name": name or None, "caller_phone": number or None}), now)


async def choose_kind(db: Database, actor_id: int, kind: str, now: datetime) -> Draft:
    """The report itself begins: the same steps as a resident's, held by the clerk."""
    if kind not in KINDS:
        raise machine.Refusal(machine.Refusal.INVALID)
    async with db.transaction() as conn:
        data = (await _step(conn, actor_id, now, "kind")).data
        behalf = {k: data[k] for k in ("resident_id", "resident_name", "channel",
                                       "caller_name", "caller_phone")}
        flow = report.FLOW if kind == Kind.REPAIR else complaints.FLOW
        new = Draft(actor_id, flow, "category", {"unit_id": data["unit_id"], "photos": [],
                                                 "on_behalf": behalf,
                                                 conversations.DRAFT_ID: conversations.new_id()})
        await drafts.put(conn, new, now)
        return new

