"""A web process's shutdown: a flag readiness reports, and hooks the domains register.

Gunicorn's SIGTERM (marketplace/ops/gunicorn_conf.py) calls `begin_shutdown()`: the process
reports not-ready at once, then every hook runs in the order it was registered (the matching
engine stops, presence forgets this process's connections), each inside an app context.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

log = logging.getLogger(__name__)

_hooks: list[Callable[[], object]] = []
_shutting_down = threading.Event()
_lock = threading.Lock()
_hooks_ran = False


def on_shutdown(hook: Callable[[], object]) -> Callable[[], object]:
    """Run `hook` when this process shuts down gracefully (usable as a decorator)."""
    if hook not in _hooks:
        _hooks.append(hook)
    return hook


def shutting_down() -> bool:
    """Whether this process has begun its graceful shutdown."""
    return _shutting_down.is_set()


def mark_shutting_down() -> None:
    """Report not-ready from now on (the first step of a shutdown)."""
    _shutting_down.set()


def begin_shutdown() -> None:
    """Report not-ready, then run the hooks (once per process); a failing hook does not stop
    the others. Call it inside an app context: hooks may use the database."""
    global _hooks_ran
    mark_shutting_down()
    with _lock:
        if _hooks_ran:
            return
        _hooks_ran = True
        hooks = list(_hooks)
    for hook in hooks:
        try:
            hook()
        except Exception:
            log.exception("shutdown hook %s failed", getattr(hook, "__qualname__", hook))


def reset() -> None:
    """Back to running (tests: one process plays many lives); the hooks stay registered."""
    global _hooks_ran
    _shutting_down.clear()
    _hooks_ran = False
