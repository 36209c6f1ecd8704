"""Record state changes in the event log, inside the caller's transaction."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from marketplace.eventlog.models import Event
from marketplace.extensions import db


@dataclass(frozen=True)
class Actor:
    """Who caused a change: a user, a company (through an API key) or the system."""

    type: str
    id: str | None = None

    @classmethod
    def user(cls, user_id: uuid.UUID) -> Actor:
        """A logged-in person."""
        return cls("user", str(user_id))

    @classmethod
    def api_key(cls, key_id: uuid.UUID) -> Actor:
        """A company acting through one of its API keys."""
        return cls("api_key", str(key_id))

    @classmethod
    def system(cls, what: str | None = None) -> Actor:
        """The marketplace itself (matching, timers, jobs)."""
        return cls("system", what)


def record(
    actor: Actor,
    action: str,
    entity_type: str,
    entity_id: Any,
    *,
    company_id: uuid.UUID | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> Event:
    """Add an event to the current session; it commits (or rolls back) with the change."""
    event = Event(
        actor_type=actor.type,
        actor_id=actor.id,
        company_id=company_id,
        entity_type=entity_type,
        entity_id=str(entity_id),
        action=action,
        before=before,
        after=after,
    )
    db.session.add(event)
    return event


def _refuse_event_changes(session: Session, _context: Any, _instances: Any) -> None:
    for obj in list(session.dirty) + list(session.deleted):
        if isinstance(obj, Event) and (obj in session.deleted or session.is_modified(obj)):
            raise PermissionError("the event log is append-only")


def install_append_only_guard() -> None:
    """Refuse, in every session, to flush an update or delete of an event row."""
    if not sa.event.contains(Session, "before_flush", _refuse_event_changes):
        sa.event.listen(Session, "before_flush", _refuse_event_changes)
