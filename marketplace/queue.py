"""The one way to run background work: RQ on Redis, or the same job functions in-process.

With REDIS_URL set, jobs go to RQ queues served by `rq worker --with-scheduler`. Without it,
a small in-process runner executes the very same functions on background threads, honouring
delays and retries, so the embedded set-up behaves like production minus the extra processes.
"""

from __future__ import annotations

import heapq
import importlib
import itertools
import logging
import re
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from flask import Flask, current_app

log = logging.getLogger(__name__)

QUEUE_NAMES = ("high", "default", "low")
JOB_ID = re.compile(r"^[A-Za-z0-9_-]{1,200}$")


@dataclass(frozen=True)
class JobOptions:
    """Explicit per-enqueue settings: queue, timeout, TTLs and retry delays (seconds)."""

    queue: str = "default"
    timeout: int = 120
    retry_delays: tuple[int, ...] = (5, 30, 120)
    result_ttl: int = 3600
    failure_ttl: int = 7 * 24 * 3600
    ttl: int | None = None  # how long the job may wait before it is dropped


DEFAULT_OPTIONS = JobOptions()


def enqueue(
    func: Callable[..., Any] | str,
    *args: Any,
    job_id: str | None = None,
    delay: float | timedelta | None = None,
    options: JobOptions = DEFAULT_OPTIONS,
) -> bool:
    """Queue `func(*args)`. A repeated `job_id` that is still known is refused (returns False).

    `func` may be a dotted name such as "workers.webhooks.deliver": the app names its jobs
    without importing `workers` (imports point from workers to the app, never back).
    """
    if job_id is not None and not JOB_ID.match(job_id):
        raise ValueError(f"job id {job_id!r}: use letters, digits, '_' and '-' (RQ's rule)")
    if isinstance(delay, timedelta):
        delay = delay.total_seconds()
    backend: JobBackend = current_app.extensions["job_queue"]
    return backend.enqueue(func, args, job_id=job_id, delay=delay or 0.0, options=options)


def resolve(func: Callable[..., Any] | str) -> Callable[..., Any]:
    """The function behind a dotted job name (RQ does the same in its workers)."""
    if not isinstance(func, str):
        return func
    module_name, _, attribute = func.rpartition(".")
    return getattr(importlib.import_module(module_name), attribute)


class JobBackend:
    """What a queue backend offers."""

    def enqueue(
        self,
        func: Callable[..., Any],
        args: tuple[Any, ...],
        *,
        job_id: str | None,
        delay: float,
        options: JobOptions,
    ) -> bool:
        raise NotImplementedError


class RedisJobBackend(JobBackend):
    """Enqueue onto RQ; the Redis connection opens on first use, not at import or app creation."""

    def __init__(self, redis_url: str, prefix: str = "") -> None:
        self.redis_url = redis_url
        self.prefix = prefix
        self._connection: Any = None
        self._queues: dict[str, Any] = {}
        self._lock = threading.Lock()

    @property
    def connection(self) -> Any:
        """The Redis connection RQ uses (created lazily)."""
        with self._lock:
            if self._connection is None:
                from redis import Redis

                self._connection = Redis.from_url(self.redis_url)
            return self._connection

    def rq_queue(self, name: str) -> Any:
        """The RQ queue behind one of our queue names."""
        from rq import Queue

        if name not in self._queues:
            self._queues[name] = Queue(self.prefix + name, connection=self.connection)
        return self._queues[name]

    def enqueue(self, func, args, *, job_id, delay, options):  # type: ignore[no-untyped-def]
        """Enqueue with explicit timeout, TTLs and retries; duplicates by job id are refused."""
        from rq import Retry
        from rq.exceptions import DuplicateJobError

        retry = (
            Retry(max=len(options.retry_delays), interval=list(options.retry_delays))
            if options.retry_delays
            else None
        )
        kwargs: dict[str, Any] = {
            "job_id": job_id,
            "job_timeout": options.timeout,
            "result_ttl": options.result_ttl,
            "failure_ttl": options.failure_ttl,
            "ttl": options.ttl,
            "retry": retry,
            "unique": job_id is not None,
        }
        queue = self.rq_queue(options.queue)
        try:
            if delay > 0:
                queue.enqueue_in(timedelta(seconds=delay), func, *args, **kwargs)
            else:
                queue.enqueue(func, *args, **kwargs)
        except DuplicateJobError:
            log.info("job %s already queued or recently done; not queued again", job_id)
            return False
        log.info("queued job %s (%s) on %s", job_id, getattr(func, "__name__", func), options.queue)
        return True


@dataclass(order=True)
class _InProcessJob:
    run_at: float
    seq: int
    job_id: str = field(compare=False)
    func: Callable[..., Any] = field(compare=False)
    args: tuple[Any, ...] = field(compare=False)
    options: JobOptions = field(compare=False)
    attempt: int = field(default=0, compare=False)


class InProcessJobBackend(JobBackend):
    """Runs job functions on background threads of this process, with delays and retries."""

    def __init__(self, app: Flask, threads: int = 2) -> None:
        self.app = app
        self.thread_count = threads
        self._heap: list[_InProcessJob] = []
        self._known_ids: set[str] = set()
        self._running = 0
        self._seq = itertools.count()
        self._cond = threading.Condition()
        self._threads: list[threading.Thread] = []
        self.failed: list[tuple[str, str]] = []

    def enqueue(self, func, args, *, job_id, delay, options):  # type: ignore[no-untyped-def]
        """Schedule the job; a job id still pending or running is refused."""
        with self._cond:
            if job_id is not None and job_id in self._known_ids:
                log.info("job %s already queued; not queued again", job_id)
                return False
            job_id = job_id or str(uuid.uuid4())
            self._known_ids.add(job_id)
            job = _InProcessJob(
                time.monotonic() + delay, next(self._seq), job_id, func, args, options
            )
            heapq.heappush(self._heap, job)
            self._start_threads()
            self._cond.notify()
        return True

    def wait_until_idle(self, timeout: float = 10.0, include_delayed: bool = False) -> bool:
        """Block until no job is running or due (or, with include_delayed, waiting at all)."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while self._running or (
                self._heap and (include_delayed or self._heap[0].run_at <= time.monotonic())
            ):
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self._cond.wait(min(remaining, 0.05))
        return True

    def discard_pending(self) -> int:
        """Drop every waiting job (shutdown; tests between cases); returns how many."""
        with self._cond:
            dropped = len(self._heap)
            for job in self._heap:
                self._known_ids.discard(job.job_id)
            self._heap.clear()
            return dropped

    def pending(self) -> int:
        """Jobs waiting (due or delayed)."""
        with self._cond:
            return len(self._heap)

    def _start_threads(self) -> None:
        while len(self._threads) < self.thread_count:
            thread = threading.Thread(target=self._work, name="inprocess-jobs", daemon=True)
            self._threads.append(thread)
            thread.start()

    def _next_due(self) -> _InProcessJob:
        with self._cond:
            while True:
                now = time.monotonic()
                if self._heap and self._heap[0].run_at <= now:
                    self._running += 1
                    return heapq.heappop(self._heap)
                wait = self._heap[0].run_at - now if self._heap else None
                self._cond.wait(wait)

    def _work(self) -> None:
        while True:
            job = self._next_due()
            try:
                self._run(job)
            finally:
                with self._cond:
                    self._running -= 1
                    self._cond.notify_all()

    def _run(self, job: _InProcessJob) -> None:
        try:
            with self.app.app_context():
                resolve(job.func)(*job.args)
        except Exception as error:
            self._retry_or_fail(job, error)
            return
        with self._cond:
            self._known_ids.discard(job.job_id)

    def _retry_or_fail(self, job: _InProcessJob, error: Exception) -> None:
        delays = job.options.retry_delays
        with self._cond:
            if job.attempt < len(delays):
                log.warning(
                    "job %s failed (%s); retry %d in %ss",
                    job.job_id,
                    error,
                    job.attempt + 1,
                    delays[job.attempt],
                )
                job.run_at = time.monotonic() + delays[job.attempt]
                job.attempt += 1
                heapq.heappush(self._heap, job)
                return
            log.error("job %s failed for good: %r", job.job_id, error)
            self.failed.append((job.job_id, repr(error)))
            self._known_ids.discard(job.job_id)


class JobQueue:
    """Flask extension choosing the backend from REDIS_URL."""

    def init_app(self, app: Flask) -> None:
        """Attach a backend to the app (no connection is opened here)."""
        redis_url = app.config.get("REDIS_URL")
        backend: JobBackend
        if redis_url:
            backend = RedisJobBackend(redis_url, app.config.get("JOB_QUEUE_PREFIX", ""))
        else:
            backend = InProcessJobBackend(app)
        app.extensions["job_queue"] = backend
