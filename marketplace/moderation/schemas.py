"""Moderation, vetting and sanction schemas."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from marketplace.moderation.models import DisputeStatus, ItemStatus, SanctionKind, Verdict


class QueueArgsSchema(Schema):
    """Filters of the audit queue."""

    status = fields.Enum(ItemStatus, by_value=True, load_default=None)
    pool_id = fields.UUID(load_default=None)
    reason = fields.String(load_default=None, validate=validate.Length(max=24))
    limit = fields.Integer(load_default=50, validate=validate.Range(1, 200))


class AuditItemSchema(Schema):
    """A queued answer."""

    id = fields.UUID()
    answer_id = fields.UUID()
    pool_id = fields.UUID(allow_none=True)
    reasons = fields.List(fields.String())
    priority = fields.Integer()
    mandatory = fields.Boolean()
    status = fields.String(attribute="status.value")
    claimed_by = fields.UUID(allow_none=True)
    claimed_until = fields.AwareDateTime(allow_none=True)
    created_at = fields.AwareDateTime()


class ModeratedAnswerSchema(Schema):
    """The answer as a moderator sees it, with the scoring reasons."""

    id = fields.UUID()
    body = fields.String()
    edited_body = fields.String(allow_none=True)
    status = fields.String(attribute="status.value")
    outcome = fields.String(attribute="outcome.value")
    score = fields.Float(allow_none=True)
    score_confidence = fields.Float(allow_none=True)
    explanation = fields.Dict(attribute="signals")
    created_at = fields.AwareDateTime()


class ModeratedQuestionSchema(Schema):
    """The question beside the answer."""

    id = fields.UUID()
    subject = fields.String()
    body = fields.String()
    channel = fields.String(attribute="channel.value")
    language = fields.String()
    tags = fields.List(fields.String())
    is_gold = fields.Boolean()


class HistorySchema(Schema):
    """The expert's recent answers."""

    id = fields.UUID()
    created_at = fields.AwareDateTime()
    score = fields.Float(allow_none=True)
    outcome = fields.String(attribute="outcome.value")


class ItemDetailSchema(Schema):
    """Everything needed to decide one item."""

    item = fields.Nested(AuditItemSchema)
    answer = fields.Nested(ModeratedAnswerSchema)
    question = fields.Nested(ModeratedQuestionSchema)
    history = fields.List(fields.Nested(HistorySchema))


class VerdictInSchema(Schema):
    """A verdict: reasons are required to reject; an edit only with approve_with_edit."""

    verdict = fields.Enum(Verdict, by_value=True, required=True)
    reasons = fields.List(
        fields.String(validate=validate.Length(max=24)),
        load_default=list,
        validate=validate.Length(max=7),
    )
    edited_body = fields.String(
        load_default=None, allow_none=True, validate=validate.Length(max=20000)
    )
    note = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=2000))


class DisputeSchema(Schema):
    """An appeal and its decision."""

    id = fields.UUID()
    answer_id = fields.UUID()
    expert_id = fields.UUID()
    note = fields.String()
    status = fields.String(attribute="status.value")
    decision_note = fields.String(allow_none=True)
    created_at = fields.AwareDateTime()
    decided_at = fields.AwareDateTime(allow_none=True)


class DisputeArgsSchema(Schema):
    """Filter disputes by status."""

    status = fields.Enum(DisputeStatus, by_value=True, load_default=None)


class DisputeDecisionSchema(Schema):
    """Overturn (pay and restore) or uphold."""

    overturn = fields.Boolean(required=True)
    note = fields.String(load_default="", validate=validate.Length(max=2000))


class ApplicationSchema(Schema):
    """An application waiting for review, with the qualification test."""

    membership_id = fields.UUID()
    expert_id = fields.UUID()
    pool_id = fields.UUID()
    pool_name = fields.String()
    motivation = fields.String()
    test_score = fields.Float(allow_none=True)
    test = fields.Dict()
    answers = fields.Dict()


class ApplicationDecisionSchema(Schema):
    """Approve into the pool (probation tier) or reject."""

    approve = fields.Boolean(required=True)
    note = fields.String(load_default="", validate=validate.Length(max=2000))


class SanctionInSchema(Schema):
    """A sanction against an expert."""

    expert_id = fields.UUID(required=True)
    kind = fields.Enum(SanctionKind, by_value=True, required=True)
    reason = fields.String(required=True, validate=validate.Length(1, 2000))
    until = fields.AwareDateTime(load_default=None, allow_none=True)
    pool_id = fields.UUID(load_default=None, allow_none=True)


class SanctionSchema(Schema):
    """A recorded sanction: who, why, when."""

    id = fields.UUID()
    kind = fields.String(attribute="kind.value")
    reason = fields.String()
    until = fields.AwareDateTime(allow_none=True)
    pool_id = fields.UUID(allow_none=True)
    automatic = fields.Boolean()
    trigger = fields.String(allow_none=True)
    created_by = fields.UUID(allow_none=True)
    created_at = fields.AwareDateTime()


class LinkInSchema(Schema):
    """Declare a link to an expert (you will not audit them)."""

    expert_id = fields.UUID(required=True)
    reason = fields.String(load_default="", validate=validate.Length(max=200))


class ReportSchema(Schema):
    """Moderator accuracy on calibration items and agreement between moderators."""

    moderators = fields.List(fields.Dict())
    pairs = fields.Integer()
    agreement = fields.Float(allow_none=True)
    kappa = fields.Float(allow_none=True)


class ApplySchema(Schema):
    """Apply to a pool (invite-only pools need the invite token)."""

    invite = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=100))


class ApplicationStatusSchema(Schema):
    """Where the application stands."""

    pool_id = fields.UUID()
    status = fields.String(attribute="status.value")
    tier = fields.String(attribute="tier.value")


class TestQuestionSchema(Schema):
    """A qualification question (the reference answer is never shown)."""

    id = fields.UUID()
    subject = fields.String()
    body = fields.String()
    language = fields.String()


class TestAnswersSchema(Schema):
    """Answers keyed by question id."""

    answers = fields.Dict(
        keys=fields.String(),
        values=fields.String(validate=validate.Length(max=8000)),
        required=True,
    )


class TestResultSchema(Schema):
    """How the test went."""

    score = fields.Float()
    grades = fields.Dict()


class AppealSchema(Schema):
    """An appeal against a rejection (once)."""

    note = fields.String(required=True, validate=validate.Length(1, 2000))


class InviteInSchema(Schema):
    """Invite a known fan to an invite-only pool."""

    pool = fields.String(required=True, validate=validate.Length(1, 64))
    email = fields.Email(load_default=None, allow_none=True)


class InviteOutSchema(Schema):
    """The invite token, shown once."""

    token = fields.String()
    pool_id = fields.UUID()
    expires_at = fields.AwareDateTime()


class ItemRefSchema(Schema):
    """Names one audit item (socket actions)."""

    item_id = fields.UUID(required=True)
