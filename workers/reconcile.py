"""The reconciler job: re-drive anything stuck (queued every 30 s by the web processes)."""

from __future__ import annotations

from marketplace.matching.reconciler import reconcile as reconcile_marketplace
from workers.context import job_context


def reconcile() -> dict[str, int]:
    """Fire overdue deadlines, re-arm timers, drain the queue."""
    with job_context():
        return reconcile_marketplace()
