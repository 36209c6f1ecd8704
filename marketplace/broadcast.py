"""Every Socket.IO emit goes through here: events named `<thing>.<past tense>`, sent to rooms.

Web processes and RQ workers both emit with `socketio.emit`; with REDIS_URL set it is published
on the Redis message queue so the process holding the client's connection delivers it.
"""

from __future__ import annotations

import logging
import uuid
from typing import Any

from marketplace.extensions import socketio

log = logging.getLogger(__name__)

EXPERT_NAMESPACE = "/expert"
COMPANY_NAMESPACE = "/company"
MODERATOR_NAMESPACE = "/moderator"


def expert_room(expert_id: uuid.UUID) -> str:
    """The room of all connections of one expert."""
    return f"expert:{expert_id}"


def company_room(company_id: uuid.UUID) -> str:
    """The room of a company's dashboards."""
    return f"company:{company_id}"


def moderators_room(pool_id: uuid.UUID) -> str:
    """The room of the moderators working one pool."""
    return f"moderators:{pool_id}"


def to_expert(expert_id: uuid.UUID, event: str, payload: dict[str, Any]) -> None:
    """Send an event to every connection of an expert."""
    _emit(event, payload, expert_room(expert_id), EXPERT_NAMESPACE)


def to_company(company_id: uuid.UUID, event: str, payload: dict[str, Any]) -> None:
    """Send an event to a company's dashboards."""
    _emit(event, payload, company_room(company_id), COMPANY_NAMESPACE)


def to_moderators(pool_id: uuid.UUID, event: str, payload: dict[str, Any]) -> None:
    """Send an event to the moderators of a pool."""
    _emit(event, payload, moderators_room(pool_id), MODERATOR_NAMESPACE)


def _emit(event: str, payload: dict[str, Any], room: str, namespace: str) -> None:
    try:
        socketio.emit(event, payload, to=room, namespace=namespace)
    except Exception:  # a lost notification is re-sent on reconnect; never fail the caller
        log.exception("emit %s to %s failed", event, room)
