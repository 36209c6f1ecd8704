"""Bearer tokens for people: experts' phones, moderators' and admins' consoles."""

from __future__ import annotations

from typing import Any

from flask import current_app
from flask.views import MethodView
from flask_smorest import Blueprint

from marketplace.accounts import services
from marketplace.accounts.schemas import LoginSchema, TokenSchema
from marketplace.api.guards import require_json_body
from marketplace.extensions import limiter
from marketplace.moderation import standing

URL_PREFIX = "/auth"
blp = Blueprint("auth", __name__, description="Log in and get a short-lived bearer token.")
blp.before_request(require_json_body)


@blp.route("/token")
class Token(MethodView):
    """A token for the person with these credentials."""

    decorators = [limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"])]

    @blp.arguments(LoginSchema)
    @blp.response(200, TokenSchema)
    @blp.doc(security=[])
    def post(self, data: dict[str, Any]) -> dict[str, Any]:
        """Exchange e-mail and password for a bearer token (also used to open a socket)."""
        try:
            user, token = services.login(data["email"], data["password"])
        except services.AccountInactive as refusal:
            raise standing.explain(refusal) from None  # a banned expert learns why at login
        return {
            "token": token,
            "expires_in": current_app.config["USER_TOKEN_SECONDS"],
            "user_id": user.id,
            "role": user.role.value,
            "display_name": user.display_name,
        }
