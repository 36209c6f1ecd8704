"""Payout jobs: build the day's payout batch and export its bank file."""

from __future__ import annotations

import logging
import time
from datetime import UTC, datetime

from workers.context import job_context

log = logging.getLogger(__name__)
DAILY_JOB = "payouts-daily"


def build_payout_batch(key: str | None = None) -> str | None:
    """Build (once per key, default today's UTC date) and export a payout batch; its key."""
    from marketplace.extensions import db
    from marketplace.rewards import payouts

    with job_context():
        try:
            batch = payouts.build_payout_batch(key)
            result = batch.key if batch is not None else None
        finally:
            db.session.remove()
    log.info("payout batch %s", result or "not needed: nobody is due")
    return result


def build_daily_batch() -> str | None:
    """The scheduled daily batch (marketplace/schedule.py), keyed by its schedule day."""
    return build_payout_batch(daily_key(time.time()))


def daily_key(now: float) -> str:
    """The UTC date of the schedule bucket `now` falls in: a retry later that night (before
    the next run) still builds, or finds, the same day's batch."""
    from marketplace.schedule import PERIODIC_JOBS

    job = next(job for job in PERIODIC_JOBS if job.name == DAILY_JOB)
    return datetime.fromtimestamp(job.bucket(now) * job.every, UTC).date().isoformat()
