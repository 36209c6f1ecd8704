"""The /expert namespace: presence, offers, claims and answers from experts' phones."""

from __future__ import annotations

import uuid
from typing import Any

from flask import request, session
from flask_socketio import ConnectionRefusedError, join_room

from marketplace.accounts.models import Role
from marketplace.accounts.services import UserCaller, caller_for_user
from marketplace.answers import services as answers
from marketplace.broadcast import EXPERT_NAMESPACE, expert_room
from marketplace.errors import DomainError, Forbidden
from marketplace.experts import presence
from marketplace.extensions import db, socketio
from marketplace.matching import claims, engine
from marketplace.matching.schemas import (
    AnswerSubmitSchema,
    AvailabilitySchema,
    OfferRefSchema,
    PendingSchema,
)
from marketplace.ops import metrics
from marketplace.realtime.common import action, socket_caller


@socketio.on("connect", namespace=EXPERT_NAMESPACE)
def on_connect(auth: Any = None) -> None:
    """Authenticate once, join the expert's room, record presence, send what is pending."""
    try:
        caller = socket_caller(auth, Role.EXPERT)
        session["expert_id"] = str(caller.user_id)
        join_room(expert_room(caller.user_id))
        running = engine.current_engine()
        presence.connected(caller.user_id, request.sid, running.server_id if running else "")
        state = PendingSchema().dump(claims.pending_for_expert(caller.user_id))
        socketio.emit("session.restored", state, to=request.sid, namespace=EXPERT_NAMESPACE)
        metrics.socket_connected(EXPERT_NAMESPACE)
    except DomainError as error:
        raise ConnectionRefusedError(error.to_problem()) from None
    finally:
        db.session.remove()


@socketio.on("disconnect", namespace=EXPERT_NAMESPACE)
def on_disconnect(reason: Any = None) -> None:
    """Forget the connection; the last one starts the grace period."""
    metrics.socket_disconnected(EXPERT_NAMESPACE)
    try:
        presence.disconnected(request.sid)
    finally:
        db.session.remove()


def _expert() -> UserCaller:
    """The connected expert, re-checked on every event (a suspension takes effect at once)."""
    caller = caller_for_user(uuid.UUID(session["expert_id"])) if "expert_id" in session else None
    if caller is None or caller.role != Role.EXPERT:
        raise Forbidden("The account is not active.")
    return caller


@socketio.on("availability.set", namespace=EXPERT_NAMESPACE)
@action(AvailabilitySchema)
def on_availability_set(data: dict[str, Any]) -> dict[str, Any]:
    """Go online, away or offline."""
    caller = _expert()
    return presence.set_availability(caller.user_id, data["availability"], caller.actor)


@socketio.on("offer.accept", namespace=EXPERT_NAMESPACE)
@action(OfferRefSchema)
def on_offer_accept(data: dict[str, Any]) -> dict[str, Any]:
    """Claim an offered question; exactly one expert wins."""
    caller = _expert()
    assignment = claims.accept_offer(caller.user_id, data["offer_id"], caller.actor)
    return {"assignment_id": str(assignment.id), "deadline": assignment.deadline.isoformat()}


@socketio.on("offer.decline", namespace=EXPERT_NAMESPACE)
@action(OfferRefSchema)
def on_offer_decline(data: dict[str, Any]) -> dict[str, Any]:
    """Turn an offer down."""
    caller = _expert()
    offer = claims.decline_offer(caller.user_id, data["offer_id"], caller.actor)
    return {"offer_id": str(offer.id), "status": "declined"}


@socketio.on("answer.submit", namespace=EXPERT_NAMESPACE)
@action(AnswerSubmitSchema)
def on_answer_submit(data: dict[str, Any]) -> dict[str, Any]:
    """Answer an assignment (idempotent by the client's key)."""
    caller = _expert()
    answer, created = answers.submit_answer(
        caller.user_id, data["assignment_id"], data["body"], data["idempotency_key"], caller.actor
    )
    return {"answer_id": str(answer.id), "created": created}


@socketio.on("session.sync", namespace=EXPERT_NAMESPACE)
@action()
def on_session_sync(_: Any) -> dict[str, Any]:
    """Ask again for what is pending (after the app returns from the background)."""
    return PendingSchema().dump(claims.pending_for_expert(_expert().user_id))
