"""An app context for jobs, whether they run under `rq worker` or in-process."""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Iterator

from flask import Flask, has_app_context

_app: Flask | None = None
_app_pid: int | None = None
_lock = threading.Lock()


def use_app(app: Flask) -> None:
    """Let jobs in this process use an app that already exists (e.g. `flask worker`)."""
    global _app, _app_pid
    _app, _app_pid = app, os.getpid()


def worker_app() -> Flask:
    """The process's app, created from the environment on first use."""
    global _app, _app_pid
    with _lock:
        if _app is None:
            from marketplace import create_app

            # Workers emit through Redis and never run a matching engine of their own.
            _app = create_app(
                {"SOCKETIO_ASYNC_MODE": "threading", "MATCHING_ENGINE_AUTOSTART": False}
            )
        if _app_pid != os.getpid():
            # A forked RQ work horse must not reuse the parent's database connections.
            from marketplace.extensions import db

            with _app.app_context():
                db.engine.dispose(close=False)
            _app_pid = os.getpid()
        return _app


@contextlib.contextmanager
def job_context() -> Iterator[None]:
    """Run a job body inside an app context (reusing one if the caller already has it)."""
    if has_app_context():
        yield
        return
    with worker_app().app_context():
        yield
