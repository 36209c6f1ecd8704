"""The moderator console's API: audit queue, verdicts, disputes, vetting, sanctions, reports."""

from __future__ import annotations

import uuid
from typing import Any

from flask.views import MethodView

from marketplace.accounts.models import Role
from marketplace.api.auth import user_caller
from marketplace.api.guards import user_blueprint
from marketplace.moderation import (
    audits,
    calibration,
    disputes,
    history,
    links,
    sanctions,
    vetting,
)
from marketplace.moderation.schemas import (
    ApplicationDecisionSchema,
    ApplicationPageSchema,
    AuditItemSchema,
    DisputeArgsSchema,
    DisputeDecisionSchema,
    DisputePageSchema,
    DisputeSchema,
    ExpertHistorySchema,
    ItemDetailSchema,
    LinkInSchema,
    PageArgsSchema,
    QueueArgsSchema,
    QueuePageSchema,
    QueuePoolSchema,
    ReportArgsSchema,
    ReportSchema,
    SanctionArgsSchema,
    SanctionInSchema,
    SanctionPageSchema,
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


def page(items: Any, next_cursor: str | None) -> dict[str, Any]:
    """A list page in the one shape: items and the cursor of the next page."""
    return {"items": items, "next_cursor": next_cursor}


@blp.route("/queue")
class Queue(MethodView):
    """The audit queue."""

    @blp.arguments(QueueArgsSchema, location="query")
    @blp.response(200, QueuePageSchema)
    def get(self, args: dict[str, Any]) -> Any:
        """Items you may claim: open (and run-out claims) by default; by priority, then SLA
        deadline, then age. Filter by `status`, `pool_id`, `reason`; page with `cursor`."""
        return page(
            *audits.queue_for(
                user_caller(),
                args["status"],
                args["pool_id"],
                args["reason"],
                args["cursor"],
                args["limit"],
            )
        )


@blp.route("/pools")
class QueuePools(MethodView):
    """Pools to filter the queue by."""

    @blp.response(200, QueuePoolSchema(many=True))
    def get(self) -> Any:
        """Your company's pools (platform admins: every company's), by name."""
        return audits.queue_pools(user_caller())


@blp.route("/items/<uuid:item_id>")
class Item(MethodView):
    """One item."""

    @blp.response(200, ItemDetailSchema)
    def get(self, item_id: uuid.UUID) -> Any:
        """The answer beside its question, its automatic checks, feedback, expert's history."""
        return audits.item_detail(user_caller(), item_id)


@blp.route("/items/<uuid:item_id>/claim")
class Claim(MethodView):
    """Take an item for a while (MODERATION_CLAIM_SECONDS, default 10 minutes)."""

    @blp.response(200, AuditItemSchema)
    @blp.alt_response(409, description="Another moderator holds it.")
    def post(self, item_id: uuid.UUID) -> Any:
        """Claim: two moderators never audit the same answer at once."""
        return audits.claim(user_caller(), item_id)


@blp.route("/items/<uuid:item_id>/release")
class Release(MethodView):
    """Give an item back."""

    @blp.response(200, AuditItemSchema)
    @blp.alt_response(409, description="You do not hold it.")
    def post(self, item_id: uuid.UUID) -> Any:
        """Release your claim."""
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
    @blp.response(200, DisputePageSchema)
    def get(self, args: dict[str, Any]) -> Any:
        """Appeals in your company that you may decide, oldest first."""
        return page(
            *disputes.list_disputes(user_caller(), args["status"], args["cursor"], args["limit"])
        )


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

    @blp.arguments(PageArgsSchema, location="query")
    @blp.response(200, ApplicationPageSchema)
    def get(self, args: dict[str, Any]) -> Any:
        """Applications waiting for review, with the test, brands, topics and motivation."""
        return page(*vetting.applications(user_caller(), args["cursor"], args["limit"]))


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

    @blp.arguments(SanctionArgsSchema, location="query")
    @blp.response(200, SanctionPageSchema)
    def get(self, args: dict[str, Any]) -> Any:
        """Sanctions your company gave (platform admins: all), newest first."""
        return page(
            *history.list_sanctions(user_caller(), args["expert_id"], args["cursor"], args["limit"])
        )

    @blp.arguments(SanctionInSchema)
    @blp.response(201, SanctionSchema)
    def post(self, data: dict[str, Any]) -> Any:
        """Warn, suspend within your company until a time, remove from a pool; platform admins
        suspend platform-wide and ban."""
        return sanctions.sanction(
            user_caller(),
            data["expert_id"],
            data["kind"],
            data["reason"],
            data["until"],
            data["pool_id"],
        )


@blp.route("/experts/<uuid:expert_id>")
class ExpertHistory(MethodView):
    """One expert's record with your company."""

    @blp.response(200, ExpertHistorySchema)
    def get(self, expert_id: uuid.UUID) -> Any:
        """Memberships in your pools, verdicts on their answers, appeals and sanctions."""
        return history.expert_history(user_caller(), expert_id)


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

    @blp.arguments(ReportArgsSchema, location="query")
    @blp.response(200, ReportSchema)
    def get(self, args: dict[str, Any]) -> Any:
        """Accuracy on calibration items per moderator; agreement per pair and pooled."""
        return calibration.report(user_caller(), args["days"])
