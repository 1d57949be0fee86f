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

KEPT, FOLD = "kept", "fold"
FOLD_AT = 0.95  # of the quota: foldable kinds stop being pushed
WARN_AT = 0.80  # of the quota: the managers are warned, once a month
WARNING, CAP = "warning", "cap"  # the two warnings' levels (storage/line_pushes.py)
WARN_KIND = "line_quota_warning"  # the managers' notices (workflow/told.py ESTATE_TOLD)
CAP_KIND = "line_quota_cap"
REPLY = "reply"  # a reply the reply token could not carry, pushed instead (delivery.REPLY)
ANNOUNCEMENT = "announcement"  # an announcement's pump, one push a household

# Every kind of message the desk writes, with its class. KEPT: it asks someone to act or
# answer, warns, escalates, confirms, or is owed by law; FOLD: news of what is under way,
# which keeps until the person next writes. tests/test_line_budget.py fails on a kind that
# exists (a renderer, an estate notice) and is not named here.
KINDS: dict[str, str] = {
    # replies and the desk's own answers
    REPLY: KEPT, "undeliverable": KEPT, "unreachable": KEPT,
    # joining, linking
    "join_request": KEPT, "join_approved": KEPT, "join_rejected": KEPT,
    "account_linked": KEPT,  # someone linked an account to yours: a security notice
    # repairs and complaints: assignments, alerts, escalations
    "dispatch": KEPT, "task_assigned": KEPT, "task_reopened": KEPT, "desk_reopened": KEPT,
    "complaint_routed": KEPT, "unit_job": KEPT, "unit_job_reminder": KEPT,
    "unit_window_passed": KEPT, "unit_declined": KEPT, "unit_job_declined": KEPT,
    "task_withdrawn": KEPT, "unit_job_withdrawn": KEPT, "task_merged": KEPT,
    "emergency_night": KEPT, "sla_warning": KEPT, "overdue_alert": KEPT,
    "visit_reminder": KEPT, "affected_raised": KEPT, "resident_added": KEPT,
    "deadline_extended": KEPT, "visit_confirmed": KEPT, "visit_chosen": KEPT,
    "signoff_queried": KEPT, "signoff_answered": KEPT,
    # the resident: what asks them, confirms or reminds them
    "filed_for_you": KEPT, "complaint_acknowledged": KEPT, "visit_proposed": KEPT,
    "resident_visit_reminder": KEPT, "signoff_request": KEPT, "complaint_reply": KEPT,
    "owner_signoff_form": KEPT, "signoff_form": KEPT, "signoff_reminder": KEPT,
    "signoff_corrected": KEPT, "quotation": KEPT, "quotation_answered": KEPT,
    # the resident: progress notes
    "resident_assigned": FOLD, "resident_en_route": FOLD, "resident_arrived": FOLD,
    "complaint_with_department": FOLD, "auto_confirmed": FOLD, "owner_informed": FOLD,
    "owner_completed": FOLD, "follower_completed": FOLD, "merged_in": FOLD,
    "merged_away": FOLD,
    # staff: progress notes
    "task_confirmed": FOLD, "unit_job_taken": FOLD,
    # surveys
    "survey": KEPT, "survey_reminder": KEPT, "low_rating": KEPT, "activity_rating": KEPT,
    # digests and reports to staff
    "digest": FOLD, "weekly": FOLD, "day_closed": FOLD, "sales_report": FOLD,
    "monthly_report": KEPT, "settlement": KEPT,  # a document goes with them
    # community
    "activity_new": FOLD, "activity_place": KEPT, "activity_reminder": KEPT,
    ANNOUNCEMENT: KEPT,  # the office chose to send it to all: a water cut cannot wait
    # fees
    "fee_reminder": KEPT, "fee_overdue": KEPT, "fee_receipt": KEPT, "large_payment": KEPT,
    # registers: keys, archives, renovations, the storeroom
    "key_consent": KEPT, "key_emergency": KEPT, "key_answered": KEPT, "key_ready": KEPT,
    "key_overdue": KEPT, "key_overdue_alert": KEPT, "key_approval": KEPT, "key_out": KEPT,
    "spares_incomplete": KEPT, "archive_approval": KEPT, "archive_ready": KEPT,
    "archive_answered": KEPT, "archive_overdue": KEPT, "archive_check_due": KEPT,
    "archive_check_problem": KEPT, "renovation_applied": KEPT, "renovation_review": KEPT,
    "renovation_reviewed": KEPT, "renovation_permit": KEPT, "renovation_inspection": KEPT,
    "renovation_inspected": KEPT, "renovation_paid": KEPT, "renovation_refund_due": KEPT,
    "renovation_refunded": KEPT, "stock_low": KEPT, "stock_shortfall": KEPT,
    # sales: appointments a buyer must keep
    "buyer_first_payment": KEPT, "buyer_mortgage": KEPT, "buyer_mortgage_reminder": KEPT,
    "buyer_loan_documents": KEPT, "buyer_loan_documents_staff": KEPT, "buyer_move_in": KEPT,
    "buyer_new_date": KEPT, "buyer_reschedule": KEPT, "buyer_slot_booked": KEPT,
    "buyer_handed_over": KEPT, "reservation_to_verify": KEPT, "unit_reserved": KEPT,
    "reservation_void": KEPT,
    # personal data: owed by law
    "breach_notice": KEPT, "breach_opened": KEPT, "breach_untold": KEPT,
    "breach_overdue": KEPT, "privacy_filed": KEPT, "privacy_due_soon": KEPT,
    "privacy_overdue": KEPT, "privacy_extended": KEPT, "privacy_decided": KEPT,
    # this budget's own warnings to the managers
    WARN_KIND: KEPT, CAP_KIND: KEPT,
}
KEPT_KINDS = frozenset(k for k, c in KINDS.items() if c == KEPT)
FOLDED_KINDS = frozenset(k for k, c in KINDS.items() if c == FOLD)


def kept(kind: str) -> bool:
    """Always pushed; a kind the table does not know is kept too (never held by mistake)."""
    return KINDS.get(kind, KEPT) == KEPT


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

