"""The /moderator namespace: queue items, claims and verdicts pushed to moderators of a pool."""

from __future__ import annotations

import uuid
from typing import Any

import sqlalchemy as sa
from flask import session
from flask_socketio import ConnectionRefusedError, join_room

from marketplace.accounts.models import Role
from marketplace.accounts.services import UserCaller, caller_for_user
from marketplace.broadcast import MODERATOR_NAMESPACE, moderators_room
from marketplace.companies.models import Pool
from marketplace.errors import DomainError, Forbidden
from marketplace.extensions import db, socketio
from marketplace.moderation import audits
from marketplace.moderation.schemas import AuditItemSchema, ItemRefSchema
from marketplace.ops import metrics
from marketplace.realtime.common import action, socket_caller


@socketio.on("connect", namespace=MODERATOR_NAMESPACE)
def on_connect(auth: Any = None) -> None:
    """Authenticate (token or session) and join the rooms of every pool in scope."""
    try:
        caller = socket_caller(auth, Role.MODERATOR, Role.PLATFORM_ADMIN)
        session["moderator_id"] = str(caller.user_id)
        query = sa.select(Pool.id)
        if caller.role != Role.PLATFORM_ADMIN:
            query = query.where(Pool.company_id == caller.company_id)
        for pool_id in db.session.scalars(query):
            join_room(moderators_room(pool_id))
        metrics.socket_connected(MODERATOR_NAMESPACE)
    except DomainError as error:
        raise ConnectionRefusedError(error.to_problem()) from None
    finally:
        db.session.remove()


@socketio.on("disconnect", namespace=MODERATOR_NAMESPACE)
def on_disconnect(reason: Any = None) -> None:
    """A console went away."""
    metrics.socket_disconnected(MODERATOR_NAMESPACE)


def _moderator() -> UserCaller:
    raw = session.get("moderator_id")
    caller = caller_for_user(uuid.UUID(raw)) if raw else None
    if caller is None or caller.role not in {Role.MODERATOR, Role.PLATFORM_ADMIN}:
        raise Forbidden("The account is not active.")
    return caller


@socketio.on("audit.claim", namespace=MODERATOR_NAMESPACE)
@action(ItemRefSchema)
def on_claim(data: dict[str, Any]) -> dict[str, Any]:
    """Claim an item; the others in the pool hear audit.claimed."""
    return AuditItemSchema().dump(audits.claim(_moderator(), data["item_id"]))


@socketio.on("audit.release", namespace=MODERATOR_NAMESPACE)
@action(ItemRefSchema)
def on_release(data: dict[str, Any]) -> dict[str, Any]:
    """Give an item back."""
    return AuditItemSchema().dump(audits.release(_moderator(), data["item_id"]))
