"""Personal data from the command line (個人資料保護法): the access log, the breach drill,
erasing a person (a court order, a request made on paper)."""

from __future__ import annotations

import re
import sys

from storage.privacy import erasure as store
from workflow import phones
from workflow.privacy.erasure import erase_person


def add_parsers(sub) -> None:
    privacy = sub.add_parser("privacy", help="personal data: who looked at whose, a breach "
                                             "drill, erasing a person") \
        .add_subparsers(dest="action", required=True)
    erase = privacy.add_parser(
        "erase", help="forget a person: their name, phone, chat id, photos, voice notes and "
                      "words; tickets, payments and settlements stay, anonymous")
    erase.add_argument("--person", required=True,
                       help="their phone number (any writing) or their id (estatedesk staff "
                            "list, or the access log)")
    erase.add_argument("--yes", action="store_true", help="do not ask to confirm")


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
    print(f"Erased: {erased.deleted} rows deleted, {erased.anonymised} kept without their data, "
          f"{erased.rekeyed} references moved to the anonymous person {erased.person_id} "
          f"({erased.tickets} tickets kept).")
    return 0


COMMANDS: dict = {  # (command, action) -> async (args, env, settings, db, now) -> exit code
    ("privacy", "erase"): _erase,
}
