"""LINE's monthly message budget, as a policy (no LINE, no clock, no database): which kinds
of message the desk always pushes and which it folds near the plan's cap, the plans LINE
sells in Taiwan, the month's forecast and its cost.

A reply (to a message the person just sent) is free; a push counts against the plan. Near
the cap (FOLD_AT of the quota) a FOLD kind is not pushed: it waits in the outbox, shown in
the person's next reply (free) or in /mytickets, and pushed at the start of the next month
if neither came first. Never dropped."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

KEEP, FOLD = "kept", "foldable"  # a kind's class in KINDS
FOLD_AT = 0.95  # of the quota: foldable kinds stop being pushed
WARN_AT = 0.80  # of the quota: the managers are warned, once a month
WARNING, CAP = "warning", "cap"  # the two warnings' levels (storage/channels/line_pushes.py)
WARN_KIND = "line_quota_warning"  # the managers' notices (workflow/told.py ESTATE_TOLD)
CAP_KIND = "line_quota_cap"
REPLY = "reply"  # a reply the reply token could not carry, pushed instead (delivery.REPLY)
ANNOUNCEMENT = "announcement"  # an announcement's pump, one push a household

# Every kind of message the desk writes, with its class. KEEP: it asks someone to act or
# answer, warns, escalates, confirms, or is owed by law; FOLD: news of what is under way,
# which keeps until the person next writes. tests/test_line_budget.py fails on a kind that
# exists (a renderer, an estate notice) and is not named here.
KINDS: dict[str, str] = {
    # replies and the desk's own answers
    REPLY: KEEP, "undeliverable": KEEP, "unreachable": KEEP,
    # joining, linking
    "join_request": KEEP, "join_approved": KEEP, "join_rejected": KEEP,
    "account_linked": KEEP,  # someone linked an account to yours: a security notice
    # repairs and complaints: assignments, alerts, escalations
    "dispatch": KEEP, "task_assigned": KEEP, "task_reopened": KEEP, "desk_reopened": KEEP,
    "complaint_routed": KEEP, "unit_job": KEEP, "unit_job_reminder": KEEP,
    "unit_window_passed": KEEP, "unit_declined": KEEP, "unit_job_declined": KEEP,
    "task_withdrawn": KEEP, "unit_job_withdrawn": KEEP, "task_merged": KEEP,
    "emergency_night": KEEP, "sla_warning": KEEP, "overdue_alert": KEEP,
    "visit_reminder": KEEP, "affected_raised": KEEP, "resident_added": KEEP,
    "deadline_extended": KEEP, "visit_confirmed": KEEP, "visit_chosen": KEEP,
    "signoff_queried": KEEP, "signoff_answered": KEEP,
    # the resident: what asks them, confirms or reminds them
    "filed_for_you": KEEP, "complaint_acknowledged": KEEP, "visit_proposed": KEEP,
    "resident_visit_reminder": KEEP, "signoff_request": KEEP, "complaint_reply": KEEP,
    "owner_signoff_form": KEEP, "signoff_form": KEEP, "signoff_reminder": KEEP,
    "signoff_corrected": KEEP, "quotation": KEEP, "quotation_answered": KEEP,
    # the resident: progress notes
    "resident_assigned": FOLD, "resident_en_route": FOLD, "resident_arrived": FOLD,
    "complaint_with_department": FOLD, "auto_confirmed": FOLD, "owner_informed": FOLD,
    "owner_completed": FOLD, "follower_completed": FOLD, "merged_in": FOLD,
    "merged_away": FOLD,
    # staff: progress notes
    "task_confirmed": FOLD, "unit_job_taken": FOLD,
    # surveys
    "survey": KEEP, "survey_reminder": KEEP, "low_rating": KEEP, "activity_rating": KEEP,
    # digests and reports to staff
    "digest": FOLD, "weekly": FOLD, "day_closed": FOLD, "sales_report": FOLD,
    "monthly_report": KEEP, "settlement": KEEP,  # a document goes with them
    # community
    "activity_new": FOLD, "activity_place": KEEP, "activity_reminder": KEEP,
    ANNOUNCEMENT: KEEP,  # the office chose to send it to all: a water cut cannot wait
    # fees
    "fee_reminder": KEEP, "fee_overdue": KEEP, "fee_receipt": KEEP, "large_payment": KEEP,
    # registers: keys, archives, renovations, the storeroom
    "key_consent": KEEP, "key_emergency": KEEP, "key_answered": KEEP, "key_ready": KEEP,
    "key_overdue": KEEP, "key_overdue_alert": KEEP, "key_approval": KEEP, "key_out": KEEP,
    "spares_incomplete": KEEP, "archive_approval": KEEP, "archive_ready": KEEP,
    "archive_answered": KEEP, "archive_overdue": KEEP, "archive_check_due": KEEP,
    "archive_check_problem": KEEP, "renovation_applied": KEEP, "renovation_review": KEEP,
    "renovation_reviewed": KEEP, "renovation_permit": KEEP, "renovation_inspection": KEEP,
    "renovation_inspected": KEEP, "renovation_paid": KEEP, "renovation_refund_due": KEEP,
    "renovation_refunded": KEEP, "stock_low": KEEP, "stock_shortfall": KEEP,
    # sales: appointments a buyer must keep
    "buyer_first_payment": KEEP, "buyer_mortgage": KEEP, "buyer_mortgage_reminder": KEEP,
    "buyer_loan_documents": KEEP, "buyer_loan_documents_staff": KEEP, "buyer_move_in": KEEP,
    "buyer_new_date": KEEP, "buyer_reschedule": KEEP, "buyer_slot_booked": KEEP,
    "buyer_handed_over": KEEP, "reservation_to_verify": KEEP, "unit_reserved": KEEP,
    "reservation_void": KEEP,
    # personal data: owed by law
    "breach_notice": KEEP, "breach_opened": KEEP, "breach_untold": KEEP,
    "breach_overdue": KEEP, "privacy_filed": KEEP, "privacy_due_soon": KEEP,
    "privacy_overdue": KEEP, "privacy_extended": KEEP, "privacy_decided": KEEP,
    # this budget's own warnings to the managers
    WARN_KIND: KEEP, CAP_KIND: KEEP,
}
KEPT = frozenset(k for k, c in KINDS.items() if c == KEEP)  # always pushed
FOLDABLE = frozenset(k for k, c in KINDS.items() if c == FOLD)  # held near the cap


def kept(kind: str) -> bool:
    """Always pushed; a kind the table does not know is kept too (never held by mistake)."""
    return KINDS.get(kind, KEEP) == KEEP


@dataclass(frozen=True)
class Plan:
    """A LINE Official Account plan: messages a month, its price and the price of each
    message past it (None: LINE sends none past the quota). Money in cents (NT$1 = 100)."""
    key: str
    quota: int
    price: int
    extra: int | None = None


# LINE's plans in Taiwan (2024 prices: check LINE's own page, they change): 輕用量 (free),
# 中用量 and 高用量; only the last sends past its quota, at a price per message.
PLANS: dict[str, Plan] = {
    "free": Plan("free", 200, 0),
    "light": Plan("light", 3_000, 800_00),
    "standard": Plan("standard", 6_000, 1_200_00, 20),
}
DEFAULT_PLAN = PLANS["free"]


def plan_of(raw: object) -> Plan:
    """The [line] table of the estate's settings: `plan` ("free", "light", "standard"), and
    `plan_quota`, `plan_price` (NT$ a month), `extra_price` (NT$ a message past the quota, 0:
    none is sent) to set any of them otherwise. ValueError says what is wrong."""
    if not isinstance(raw, dict):
        raise ValueError("line: must be a table, such as [line] with plan = \"standard\"")
    unknown = set(raw) - {"plan", "plan_quota", "plan_price", "extra_price"}
    if unknown:
        raise ValueError(f"line.{sorted(unknown)[0]}: unknown setting; the settings are plan, "
                         "plan_quota, plan_price, extra_price")
    name = raw.get("plan", DEFAULT_PLAN.key)
    if name not in PLANS:
        raise ValueError(f"line.plan: {name!r} is not one of {', '.join(PLANS)}")
    plan = PLANS[name]
    quota = raw.get("plan_quota", plan.quota)
    if not isinstance(quota, int) or isinstance(quota, bool) or not 0 < quota <= 10_000_000:
        raise ValueError("line.plan_quota: must be a whole number of messages, such as 6000")
    price = _cents("plan_price", raw["plan_price"]) if "plan_price" in raw else plan.price
    extra = plan.extra
    if "extra_price" in raw:
        extra = _cents("extra_price", raw["extra_price"]) or None
    return Plan(name, quota, price, extra)


def _cents(setting: str, value: object) -> int:
    """NT$ as TOML writes it (1200, 0.2, "0.20") in cents, never through a float's error."""
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise ValueError(f"line.{setting}: must be an amount in NT$, such as 1200 or \"0.20\"")
    text = str(value).strip()
    whole, _, part = text.partition(".")
    if not whole.isdigit() or (part and not part.isdigit()) or len(part) > 2:
        raise ValueError(f"line.{setting}: {text!r} must be an amount in NT$ with at most two "
                         "decimals, such as 1200 or \"0.20\"")
    return int(whole) * 100 + int((part + "00")[:2])


def month_of(now: datetime, tz: ZoneInfo) -> str:
    """The month a moment falls in, in the estate's time zone: "2026-12"."""
    return now.astimezone(tz).strftime("%Y-%m")


def month_start(now: datetime, tz: ZoneInfo) -> datetime:
    local = now.astimezone(tz)
    return datetime(local.year, local.month, 1, tzinfo=tz)


def next_month(now: datetime, tz: ZoneInfo) -> datetime:
    """When the next month begins (LINE's quota starts afresh)."""
    following = (month_start(now, tz).date() + timedelta(days=32)).replace(day=1)
    return datetime.combine(following, datetime.min.time(), tz)


def forecast(used: int, now: datetime, tz: ZoneInfo) -> int:
    """The month's messages if it goes on as it went so far: linear on the days elapsed (a
    first day counts as a whole one, so one morning's pushes are not taken for a trend)."""
    start, end = month_start(now, tz), next_month(now, tz)
    elapsed = max((now - start).total_seconds(), 86_400.0)
    total = (end - start).total_seconds()
    return max(used, math.ceil(used * total / elapsed - 1e-9))


@dataclass(frozen=True)
class Cost:
    """What a month of `messages` costs on the plan: in cents; `unsent`: messages past a
    quota the plan cannot go beyond (LINE refuses them)."""
    cents: int
    extra: int  # messages past the quota, paid one by one
    unsent: int


def cost(plan: Plan, messages: int, quota: int | None = None) -> Cost:
    """`quota`: LINE's own figure when known (it wins over the settings')."""
    limit = plan.quota if quota is None else quota
    past = max(0, messages - limit)
    if plan.extra is None:
        return Cost(plan.price, 0, past)
    return Cost(plan.price + past * plan.extra, past, 0)


def share(used: int, quota: int | None) -> float:
    """How much of the quota is used (0 without a limit)."""
    return used / quota if quota else 0.0


def folding(used: int, quota: int | None) -> bool:
    return quota is not None and share(used, quota) >= FOLD_AT


def warnings_due(used: int, quota: int | None) -> list[str]:
    """The levels reached: WARNING at WARN_AT, CAP where the desk starts folding."""
    if quota is None:
        return []
    return [level for level, at in ((WARNING, WARN_AT), (CAP, FOLD_AT))
            if share(used, quota) >= at]

