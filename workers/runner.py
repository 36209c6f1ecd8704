"""Run RQ workers bound to this app's Redis connection and queue names."""

from __future__ import annotations

import logging
import os
import time
from typing import Any

from flask import Flask
from rq import SimpleWorker, Worker
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


class _Metered:
    """Counts each job's outcome and time, from the worker (which also sees a forked horse that
    crashed)."""

    def execute_job(self, job: Any, queue: Any) -> None:
        """Run the job as RQ does, then record how it ended."""
        started = time.monotonic()
        try:
            super().execute_job(job, queue)  # type: ignore[misc]
        finally:
            metrics.observe_job(job.func_name, _outcome(job), time.monotonic() - started)


class WarmWorker(_Metered, SimpleWorker):
    """Runs each job in the worker process itself (the default). A forked work horse starts
    cold: the fork of a large process, a new database connection and SQLAlchemy compiling
    every statement again cost ~100 ms per job here, ten times a scoring job's own work
    (docs/operations.md#workers). Timeouts and warm shutdown work as in the forking worker."""


class MeteredWorker(_Metered, Worker):
    """RQ's forking worker (`flask worker --fork`): each job in a fresh work horse, so a job
    that leaks or crashes the interpreter takes only its horse with it."""

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


def run_worker(
    app: Flask, queue_names: list[str], *, burst: bool = False, fork: bool = False
) -> None:
    """Serve the given queues with the RQ scheduler on; refuses without REDIS_URL. Jobs run
    in this process unless `fork` (a work horse per job).

    SIGTERM or SIGINT is RQ's warm shutdown: the job in progress finishes, then it exits.
    """
    backend = app.extensions["job_queue"]
    if not isinstance(backend, RedisJobBackend):
        raise SystemExit("REDIS_URL is not set: jobs run inside the web process; no worker needed")
    use_app(app)
    queues = [backend.rq_queue(name.strip()) for name in queue_names if name.strip()]
    worker_class = MeteredWorker if fork else WarmWorker
    log.info(
        "worker serving %s (%s)",
        ", ".join(q.name for q in queues),
        "a work horse per job" if fork else "jobs in the worker process",
    )
    worker_class(queues, connection=backend.connection).work(with_scheduler=True, burst=burst)
