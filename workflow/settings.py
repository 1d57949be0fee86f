"""The estate's own settings (loaded by bot/config.py from TOML, with these defaults)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from enum import StrEnum
from zoneinfo import ZoneInfo

from workflow.line_budget import DEFAULT_PLAN, Plan
from workflow.repairs.warranty import Period
from workflow.tickets import Kind, Party

LANGUAGES = ("zh_Hant", "zh_Hans", "en")
DEFAULT_LANGUAGE = "zh_Hant"

class Priority(StrEnum):
    EMERGENCY = "emergency"
    URGENT = "urgent"
    NORMAL = "normal"


EMERGENCY, URGENT, NORMAL = Priority.EMERGENCY, Priority.URGENT, Priority.NORMAL
PRIORITIES = tuple(Priority)


@dataclass(frozen=True)
class Category:
    key: str
    # Labels per language for categories the estate adds itself; built-in keys have
    # translated labels in the catalogs, which a label here overrides.
    labels: dict[str, str] = field(default_factory=dict)


DEFAULT_CATEGORIES: tuple[Category, ...] = tuple(Category(key) for key in (
    "plumbing", "electrical", "doors_windows", "leaks_damp", "walls_ceilings", "fixtures",
    "public_areas", "other"))


@dataclass(frozen=True)
class Place:
    """A public place residents pick when reporting a fault there (lobby, lift B, car park
    B1); labelled like a category; `buildings` empty means in every building."""
    key: str
    labels: dict[str, str] = field(default_factory=dict)
    buildings: tuple[str, ...] = ()


@dataclass(frozen=True)
class FeeItem:
    """A line of the price list (明碼標價): billed per unit each month."""
    key: str
    amount: Decimal
    labels: dict[str, str] = field(default_factory=dict)


PUBLIC_AREAS = "public_areas"  # the repair category that asks for a public place
DEFAULT_PLACES: tuple[Place, ...] = tuple(Place(key) for key in (
    "lobby", "lift_a", "lift_b", "corridor", "stairwell", "car_park", "garden", "gym",
    "clubhouse", "refuse_room", "entrance_gate"))
DEFAULT_AFFECTED_URGENT = 5
# Who signs the repair form: by the seed, all four parties for a responsible unit's job; the
# repair department and the owner for our own staff's. A category may have its own list.
IN_HOUSE, CONTRACTOR_JOBS = "in_house", "contractor"
DEFAULT_SIGNOFF: dict[str, tuple[str, ...]] = {
    IN_HOUSE: (Party.SUPERVISOR, Party.OWNER),
    CONTRACTOR_JOBS: (Party.SUPERVISOR, Party.OWNER, Party.SUPERVISING_ENGINEER,
                      Party.PROJECT_DEPARTMENT),
}  # residents affected by one fault that make it urgent


DEFAULT_COMPLAINT_CATEGORIES: tuple[Category, ...] = tuple(Category(key) for key in (
    "staff_attitude", "cleanliness", "security", "noise_neighbours", "parking", "fees",
    "facilities", "other"))
DEFAULT_DEPARTMENTS: tuple[Category, ...] = tuple(Category(key) for key in (
    "customer_service", "engineering", "security", "cleaning", "finance", "management"))
# Reason chips offered after a rating of 4-5, and after 1-3.
DEFAULT_PRAISE: tuple[Category, ...] = tuple(Category(key) for key in (
    "quick", "tidy", "polite", "fixed_first_time"))
DEFAULT_FAULTS: tuple[Category, ...] = tuple(Category(key) for key in (
    "late", "not_fixed", "messy", "rude", "not_informed"))
# A complaint's survey asks about the handling of the complaint, not about a repair.
DEFAULT_COMPLAINT_PRAISE: tuple[Category, ...] = tuple(Category(key) for key in (
    "answered_quickly", "listened", "resolved_it"))
DEFAULT_COMPLAINT_FAULTS: tuple[Category, ...] = tuple(Category(key) for key in (
    "slow_answer", "not_resolved", "not_listened", "rude"))
# Chosen with any rating, these alert the supervisors as a low rating does.
DEFAULT_ALERT_CHIPS = ("not_fixed", "not_resolved", "rude")
COMPLAINT = "complaint"  # the service-level scope of complaints


@dataclass(frozen=True)
class Target:
    """A service level: the time to assign (first response) and to resolve, from the report."""
    assign: timedelta
    resolve: timedelta


DEFAULT_TARGETS: dict[str, Target] = {
    EMERGENCY: Target(timedelta(minutes=30), timedelta(hours=4)),
    URGENT: Target(timedelta(hours=2), timedelta(hours=24)),
    NORMAL: Target(timedelta(hours=24), timedelta(hours=72)),
}
# Complaints: acknowledged within 30 minutes (the service standard's acceptance time).
DEFAULT_COMPLAINT_TARGETS: dict[str, Target] = {
    EMERGENCY: Target(timedelta(minutes=15), timedelta(hours=4)),
    URGENT: Target(timedelta(minutes=30), timedelta(hours=24)),
    NORMAL: Target(timedelta(minutes=30), timedelta(hours=72)),
}


@dataclass(frozen=True)
class Slot:
    key: str
    start: time
    end: time


SLOTS: tuple[Slot, ...] = (
    Slot("morning", time(9), time(12)),
    Slot("afternoon", time(13), time(17)),
    Slot("evening", time(18), time(21)),
)
PHONE_CALLERS = ("desk", "holder")  # settings.phone_calls_by
ACCESS_LOG_DAYS = 5 * 365 + 1  # settings.access_log_days: see there
ASAP = "asap"  # an emergency: no appointment, as soon as possible


# What the bank asks for at the mortgage paperwork, and what a buyer brings to the handover:
# built-in keys (translated) or an estate's own words.
DEFAULT_MORTGAGE_DOCUMENTS = ("id_card", "household_register", "marriage_certificate",
                              "income_proof", "bank_statements", "purchase_contract",
                              "down_payment_receipt")
DEFAULT_HANDOVER_BRING = ("id_card", "purchase_contract", "payment_receipts",
                          "move_in_notice", "seal")


@dataclass(frozen=True)
class EstateSettings:
    estate_name: str = "estatedesk"
    office_phone: str = ""  # shown wherever a person is told to contact the office
    office_hours: str = ""  # e.g. "09:00-18:00", shown beside the phone
    on_duty: str = ""  # the phone on duty out of office hours (staff with it are alerted)
    timezone: str = "Asia/Taipei"
    languages: tuple[str, ...] = LANGUAGES
    default_language: str = DEFAULT_LANGUAGE
    categories: tuple[Category, ...] = DEFAULT_CATEGORIES
    auto_confirm_days: int = 3
    daily_report_limit: int = 10  # new reports a resident may file in one (estate) day
    # Service levels: "default" and any category key -> priority -> Target.
    service_levels: dict[str, dict[str, Target]] = field(
        default_factory=lambda: {"default": dict(DEFAULT_TARGETS),
                                 COMPLAINT: dict(DEFAULT_COMPLAINT_TARGETS)})
    complaint_categories: tuple[Category, ...] = DEFAULT_COMPLAINT_CATEGORIES
    departments: tuple[Category, ...] = DEFAULT_DEPARTMENTS
    survey_delay: timedelta = timedelta(hours=24)
    voice_note_limit: timedelta = timedelta(minutes=3)  # the longest a described problem takes
    survey_start: time = time(9)
    survey_end: time = time(20)
    survey_reminder: timedelta = timedelta(hours=24)
    survey_expiry: timedelta = timedelta(hours=48)  # after the reminder
    praise_chips: tuple[Category, ...] = DEFAULT_PRAISE
    fault_chips: tuple[Category, ...] = DEFAULT_FAULTS
    complaint_praise_chips: tuple[Category, ...] = DEFAULT_COMPLAINT_PRAISE
    complaint_fault_chips: tuple[Category, ...] = DEFAULT_COMPLAINT_FAULTS
    alert_chips: tuple[str, ...] = DEFAULT_ALERT_CHIPS
    low_rating: int = 2  # a rating at or below this alerts the supervisors
    warn_share: float = 0.8  # the early warning, as a share of the target
    manager_share: float = 0.5  # managers hear after a further half of the target
    quiet_start: time = time(21)
    quiet_end: time = time(8)
    digest_time: time = time(8, 30)
    resident_reminder_time: time = time(19)  # the evening before a visit
    technician_reminder: timedelta = timedelta(hours=1)  # before the slot starts
    sweep_seconds: int = 60
    public_places: tuple[Place, ...] = DEFAULT_PLACES
    affected_urgent: int = DEFAULT_AFFECTED_URGENT  # 0: the count never raises the priority
    warranty: dict[str, Period] = field(default_factory=dict)  # category -> period
    handover: dict[str, date] = field(default_factory=dict)  # building -> handover date
    signoff: dict[str, tuple[str, ...]] = field(default_factory=lambda: dict(DEFAULT_SIGNOFF))
    renovation_fee: Decimal = Decimal(0)  # the renovation management fee, by the price list
    renovation_deposit: Decimal = Decimal(0)  # refunded when the acceptance inspection passes
    renovation_hours: str = "08:30-18:00"  # the working hours a permit allows
    fee_items: tuple[FeeItem, ...] = ()  # the price list: billed to every unit each month
    fee_due_day: int = 10  # a month's bills are due on this day
    fee_reminder_days: int = 3  # residents are reminded this many days before
    large_payment: Decimal = Decimal(50_000)  # a payment of this or more is reported the same day
    # Buyers before move-in: reminders go out at this local time, never in quiet hours.
    buyer_reminder_time: time = time(10)
    first_payment_days: int = 3  # the first payment is reminded this many days before
    mortgage_days: tuple[int, ...] = (3, 1)  # the mortgage paperwork: days before
    mortgage_documents: tuple[str, ...] = DEFAULT_MORTGAGE_DOCUMENTS  # keys or own words
    loan_documents_staff_days: int = 3  # overdue loan documents reach the staff after
    handover_bring: tuple[str, ...] = DEFAULT_HANDOVER_BRING  # on the move-in notice
    handover_fees: tuple[FeeItem, ...] = ()  # paid at handover (maintenance fund, ...)
    handover_slots: tuple[time, ...] = (time(9, 30), time(11), time(14), time(15, 30))
    handover_slot_capacity: int = 2  # handovers at one time
    handover_days: int = 5  # days offered for the handover, from the contract's date
    sales_report_time: time = time(18)  # the day's sales report to the sales supervisors
    # who is asked to phone a resident without Telegram, one person per step: "desk" (the
    # clerk who acted, else one of the desk) or "holder" (the technician holding the job)
    phone_calls_by: str = "desk"
    # How long the access log keeps who looked at whose data: 5 years, the longest a person
    # may claim damages under 個人資料保護法 Art. 30 (2 years from knowing, 5 from the act),
    # for which the log is the office's evidence of its care (Art. 27).
    access_log_days: int = ACCESS_LOG_DAYS
    # [privacy]: a responsible unit's documents (its settlement) name the residents and
    # their phones only when the estate says so; by default they carry units alone
    names_on_contractor_documents: bool = False
    # The privacy notice a person accepts at joining (個人資料保護法 Art. 8): the office bumps
    # the version whenever its text changes, and everyone is shown the new one once. The
    # estate's own text per language replaces the built-in one (handlers/privacy/notice.py).
    privacy_notice_version: str = "1"
    privacy_notice: dict[str, str] = field(default_factory=dict)
    # Retention (個人資料保護法 Art. 11: kept while the purpose lasts; README "How long the desk
    # keeps what"). A closed ticket's photos, voice notes and free text: 3 years, past the
    # warranty claims a repair may be compared with and the quarters settled on it.
    keep_closed_tickets_days: int = 3 * 365 + 1
    # The name and phone of a person who left (staff removed, a resident off the roster): a
    # year, for the questions that follow a departure (keys, deposits, a last bill).
    keep_people_left_days: int = 365
    # [line]: the LINE Official Account's plan (workflow/line_budget.py PLANS): the quota
    # and prices the month's forecast is costed with; LINE's own quota wins when reachable
    line_plan: Plan = DEFAULT_PLAN

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def category(self, key: str) -> Category | None:
        return next((c for c in self.categories if c.key == key), None)

    def target(self, category: str, priority: str, kind: str = Kind.REPAIR) -> Target:
        if kind == Kind.COMPLAINT:
            own = self.service_levels.get(COMPLAINT, {})
            return own.get(priority) or DEFAULT_COMPLAINT_TARGETS[priority]
        own = self.service_levels.get(category, {})
        return own.get(priority) or self.service_levels["default"].get(priority) \
            or DEFAULT_TARGETS[priority]

    def signers(self, category: str, by_contractor: bool) -> tuple[str, ...]:
        """The parties whose signatures close a repair's form; a public place has no
        owner among them (the reporter's unit is not where the work was), unless the
        category's own list names one."""
        if category in self.signoff:
            return self.signoff[category]
        found = self.signoff.get(CONTRACTOR_JOBS if by_contractor else IN_HOUSE) or \
            DEFAULT_SIGNOFF[CONTRACTOR_JOBS if by_contractor else IN_HOUSE]
        if category == PUBLIC_AREAS:
            return tuple(p for p in found if p != Party.OWNER)
        return found

    def places(self, building: str) -> tuple[Place, ...]:
        """The public places offered to a resident of that building."""
        return tuple(p for p in self.public_places if not p.buildings or building in p.buildings)

    def complaint_category(self, key: str) -> Category | None:
        return next((c for c in self.complaint_categories if c.key == key), None)

    def department(self, key: str) -> Category | None:
        return next((c for c in self.departments if c.key == key), None)

    def chip(self, key: str) -> Category | None:
        every = self.praise_chips + self.fault_chips + self.complaint_praise_chips + \
            self.complaint_fault_chips
        return next((c for c in every if c.key == key), None)

    def in_office_hours(self, moment: datetime) -> bool:
        """Within the office hours the settings give (the first two times of "09:00-18:00");
        without them, outside the quiet hours."""
        local = moment.astimezone(self.tz).time().replace(tzinfo=None)
        clocks = re.findall(r"\b([01]?\d|2[0-3])[:：]([0-5]\d)\b", self.office_hours)
        if len(clocks) < 2:
            return not self.in_quiet_hours(local)
        opens, closes = (time(int(h), int(m)) for h, m in clocks[:2])
        return opens <= local < closes if opens <= closes else not closes <= local < opens

    def next_opening(self, moment: datetime) -> datetime:
        """The moment itself within the office hours; else when they next open."""
        if self.in_office_hours(moment):
            return moment
        clocks = re.findall(r"\b([01]?\d|2[0-3])[:：]([0-5]\d)\b", self.office_hours)
        opens = time(int(clocks[0][0]), int(clocks[0][1])) if len(clocks) >= 2 \
            else self.quiet_end
        local = moment.astimezone(self.tz)
        found = datetime.combine(local.date(), opens, self.tz)
        return found if found > local else found + timedelta(days=1)

    def in_quiet_hours(self, local: time) -> bool:
        if self.quiet_start <= self.quiet_end:
            return self.quiet_start <= local < self.quiet_end
        return local >= self.quiet_start or local < self.quiet_end


def slot(key: str) -> Slot | None:
    return next((s for s in SLOTS if s.key == key), None)
