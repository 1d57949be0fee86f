"""A job's measured cost and who pays it: the one rule every document takes its figures from
(the monthly report, the ledger, the settlement, the income statement, the repair form and
/stats), so the books agree.

The desk's latest measurement (confirmed or corrected) stands over the visits' own figures;
who pays is what the desk said, else the responsible unit when one is or was liable (a job
our staff took over after the unit missed its deadline is charged back to it), else the
estate; an owner-paid job whose quotation the owner accepted is charged the quotation."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from storage.db import Connection
from storage.office import measurement
from storage.office.measurement import Ingredients
from workflow import tickets as machine
from workflow.office.measurement import Figures

ESTATE, UNIT, OWNER = "estate", "unit", "owner"
ACCEPTED = "accepted"
DONE = (str(machine.COMPLETED), str(machine.CLOSED))  # a reopened job is not done


@dataclass(frozen=True)
class Cost(Figures):
    payer: str = ESTATE
    quoted: Decimal | None = None  # the owner's accepted quotation: what the owner is charged

    @property
    def measured(self) -> Decimal:
        """Labour and materials, as measured."""
        return self.labour_cost + self.materials_cost

    @property
    def total(self) -> Decimal:
        """What the payer is charged."""
        return self.quoted if self.quoted is not None else self.measured

    @property
    def confirmed(self) -> bool:
        """The desk has confirmed or corrected the figures (計量確認)."""
        return self.kind in ("confirmed", "corrected")


def payer(said: str | None, liable_unit: bool) -> str:
    return said or (UNIT if liable_unit else ESTATE)


def of(found: Ingredients) -> Cost:
    """The rule, from what storage read."""
    hours, labour, materials, kind, reason = found.measured or (*found.recorded, "recorded", "")
    paid_by = payer(found.payer, found.liable_unit)
    quoted = found.quote_amount if paid_by == OWNER and found.quote_state == ACCEPTED \
        else None
    return Cost(hours, labour, materials, kind, reason, paid_by, quoted)


async def of_job(conn: Connection, ticket_id: int) -> Cost:
    found = await measurement.of_ticket(conn, ticket_id)
    if found is None:
        raise machine.Refusal(machine.Refusal.NOT_FOUND)
    return of(found)


async def by_payer(conn: Connection, start: datetime, end: datetime) -> dict[str, Decimal]:
    """What the repairs done in the period cost, by who pays: those completed in it and not
    reopened since."""
    sums: dict[str, Decimal] = defaultdict(Decimal)
    for found, jobs in await measurement.completed_between(conn, start, end, DONE):
        cost = of(found)
        sums[cost.payer] += cost.total * jobs  # exact: Decimal, as adding it `jobs` times
    return {p: sums[p] for p in (UNIT, ESTATE, OWNER) if p in sums}
