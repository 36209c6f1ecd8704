"""The /moderator namespace: queue items, claims and verdicts pushed to the moderators of a
company; claim and release items; a (re)connecting console is sent what is pending."""

from __future__ import annotations

import uuid
from typing import Any

from flask import request, session
from flask_socketio import ConnectionRefusedError, join_room
from marshmallow import Schema, fields

from marketplace.accounts.models import Role
from marketplace.accounts.services import UserCaller, caller_for_user
from marketplace.broadcast import MODERATOR_NAMESPACE, moderator_room, moderators_room
from marketplace.errors import DomainError, Forbidden
from marketplace.extensions import db, socketio
from marketplace.moderation import audits
from marketplace.moderation.schemas import AuditItemSchema, ItemRefSchema, SyncSchema
from marketplace.ops import metrics
from marketplace.realtime.common import action, socket_caller


class PendingSchema(Schema):
    """session.restored: the first page of the queue and the items this moderator holds."""

    items = fields.List(fields.Nested(AuditItemSchema))
    next_cursor = fields.String(allow_none=True)
    claimed = fields.List(fields.Nested(AuditItemSchema))


@socketio.on("connect", namespace=MODERATOR_NAMESPACE)
def on_connect(auth: Any = None) -> None:
    """Authenticate (token or session), join the company's and one's own room, send what is
    pending. The company room covers pools created after connecting."""
    try:
        caller = socket_caller(auth, Role.MODERATOR, Role.PLATFORM_ADMIN)
        session["moderator_id"] = str(caller.user_id)
        join_room(moderator_room(caller.user_id))
        company = caller.company_id if caller.role == Role.MODERATOR else None
        join_room(moderators_room(company))
        state = PendingSchema().dump(audits.pending_for(caller))
        socketio.emit("session.restored", state, to=request.sid, namespace=MODERATOR_NAMESPACE)
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
    """The connected moderator, re-checked on every event (a suspension takes effect at once)."""
    raw = session.get("moderator_id")
    caller = caller_for_user(uuid.UUID(raw)) if raw else None
    if caller is None or caller.role not in {Role.MODERATOR, Role.PLATFORM_ADMIN}:
        raise Forbidden("The account is not active.")
    return caller


@socketio.on("audit.claim", namespace=MODERATOR_NAMESPACE)
@action(ItemRefSchema)
def on_claim(data: dict[str, Any]) -> dict[str, Any]:
    """Claim an item; the other consoles hear audit.claimed."""
    return AuditItemSchema().dump(audits.claim(_moderator(), data["item_id"]))


@socketio.on("audit.release", namespace=MODERATOR_NAMESPACE)
@action(ItemRefSchema)
def on_release(data: dict[str, Any]) -> dict[str, Any]:
    """Give one's claim back; the other consoles hear audit.released."""
    return AuditItemSchema().dump(audits.release(_moderator(), data["item_id"]))


@socketio.on("session.sync", namespace=MODERATOR_NAMESPACE)
@action(SyncSchema)
def on_sync(data: dict[str, Any]) -> dict[str, Any]:
    """Ask again for what is pending (or the next page of the queue with `cursor`)."""
    return PendingSchema().dump(audits.pending_for(_moderator(), data["cursor"]))
