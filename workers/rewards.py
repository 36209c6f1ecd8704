"""Reward settlement jobs: capture pending rewards in batches, exactly once."""

from __future__ import annotations

import logging
import time

from workers.context import job_context

log = logging.getLogger(__name__)

BATCH_LIMIT = 500
MAX_SECONDS = 60.0


def settle_pending(limit: int = BATCH_LIMIT, max_seconds: float = MAX_SECONDS) -> int:
    """Settle pending rewards in batches of `limit` until none is left; returns how many.

    Each batch is one transaction. After `max_seconds` the job hands over to a fresh job, so
    a long backlog never runs into the job timeout. Safe to run on many workers at once.
    """
    from marketplace.extensions import db
    from marketplace.queue import JobOptions, enqueue
    from marketplace.rewards.settlement import settle_all

    with job_context():
        try:
            total, finished = settle_all(limit, max_seconds)
            if not finished:
                enqueue(
                    "workers.rewards.settle_pending",
                    limit,
                    max_seconds,
                    job_id=handover_job_id(time.time(), max_seconds),
                    options=JobOptions(queue="default", timeout=600),
                )
        finally:
            db.session.remove()
    log.info("settled %d rewards", total)
    return total


def handover_job_id(now: float, max_seconds: float) -> str:
    """One follow-up job per `max_seconds` window: jobs that run out of time together (a
    retry, the sweep and a bucket job) hand over to the same job instead of one each."""
    return f"rewards-settle-more-{int(now // max(max_seconds, 1.0))}"
