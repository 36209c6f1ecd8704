"""Money endpoints: an expert's earnings, rewards and payouts; admin top-ups; company spend."""

from __future__ import annotations

import uuid
from typing import Any

from flask import Response, url_for
from flask.views import MethodView

from marketplace.accounts.models import Role
from marketplace.api.auth import company_caller, user_caller
from marketplace.api.guards import company_blueprint, user_blueprint
from marketplace.rewards import batch_reports, payouts, reports, services
from marketplace.rewards.schemas import (
    EarningsPageSchema,
    ExpertRewardPageSchema,
    MoneyPageArgsSchema,
    PayoutBatchDetailSchema,
    PayoutBatchPageSchema,
    PayoutDetailSchema,
    PayoutPageSchema,
    PayoutResolutionSchema,
    SpendArgsSchema,
    SpendPageSchema,
    TopUpResultSchema,
    TopUpSchema,
)

expert_blp = user_blueprint(
    "expert_rewards", __name__, "An expert's earnings, rewards and payouts.", Role.EXPERT
)
admin_blp = user_blueprint(
    "admin_money",
    __name__,
    "Platform admins: company top-ups, expert earnings, payout batches.",
    Role.PLATFORM_ADMIN,
)
spend_blp = company_blueprint("spend", __name__, "What the company spent on rewards.")
BLUEPRINTS = ((expert_blp, "/expert"), (admin_blp, "/admin"), (spend_blp, "/account"))


@expert_blp.route("/earnings")
class Earnings(MethodView):
    """The calling expert's money."""

    @expert_blp.response(200, EarningsPageSchema)
    def get(self) -> dict[str, Any]:
        """Available, pending, in-flight, paid and owed amounts per currency (minor units)."""
        expert_id = user_caller().user_id
        return {"expert_id": expert_id, "balances": reports.expert_earnings(expert_id)}


@expert_blp.route("/rewards")
class Rewards(MethodView):
    """The calling expert's rewards."""

    @expert_blp.arguments(MoneyPageArgsSchema, location="query")
    @expert_blp.response(200, ExpertRewardPageSchema)
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """Rewards newest first, each with its breakdown; page with `cursor`."""
        items, next_cursor = reports.list_expert_rewards(
            user_caller().user_id, args["cursor"], args["limit"]
        )
        return {"items": items, "next_cursor": next_cursor}


@expert_blp.route("/payouts")
class Payouts(MethodView):
    """The calling expert's payouts."""

    @expert_blp.arguments(MoneyPageArgsSchema, location="query")
    @expert_blp.response(200, PayoutPageSchema)
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """Payouts newest first; each one's statement is at /expert/payouts/<id>."""
        items, next_cursor = reports.list_expert_payouts(
            user_caller().user_id, args["cursor"], args["limit"]
        )
        return {"items": items, "next_cursor": next_cursor}


@expert_blp.route("/payouts/<uuid:payout_id>")
class PayoutStatement(MethodView):
    """One payout."""

    @expert_blp.response(200, PayoutDetailSchema)
    def get(self, payout_id: uuid.UUID) -> dict[str, Any]:
        """A payout with its statement: every credit and deduction it pays."""
        return reports.expert_payout(user_caller().user_id, payout_id)


@admin_blp.route("/companies/<uuid:company_id>/top-ups")
class TopUps(MethodView):
    """Prepaid money for a company."""

    @admin_blp.arguments(TopUpSchema)
    @admin_blp.response(201, TopUpResultSchema, description="Topped up.")
    @admin_blp.alt_response(200, schema=TopUpResultSchema, description="Key already applied.")
    @admin_blp.alt_response(404, description="No such company.")
    @admin_blp.alt_response(409, description="Key already used for another amount.")
    def post(self, data: dict[str, Any], company_id: uuid.UUID) -> Any:
        """Add money to a company's budget, once per idempotency key."""
        transaction_id, created = services.top_up(
            company_id,
            data["amount"],
            data["currency"],
            data["idempotency_key"],
            user_caller().actor,
        )
        balances = services.company_balances(company_id)
        body = {"transaction_id": transaction_id, "created": created, "balances": balances}
        return body, 201 if created else 200


@admin_blp.route("/experts/<uuid:expert_id>/earnings")
class ExpertEarnings(MethodView):
    """Any expert's money (support and finance)."""

    @admin_blp.response(200, EarningsPageSchema)
    def get(self, expert_id: uuid.UUID) -> dict[str, Any]:
        """An expert's available, pending, in-flight, paid and owed amounts per currency."""
        return {"expert_id": expert_id, "balances": reports.expert_earnings(expert_id)}


@admin_blp.route("/payout-batches")
class PayoutBatches(MethodView):
    """Payout batches (built daily by the schedule, or by `flask payouts build`)."""

    @admin_blp.arguments(MoneyPageArgsSchema, location="query")
    @admin_blp.response(200, PayoutBatchPageSchema)
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """Batches newest first with their totals per currency; page with `cursor`."""
        items, next_cursor = batch_reports.list_batches(args["cursor"], args["limit"])
        return {"items": [_with_file_url(b) for b in items], "next_cursor": next_cursor}


@admin_blp.route("/payout-batches/<uuid:batch_id>")
class PayoutBatchDetail(MethodView):
    """One payout batch."""

    @admin_blp.response(200, PayoutBatchDetailSchema)
    @admin_blp.alt_response(404, description="No such batch.")
    def get(self, batch_id: uuid.UUID) -> dict[str, Any]:
        """A batch with every payout in it."""
        return _with_file_url(batch_reports.batch_detail(batch_id))


@admin_blp.route("/payout-batches/<uuid:batch_id>/file")
class PayoutBatchFile(MethodView):
    """A batch's bank file."""

    @admin_blp.response(
        200, {"type": "string"}, content_type="text/csv", description="The CSV bank file."
    )
    @admin_blp.alt_response(404, description="No such batch.")
    def get(self, batch_id: uuid.UUID) -> Response:
        """The CSV to upload to the bank (format in docs/rewards.md)."""
        text, name = batch_reports.batch_file(batch_id)
        return Response(
            text,
            mimetype="text/csv",
            headers={"Content-Disposition": f'attachment; filename="{name}"'},
        )


@admin_blp.route("/payout-batches/<uuid:batch_id>/resolution")
class PayoutBatchResolution(MethodView):
    """What the bank reported for a batch."""

    @admin_blp.arguments(PayoutResolutionSchema)
    @admin_blp.response(200, PayoutBatchDetailSchema)
    @admin_blp.alt_response(404, description="No such batch, or a payout not in it.")
    @admin_blp.alt_response(409, description="A named payout already has the other outcome.")
    def post(self, data: dict[str, Any], batch_id: uuid.UUID) -> dict[str, Any]:
        """Mark the in-flight payouts (or `items`) paid or failed; repeating it changes nothing."""
        payouts.resolve_payouts(str(batch_id), data["outcome"], data["items"], user_caller().actor)
        return _with_file_url(batch_reports.batch_detail(batch_id))


def _with_file_url(batch: dict[str, Any]) -> dict[str, Any]:
    return batch | {
        "file_url": url_for(f"{admin_blp.name}.PayoutBatchFile", batch_id=batch["batch_id"])
    }


@spend_blp.route("/spend")
class Spend(MethodView):
    """The calling company's spend."""

    @spend_blp.arguments(SpendArgsSchema, location="query")
    @spend_blp.response(200, SpendPageSchema)
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """Spend per question (with holds), per day or per channel; default the last 30 days."""
        items, next_cursor = reports.company_spend(
            company_caller().company_id,
            args["group_by"],
            args["from_"],
            args["to"],
            args["cursor"],
            args["limit"],
        )
        return {
            "group_by": args["group_by"],
            "from_": args["from_"],
            "to": args["to"],
            "items": items,
            "next_cursor": next_cursor,
        }
