"""The demo estate: a roster, the office's staff and a responsible unit, a resident on LINE, and
a few tickets in different states, made the way an office makes them: the roster, the unit and
the unit codes from the command line's functions, everything else by the people themselves,
through the running bot (and, for the one on LINE, through LINE)."""

from __future__ import annotations

import io
from datetime import datetime, timedelta

from sandbox.bot_api import BotApiStandIn
from sandbox.line_api import LineApiStandIn
from sandbox.line_phones import LinePhone
from sandbox.phones import Persona, Phone
from storage.db import Database
from workflow import admin, roles
from workflow.onboarding import unit_codes

ROSTER = """building,unit,name,phone
A,12F-3,A座12樓3室業主,0912 345 678
A,5F-1,A座5樓1室業主,0922 111 222
B,3F-2,B座3樓2室業主,0933 222 333
"""
UNIT_KEY = "plumbing_unit"
LINE_UNIT = "B-3F-2"  # the unit of the resident on LINE

RESIDENT = Persona(1001, "A 12F-3 住戶", "resident", "zh_Hant", "0912 345 678")
NEIGHBOUR = Persona(1002, "A 5F-1 住戶", "resident", "zh_Hant", "0922 111 222")
# On LINE, which shares no phone number: joins with the code on the office's sheet for B 3F-2.
LINE_RESIDENT = Persona(1003, "B 3F-2 住戶", "resident", "zh_Hant", "", "line")
CLERK = Persona(2001, "客服櫃台", "clerk", "zh_Hant")
TECHNICIAN = Persona(2002, "維修技工一", "technician", "zh_Hant")
SECOND_TECHNICIAN = Persona(2003, "維修技工二", "technician", "zh_Hant")
SUPERVISOR = Persona(2004, "工程主管", "supervisor", "zh_Hant")
MANAGER = Persona(2005, "物業經理", "manager", "zh_Hant")
CONTRACTOR = Persona(2006, "示範水電工程", "contractor", "zh_Hant")
STAFF = (CLERK, TECHNICIAN, SECOND_TECHNICIAN, SUPERVISOR, MANAGER, CONTRACTOR)
# The page's phones, side by side, in this order at first.
SHOWN = (RESIDENT, LINE_RESIDENT, CLERK, TECHNICIAN, SUPERVISOR, CONTRACTOR)


def personas() -> list[Persona]:
    """Fresh copies: the page changes a persona's language."""
    return [Persona(**p.as_json()) for p in (RESIDENT, NEIGHBOUR, LINE_RESIDENT, *STAFF)]


async def seed(api: BotApiStandIn, line: LineApiStandIn, db: Database, people: list[Persona],
               now: datetime) -> None:
    await admin.import_roster(db, admin.parse_roster(ROSTER.encode()))
    unit_id = await admin.add_contractor(db, CONTRACTOR.name, "02 2345 6789", ["plumbing"],
                                         timedelta(days=3), UNIT_KEY, timedelta(hours=4))
    phone = {p.user_id: Phone(api, p) for p in people}
    for person in STAFF:
        code = await admin.invite(db, person.role, person.name, now, None,
                                  timedelta(days=1),
                                  UNIT_KEY if person.role == roles.CONTRACTOR else None)
        await phone[person.user_id].send(f"/start {code}")
        await phone[person.user_id].tap_starting("pn:ok:")  # the privacy notice, accepted
    for person in (RESIDENT, NEIGHBOUR):
        await phone[person.user_id].send("/start")
        await phone[person.user_id].settle(phone[person.user_id].share_contact())
    await join_on_line(db, LinePhone(line, next(p for p in people if p.channel == "line")), now)

    neighbour, clerk = phone[NEIGHBOUR.user_id], phone[CLERK.user_id]
    technician, second = phone[TECHNICIAN.user_id], phone[SECOND_TECHNICIAN.user_id]
    # 1: done and confirmed, waiting for its callback survey.
    await report(neighbour, "plumbing", "浴室天花板",
                 "浴室天花板有一片水漬，越來越大。",
                 picture("#8d99ae", "before"))
    await assign(clerk, 1, TECHNICIAN.user_id)
    for step in ("w:go:1", "w:at:1"):
        await technician.tap_starting(step)
    await complete(technician, 1)
    await neighbour.tap_starting("s:ok:1")
    # 2: a technician on the way.
    await report(neighbour, "electrical", "5樓走廊", "走廊的燈一直閃。")
    await assign(clerk, 2, SECOND_TECHNICIAN.user_id)
    await second.tap_starting("w:go:2")
    # 3: sent to the responsible unit, not accepted yet.
    await report(neighbour, "plumbing", "廚房", "廚房水龍頭滴水。")
    await clerk.tap_starting("d:con:3:")
    await clerk.tap_starting(f"d:pc:3:{unit_id}:")
    await clerk.tap_starting(f"d:dl:3:c{unit_id}:")
    # 4: new, in the desk's queue.
    await report(neighbour, "public_areas", "大堂", "大堂的門關得很慢。")


async def join_on_line(db: Database, resident: LinePhone, now: datetime) -> None:
    """The office prints a code for B 3F-2 (`estatedesk roster codes`); its resident adds the
    desk as a LINE friend, accepts the privacy notice and types the code."""
    [unit], _ = await unit_codes.units_named(db, [LINE_UNIT], None)
    [made] = await unit_codes.make(db, [unit], unit_codes.USES, now,
                                   now + timedelta(days=unit_codes.DAYS))
    await resident.follow()
    await resident.tap_starting("pn:ok:")
    await resident.say(made.code)


async def report(resident: Phone, category: str, place: str, description: str,
                 photo: bytes | None = None) -> None:
    await resident.send("/repair")
    await resident.tap_starting(f"r:c:{category}")
    await resident.tap_starting("r:g:normal")
    await resident.send(place)
    await resident.send(description)
    if resident.button("r:sm:0"):  # the desk asks whether it is the same problem as before
        await resident.tap_starting("r:sm:0")
    if photo:
        await resident.settle(resident.send_photo(photo, "image/png"))
    await resident.tap_starting("r:pd")
    if resident.button("r:d:"):  # a visit time, for a repair inside the unit
        await resident.tap_starting("r:d:")
        await resident.tap_starting("r:s:")
    await resident.tap_starting("r:ok")


async def assign(clerk: Phone, ticket_id: int, technician_id: int) -> None:
    await clerk.tap_starting(f"d:tech:{ticket_id}:")
    await clerk.tap_starting(f"d:pt:{ticket_id}:{technician_id}:")
    await clerk.tap_starting(f"d:dl:{ticket_id}:t{technician_id}:")


async def complete(technician: Phone, ticket_id: int) -> None:
    await technician.tap_starting(f"w:done:{ticket_id}")
    await technician.settle(technician.send_photo(picture("#2a9d8f", "after"), "image/png"))
    await technician.tap_starting("w:pd")
    await technician.send("重新密封天花板上方的水管接頭。")
    await technician.send("2")
    if technician.button("w:mf"):
        await technician.tap_starting("w:mf")
    else:
        await technician.send("0")


def picture(colour: str, word: str) -> bytes:
    """A plain picture standing for a photo taken on site."""
    from PIL import Image, ImageDraw  # Pillow comes with matplotlib

    image = Image.new("RGB", (480, 360), colour)
    draw = ImageDraw.Draw(image)
    draw.rectangle((40, 40, 440, 320), outline="white", width=6)
    draw.text((60, 60), word, fill="white", font_size=48)
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()
