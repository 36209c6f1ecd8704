"""Applying to pools and qualification tests, appeals and sanctions; company invites."""

from __future__ import annotations

import uuid
from typing import Any

from flask.views import MethodView

from marketplace.accounts.models import Role
from marketplace.api.auth import company_caller, user_caller
from marketplace.api.guards import company_blueprint, user_blueprint
from marketplace.moderation import disputes, sanctions, vetting
from marketplace.moderation.schemas import (
    AppealSchema,
    ApplicationStatusSchema,
    ApplySchema,
    DisputeSchema,
    InviteInSchema,
    InviteOutSchema,
    SanctionSchema,
    TestAnswersSchema,
    TestQuestionSchema,
    TestResultSchema,
)

blp = user_blueprint(
    "expert-onboarding", __name__, "Pools, qualification tests, appeals.", Role.EXPERT
)
URL_PREFIX = "/expert"

invites_blp = company_blueprint("invites", __name__, "Invite known fans to invite-only pools.")
INVITES_PREFIX = "/invites"


@blp.route("/pools/<uuid:pool_id>/apply")
class Apply(MethodView):
    """Apply to a pool."""

    @blp.arguments(ApplySchema)
    @blp.response(201, ApplicationStatusSchema)
    def post(self, data: dict[str, Any], pool_id: uuid.UUID) -> Any:
        """Apply; invite-only pools need the token from the invite link."""
        caller = user_caller()
        return vetting.apply(caller.user_id, pool_id, data["invite"], caller.actor)


@blp.route("/pools/<uuid:pool_id>/test")
class QualificationTest(MethodView):
    """The qualification test."""

    @blp.response(200, TestQuestionSchema(many=True))
    def get(self, pool_id: uuid.UUID) -> Any:
        """The test's questions."""
        return vetting.current_test(user_caller().user_id, pool_id)

    @blp.arguments(TestAnswersSchema)
    @blp.response(200, TestResultSchema)
    def post(self, data: dict[str, Any], pool_id: uuid.UUID) -> Any:
        """Submit the answers; they are graded, then a moderator reviews the application."""
        caller = user_caller()
        return vetting.submit_test(caller.user_id, pool_id, data["answers"], caller.actor)


@blp.route("/answers/<uuid:answer_id>/appeal")
class Appeal(MethodView):
    """Appeal a rejection."""

    @blp.arguments(AppealSchema)
    @blp.response(201, DisputeSchema)
    def post(self, data: dict[str, Any], answer_id: uuid.UUID) -> Any:
        """Once per answer; another moderator decides and the decision is final."""
        caller = user_caller()
        return disputes.appeal(caller.user_id, answer_id, data["note"], caller.actor)


@blp.route("/sanctions")
class MySanctions(MethodView):
    """Sanctions on my account."""

    @blp.response(200, SanctionSchema(many=True))
    def get(self) -> Any:
        """Every sanction with who, why and when."""
        return sanctions.sanctions_of(user_caller().user_id)


@invites_blp.route("")
class Invites(MethodView):
    """Invite links."""

    @invites_blp.arguments(InviteInSchema)
    @invites_blp.response(201, InviteOutSchema)
    def post(self, data: dict[str, Any]) -> dict[str, Any]:
        """A token for an invite link (shown once; valid 14 days; optionally for one e-mail)."""
        caller = company_caller()
        invite, token = vetting.create_invite(
            caller.company_id, data["pool"], data["email"], caller.actor
        )
        return {"token": token, "pool_id": invite.pool_id, "expires_at": invite.expires_at}
