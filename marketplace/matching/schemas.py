"""What experts see of offers and assignments, in events and in the REST twins."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields, validate

from marketplace.experts.models import Availability


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


class AnswerSubmitSchema(Schema):
    """An answer to an assignment; the client's key makes retries harmless."""

    assignment_id = fields.UUID(required=True)
    body = fields.String(required=True)
    idempotency_key = fields.String(
        required=True,
        validate=validate.Regexp(
            r"^[A-Za-z0-9_.:-]{8,64}$", error="Use 8-64 letters, digits or _.:- (e.g. a UUID)."
        ),
    )


class PendingSchema(Schema):
    """What a reconnecting client is sent: availability, open offers and assignments."""

    availability = fields.String()
    connected = fields.Boolean()
    offers = fields.List(fields.Nested(OfferSchema))
    assignments = fields.List(fields.Nested(AssignmentSchema))
