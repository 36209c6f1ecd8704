"""Payout jobs: build the day's payout batch and export its bank file."""

from __future__ import annotations

import logging

from workers.context import job_context

log = logging.getLogger(__name__)


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
