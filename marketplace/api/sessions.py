"""Browser sessions for the web app: log in with a cookie, get the CSRF token, log out."""

from __future__ import annotations

from typing import Any

from flask import current_app, session
from flask.views import MethodView
from flask_smorest import Blueprint
from flask_wtf.csrf import generate_csrf
from marshmallow import Schema, fields

from marketplace.accounts import services
from marketplace.accounts.schemas import LoginSchema
from marketplace.api.auth import session_caller
from marketplace.api.guards import require_json_body
from marketplace.errors import NotAuthenticated
from marketplace.extensions import limiter
from marketplace.moderation import standing

URL_PREFIX = "/auth/session"
blp = Blueprint("session", __name__, description="Cookie sessions for the web app.")
blp.before_request(require_json_body)


class SessionSchema(Schema):
    """Who is logged in, and the token to send as X-CSRF-Token on unsafe requests."""

    user_id = fields.UUID()
    role = fields.String()
    display_name = fields.String()
    company_id = fields.UUID(allow_none=True)
    locale = fields.String()
    csrf_token = fields.String()


def describe(user: Any) -> dict[str, Any]:
    return {
        "user_id": user.id,
        "role": user.role.value,
        "display_name": user.display_name,
        "company_id": user.company_id,
        "locale": user.locale,
        "csrf_token": generate_csrf(),
    }


@blp.route("")
class Session(MethodView):
    """The browser's session (HttpOnly, SameSite cookie)."""

    decorators = [limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"], methods=["POST"])]

    @blp.response(200, SessionSchema)
    @blp.doc(security=[])
    def get(self) -> dict[str, Any]:
        """The logged-in person and a CSRF token; 401 when nobody is logged in."""
        caller = session_caller()
        if caller is None:
            raise NotAuthenticated("Not logged in.")
        return describe(services.get_user(caller.user_id))

    @blp.arguments(LoginSchema)
    @blp.response(200, SessionSchema)
    @blp.doc(security=[])
    def post(self, data: dict[str, Any]) -> dict[str, Any]:
        """Log in: sets the session cookie."""
        try:
            user, _ = services.login(data["email"], data["password"])
        except services.AccountInactive as refusal:
            raise standing.explain(refusal) from None  # a banned expert learns why at login
        session.clear()  # a new session on every login (no fixation)
        session["user_id"] = str(user.id)
        session.permanent = True
        return describe(user)

    @blp.response(204)
    def delete(self) -> None:
        """Log out."""
        session.clear()
