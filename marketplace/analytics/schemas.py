"""Analytics and live-queue schemas."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from marketplace.questions.models import QuestionStatus


class SummaryArgsSchema(Schema):
    """The range, bucket size and the caller's UTC offset (buckets start at local midnight)."""

    from_ = fields.AwareDateTime(
        data_key="from", load_default=None, metadata={"description": "Default: 14 days ago."}
    )
    to = fields.AwareDateTime(load_default=None, metadata={"description": "Default: now."})
    bucket = fields.String(load_default="day", validate=validate.OneOf(["day", "hour"]))
    utc_offset = fields.Integer(
        load_default=0,
        validate=validate.Range(-720, 840),
        metadata={"description": "Minutes east of UTC for bucket boundaries (480 for China)."},
    )


class BucketValuesSchema(Schema):
    """Activity in one bucket (or the whole range)."""

    posted = fields.Dict(
        keys=fields.String(), values=fields.Integer(), metadata={"description": "By channel."}
    )
    posted_total = fields.Integer()
    answered = fields.Integer()
    returned = fields.Integer()
    expired = fields.Integer()
    median_first_offer_seconds = fields.Float(
        allow_none=True, metadata={"description": "Posting to first offer, by the offer's time."}
    )
    median_answer_seconds = fields.Float(
        allow_none=True, metadata={"description": "Posting to answer, by the answer's time."}
    )
    feedback_count = fields.Integer()
    csat = fields.Float(allow_none=True, metadata={"description": "Mean customer rating, 1-5."})
    resolution_rate = fields.Float(
        allow_none=True, metadata={"description": "Share of feedback saying it was resolved."}
    )
    spend = fields.Dict(
        keys=fields.String(),
        values=fields.Integer(),
        metadata={"description": "Minor units per currency: money that left budget and holds."},
    )


class BucketSchema(BucketValuesSchema):
    """One bucket."""

    start = fields.AwareDateTime()


class SummarySchema(Schema):
    """Per-bucket activity and totals over an aligned range."""

    from_ = fields.AwareDateTime(data_key="from", attribute="from")
    to = fields.AwareDateTime()
    bucket = fields.String()
    utc_offset_minutes = fields.Integer()
    channels = fields.List(fields.String())
    buckets = fields.List(fields.Nested(BucketSchema))
    totals = fields.Nested(BucketValuesSchema)


class QueueArgsSchema(Schema):
    """How close to its SLA deadline an open question counts as at risk."""

    at_risk_minutes = fields.Integer(load_default=60, validate=validate.Range(1, 7 * 24 * 60))


class QueueQuestionSchema(Schema):
    """A question in the live queue."""

    id = fields.UUID()
    external_id = fields.String()
    subject = fields.String()
    channel = fields.String(attribute="channel.value")
    status = fields.Enum(QuestionStatus, by_value=True)
    priority = fields.Integer()
    created_at = fields.AwareDateTime()
    sla_deadline = fields.AwareDateTime()


class OldestWaitingSchema(Schema):
    """The longest-waiting question not yet claimed by an expert."""

    question = fields.Nested(QueueQuestionSchema)
    age_seconds = fields.Integer()


class QueueSchema(Schema):
    """The company's queue right now."""

    as_of = fields.AwareDateTime()
    counts = fields.Dict(keys=fields.String(), values=fields.Integer())
    open = fields.Integer(metadata={"description": "queued + offered + assigned"})
    oldest_waiting = fields.Nested(OldestWaitingSchema, allow_none=True)
    at_risk_minutes = fields.Integer()
    at_risk = fields.Integer(metadata={"description": "Open with the SLA deadline that close."})
    at_risk_questions = fields.List(
        fields.Nested(QueueQuestionSchema), metadata={"description": "The 10 most urgent."}
    )
