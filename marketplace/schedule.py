"""Periodic jobs: the chores that run on a clock (reconcile, settlement sweep, payouts, nightly
reputation), queued by every web process's matching engine.

Each run is one time bucket (`int((now - offset) // every)`) with the job id
`<name>-<bucket>`. Every web process tries to queue every bucket; the job id makes the second
try a no-op (RQ's `unique`, or the in-process queue's known ids) and the services behind the jobs
are idempotent per run anyway, so a restart or a clock skew between processes cannot double a
payout. Nothing else is needed in production: no separate cron process.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from marketplace.queue import JobOptions, enqueue

log = logging.getLogger(__name__)

MINUTE = 60
DAY = 24 * 3600


@dataclass(frozen=True)
class PeriodicJob:
    """A job queued once per `every` seconds, at `offset` seconds into each period (UTC)."""

    name: str
    func: str
    every: int
    options: JobOptions
    offset: int = 0

    def bucket(self, now: float) -> int:
        """The run that `now` falls in."""
        return int((now - self.offset) // self.every)


# The daily payout batch runs at 02:15 UTC and is keyed by that UTC day (docs/rewards.md).
PAYOUT_OFFSET = 2 * 3600 + 15 * MINUTE

PERIODIC_JOBS: tuple[PeriodicJob, ...] = (
    PeriodicJob(
        "reconcile",
        "workers.reconcile.reconcile",
        every=30,
        options=JobOptions(queue="low", timeout=120, retry_delays=()),
    ),
    # Every membership, profile and skill estimate from the evidence, at 02:30 UTC; the same
    # code path as the per-expert job (marketplace/experts/reputation.py), anchored at the day.
    PeriodicJob(
        "reputation-nightly",
        "workers.scoring.recompute_all_reputations",
        every=DAY,
        offset=2 * 3600 + 30 * MINUTE,
        options=JobOptions(queue="low", timeout=1800, retry_delays=(300, 1800)),
    ),
    # Settles whatever a lost or failed per-accept job left pending; settling is idempotent.
    PeriodicJob(
        "rewards-sweep",
        "workers.rewards.settle_pending",
        every=MINUTE,
        options=JobOptions(queue="default", timeout=600, retry_delays=()),
    ),
    # One batch per day: the key is the bucket's day, so a rerun returns the same batch.
    PeriodicJob(
        "payouts-daily",
        "workers.payouts.build_daily_batch",
        every=DAY,
        offset=PAYOUT_OFFSET,
        options=JobOptions(queue="low", timeout=1800, retry_delays=(60, 600, 3600)),
    ),
    # Answers whose scoring job was lost or gave up (grading.UNSCORED_AFTER) are queued again.
    PeriodicJob(
        "scoring-sweep",
        "workers.scoring.requeue_unscored",
        every=5 * MINUTE,
        offset=45,
        options=JobOptions(queue="low", timeout=120, retry_delays=()),
    ),
    PeriodicJob(
        "moderation-sweep",
        "workers.moderation.sweep",
        every=30,
        offset=15,
        options=JobOptions(queue="low", timeout=120, retry_delays=()),
    ),
)


class PeriodicRunner:
    """Queues each periodic job once per bucket; remembers what this process already queued."""

    def __init__(self, jobs: tuple[PeriodicJob, ...] = PERIODIC_JOBS) -> None:
        self.jobs = jobs
        self._queued: dict[str, int] = {}

    def run_due(self, now: float) -> list[str]:
        """Queue every job whose current bucket this process has not queued yet; their ids."""
        queued = []
        for job in self.jobs:
            bucket = job.bucket(now)
            if self._queued.get(job.name) == bucket:
                continue
            self._queued[job.name] = bucket
            job_id = f"{job.name}-{bucket}"
            try:
                if enqueue(job.func, job_id=job_id, options=job.options):
                    queued.append(job_id)
            except Exception:  # Redis down: the next tick of the next bucket tries again
                log.exception("could not queue periodic job %s", job_id)
                self._queued.pop(job.name, None)
        return queued
