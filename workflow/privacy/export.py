"""A person's own copy of their data (個人資料保護法 Arts. 3, 10: the right to view and to
copy, answered within 15 days; the desk answers at once). What the desk holds about them,
gathered as one document with stable keys and ISO times, the files they sent listed to be
fetched from the chat app, and the record of each request and its delivery.

Another person's data is never in it: a report they follow shows their own unit and the
job's progress, not the reporter's words, photos or name; an event another resident caused
names nobody; a payment made by someone else of the household does not name the payer."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from storage.db import Database, from_db_time
from storage.exact import MONEY
from storage.privacy import access_log
from storage.privacy import export as store
from workflow import phones, roles
from workflow.tickets import Kind

FORMAT = "estatedesk-mydata/1"
BUSY_FOR = timedelta(minutes=10)  # a request still pending after this was cut off: retried
AGAIN_AFTER = timedelta(minutes=1)  # a copy asked again within this was just sent: see above
VIEWERS_SHOWN = 5  # in the chat's summary; the file lists them all
# Events whose note names another resident (who joined the report, whose report merged).
_OTHERS_NOTES = frozenset({"follower_added", "merged_in", "merged", "resident_added"})

Row = dict[str, Any]


@dataclass(frozen=True)
class Media:
    """A file the person (or the desk, on their job) sent through the chat app: where it goes
    in the package, the app's reference to fetch it by, what it is and what it belongs to."""
    name: str
    ref: str
    kind: str  # photo, voice, audio, video_note
    about: str  # the ticket's or renovation's reference


@dataclass(frozen=True)
class Export:
    person_id: int
    name: str
    language: str
    data: dict[str, Any]  # the document, its files' outcomes still to be added
    media: tuple[Media, ...]

    @property
    def counts(self) -> dict[str, int]:
        d = self.data
        return {"repairs": len(d["repairs"]), "complaints": len(d["complaints"]),
                "surveys": len(d["surveys"]), "bills": len(d["fees"]["bills"]),
                "payments": len(d["fees"]["payments"]), "renovations": len(d["renovations"]),
                "keys": len(d["keys"]["deposited"]), "contracts": len(d["contracts"]),
                "files": len(self.media), "views": len(d["viewed_by"])}

    @property
    def viewers(self) -> list[Row]:
        return self.data["viewed_by"]


class Refused(Exception):
    """No new copy is made: one was just sent (`sent`: when), or one is being made (None)."""

    def __init__(self, sent: datetime | None) -> None:
        super().__init__(sent)
        self.sent = sent


async def request(db: Database, person_id: int, channel: str, now: datetime) -> int:
    """The request recorded (before anything is gathered), its id; Refused for a double tap."""
    async with db.transaction() as conn:
        last = from_db_time(await store.last_delivered(conn, person_id))
        if last is not None and now - last < AGAIN_AFTER:
            raise Refused(last)
        request_id = await store.begin(conn, person_id, channel, now, now - BUSY_FOR)
    if request_id is None:
        raise Refused(None)
    return request_id


async def delivered(db: Database, request_id: int, size: int, export: Export,
                    files: list[Row], now: datetime) -> None:
    """What was sent: its size and its counts, and the files that could not be fetched."""
    missing = [f["name"] for f in files if not f["included"]]
    contents = json.dumps({**export.counts, "files_missing": missing}, sort_keys=True)
    async with db.transaction() as conn:
        await store.delivered(conn, request_id, size, contents, now)


async def failed(db: Database, request_id: int, now: datetime) -> None:
    """Sending failed: the request stays on record, not delivered; the person asks again."""
    async with db.transaction() as conn:
        await store.failed(conn, request_id, now)


async def gather(db: Database, person_id: int, estate: str, now: datetime) -> Export:
    """Everything the desk holds about the person, as of now."""
    async with db.reading() as conn:
        phone = await store.phone_of(conn, person_id)
        rows = await store.of_person(conn, person_id, phones.phone_key(phone) if phone else "")
        views = [v for v in await access_log.of_person(conn, person_id)
                 if v.viewer_id != person_id]
        names = await store.names_of(conn, sorted({v.viewer_id for v in views
                                                   if v.viewer_id is not None}))
    person = rows["person"][0]
    tickets, media = _tickets(rows, person_id)
    renovations, renovation_media = _renovations(rows)
    data = {
        "format": FORMAT,
        "estate": estate,
        "made_at": _iso(now),
        "person": {**_times(person, "joined_at", "unreachable_at"),
                   "active": bool(person["active"]),
                   "accounts": [{**_times(a, "linked_at"), "chosen": bool(a["chosen"])}
                                for a in rows["accounts"]]},
        "units": [_times(_without(u, "unit_id"), "linked_at") for u in rows["units"]],
        "join_requests": [_times(r, "requested_at", "decided_at")
                          for r in rows["join_requests"]],
        "repairs": [t for t in tickets if t["kind"] == "repair"],
        "complaints": [t for t in tickets if t["kind"] == "complaint"],
        "surveys": [{**_times(s, "sent_at", "answered_at", "expired_at"),
                     "reached": _flag(s["reached"]), "reasons": json.loads(s["reasons"])}
                    for s in rows["surveys"]],
        "callbacks": [{**_times(c, "at"), "reached": _flag(c["reached"])}
                      for c in rows["callbacks"]],
        "fees": {"bills": [{**b, "amount": _money(b["amount"])} for b in rows["bills"]],
                 "payments": [_payment(p, person["name"]) for p in rows["payments"]]},
        "renovations": renovations,
        "keys": {"deposited": rows["keys"],
                 "loans": [{**_times(_without(k, "id"), "requested_at", "out_at",
                                     "returned_at"), "emergency": bool(k["emergency"])}
                           for k in rows["key_loans"]]},
        "contracts": _contracts(rows),
        "activities": [_times(a, "at") for a in rows["activities"]],
        # the privacy notices shown to them and accepted, where the desk records them
        "privacy_notices": [_times(n, "shown_at", "accepted_at")
                            for n in rows.get("privacy_notices", [])],
        "viewed_by": [{"at": _iso(v.at), "viewer": names.get(v.viewer_id or 0, ("", None))[0],
                       "role": names.get(v.viewer_id or 0, ("", None))[1]
                       if v.viewer_id is not None else "office",
                       "what": v.what, "reference": v.reference, "why": v.why}
                      for v in views],
        "earlier_requests": [_times(e, "requested_at", "delivered_at", "failed_at")
                             for e in rows["exports"]],
    }
    return Export(person_id, person["name"], person["language"], data,
                  (*media, *renovation_media))


def document(export: Export, files: list[Row]) -> bytes:
    """data.json: the document with each file's outcome (in the package, or why not)."""
    return json.dumps({**export.data, "files": files}, ensure_ascii=False, indent=2,
                      sort_keys=True).encode("utf-8")


def _tickets(rows: dict[str, list[Row]], person_id: int) -> tuple[list[Row], list[Media]]:
    events: dict[int, list[Row]] = {}
    for e in rows["events"]:
        events.setdefault(e["ticket_id"], []).append(e)
    photos: dict[int, list[Row]] = {}
    for p in rows["photos"]:
        photos.setdefault(p["ticket_id"], []).append(p)
    voices = {v["ticket_id"]: v for v in rows["voices"]}
    found, media = [], []
    for t in rows["tickets"]:
        reported, ref = bool(t["reported"]), t["reference"]
        item: Row = {
            "reference": ref, "kind": "complaint" if t["kind"] == Kind.COMPLAINT else "repair",
            "relation": "reported" if reported else "following",
            "building": t["building"], "unit": t["unit"], "category": t["category"],
            "location": t["location"], "status": t["status"], "priority": t["priority"],
            **{k: _iso_text(t[k]) for k in ("reported_at", "deadline_at", "completed_at",
                                            "closed_at")},
        }
        if reported:
            item.update(description=t["description"], reply=t["reply"],
                        work_note=t["work_note"], came_by=t["came_by"],
                        caller_name=t["caller_name"], caller_phone=t["caller_phone"])
        else:
            item.update(following_since=_iso_text(t["following_since"]),
                        following_via=t["following_via"])
        item["events"] = [_event(e, person_id, reported) for e in events.get(t["id"], [])
                          if reported or _by_staff_or_self(e, person_id)]
        item["photos"], item["voice"] = [], None
        for p in photos.get(t["id"], []):
            m = Media(f"media/{ref}/{p['stage']}-{p['position'] + 1}", p["file_id"], "photo",
                      ref)
            media.append(m)
            item["photos"].append({"stage": p["stage"], "file": m.name})
        voice = voices.get(t["id"])
        if voice is not None:
            m = Media(f"media/{ref}/{voice['kind']}", voice["file_id"], voice["kind"], ref)
            media.append(m)
            item["voice"] = {"kind": voice["kind"], "seconds": voice["seconds"],
                             "file": m.name}
        found.append(item)
    return found, media


def _by_staff_or_self(e: Row, person_id: int) -> bool:
    return e["actor_id"] == person_id or e["actor_id"] is None or roles.is_staff(e["actor_role"])


def _event(e: Row, person_id: int, reported: bool) -> Row:
    """An event as the person may read it: staff named with their role, the person as
    themselves, another resident as nobody, and no note that names another resident."""
    own = e["actor_id"] == person_id
    staff = roles.is_staff(e["actor_role"])
    keep_note = reported and (own or staff or e["actor_id"] is None) and \
        e["action"] not in _OTHERS_NOTES
    return {"at": _iso_text(e["at"]), "action": e["action"], "from_status": e["from_status"],
            "to_status": e["to_status"], "note": e["note"] if keep_note else "",
            "by": "you" if own else e["actor_name"] if staff else None,
            "by_role": e["actor_role"] if staff else None}


def _renovations(rows: dict[str, list[Row]]) -> tuple[list[Row], list[Media]]:
    found, media = [], []
    for r in rows["renovations"]:
        ref = r["reference"]
        item = {**_times(_without(r, "id"), "applied_at"), "scopes": json.loads(r["scopes"]),
                "works": json.loads(r["works"]), "fee": _money(r["fee"]),
                "deposit": _money(r["deposit"]),
                "events": [{"at": _iso_text(e["at"]), "action": e["action"], "note": e["note"],
                            "by": e["actor_name"] if roles.is_staff(e["actor_role"]) else None}
                           for e in rows["renovation_events"] if e["renovation_id"] == r["id"]],
                "photos": []}
        for p in rows["renovation_photos"]:
            if p["renovation_id"] == r["id"]:
                m = Media(f"media/{ref}/{p['stage']}-{p['position'] + 1}", p["file_id"],
                          "photo", ref)
                media.append(m)
                item["photos"].append({"stage": p["stage"], "file": m.name})
        found.append(item)
    return found, media


def _contracts(rows: dict[str, list[Row]]) -> list[Row]:
    return [{**_times(c, "first_paid_at", "mortgage_at", "loan_documents_in_at",
                      "handed_over_at", "recorded_at"),
             "events": [_times(_without(e, "contract"), "at") for e in rows["contract_events"]
                        if e["contract"] == c["contract"]],
             "notices": [_times(_without(n, "contract"), "sent_at")
                         for n in rows["contract_notices"] if n["contract"] == c["contract"]]}
            for c in rows["contracts"]]


def _payment(p: Row, name: str) -> Row:
    """A payment of their unit: the payer named only when it is them (a household pays
    together; the others' names are theirs)."""
    return {**_times(p, "at"), "amount": _money(p["amount"]),
            "payer": p["payer"] if p["payer"] in ("", name) else None}


def _money(cents: int | None) -> str | None:
    amount: Decimal | None = MONEY.from_db(cents)
    return None if amount is None else str(amount)


def _flag(value: Any) -> bool | None:
    return None if value is None else bool(value)


def _without(row: Row, *keys: str) -> Row:
    return {k: v for k, v in row.items() if k not in keys}


def _times(row: Row, *keys: str) -> Row:
    """The row with those times as ISO 8601 in UTC (None where it has not happened)."""
    return {**row, **{k: _iso_text(row[k]) for k in keys}}


def _iso_text(stored: str | None) -> str | None:
    when = from_db_time(stored)
    return None if when is None else _iso(when)


def _iso(when: datetime) -> str:
    return when.isoformat(timespec="seconds")
