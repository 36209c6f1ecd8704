"""Who is online: connections per expert, the availability toggle, grace periods, stale sweeps.

An expert is routable when their toggle is `online` and at least one connection is live. A
disconnect starts a grace period (PRESENCE_GRACE_SECONDS); if no connection is back by then the
expert goes offline and their pending offers are re-routed. A silent phone is dropped by
Socket.IO's ping timeout (10 s + 10 s), so it is out of routing within 30 s.
"""

from __future__ import annotations

import uuid
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app

from marketplace import broadcast, lifecycle
from marketplace.aftercommit import after_commit
from marketplace.database import utcnow
from marketplace.errors import NotFound
from marketplace.eventlog.services import Actor, record
from marketplace.experts.models import Availability, ExpertConnection, ExpertProfile
from marketplace.extensions import db
from marketplace.matching import engine
from marketplace.matching.claims import revoke_offers_of_expert

STALE_AFTER = timedelta(seconds=20)  # a web process refreshes its rows every 5 s
SYSTEM = Actor.system("presence")


def connected(expert_id: uuid.UUID, sid: str, server_id: str) -> None:
    """A new connection: record it and cancel any grace period."""
    now = utcnow()
    db.session.merge(
        ExpertConnection(
            sid=sid, expert_id=expert_id, server_id=server_id, connected_at=now, seen_at=now
        )
    )
    db.session.execute(
        sa.update(ExpertProfile).where(ExpertProfile.user_id == expert_id).values(last_seen_at=now)
    )
    after_commit(engine.deadline_store().discard, f"grace:{expert_id}")
    after_commit(engine.kick, reload_experts=True)
    db.session.commit()


def disconnected(sid: str) -> None:
    """A connection closed: when it was the expert's last, start the grace period."""
    expert_id = db.session.execute(
        sa.delete(ExpertConnection)
        .where(ExpertConnection.sid == sid)
        .returning(ExpertConnection.expert_id)
    ).scalar_one_or_none()
    if expert_id is not None and not _has_connections(expert_id):
        grace = current_app.config["PRESENCE_GRACE_SECONDS"]
        after_commit(
            engine.deadline_store().add, f"grace:{expert_id}", utcnow().timestamp() + grace
        )
    db.session.commit()


def grace_over(expert_id: uuid.UUID) -> bool:
    """Grace period ended: still no connection, so go offline and re-route pending offers."""
    if _has_connections(expert_id):
        db.session.rollback()
        return False
    profile = db.session.get(ExpertProfile, expert_id)
    if profile is None:
        db.session.rollback()
        return False
    if profile.availability == Availability.ONLINE:
        profile.availability = Availability.OFFLINE
        record(
            SYSTEM,
            "expert.offline",
            "user",
            expert_id,
            before={"availability": "online"},
            after={"availability": "offline", "reason": "disconnected"},
        )
    revoke_offers_of_expert(expert_id, "disconnected")
    db.session.commit()
    return True


def set_availability(expert_id: uuid.UUID, availability: Availability, actor: Actor) -> dict:
    """The expert's toggle. Going away or offline hands pending offers to others at once."""
    profile = db.session.get(ExpertProfile, expert_id)
    if profile is None:
        raise NotFound("No expert profile.")
    before = profile.availability
    profile.availability = availability
    if availability == Availability.ONLINE:
        profile.missed_offers_in_row = 0
        after_commit(engine.kick, reload_experts=True)
    else:
        revoke_offers_of_expert(expert_id, f"expert {availability.value}")
    if before != availability:
        record(
            actor,
            "expert.availability",
            "user",
            expert_id,
            before={"availability": before.value},
            after={"availability": availability.value},
        )
    state = {"availability": availability.value, "connected": _has_connections(expert_id)}
    after_commit(broadcast.to_expert, expert_id, "availability.changed", state)
    db.session.commit()
    return state


def refresh(server_id: str) -> None:
    """Mark this web process's connections as alive."""
    db.session.execute(
        sa.update(ExpertConnection)
        .where(ExpertConnection.server_id == server_id)
        .values(seen_at=utcnow())
    )
    db.session.commit()


def sweep_stale() -> int:
    """Drop connections of web processes that stopped refreshing (crashed or killed)."""
    gone = (
        db.session.execute(
            sa.delete(ExpertConnection)
            .where(ExpertConnection.seen_at < utcnow() - STALE_AFTER)
            .returning(ExpertConnection.expert_id)
        )
        .scalars()
        .all()
    )
    for expert_id in set(gone):
        if not _has_connections(expert_id):
            after_commit(engine.deadline_store().add, f"grace:{expert_id}", utcnow().timestamp())
    db.session.commit()
    return len(gone)


def forget_server(server_id: str) -> None:
    """A web process shutting down removes its connections (graceful shutdown)."""
    db.session.execute(sa.delete(ExpertConnection).where(ExpertConnection.server_id == server_id))
    db.session.commit()


@lifecycle.on_shutdown
def forget_this_server() -> None:
    """Graceful shutdown: drop this process's connections so its experts re-route at once."""
    running = engine.current_engine()
    if running is not None:
        forget_server(running.server_id)


def _has_connections(expert_id: uuid.UUID) -> bool:
    return (
        db.session.scalar(
            sa.select(sa.func.count()).select_from(ExpertConnection).filter_by(expert_id=expert_id)
        )
        > 0
    )
