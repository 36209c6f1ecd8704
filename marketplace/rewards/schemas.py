"""Rewards input and output schemas: top-ups, earnings, reward breakdowns, payouts, spend."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from marshmallow import Schema, ValidationError, fields, post_load, validate

from marketplace.database import utcnow
from marketplace.rewards.currencies import is_currency
from marketplace.rewards.reports import SPEND_GROUPS
from marketplace.rewards.services import TOP_UP_MAX_MINOR


def _currency(value: str) -> None:
    if not is_currency(value):
        raise ValidationError("Must be an ISO 4217 currency code such as CNY or USD.")


class TopUpSchema(Schema):
    """Prepaid money for a company's budget, once per idempotency key."""

    amount = fields.Integer(
        required=True,
        strict=True,
        validate=validate.Range(1, TOP_UP_MAX_MINOR, error="Must be 1 to {max} minor units."),
        metadata={"description": "Minor units (fen, cents) of `currency`."},
    )
    currency = fields.String(required=True, validate=_currency)
    idempotency_key = fields.String(
        required=True,
        validate=validate.Length(1, 100),
        metadata={"description": "E.g. the bank transfer reference; repeats change nothing."},
    )


class CompanyBalanceSchema(Schema):
    """A company's money in one currency, in minor units."""

    currency = fields.String()
    budget = fields.Integer()
    on_hold = fields.Integer()
    spent = fields.Integer()
    topped_up = fields.Integer()


class TopUpResultSchema(Schema):
    """The top-up's ledger transaction and the company's balances after it."""

    transaction_id = fields.Integer()
    created = fields.Boolean(metadata={"description": "False: this key was already applied."})
    balances = fields.List(fields.Nested(CompanyBalanceSchema))


class EarningsSchema(Schema):
    """An expert's money in one currency, in minor units."""

    currency = fields.String()
    available = fields.Integer(metadata={"description": "Credited; goes into the next payout."})
    pending = fields.Integer(metadata={"description": "Accepted rewards not yet settled."})
    in_flight = fields.Integer(metadata={"description": "In a payout, transfer not confirmed."})
    paid = fields.Integer(metadata={"description": "Paid out so far."})
    owed = fields.Integer(metadata={"description": "Reversed after payout; recovered later."})


class EarningsPageSchema(Schema):
    """An expert's earnings per currency."""

    expert_id = fields.UUID()
    balances = fields.List(fields.Nested(EarningsSchema))


class RewardBreakdownSchema(Schema):
    """How a payout was computed: base x quality x speed x tier, capped, rounded down."""

    base = fields.Integer()
    quality_score = fields.Float()
    quality_multiplier = fields.String()
    speed_multiplier = fields.String()
    tier = fields.String()
    tier_multiplier = fields.String()
    cap_multiplier = fields.String()
    capped = fields.Boolean()
    payout = fields.Integer()


class ExpertRewardSchema(Schema):
    """One reward as its expert sees it."""

    reward_id = fields.String()
    answer_id = fields.String()
    question_id = fields.String()
    status = fields.String(metadata={"description": "pending, settled, reversed or void."})
    currency = fields.String()
    payout = fields.Integer()
    breakdown = fields.Nested(RewardBreakdownSchema)
    reason = fields.String(allow_none=True)
    created_at = fields.String()
    settled_at = fields.String(allow_none=True)
    reversed_at = fields.String(allow_none=True)


class MoneyPageArgsSchema(Schema):
    """An opaque cursor and a page size."""

    cursor = fields.String(load_default=None, validate=validate.Length(max=200))
    limit = fields.Integer(load_default=50, validate=validate.Range(1, 200))


class ExpertRewardPageSchema(Schema):
    """A page of rewards, newest first."""

    items = fields.List(fields.Nested(ExpertRewardSchema))
    next_cursor = fields.String(allow_none=True)


class PayoutSchema(Schema):
    """One payout to an expert in one currency."""

    payout_id = fields.UUID()
    batch = fields.String()
    currency = fields.String()
    amount = fields.Integer()
    debt_recovered = fields.Integer()
    status = fields.String(metadata={"description": "in_flight, paid or failed."})
    created_at = fields.AwareDateTime()
    resolved_at = fields.AwareDateTime(allow_none=True)


class PayoutDetailSchema(PayoutSchema):
    """A payout with its statement: the earnings it pays since the previous payout."""

    statement = fields.Dict()


class PayoutPageSchema(Schema):
    """A page of payouts, newest first."""

    items = fields.List(fields.Nested(PayoutSchema))
    next_cursor = fields.String(allow_none=True)


class SpendArgsSchema(Schema):
    """Spend grouped by question (posted in the period), day or channel (money moved in it)."""

    group_by = fields.String(load_default="day", validate=validate.OneOf(SPEND_GROUPS))
    from_ = fields.AwareDateTime(data_key="from", load_default=None)
    to = fields.AwareDateTime(load_default=None)
    cursor = fields.String(load_default=None, validate=validate.Length(max=200))
    limit = fields.Integer(load_default=100, validate=validate.Range(1, 500))

    @post_load
    def _period(self, data: dict[str, Any], **_: Any) -> dict[str, Any]:
        data["to"] = data["to"] or utcnow()
        data["from_"] = data["from_"] or data["to"] - timedelta(days=30)
        return data


class SpendRowSchema(Schema):
    """Money for one question, day or channel, in minor units."""

    key = fields.String(metadata={"description": "Question id, YYYY-MM-DD (UTC) or channel."})
    currency = fields.String()
    rewards = fields.Integer(metadata={"description": "Rewards captured."})
    captured = fields.Integer(metadata={"description": "Payouts plus fees captured."})
    reversed = fields.Integer(metadata={"description": "Given back after disputes."})
    spent = fields.Integer(metadata={"description": "captured - reversed."})
    payout = fields.Integer()
    fee = fields.Integer()
    external_id = fields.String()
    channel = fields.String()
    status = fields.String()
    held = fields.Integer(metadata={"description": "Still on hold for the question."})
    pending = fields.Integer(metadata={"description": "Reserved by accepted, unsettled rewards."})


class SpendPageSchema(Schema):
    """Spend rows for the period; question rows page with a cursor."""

    group_by = fields.String()
    from_ = fields.AwareDateTime(data_key="from")
    to = fields.AwareDateTime()
    items = fields.List(fields.Nested(SpendRowSchema))
    next_cursor = fields.String(allow_none=True)


class PayoutBatchTotalSchema(Schema):
    """A batch's items in one currency."""

    currency = fields.String()
    items = fields.Integer()
    in_flight = fields.Integer(metadata={"description": "Items whose transfer is unconfirmed."})
    amount = fields.Integer(metadata={"description": "Minor units."})


class PayoutBatchSchema(Schema):
    """A payout batch as finance sees it."""

    batch_id = fields.UUID()
    key = fields.String(metadata={"description": "E.g. 2026-11-24 for the daily batch."})
    status = fields.String(
        metadata={"description": "open while any item is in flight, else closed."}
    )
    provider = fields.String()
    created_at = fields.AwareDateTime()
    exported_at = fields.AwareDateTime(allow_none=True)
    closed_at = fields.AwareDateTime(allow_none=True)
    totals = fields.List(fields.Nested(PayoutBatchTotalSchema))
    file_url = fields.String(metadata={"description": "The bank file (CSV, docs/rewards.md)."})


class PayoutBatchPageSchema(Schema):
    """A page of payout batches, newest first."""

    items = fields.List(fields.Nested(PayoutBatchSchema))
    next_cursor = fields.String(allow_none=True)


class PayoutBatchItemSchema(Schema):
    """One payout of a batch."""

    payout_id = fields.UUID()
    expert_id = fields.UUID()
    currency = fields.String()
    amount = fields.Integer()
    debt_recovered = fields.Integer()
    status = fields.String(metadata={"description": "in_flight, paid or failed."})
    resolved_at = fields.AwareDateTime(allow_none=True)


class PayoutBatchDetailSchema(PayoutBatchSchema):
    """A payout batch with its items."""

    items = fields.List(fields.Nested(PayoutBatchItemSchema))


def _unique(values: list[Any]) -> None:
    if len(set(values)) != len(values):
        raise ValidationError("Name each payout once.")


class PayoutResolutionSchema(Schema):
    """The bank's answer: the batch's in-flight payouts (or the listed ones) paid or failed."""

    outcome = fields.String(
        required=True,
        validate=validate.OneOf(["paid", "failed"], error="Use paid or failed."),
        metadata={"description": "paid: money reached the expert; failed: back to earnings."},
    )
    items = fields.List(
        fields.UUID(),
        load_default=list,
        validate=[validate.Length(max=10_000), _unique],
        metadata={"description": "Payout ids (the CSV's payout_id); empty: every item in flight."},
    )
