"""Run RQ workers bound to this app's Redis connection and queue names."""

from __future__ import annotations

import logging

from flask import Flask

from marketplace.queue import RedisJobBackend
from workers.context import use_app

log = logging.getLogger(__name__)


def run_worker(app: Flask, queue_names: list[str], *, burst: bool = False) -> None:
    """Serve the given queues with the RQ scheduler on; refuses without REDIS_URL."""
    from rq import Worker

    backend = app.extensions["job_queue"]
    if not isinstance(backend, RedisJobBackend):
        raise SystemExit("REDIS_URL is not set: jobs run inside the web process; no worker needed")
    use_app(app)
    queues = [backend.rq_queue(name.strip()) for name in queue_names if name.strip()]
    log.info("worker serving %s", ", ".join(q.name for q in queues))
    Worker(queues, connection=backend.connection).work(with_scheduler=True, burst=burst)
