"""Plain records returned by the repositories."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal


@dataclass(frozen=True)
class Person:
    user_id: int
    language: str
    role: str | None
    name: str
    phone: str | None
    active: bool
    unreachable: bool = False
    department: str | None = None
    lives_here: bool = False  # linked to a unit: staff who live in the estate keep /mytickets
    contractor_id: int | None = None  # a responsible unit's person: the unit they work for


@dataclass(frozen=True)
class Unit:
    id: int
    building: str
    unit: str

    @property
    def label(self) -> str:
        return f"{self.building} {self.unit}"


@dataclass(frozen=True)
class RosterEntry:
    unit: Unit
    name: str
    phone: str
    id: int = 0
    relation: str = "owner"  # or "tenant"


@dataclass(frozen=True)
class JoinRequest:
    id: int
    user_id: int
    phone: str
    claimed_unit: str
    status: str


@dataclass(frozen=True)
class Invitation:
    code: str
    role: str
    name: str | None
    used_by: int | None
    department: str | None = None
    contractor_id: int | None = None


@dataclass(frozen=True)
class Contractor:
    id: int
    name: str
    phone: str
    trades: tuple[str, ...]
    active: bool
    deadline: timedelta | None = None  # the contractual repair deadline, if any, exactly
    key: str = ""  # what the CLI names it by: staff invite --contractor KEY
    response: timedelta | None = None  # the contractual time to accept a job, if any


@dataclass(frozen=True)
class Ticket:
    id: int
    ref: str
    kind: str
    resident_id: int
    unit: Unit
    category: str
    location: str
    description: str
    visit_date: str
    visit_slot: str
    status: str
    technician_id: int | None
    contractor_id: int | None
    deadline_at: datetime  # the resolve deadline; moves with extensions and reassignments
    work_note: str | None
    labour_hours: Decimal | None  # exact (storage/exact.py)
    materials_cost: Decimal | None
    created_at: datetime
    completed_at: datetime | None
    closed_at: datetime | None
    assign_due_at: datetime  # the first-response (assign) target
    target_at: datetime  # the first resolve target, kept when deadlines move
    priority: str = "normal"
    assigned_at: datetime | None = None
    paused_at: datetime | None = None
    paused_seconds: int = 0
    defaulted_contractor_id: int | None = None
    department: str | None = None  # a complaint's, once routed
    reply: str | None = None  # a complaint's reply to the resident
    callback_requested: bool = False
    linked_ticket_id: int | None = None  # a follow-up's original ticket
    version: int = 0  # moves with every change; a button carries the version it was shown for
    channel: str = "bot"  # bot, or phone / counter / written when the desk took it
    caller_name: str | None = None
    caller_phone: str | None = None
    filed_by: int | None = None  # the member of staff who recorded it for the resident
    duplicate_of: int | None = None  # the ticket it was merged into
    unit_sent_at: datetime | None = None  # when the job reached a unit's people in the chat
    accepted_at: datetime | None = None  # when one of them took it
    payer: str | None = None  # unit, estate or owner, when the desk has said
    quote_amount: Decimal | None = None  # an owner-paid job's quotation
    quote_note: str | None = None
    quote_state: str | None = None  # pending, accepted or declined
    place: str | None = None  # a public place's key (ticket_places), shown in each language


@dataclass(frozen=True)
class TicketEvent:
    at: datetime
    actor_id: int | None
    action: str
    from_status: str | None
    to_status: str | None
    note: str


@dataclass(frozen=True)
class Signoff:
    party: str
    user_id: int | None  # who signed; on paper, the clerk who recorded it
    automatic: bool
    at: datetime
    channel: str = "bot"  # or "paper"
    signer_name: str | None = None  # on paper: who signed it


@dataclass(frozen=True)
class Draft:
    user_id: int
    flow: str
    step: str
    data: dict = field(default_factory=dict)
    updated_at: datetime | None = None


@dataclass(frozen=True)
class OutboxMessage:
    id: int
    recipient_id: int
    kind: str
    ticket_id: int | None
    payload: dict
    attempts: int
    actor_id: int | None = None  # whose action caused it
    progress: tuple[str, ...] = ()  # parts already delivered, e.g. ("photos",)
    refusals: int = 0  # tries refused as bad (it failed to render, or Telegram said 400)
    # whom it is for, read with it when it is claimed (None: not read, or no such person)
    recipient: Person | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True)
class Survey:
    ticket_id: int
    sent_at: datetime
    reminded_at: datetime | None
    expired_at: datetime | None
    channel: str | None  # 'bot' or 'phone', once answered
    reached: bool | None
    rating: int | None
    reasons: tuple[str, ...]
    comment: str | None
    answered_at: datetime | None
    answered_late: bool
    low_alerted: bool
    followup_ticket_id: int | None
    kind: str = "R"  # the surveyed ticket's: a complaint's survey has its own chips
    resident_id: int = 0  # whose: the reporter's, or a follower's of the same fault


@dataclass(frozen=True)
class Voice:
    """A voice note, an audio file or a round video note that describes a report."""
    kind: str  # 'voice', 'audio' or 'video_note': how Telegram sends it back
    file_id: str
    seconds: int
