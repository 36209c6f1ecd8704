"""The moderator console's API: audit queue, verdicts, disputes, vetting, sanctions, reports."""

from __future__ import annotations

import uuid
from typing import Any

from flask.views import MethodView

from marketplace.accounts.models import Role
from marketplace.api.auth import user_caller
from marketplace.api.guards import user_blueprint
from marketplace.moderation import audits, calibration, disputes, links, sanctions, vetting
from marketplace.moderation.schemas import (
    ApplicationDecisionSchema,
    ApplicationSchema,
    AuditItemSchema,
    DisputeArgsSchema,
    DisputeDecisionSchema,
    DisputeSchema,
    ItemDetailSchema,
    LinkInSchema,
    QueueArgsSchema,
    ReportSchema,
    SanctionInSchema,
    SanctionSchema,
    VerdictInSchema,
)

URL_PREFIX = "/moderation"
blp = user_blueprint(
    "moderation",
    __name__,
    "Audit answers, settle disputes, vet and sanction.",
    Role.MODERATOR,
    Role.PLATFORM_ADMIN,
)


@blp.route("/queue")
class Queue(MethodView):
    """The audit queue."""

    @blp.arguments(QueueArgsSchema, location="query")
    @blp.response(200, AuditItemSchema(many=True))
    def get(self, args: dict[str, Any]) -> Any:
        """Open items (and expired claims), most urgent and oldest first."""
        return audits.queue_for(
            user_caller(), args["status"], args["pool_id"], args["reason"], args["limit"]
        )


@blp.route("/items/<uuid:item_id>")
class Item(MethodView):
    """One item."""

    @blp.response(200, ItemDetailSchema)
    def get(self, item_id: uuid.UUID) -> Any:
        """The answer beside its question, its scoring reasons and the expert's history."""
        return audits.item_detail(user_caller(), item_id)


@blp.route("/items/<uuid:item_id>/claim")
class Claim(MethodView):
    """Take an item (10 minutes)."""

    @blp.response(200, AuditItemSchema)
    @blp.alt_response(409, description="Another moderator holds it.")
    def post(self, item_id: uuid.UUID) -> Any:
        """Claim: two moderators never audit the same answer at once."""
        return audits.claim(user_caller(), item_id)


@blp.route("/items/<uuid:item_id>/release")
class Release(MethodView):
    """Give an item back."""

    @blp.response(200, AuditItemSchema)
    def post(self, item_id: uuid.UUID) -> Any:
        """Release a claim."""
        return audits.release(user_caller(), item_id)


@blp.route("/items/<uuid:item_id>/verdict")
class ItemVerdict(MethodView):
    """Decide."""

    @blp.arguments(VerdictInSchema)
    @blp.response(200, AuditItemSchema)
    def post(self, data: dict[str, Any], item_id: uuid.UUID) -> Any:
        """approve, approve_with_edit (the edit goes to the company) or reject (with reasons:
        wrong, incomplete, rude, off_brand, personal_data, copied, spam)."""
        return audits.decide(
            user_caller(),
            item_id,
            data["verdict"],
            data["reasons"],
            data["edited_body"],
            data["note"],
        )


@blp.route("/disputes")
class Disputes(MethodView):
    """Appeals."""

    @blp.arguments(DisputeArgsSchema, location="query")
    @blp.response(200, DisputeSchema(many=True))
    def get(self, args: dict[str, Any]) -> Any:
        """Appeals in the moderator's company."""
        return disputes.list_disputes(user_caller(), args["status"])


@blp.route("/disputes/<uuid:dispute_id>/decision")
class DisputeDecision(MethodView):
    """Decide an appeal."""

    @blp.arguments(DisputeDecisionSchema)
    @blp.response(200, DisputeSchema)
    def post(self, data: dict[str, Any], dispute_id: uuid.UUID) -> Any:
        """Uphold or overturn (by a moderator other than the one who rejected); final."""
        return disputes.decide(user_caller(), dispute_id, data["overturn"], data["note"])


@blp.route("/applications")
class Applications(MethodView):
    """Experts applying to pools."""

    @blp.response(200, ApplicationSchema(many=True))
    def get(self) -> Any:
        """Applications waiting for review, with their qualification test results."""
        return vetting.applications(user_caller())


@blp.route("/applications/<uuid:membership_id>/decision")
class ApplicationDecision(MethodView):
    """Vet an applicant."""

    @blp.arguments(ApplicationDecisionSchema)
    @blp.response(200, description="Decided.")
    def post(self, data: dict[str, Any], membership_id: uuid.UUID) -> dict[str, str]:
        """Approve (probation tier) or reject."""
        membership = vetting.review(user_caller(), membership_id, data["approve"], data["note"])
        return {"status": membership.status.value}


@blp.route("/sanctions")
class Sanctions(MethodView):
    """Sanctions."""

    @blp.arguments(SanctionInSchema)
    @blp.response(201, SanctionSchema)
    def post(self, data: dict[str, Any]) -> Any:
        """Warn, suspend until a time, remove from a pool; platform admins may also ban."""
        return sanctions.sanction(
            user_caller(),
            data["expert_id"],
            data["kind"],
            data["reason"],
            data["until"],
            data["pool_id"],
        )


@blp.route("/links")
class Links(MethodView):
    """Conflicts of interest."""

    @blp.arguments(LinkInSchema)
    @blp.response(201, description="Recorded.")
    def post(self, data: dict[str, Any]) -> None:
        """Declare that you know an expert; you will not be given their answers."""
        links.declare(user_caller(), data["expert_id"], data["reason"])


@blp.route("/report")
class Report(MethodView):
    """How moderators are doing."""

    @blp.response(200, ReportSchema)
    def get(self) -> Any:
        """Accuracy on calibration items per moderator, and agreement (Cohen's kappa)."""
        return calibration.report(user_caller())
