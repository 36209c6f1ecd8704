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


def moderators_room(company_id: uuid.UUID | None) -> str:
    """The room of a company's moderators (every pool, also pools created after they
    connected); platform admins are in the platform room (company None)."""
    return f"moderators:{company_id}" if company_id else PLATFORM_MODERATORS_ROOM


def moderator_room(user_id: uuid.UUID) -> str:
    """The room of all consoles of one moderator (calibration items, items they may claim)."""
    return f"moderator:{user_id}"


PLATFORM_MODERATORS_ROOM = "moderators:platform"


def to_expert(expert_id: uuid.UUID, event: str, payload: dict[str, Any]) -> None:
    """Send an event to every connection of an expert."""
    _emit(event, payload, expert_room(expert_id), EXPERT_NAMESPACE)


def to_company(company_id: uuid.UUID, event: str, payload: dict[str, Any]) -> None:
    """Send an event to a company's dashboards."""
    _emit(event, payload, company_room(company_id), COMPANY_NAMESPACE)


def to_moderators(company_id: uuid.UUID, event: str, payload: dict[str, Any]) -> None:
    """Send an event to a company's moderators and to the platform admins."""
    rooms = [moderators_room(company_id), PLATFORM_MODERATORS_ROOM]
    _emit(event, payload, rooms, MODERATOR_NAMESPACE)


def to_moderator(user_id: uuid.UUID, event: str, payload: dict[str, Any]) -> None:
    """Send an event to every console of one moderator."""
    _emit(event, payload, moderator_room(user_id), MODERATOR_NAMESPACE)


def _emit(event: str, payload: dict[str, Any], room: str | list[str], namespace: str) -> None:
    try:
        socketio.emit(event, payload, to=room, namespace=namespace)
    except Exception:  # state is in the database: a reconnecting client is sent what is
        # pending (session.restored on /expert and /moderator); never fail the caller
        log.exception("emit %s to %s failed", event, room)
