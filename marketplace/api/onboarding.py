"""Applying to pools, qualification tests, invites and appeals; the expert's sanctions."""

from __future__ import annotations

import uuid
from typing import Any

from flask import current_app, g, request, session
from flask.views import MethodView
from flask_smorest import Blueprint
from flask_wtf.csrf import validate_csrf
from wtforms import ValidationError

from marketplace.accounts.models import Role
from marketplace.accounts.services import get_user
from marketplace.accounts.tokens import read_token
from marketplace.api.auth import (
    SAFE_METHODS,
    bearer_token,
    company_caller,
    rate_limit_key,
    user_caller,
)
from marketplace.api.guards import company_blueprint, require_json_body, user_blueprint
from marketplace.errors import Forbidden, NotAuthenticated, NotFound
from marketplace.eventlog.services import Actor
from marketplace.extensions import limiter
from marketplace.moderation import disputes, invites, sanctions, vetting
from marketplace.moderation.schemas import (
    AppealSchema,
    ApplicationStatusSchema,
    ApplySchema,
    DisputeSchema,
    InviteInfoSchema,
    InviteInSchema,
    InviteOutSchema,
    SanctionSchema,
    TestAnswersSchema,
    TestQuestionSchema,
    TestResultSchema,
)

blp = user_blueprint(
    "expert-onboarding", __name__, "Pools, qualification tests, invites, appeals.", Role.EXPERT
)
URL_PREFIX = "/expert"

invites_blp = company_blueprint("invites", __name__, "Invite known fans to invite-only pools.")
INVITES_PREFIX = "/invites"

# Sanctions and appeals stay reachable while the account is suspended or banned: that is when
# they matter (an automatic suspension is lifted when the appeal behind it succeeds).
standing_blp = Blueprint(
    "expert-standing", __name__, description="Sanctions and appeals (also while suspended)."
)
STANDING_PREFIX = "/expert"
limiter.limit(lambda: current_app.config["API_RATE_LIMIT"], key_func=rate_limit_key)(standing_blp)


@standing_blp.before_request
def _expert_of_any_status() -> None:
    """Like the other expert endpoints (token, or session with CSRF on unsafe methods), minus
    the account-active check."""
    token = bearer_token()
    claims = read_token(token) if token else None
    raw = session.get("user_id") if token is None else None
    if raw and request.method not in SAFE_METHODS:
        try:
            validate_csrf(request.headers.get("X-CSRF-Token", ""))
        except ValidationError as error:
            raise Forbidden("Missing or stale CSRF token (send X-CSRF-Token).") from error
    user_id = claims.user_id if claims else uuid.UUID(raw) if raw else None
    try:
        user = get_user(user_id) if user_id else None
    except NotFound:
        user = None
    if user is None:
        raise NotAuthenticated("Send a valid token as 'Authorization: Bearer <token>'.")
    if user.role != Role.EXPERT:
        raise Forbidden("This needs the role expert.")
    g.standing_expert_id = user.id


standing_blp.before_request(require_json_body)


@blp.route("/pools/<uuid:pool_id>/apply")
class Apply(MethodView):
    """Apply to a pool."""

    @blp.arguments(ApplySchema)
    @blp.response(201, ApplicationStatusSchema)
    def post(self, data: dict[str, Any], pool_id: uuid.UUID) -> Any:
        """Apply; an invite-only pool needs the token of an invite link, or an invite sent to
        your e-mail address. The test (if the pool has gold questions) follows."""
        caller = user_caller()
        return vetting.apply(caller.user_id, pool_id, data["invite"], caller.actor)


@blp.route("/pools/<uuid:pool_id>/test")
class QualificationTest(MethodView):
    """The qualification test."""

    @blp.response(200, TestQuestionSchema(many=True))
    def get(self, pool_id: uuid.UUID) -> Any:
        """The test's questions (the same on every reload)."""
        return vetting.current_test(user_caller().user_id, pool_id)

    @blp.arguments(TestAnswersSchema)
    @blp.response(200, TestResultSchema)
    def post(self, data: dict[str, Any], pool_id: uuid.UUID) -> Any:
        """Submit the answers once; they are graded, then a moderator reviews the application."""
        caller = user_caller()
        return vetting.submit_test(caller.user_id, pool_id, data["answers"], caller.actor)


@blp.route("/invites/<string:token>")
class InviteInfo(MethodView):
    """An invite link."""

    @blp.response(200, InviteInfoSchema)
    def get(self, token: str) -> Any:
        """Which pool and company an invite link leads to, and whether it can still be used."""
        return invites.describe(token[:100], user_caller().user_id)


@standing_blp.route("/answers/<uuid:answer_id>/appeal")
class Appeal(MethodView):
    """Appeal a rejection."""

    @standing_blp.arguments(AppealSchema)
    @standing_blp.response(201, DisputeSchema)
    def post(self, data: dict[str, Any], answer_id: uuid.UUID) -> Any:
        """Once per answer, also while suspended; another moderator decides, finally."""
        expert_id = g.standing_expert_id
        return disputes.appeal(expert_id, answer_id, data["note"], Actor.user(expert_id))


@standing_blp.route("/sanctions")
class MySanctions(MethodView):
    """Sanctions on my account."""

    @standing_blp.response(200, SanctionSchema(many=True))
    def get(self) -> Any:
        """Every sanction with who, why and when, newest first (works while suspended or
        banned, with the token or login session you had)."""
        return sanctions.sanctions_of(g.standing_expert_id)


@invites_blp.route("")
class Invites(MethodView):
    """Invite links."""

    @invites_blp.arguments(InviteInSchema)
    @invites_blp.response(201, InviteOutSchema)
    def post(self, data: dict[str, Any]) -> dict[str, Any]:
        """An invite link to an invite-only pool (shown once; valid 14 days; optionally for one
        e-mail address, whose owner may then also apply without the link)."""
        caller = company_caller()
        invite, token = invites.create_invite(
            caller.company_id, data["pool"], data["email"], caller.actor
        )
        path = invites.LINK_PATH + token
        return {
            "token": token,
            "path": path,
            "url": request.host_url.rstrip("/") + path,
            "pool_id": invite.pool_id,
            "email": invite.email,
            "expires_at": invite.expires_at,
        }
