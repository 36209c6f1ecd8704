"""Experts sign up from the app; the new account is logged in with a session cookie."""

from __future__ import annotations

from typing import Any

from flask import current_app, session
from flask.views import MethodView
from flask_smorest import Blueprint

from marketplace.api.guards import require_json_body
from marketplace.api.sessions import SessionSchema, describe
from marketplace.errors import Forbidden
from marketplace.experts.profile import sign_up
from marketplace.experts.schemas import SignupSchema
from marketplace.extensions import limiter

URL_PREFIX = "/auth/signup"
blp = Blueprint("signup", __name__, description="Expert sign-up for the app.")
blp.before_request(require_json_body)


@blp.route("")
class Signup(MethodView):
    """A new expert account."""

    decorators = [limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"])]

    @blp.arguments(SignupSchema)
    @blp.response(201, SessionSchema)
    @blp.doc(security=[])
    def post(self, data: dict[str, Any]) -> dict[str, Any]:
        """Create an expert (not yet in any pool; apply to pools from the app) and log in."""
        if not current_app.config["EXPERT_SIGNUP"]:
            raise Forbidden("Sign-up is closed; ask for an invitation.")
        user = sign_up(data)
        session.clear()
        session["user_id"] = str(user.id)
        session.permanent = True
        return describe(user)
