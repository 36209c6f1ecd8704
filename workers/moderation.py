"""Moderation jobs: a claim ran out, a held answer reached its SLA, the periodic sweep."""

from __future__ import annotations

import uuid

from marketplace.moderation import audits, timers
from workers.context import job_context


def expire_claim(item_id: str) -> bool:
    """Open an audit item again if its claim ran out (a no-op if it was renewed or decided)."""
    with job_context():
        return audits.expire_claim(uuid.UUID(item_id))


def release_if_overdue(answer_id: str) -> bool:
    """Release a held answer to the company, flagged, once its question's SLA is near."""
    with job_context():
        return timers.release_if_overdue(uuid.UUID(answer_id))


def sweep() -> dict:
    """Expire run-out claims and release overdue held answers (every 30 s)."""
    with job_context():
        return timers.sweep()
