"""Who is online: connections per expert, the availability toggle, grace periods, stale sweeps.

An expert is routable when their toggle is `online` and at least one connection is live. The
toggle is the expert's own choice and connectivity never changes it. When the last connection
closes, a grace period starts (PRESENCE_GRACE_SECONDS, default 8 s): a phone that blips and comes
back within it loses nothing. When it ends with no connection back, the expert is out of routing
(no connection) and their pending offers are re-routed; a later reconnect makes them routable
again with the toggle they chose (the missed-offers rule sets an unattended phone away). A silent
phone is dropped by Socket.IO's ping timeout (a ping every 8 s, 5 s to answer, checked every 5 s:
at most 18 s), so with the grace period it is out of routing within 26 s.
"""

from __future__ import annotations

import logging
import os
import uuid
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app

from marketplace import broadcast
from marketplace.aftercommit import after_commit
from marketplace.database import utcnow
from marketplace.errors import NotFound
from marketplace.eventlog.services import Actor, record
from marketplace.experts.models import Availability, ExpertConnection, ExpertProfile
from marketplace.extensions import db
from marketplace.matching import engine
from marketplace.matching.revocation import revoke_offers_of_expert

log = logging.getLogger(__name__)
STALE_AFTER = timedelta(seconds=20)  # a web process refreshes its rows every 5 s
# A process of this host that is gone and missed a refresh is certainly dead: drop it sooner.
LOCAL_DEAD_AFTER = timedelta(seconds=6)
# Timers of different processes may disagree by a little; never end a grace period early.
GRACE_SLACK = timedelta(milliseconds=500)
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
        _start_grace(expert_id, utcnow())
    db.session.commit()


def _start_grace(expert_id: uuid.UUID, last_seen: datetime) -> None:
    """The expert's last connection was last seen at `last_seen`: grace runs from then."""
    db.session.execute(
        sa.update(ExpertProfile)
        .where(ExpertProfile.user_id == expert_id)
        .values(last_seen_at=last_seen)
    )
    ends = last_seen + timedelta(seconds=_grace_seconds())
    after_commit(engine.deadline_store().add, f"grace:{expert_id}", ends.timestamp())


def grace_over(expert_id: uuid.UUID) -> bool:
    """Grace period ended with no connection back: re-route the pending offers (the expert is
    out of routing until a connection returns; the toggle stays as they set it)."""
    profile = db.session.get(ExpertProfile, expert_id)
    if profile is None or _has_connections(expert_id) or not _grace_ended(profile):
        db.session.rollback()
        return False
    revoked = revoke_offers_of_expert(expert_id, "disconnected")
    record(
        SYSTEM,
        "expert.disconnected",
        "user",
        expert_id,
        after={"availability": profile.availability.value, "offers_revoked": revoked},
    )
    db.session.commit()
    return True


def _grace_ended(profile: ExpertProfile) -> bool:
    if profile.last_seen_at is None:
        return True
    grace = timedelta(seconds=_grace_seconds())
    return profile.last_seen_at + grace <= utcnow() + GRACE_SLACK


def past_grace_with_offers() -> sa.Select:
    """Experts with pending offers, no connection, and a grace period that ended (reconciler)."""
    from marketplace.matching.models import Offer, OfferStatus

    ended = utcnow() + GRACE_SLACK - timedelta(seconds=_grace_seconds())
    return sa.select(ExpertProfile.user_id).where(
        ExpertProfile.user_id.in_(
            sa.select(Offer.expert_id).where(Offer.status == OfferStatus.PENDING)
        ),
        ~ExpertProfile.user_id.in_(sa.select(ExpertConnection.expert_id)),
        sa.or_(ExpertProfile.last_seen_at.is_(None), ExpertProfile.last_seen_at <= ended),
    )


def _grace_seconds() -> int:
    return current_app.config["PRESENCE_GRACE_SECONDS"]


def set_availability(expert_id: uuid.UUID, availability: Availability, actor: Actor) -> dict:
    """The expert's toggle. Going away or offline hands pending offers to others at once."""
    profile = db.session.get(ExpertProfile, expert_id)
    if profile is None:
        raise NotFound("No expert profile.")
    before = profile.availability
    if availability != Availability.ONLINE:
        # Questions are locked before the profile row (the lock order of matching).
        revoke_offers_of_expert(expert_id, availability.value)
    profile.availability = availability
    if availability == Availability.ONLINE:
        profile.missed_offers_in_row = 0
        after_commit(engine.kick, reload_experts=True)
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


def sweep_stale(server_id: str | None = None) -> int:
    """Drop connections of web processes that stopped refreshing (crashed or killed): any after
    STALE_AFTER, and sooner those of a process of this host that is no longer running."""
    now = utcnow()
    dead = _dead_local_servers(server_id) if server_id else []
    gone = db.session.execute(
        sa.delete(ExpertConnection)
        .where(
            sa.or_(
                ExpertConnection.seen_at < now - STALE_AFTER,
                sa.and_(
                    ExpertConnection.server_id.in_(dead),
                    ExpertConnection.seen_at < now - LOCAL_DEAD_AFTER,
                ),
            )
        )
        .returning(ExpertConnection.expert_id, ExpertConnection.seen_at)
    ).all()
    _grace_for_the_unconnected(gone)
    db.session.commit()
    return len(gone)


def forget_server(server_id: str) -> int:
    """A web process shutting down removes its connections; their experts' grace starts now
    (most phones reconnect to another process within it)."""
    gone = db.session.execute(
        sa.delete(ExpertConnection)
        .where(ExpertConnection.server_id == server_id)
        .returning(ExpertConnection.expert_id, ExpertConnection.seen_at)
    ).all()
    now = utcnow()
    _grace_for_the_unconnected([(expert_id, now) for expert_id, _ in gone])
    db.session.commit()
    if gone:
        log.info("forgot %d connections of %s", len(gone), server_id)
    return len(gone)


def _grace_for_the_unconnected(gone: list[tuple[uuid.UUID, datetime]]) -> None:
    last_seen: dict[uuid.UUID, datetime] = {}
    for expert_id, seen_at in gone:
        last_seen[expert_id] = max(seen_at, last_seen.get(expert_id, seen_at))
    for expert_id, seen_at in last_seen.items():
        if not _has_connections(expert_id):
            _start_grace(expert_id, seen_at)


def _dead_local_servers(server_id: str) -> list[str]:
    """Server ids (host:pid:token) of this host whose process is gone, or an earlier process
    that had our pid."""
    host, _, _ = server_id.rpartition(":")[0].rpartition(":")
    others = db.session.scalars(
        sa.select(ExpertConnection.server_id)
        .where(
            ExpertConnection.server_id.like(f"{host}:%"), ExpertConnection.server_id != server_id
        )
        .distinct()
    ).all()
    dead = []
    for other in others:
        other_host, _, rest = other.rpartition(":")[0].rpartition(":")
        pid = rest if other_host == host else ""
        if pid.isdigit() and (int(pid) == os.getpid() or not _running(int(pid))):
            dead.append(other)
    return dead


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _has_connections(expert_id: uuid.UUID) -> bool:
    return (
        db.session.scalar(
            sa.select(sa.func.count()).select_from(ExpertConnection).filter_by(expert_id=expert_id)
        )
        > 0
    )
