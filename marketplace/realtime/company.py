"""The /company namespace: a company's dashboards hear about their questions as it happens."""

from __future__ import annotations

import uuid
from typing import Any

from flask import session
from flask_socketio import ConnectionRefusedError, join_room

from marketplace.accounts.models import Role
from marketplace.accounts.services import caller_for_user
from marketplace.broadcast import COMPANY_NAMESPACE, company_room
from marketplace.companies.services import authenticate_api_key
from marketplace.errors import NotAuthenticated
from marketplace.extensions import db, socketio
from marketplace.ops import metrics


@socketio.on("connect", namespace=COMPANY_NAMESPACE)
def on_connect(auth: Any = None) -> None:
    """Authenticate with an API key (auth={"api_key": ...}) or a company admin's session."""
    try:
        key = auth.get("api_key") if isinstance(auth, dict) else None
        caller = authenticate_api_key(key) if isinstance(key, str) else None
        company_id = caller.company_id if caller else _session_company()
        if company_id is None:
            raise ConnectionRefusedError(
                NotAuthenticated("Connect with auth={'api_key': <company API key>}.").to_problem()
            )
        join_room(company_room(company_id))
        metrics.socket_connected(COMPANY_NAMESPACE)
    finally:
        db.session.remove()


@socketio.on("disconnect", namespace=COMPANY_NAMESPACE)
def on_disconnect(reason: Any = None) -> None:
    """A dashboard went away."""
    metrics.socket_disconnected(COMPANY_NAMESPACE)


def _session_company() -> uuid.UUID | None:
    raw = session.get("user_id")
    caller = caller_for_user(uuid.UUID(raw)) if raw else None
    if caller is None or caller.role != Role.COMPANY_ADMIN:
        return None
    return caller.company_id
