"""What the desk asks of its database, counted: statements, transactions (and how many of
them wait for the disk), and PostgreSQL's round trips to the server. `bench/` prints them per
path and the tests hold each main path's counts, so a regression fails CI rather than a
benchmark nobody reruns. One process-wide tally: the counts are read as differences around
one update, and an increment costs tens of nanoseconds."""

from __future__ import annotations

from dataclasses import dataclass, fields, replace


@dataclass
class Counts:
    statements: int = 0  # the desk's own statements (BEGIN, COMMIT and pragmas not counted)
    transactions: int = 0  # committed
    durable: int = 0  # committed and waited for the disk (fsync; PostgreSQL's synchronous)
    round_trips: int = 0  # PostgreSQL: every wait for the server's answer (a pipeline's
    # statements sent together and answered together count once), BEGIN and COMMIT included

    def __sub__(self, other: Counts) -> Counts:
        return Counts(*(getattr(self, f.name) - getattr(other, f.name) for f in fields(self)))


TALLY = Counts()


def now() -> Counts:
    """A copy of the tally so far: subtract two to count what happened between them."""
    return replace(TALLY)
