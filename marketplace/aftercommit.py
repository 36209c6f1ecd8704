"""Run callbacks (enqueue a job, emit an event, arm a timer) only once the transaction commits.

Services register what must happen after their commit; a rollback discards it. This is how
"enqueue and emit only after the commit" is kept without every caller remembering the order.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session, SessionTransaction

from marketplace.extensions import db

log = logging.getLogger(__name__)
_KEY = "after_commit_callbacks"


def after_commit(callback: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
    """Call `callback(*args, **kwargs)` after the current session's next successful commit.

    The callback remembers the (nested) transaction it was registered in: rolling back a
    SAVEPOINT drops only what was registered inside it, not the work of the outer transaction.
    """
    session = db.session()
    registered_in = session.get_nested_transaction() or session.get_transaction()
    session.info.setdefault(_KEY, []).append((registered_in, callback, args, kwargs))


def _run_callbacks(session: Session) -> None:
    if session.in_nested_transaction():
        return  # a SAVEPOINT was released; the real commit is still to come
    callbacks = session.info.pop(_KEY, [])
    for _, callback, args, kwargs in callbacks:
        try:
            callback(*args, **kwargs)
        except Exception:  # one failing notification must not hide the others
            log.exception(
                "after-commit callback %s failed", getattr(callback, "__name__", callback)
            )


def _discard_callbacks(session: Session, rolled_back: SessionTransaction) -> None:
    """Forget the callbacks registered inside the transaction that was just rolled back."""
    if rolled_back.parent is None:
        session.info.pop(_KEY, None)
        return
    kept = [c for c in session.info.get(_KEY, []) if not _inside(c[0], rolled_back)]
    session.info[_KEY] = kept


def _inside(transaction: SessionTransaction | None, ancestor: SessionTransaction) -> bool:
    while transaction is not None:
        if transaction is ancestor:
            return True
        transaction = transaction.parent
    return False


def install() -> None:
    """Hook the session events once per process."""
    if not sa.event.contains(Session, "after_commit", _run_callbacks):
        sa.event.listen(Session, "after_commit", _run_callbacks)
        sa.event.listen(Session, "after_soft_rollback", _discard_callbacks)
