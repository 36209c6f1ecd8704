"""What experts see of offers and assignments, in events and in the REST twins."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from marketplace.companies.models import OfferMode
from marketplace.experts.models import Availability
from marketplace.matching.settings import LIMITS, MAX_RINGS, RING_SECONDS


class ExpertQuestionSchema(Schema):
    """A question as an expert sees it: no customer reference, no company internals."""

    id = fields.UUID()
    subject = fields.String()
    body = fields.String()
    channel = fields.String(attribute="channel.value")
    language = fields.String()
    tags = fields.List(fields.String())
    priority = fields.Integer()
    reward = fields.Method("_reward")
    sla_deadline = fields.AwareDateTime()

    def _reward(self, question: Any) -> dict[str, Any]:
        return {
            "amount": question.reward_amount + question.reward_raise,
            "currency": question.reward_currency,
        }


class OfferSchema(Schema):
    """An offer to one expert, with its countdown and why they were chosen."""

    id = fields.UUID()
    status = fields.String(attribute="status.value")
    question = fields.Nested(ExpertQuestionSchema)
    created_at = fields.AwareDateTime()
    expires_at = fields.AwareDateTime()
    ring = fields.Integer()
    reasons = fields.Dict()


class AssignmentSchema(Schema):
    """A claimed question and its answer deadline."""

    id = fields.UUID()
    status = fields.String(attribute="status.value")
    question = fields.Nested(ExpertQuestionSchema)
    created_at = fields.AwareDateTime()
    deadline = fields.AwareDateTime()


class OfferRefSchema(Schema):
    """Names one offer (socket actions)."""

    offer_id = fields.UUID(required=True)


class AvailabilitySchema(Schema):
    """The expert's explicit availability toggle."""

    availability = fields.Enum(Availability, by_value=True, required=True)


class AnswerBodySchema(Schema):
    """An answer's text and the client's key that makes retries harmless (both transports)."""

    body = fields.String(required=True)
    idempotency_key = fields.String(
        required=True,
        validate=validate.Regexp(
            r"^[A-Za-z0-9_.:-]{8,64}$", error="Use 8-64 letters, digits or _.:- (e.g. a UUID)."
        ),
        metadata={"description": "8-64 of A-Za-z0-9_.:- made on the phone, e.g. a UUID."},
    )


class AnswerSubmitSchema(AnswerBodySchema):
    """answer.submit over the socket: the REST body plus the assignment it answers."""

    assignment_id = fields.UUID(required=True)


class NoBodySchema(Schema):
    """Actions named by their URL: a body, if sent, must be empty (unknown fields refused)."""


class PendingSchema(Schema):
    """What a reconnecting client is sent: availability, open offers and assignments."""

    availability = fields.String()
    connected = fields.Boolean()
    offers = fields.List(fields.Nested(OfferSchema))
    assignments = fields.List(fields.Nested(AssignmentSchema))


TIERS = ("probation", "vetted", "trusted")


class RingSchema(Schema):
    """One escalation ring: a filter (pool, tags, lowest tier), a fan-out and a time."""

    name = fields.String(
        required=True,
        validate=validate.Regexp(r"^[a-z0-9][a-z0-9-]{0,39}$", error="Use 1-40 of a-z, 0-9, -."),
    )
    seconds = fields.Integer(strict=True, required=True, validate=validate.Range(*RING_SECONDS))
    pool = fields.String(load_default="own", validate=validate.OneOf(("own", "staff")))
    require_tags = fields.Boolean(load_default=True, truthy={True}, falsy={False})
    min_tier = fields.String(
        load_default=None,
        allow_none=True,
        validate=validate.OneOf(TIERS),
        metadata={"description": "The lowest tier offered in this ring (null: every tier)."},
    )
    fanout = fields.Integer(
        strict=True,
        load_default=None,
        allow_none=True,
        validate=validate.Range(1, 100),
        metadata={"description": "Experts per round (null: 1, or broadcast_k in broadcast)."},
    )
    raise_percent = fields.Integer(
        strict=True,
        load_default=0,
        validate=validate.Range(0, 200),
        metadata={"description": "Raise the reward on entering (capped by max_raise_percent)."},
    )


def _check_rings(rings: list[dict[str, Any]]) -> None:
    names = [ring["name"] for ring in rings]
    if len(set(names)) != len(names):
        raise ValidationError("Ring names must be unique.")


class WeightsSchema(Schema):
    """Ranking weights, each 0-1, adding up to 1."""

    reputation = fields.Float(required=True, validate=validate.Range(0, 1))
    skill = fields.Float(required=True, validate=validate.Range(0, 1))
    speed = fields.Float(required=True, validate=validate.Range(0, 1))
    fairness = fields.Float(required=True, validate=validate.Range(0, 1))

    @validates_schema
    def _sum_to_one(self, data: dict[str, float], **_: Any) -> None:
        if abs(sum(data.values()) - 1) > 0.001:
            raise ValidationError("The weights must add up to 1.", "_schema")


def _rings_field(**extra: Any) -> fields.List:
    return fields.List(
        fields.Nested(RingSchema),
        validate=[validate.Length(1, MAX_RINGS), _check_rings],
        **extra,
    )


class StoredSettingsSchema(Schema):
    """Reads stored settings back, one field at a time (numbers are clamped by the caller)."""

    offer_timeout_seconds = fields.Integer(strict=True)
    broadcast_k = fields.Integer(strict=True)
    answer_minutes = fields.Integer(strict=True)
    hourly_offer_cap = fields.Integer(strict=True)
    missed_offers_before_away = fields.Integer(strict=True)
    return_margin_seconds = fields.Integer(strict=True)
    max_raise_percent = fields.Integer(strict=True)
    rings = _rings_field()
    weights = fields.Nested(WeightsSchema)


STORED_SETTINGS = StoredSettingsSchema()


def _limited(name: str, description: str) -> fields.Integer:
    low, high = LIMITS[name]
    return fields.Integer(
        strict=True,
        allow_none=True,
        validate=validate.Range(low, high),
        metadata={"description": f"{description} ({low}-{high}; null: the default)."},
    )


class MatchingSettingsPatchSchema(Schema):
    """The company-wide matching settings to change; left out stays, null resets to default."""

    offer_mode = fields.Enum(
        OfferMode, by_value=True, metadata={"description": "The default offer mode."}
    )
    offer_timeout_seconds = _limited("offer_timeout_seconds", "Seconds an offer stays open")
    broadcast_k = _limited("broadcast_k", "Fan-out: experts offered at once in broadcast mode")
    answer_minutes = _limited("answer_minutes", "Minutes to answer once claimed")
    hourly_offer_cap = _limited("hourly_offer_cap", "Offers per expert per hour")
    missed_offers_before_away = _limited("missed_offers_before_away", "Misses before away")
    return_margin_seconds = _limited("return_margin_seconds", "Return this long before the SLA")
    max_raise_percent = _limited("max_raise_percent", "Cap on escalation reward raises")
    weights = fields.Nested(WeightsSchema, allow_none=True)
    rings = _rings_field(allow_none=True)

    @validates_schema
    def _not_empty(self, data: dict[str, Any], **_: Any) -> None:
        if not data:
            raise ValidationError("Send at least one setting to change.", "_schema")


class CompanyEffectiveSettingsSchema(Schema):
    """The company-wide settings in effect (defaults, then the company's own)."""

    offer_mode = fields.String()
    offer_timeout_seconds = fields.Integer()
    broadcast_k = fields.Integer()
    answer_minutes = fields.Integer()
    hourly_offer_cap = fields.Integer()
    missed_offers_before_away = fields.Integer()
    return_margin_seconds = fields.Integer()
    max_raise_percent = fields.Integer()
    weights = fields.Dict()
    rings = fields.List(fields.Dict())


class MatchingSettingsSchema(Schema):
    """The company's own matching settings, what is in effect, and the allowed ranges."""

    settings = fields.Dict(metadata={"description": "What the company set (others default)."})
    effective = fields.Nested(CompanyEffectiveSettingsSchema)
    limits = fields.Constant(
        {name: list(bounds) for name, bounds in LIMITS.items()}
        | {"ring_seconds": list(RING_SECONDS), "rings": [1, MAX_RINGS]}
    )
