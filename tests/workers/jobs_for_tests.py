"""Job functions the queue tests enqueue (importable by name, as RQ requires)."""

from __future__ import annotations

import time

from flask import current_app, has_app_context

from workers.context import job_context

CALLS: list[tuple[str, float]] = []
FAILURES_LEFT: dict[str, int] = {}


def record_call(tag: str) -> None:
    """Remember that the job ran, and whether it had an app context."""
    CALLS.append((tag, time.monotonic()))
    assert has_app_context() and current_app.name == "marketplace"


def flaky(tag: str) -> None:
    """Fail while FAILURES_LEFT[tag] > 0, then succeed."""
    CALLS.append((tag, time.monotonic()))
    if FAILURES_LEFT.get(tag, 0) > 0:
        FAILURES_LEFT[tag] -= 1
        raise RuntimeError(f"planned failure of {tag}")


def write_marker(redis_url: str, key: str) -> None:
    """Under a real `rq worker`: prove the job ran in an app context by writing to Redis."""
    from redis import Redis

    with job_context():
        value = current_app.name
    Redis.from_url(redis_url).set(key, value)


def periodic_tick() -> None:
    """A periodic job for the schedule tests."""
    CALLS.append(("tick", time.monotonic()))


def slow_marker(redis_url: str, key: str, seconds: float) -> None:
    """A long job: marks `<key>:started`, works for `seconds`, then marks `<key>:done`."""
    from redis import Redis

    connection = Redis.from_url(redis_url)
    connection.set(f"{key}:started", "1")
    time.sleep(seconds)
    connection.set(f"{key}:done", "1")


def fails(tag: str) -> None:
    """Always fails (job metrics count it)."""
    raise RuntimeError(f"planned failure of {tag}")


def write_pid(redis_url: str, key: str) -> None:
    """Record which process ran the job (the worker itself, or a forked work horse)."""
    import os

    from redis import Redis

    with job_context():
        Redis.from_url(redis_url).rpush(key, os.getpid())
