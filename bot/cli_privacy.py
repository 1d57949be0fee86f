"""Personal data from the command line (個人資料保護法): the access log, the breach drill,
erasing a person (a court order, a request made on paper)."""

from __future__ import annotations

import argparse
import re
import sys
from datetime import datetime, time

from bot.cli_reports import counted
from handlers.i18n import Tr
from handlers.privacy.notices import notice_text
from storage.privacy import erasure as store
from workflow import dates, phones
from workflow.privacy import access as access_log
from workflow.privacy import breach
from workflow.privacy.erasure import erase_person
from workflow.settings import LANGUAGES

WHAT = {access_log.RECORD: "person's record", access_log.TICKET: "ticket",
        access_log.DOCUMENT: "document", access_log.EXPORT: "export"}


BREACH_HELP = """\
the breach drill (個人資料保護法 Art. 12): list the people an incident could have exposed,
tell them (in the chat, or a list to phone), keep the incident and its 72-hour clock.

  estatedesk privacy breach --since 2026-12-01 --what "..." [--kinds phones,photos]
                            [--units A-12F-3,B-3F-2] [--dry-run]
  estatedesk privacy breach list | show N | close N [--anyway]
  estatedesk privacy breach told --incident N --person ID[,ID...] [--note "..."]

Who is listed: every person the desk knows (in the chat, or on the roster and filed for by
the desk) who was active at or after --since: they joined then or later; a ticket they
reported, follow or work on changed then or later; they acted on a ticket then or later; the
desk wrote them a message then or later (the drill's own messages aside); or staff opened
their record then or later. A date before the desk began takes in everyone it knows. Roster
lines of people who never joined are not listed. --kinds keeps those the desk holds one of
those kinds of data about: names (a name), phones (a phone number), units (linked to a
unit), tickets (reported or follow one), photos (a report or renovation of theirs with
photos), voice (a report with a voice note), payments (a unit of theirs with payments),
contracts (a buyer's contract). --units keeps those living in one of the units or with a
ticket for one. Without them, every kind and every unit.

Each listed person reachable in a chat (the account they chose for notices, not blocked) is
sent the notice in their language (what happened, what data, what the office is doing, the
office's phone and hours from the settings) and counts as told once it is delivered; the
others are printed to phone, with what to say in their language: mark each call with
'told'. The managers are told at once, again at 48 hours if people are still not told, and
at 72 hours if the incident is not closed (each once). Running the same command again
shows the incident it opened and tells nobody twice; --dry-run lists and records nothing."""


def add_parsers(sub) -> None:
    actions = sub.add_parser(
        "privacy", help="personal data: who looked at whose, a breach drill, erasing a person"
    ).add_subparsers(dest="action", required=True)
    log = actions.add_parser("log", help="who among the staff looked at a person's data, "
                                         "newest first (the access log)")
    log.add_argument("--person", required=True,
                     help="the person: their id, their name as the desk has it, or their phone")
    log.add_argument("--since", type=dates.day_text, help="from this day on, such as 2026-11-01")
    erase = actions.add_parser(
        "erase", help="forget a person: their name, phone, chat id, photos, voice notes and "
                      "words; tickets, payments and settlements stay, anonymous")
    erase.add_argument("--person", required=True,
                       help="their phone number (any writing) or their id (estatedesk staff "
                            "list, or the access log)")
    erase.add_argument("--yes", action="store_true", help="do not ask to confirm")
    drill = actions.add_parser("breach", help="the breach drill: tell the people an incident "
                                              "could have exposed, within 72 hours",
                               description=BREACH_HELP,
                               formatter_class=argparse.RawDescriptionHelpFormatter)
    drill.add_argument("step", nargs="*", metavar="list | show N | close N | told",
                       help="without a step: run the drill (--since and --what)")
    drill.add_argument("--since", help="when the incident could have begun, in the estate's "
                                       "time: 2026-12-01 or '2026-12-01 10:00'")
    drill.add_argument("--what", help="what happened, as the people will read it")
    drill.add_argument("--what-in", nargs=2, action="append", default=[],
                       metavar=("LANGUAGE", "TEXT"),
                       help=f"what happened in another language ({', '.join(LANGUAGES)}), for "
                            f"the people who read it; may be given for each")
    drill.add_argument("--kinds", default="", help=f"comma-separated kinds of data: "
                                                    f"{','.join(breach.KINDS)}")
    drill.add_argument("--units", default="", help="comma-separated units, such as A-12F-3")
    drill.add_argument("--dry-run", action="store_true",
                       help="list the people and how each would be told; record nothing")
    drill.add_argument("--incident", type=int, help="told: the incident's number")
    drill.add_argument("--person", default="", help="told: the person's id (as 'show' lists "
                                                     "it), or several, comma-separated")
    drill.add_argument("--note", default="", help="told: how they were told (default: by "
                                                  "phone); close: a note kept with it")
    drill.add_argument("--anyway", action="store_true",
                       help="close: even though some people are not told")


async def _log(args, env, settings, db, now) -> int:
    since = None
    if args.since:
        try:
            day = dates.day(args.since)
        except ValueError:
            print(f"privacy: --since {args.since}: write a day like 2026-11-01",
                  file=sys.stderr)
            return 1
        since = datetime.combine(day, datetime.min.time(), settings.tz)  # the estate's day
    found = await access_log.people_matching(db, args.person)
    if not found:
        print(f"privacy: nobody the desk knows is {args.person!r}: give their id, their name "
              f"as the desk has it, or their phone number", file=sys.stderr)
        return 1
    if len(found) > 1:
        print(f"privacy: {len(found)} people match {args.person!r}; give the id of one:",
              file=sys.stderr)
        for p in found:
            print(f"  {p.user_id}\t{p.name}\t{p.phone or ''}\t{p.role or 'resident'}",
                  file=sys.stderr)
        return 1
    person = found[0]
    entries = await access_log.log_of(db, person.user_id, since)
    from_ = f" since {args.since}" if since else ""
    if not entries:
        print(f"Nobody on the staff has opened the data of {person.name} (id {person.user_id})"
              f"{from_}.")
        return 0
    print(f"Who opened the data of {person.name} (id {person.user_id}){from_}: "
          f"{len(entries)}, newest first")
    print("when\twho\twhat\treference\twhy")
    for e in entries:
        a = e.access
        who = "the office's command line" if a.viewer_id is None else \
            f"{e.viewer.name if e.viewer else '?'} ({_role(e.viewer)}, id {a.viewer_id})"
        when = a.at.astimezone(settings.tz).strftime("%Y-%m-%d %H:%M")
        print(f"{when}\t{who}\t{WHAT.get(a.what, a.what)}\t{a.reference}\t{a.why}")
    return 0


def _role(person) -> str:
    """The viewer's role now; one whose rights were removed says so."""
    if person is None:
        return "unknown"
    return person.role if person.role and person.active else "no longer staff"


async def _erase(args, env, settings, db, now) -> int:
    text = args.person.strip()
    number = int(text) if re.fullmatch(r"-?\d{1,18}", text) else None
    key = phones.phone_key(text) if phones.is_valid(text) else None
    async with db.reading() as conn:
        found = await store.matching(conn, number, key)
    found = [f for f in found if f[1] not in (store.ERASED, store.FORMER_STAFF)
             or f[0] == number]
    if not found:
        print(f"privacy: nobody has the id or phone {text}; nothing was erased.",
              file=sys.stderr)
        return 1
    if len(found) > 1:
        print(f"privacy: {text} could mean {len(found)} people; give the id of one:",
              file=sys.stderr)
        for user_id, name, phone, role in found:
            print(f"  {user_id}\t{name}\t{phone or ''}\t{role or ''}", file=sys.stderr)
        return 1
    user_id, name, phone, role = found[0]
    print(f"{user_id}\t{name}\t{phone or ''}\t{role or 'resident'}")
    if not args.yes:
        try:
            answer = input("Erase this person's data for good? Type yes to go on: ")
        except EOFError:
            answer = ""
        if answer.strip().lower() != "yes":
            print("privacy: nothing was erased.")
            return 1
    erased = await erase_person(db, user_id, now)
    print(f"Erased: {counted(erased.deleted, 'row')} deleted, {erased.anonymised} kept without "
          f"their data, {counted(erased.rekeyed, 'reference')} moved to the anonymous person "
          f"{erased.person_id} ({counted(erased.tickets, 'ticket')} kept).")
    return 0


def _err(text: str) -> int:
    print(f"privacy breach: {text}", file=sys.stderr)
    return 1


def _since(text: str, settings, now: datetime) -> datetime:
    try:
        moment = dates.moment(text, settings.tz)
    except ValueError:
        moment = datetime.combine(dates.day(text), time(0), settings.tz)  # ValueError: not one
    if moment > now:
        raise ValueError("it is in the future")
    return moment


def _local(settings, moment: datetime | None) -> str:
    return moment.astimezone(settings.tz).strftime("%Y-%m-%d %H:%M") if moment else "-"


async def _breach(args, env, settings, db, now) -> int:
    step = args.step
    if not step:
        return await _drill(args, settings, db, now)
    if step == ["list"]:
        return await _list(settings, db)
    if len(step) == 2 and step[0] in ("show", "close") and step[1].isdigit():
        return await (_show if step[0] == "show" else _close)(args, settings, db, now,
                                                             int(step[1]))
    if step == ["told"]:
        return await _told(args, settings, db, now)
    if step[0] in ("show", "close"):
        return _err(f"{step[0]}: give the incident's number, as 'list' shows it: "
                    f"estatedesk privacy breach {step[0]} 1")
    return _err(f"unknown step {' '.join(step)!r}; use list, show N, close N or told")


async def _drill(args, settings, db, now) -> int:
    if not args.since or not (args.what or "").strip():
        return _err("give --since (when it could have begun) and --what (what happened)")
    try:
        since = _since(args.since, settings, now)
    except ValueError as exc:
        return _err(f"--since {args.since!r}: not a date or a date and time ({exc})")
    texts = [args.what, *(text for _, text in args.what_in)]
    if any(len(text.strip()) > breach.LONGEST or not text.strip() for text in texts):
        return _err(f"--what and each --what-in: some words, at most {breach.LONGEST} "
                    f"characters (a chat message holds the notice). Nothing was recorded.")
    what_in = {}
    for language, text in args.what_in:
        if language not in LANGUAGES:
            return _err(f"--what-in: unknown language {language}; choose from "
                        f"{', '.join(LANGUAGES)}")
        what_in[language] = text.strip()
    selection = breach.Selection(
        since, tuple(dict.fromkeys(k.strip() for k in args.kinds.split(",") if k.strip())),
        tuple(u.strip() for u in args.units.split(",") if u.strip()))
    try:
        if args.dry_run:
            people = await breach.exposed(db, selection)
            print(f"Dry run: nothing recorded, nobody told. {len(people)} people could be "
                  f"affected ({selection.described(settings)}):")
            for p in people:
                print(f"  {p.person_id}\t{p.name}\t{', '.join(p.units) or '-'}\t"
                      f"{p.phone or '-'}\t{p.language}\t{p.way}")
            _untranslated(settings, people, what_in)
            return 0
        opened = await breach.open_incident(db, settings, selection, args.what.strip(),
                                            what_in, now)
    except breach.Refused as exc:
        return _err(f"{exc}. Nothing was recorded.")
    incident = opened.incident
    if opened.again:
        print(f"Incident {incident.reference} (number {incident.id}) was recorded by this "
              f"same command at {_local(settings, incident.opened_at)}; nobody was told "
              f"again. See: estatedesk privacy breach show {incident.id}")
        return 0
    chat = [p for p in opened.people if p.way == breach.CHAT]
    phone = [p for p in opened.people if p.way == breach.PHONE]
    print(f"Incident {incident.reference} (number {incident.id}) recorded: "
          f"{incident.count} people could be affected. Tell them, and report it, by "
          f"{_local(settings, incident.due_at)} ({settings.timezone}), 72 hours from now.")
    print(f"In the chat: {len(chat)} notices queued, each in its reader's language.")
    _phone_list(settings, incident, phone)
    if incident.count >= breach.MANY:
        print(f"{incident.count} people (100 or more): the draft rule asks for the report to "
              f"the authority within the 72 hours.")
    if opened.managers:
        print(f"Managers told: {opened.managers}; again at 48 hours if people are still not "
              f"told, and at 72 hours if it is not closed.")
    else:
        print("No manager is in the chat to alert: keep the clock yourself "
              "(estatedesk privacy breach list).", file=sys.stderr)
    return 0


def _untranslated(settings, people, what_in: dict[str, str]) -> None:
    """Who would read the --what text as written (in the chat, or read to them), before
    anyone is told: a --what-in for their language tells them in it."""
    readers = [p.language or settings.default_language for p in people]
    left = {language: readers.count(language) for language in dict.fromkeys(readers)
            if language not in what_in}
    if left:
        print(f"The --what text, as written, goes to the readers of: "
              f"{', '.join(f'{language} ({n})' for language, n in left.items())}. To tell "
              f"any of them in their own language, add --what-in LANGUAGE TEXT.", file=sys.stderr)


def _phone_list(settings, incident, people) -> None:
    if not people:
        return
    print(f"To phone ({len(people)}; id, name, unit, phone, language):")
    for p in people:
        print(f"  {p.person_id}\t{p.name or '-'}\t{', '.join(p.units) or '-'}\t"
              f"{p.phone or 'no number on file'}\t{p.language or settings.default_language}")
    for language in dict.fromkeys(p.language or settings.default_language for p in people):
        print(f"What to say ({language}):")
        text = notice_text(Tr(language, settings.tz), settings, incident)
        print("\n".join("  " + line for line in text.splitlines()))
    print(f"Mark each call: estatedesk privacy breach told --incident {incident.id} "
          f"--person ID")


async def _list(settings, db) -> int:
    found = await breach.incidents(db)
    if not found:
        print("No personal data incident is recorded.")
    for i in found:
        state = f"closed {_local(settings, i.closed_at)}" if i.closed_at else \
            ("OVERDUE" if i.overdue_at else "open")
        print(f"{i.id}\t{i.reference}\topened {_local(settings, i.opened_at)}\t"
              f"due {_local(settings, i.due_at)}\t{i.count} people, {i.untold} not told\t"
              f"{state}\t{i.what}")
    return 0


async def _show(args, settings, db, now, incident_id: int) -> int:
    found = await breach.incident(db, incident_id, now)
    if found is None:
        return _err(f"no incident number {incident_id}; see 'estatedesk privacy breach list'")
    i, listed = found
    print(f"{i.reference} (number {i.id}): {i.what}")
    for language, text in sorted(i.what_in.items()):
        print(f"  ({language}) {text}")
    print(f"opened {_local(settings, i.opened_at)}; due {_local(settings, i.due_at)}; "
          + (f"closed {_local(settings, i.closed_at)} {i.closed_note}".rstrip()
             if i.closed_at else "open"))
    print(f"people: {i.described}: {i.count}, {i.untold} not told")
    for p in listed:
        if p.told_at:
            state = f"told {_local(settings, p.told_at)} ({p.told_how})"
        elif p.way == breach.CHAT and not p.failed:
            state = "chat notice waiting to be delivered"
        else:
            state = "NOT TOLD: phone them" + (" (their chat notice failed)" if p.failed
                                               else "")
        print(f"  {p.person_id}\t{p.name or '-'}\t{', '.join(p.units) or '-'}\t"
              f"{p.phone or 'no number on file'}\t{p.way}\t{state}")
    return 0


async def _close(args, settings, db, now, incident_id: int) -> int:
    found = await breach.incident(db, incident_id)
    if found is None:
        return _err(f"no incident number {incident_id}; see 'estatedesk privacy breach list'")
    i = found[0]
    if i.closed_at is not None:
        print(f"{i.reference} was closed already at {_local(settings, i.closed_at)}.")
        return 0
    if i.untold and not args.anyway:
        return _err(f"{i.untold} people of {i.reference} are not told yet (see 'show "
                    f"{i.id}'); tell them, or close with --anyway. Nothing was changed.")
    await breach.close(db, incident_id, args.note.strip(), now)
    print(f"{i.reference} closed; the managers hear no more of its clock.")
    return 0


async def _told(args, settings, db, now) -> int:
    try:
        people = [int(p) for p in args.person.split(",") if p.strip()]
    except ValueError:
        people = []
    if args.incident is None or not people:
        return _err("told: give --incident N and --person ID (as 'show N' lists them)")
    found = await breach.incident(db, args.incident)
    if found is None:
        return _err(f"no incident number {args.incident}; see 'estatedesk privacy breach list'")
    marked = await breach.mark_told(db, args.incident, people, args.note.strip() or "phone",
                                    now)
    failed = 0
    for person, outcome in marked.items():
        if outcome is None:
            failed += 1
            print(f"privacy breach: {person} is not on the list of {found[0].reference}; "
                  f"nothing was marked for them", file=sys.stderr)
        else:
            print(f"{person}: " + ("marked told." if outcome else "was told already; kept."))
    return 1 if failed else 0


COMMANDS: dict = {  # (command, action) -> async (args, env, settings, db, now) -> exit code
    ("privacy", "log"): _log,
    ("privacy", "breach"): _breach,
    ("privacy", "erase"): _erase,
}
