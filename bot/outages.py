"""Scheduled jobs while the database cannot be reached (PostgreSQL restarting, the network
cut): each job tries again at its next run anyway, so an outage is logged once, naming the job
that met it, and once more when the database answers again; not a traceback per run."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import datetime

from storage.backend import unreachable

log = logging.getLogger(__name__)


class JobOutages:
    def __init__(self, clock: Callable[[], datetime]) -> None:
        self.clock = clock
        self.since: datetime | None = None  # the outage the jobs are in, from when
        self.failing: set[str] = set()  # the jobs that met it and have not run since

    def watched(self, name: str, job: Callable[..., Awaitable[None]]):
        async def run(context) -> None:
            try:
                await job(context)
            except unreachable() as exc:
                if self.since is None:
                    self.since = self.clock()
                    reason = str(exc).strip().splitlines()[0] if str(exc).strip() else \
                        type(exc).__name__
                    log.error("the database cannot be reached (%s): the scheduled job %s did "
                              "not run; the jobs try again at each run, quietly until it is "
                              "back", reason, name)
                self.failing.add(name)
                return
            self.failing.discard(name)
            if self.since is not None and not self.failing:  # every job that failed ran
                log.warning("the database answers again (the scheduled job %s ran); it could "
                            "not be reached from %s", name,
                            self.since.isoformat(timespec="seconds"))
                self.since = None

        return run
