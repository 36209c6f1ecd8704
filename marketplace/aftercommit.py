"""Run callbacks (enqueue a job, emit an event, arm a timer) only once the transaction commits.

Services register what must happen after their commit; a rollback discards it. This is how
"enqueue and emit only after the commit" is kept without every caller remembering the order.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from marketplace.extensions import db

log = logging.getLogger(__name__)
_KEY = "after_commit_callbacks"


def after_commit(callback: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
    """Call `callback(*args, **kwargs)` after the current session's next successful commit."""
    db.session.info.setdefault(_KEY, []).append((callback, args, kwargs))


def _run_callbacks(session: Session) -> None:
    if session.in_nested_transaction():
        return  # a SAVEPOINT was released; the real commit is still to come
    callbacks = session.info.pop(_KEY, [])
    for callback, args, kwargs in callbacks:
        try:
            callback(*args, **kwargs)
        except Exception:  # one failing notification must not hide the others
            log.exception(
                "after-commit callback %s failed", getattr(callback, "__name__", callback)
            )


def _discard_callbacks(session: Session, *_: Any) -> None:
    session.info.pop(_KEY, None)


def install() -> None:
    """Hook the session events once per process."""
    if not sa.event.contains(Session, "after_commit", _run_callbacks):
        sa.event.listen(Session, "after_commit", _run_callbacks)
        sa.event.listen(Session, "after_rollback", _discard_callbacks)
