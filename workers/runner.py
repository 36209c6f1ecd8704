"""Run RQ workers bound to this app's Redis connection and queue names."""

from __future__ import annotations

import logging
import os
import time
from typing import Any

from flask import Flask
from rq import Worker
from rq.job import JobStatus

from marketplace.ops import metrics
from marketplace.queue import RedisJobBackend
from workers.context import use_app

log = logging.getLogger(__name__)
OUTCOMES = {
    JobStatus.FINISHED: "finished",
    JobStatus.FAILED: "failed",
    JobStatus.SCHEDULED: "retried",  # failed, and RQ's Retry queued it again
    JobStatus.QUEUED: "retried",
    JobStatus.STOPPED: "stopped",
    JobStatus.CANCELED: "canceled",
}


class MeteredWorker(Worker):
    """RQ's forking worker that counts each job's outcome and time (from the worker, which
    sees horses that crash as well as those that return)."""

    def execute_job(self, job: Any, queue: Any) -> None:
        """Run the job in a work horse as RQ does, then record how it ended."""
        started = time.monotonic()
        try:
            super().execute_job(job, queue)
        finally:
            metrics.observe_job(job.func_name, _outcome(job), time.monotonic() - started)

    def main_work_horse(self, job: Any, queue: Any) -> None:
        """In the forked horse: write metrics into this worker's horse files."""
        metrics.become_work_horse(os.getppid())
        super().main_work_horse(job, queue)


def _outcome(job: Any) -> str:
    try:
        status = job.get_status(refresh=True)
    except Exception:  # deleted already (result_ttl 0): it finished
        return "finished"
    return OUTCOMES.get(status, str(getattr(status, "value", status)))


def run_worker(app: Flask, queue_names: list[str], *, burst: bool = False) -> None:
    """Serve the given queues with the RQ scheduler on; refuses without REDIS_URL.

    SIGTERM or SIGINT is RQ's warm shutdown: the job in progress finishes, then it exits.
    """
    backend = app.extensions["job_queue"]
    if not isinstance(backend, RedisJobBackend):
        raise SystemExit("REDIS_URL is not set: jobs run inside the web process; no worker needed")
    use_app(app)
    queues = [backend.rq_queue(name.strip()) for name in queue_names if name.strip()]
    log.info("worker serving %s", ", ".join(q.name for q in queues))
    MeteredWorker(queues, connection=backend.connection).work(with_scheduler=True, burst=burst)
