"""The /company namespace: a company's dashboards hear about their questions as it happens."""

from __future__ import annotations

from typing import Any

from flask_socketio import ConnectionRefusedError, join_room

from marketplace.broadcast import COMPANY_NAMESPACE, company_room
from marketplace.companies.services import authenticate_api_key
from marketplace.errors import NotAuthenticated
from marketplace.extensions import db, socketio


@socketio.on("connect", namespace=COMPANY_NAMESPACE)
def on_connect(auth: Any = None) -> None:
    """Authenticate with the company's API key (auth={"api_key": ...}) and join its room."""
    try:
        key = auth.get("api_key") if isinstance(auth, dict) else None
        caller = authenticate_api_key(key) if isinstance(key, str) else None
        if caller is None:
            raise ConnectionRefusedError(
                NotAuthenticated("Connect with auth={'api_key': <company API key>}.").to_problem()
            )
        join_room(company_room(caller.company_id))
    finally:
        db.session.remove()
