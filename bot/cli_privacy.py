"""Personal data from the command line (個人資料保護法): the access log, the breach drill."""

from __future__ import annotations

import sys
from datetime import datetime

from workflow import dates
from workflow.privacy import access as access_log

WHAT = {access_log.RECORD: "person's record", access_log.TICKET: "ticket",
        access_log.DOCUMENT: "document", access_log.EXPORT: "export"}


def add_parsers(sub) -> None:
    privacy = sub.add_parser("privacy", help="personal data: who looked at whose, a breach "
                                             "drill").add_subparsers(dest="action",
                                                                     required=True)
    log = privacy.add_parser("log", help="who among the staff looked at a person's data, "
                                         "newest first (the access log)")
    log.add_argument("--person", required=True,
                     help="the person: their id, their name as the desk has it, or their phone")
    log.add_argument("--since", type=dates.day_text, help="from this day on, such as 2026-11-01")


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


COMMANDS: dict = {  # (command, action) -> async (args, env, settings, db, now) -> exit code
    ("privacy", "log"): _log,
}
