"""Moderation, vetting and sanction schemas: what moderators and experts send and see."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from marketplace.moderation.models import (
    AuditReason,
    DisputeStatus,
    ItemStatus,
    SanctionKind,
    Verdict,
)

QUEUE_REASONS = [r.value for r in AuditReason if r != AuditReason.CALIBRATION]


class PageArgsSchema(Schema):
    """An opaque cursor (the `next_cursor` of the previous page) and a page size."""

    cursor = fields.String(load_default=None, validate=validate.Length(max=400))
    limit = fields.Integer(load_default=50, validate=validate.Range(1, 200))


class QueueArgsSchema(PageArgsSchema):
    """Filters of the audit queue."""

    status = fields.Enum(ItemStatus, by_value=True, load_default=None)
    pool_id = fields.UUID(load_default=None)
    reason = fields.String(load_default=None, validate=validate.OneOf(QUEUE_REASONS))


class AuditItemSchema(Schema):
    """A queued answer (calibration items look the same)."""

    id = fields.UUID()
    answer_id = fields.UUID()
    pool_id = fields.UUID(allow_none=True)
    reasons = fields.List(fields.String())
    priority = fields.Integer()
    mandatory = fields.Boolean(
        metadata={"description": "Probation or sample: the outcome and reward wait for it."}
    )
    status = fields.String(attribute="status.value")
    claimed_by = fields.UUID(allow_none=True)
    claimed_until = fields.AwareDateTime(allow_none=True)
    sla_deadline = fields.AwareDateTime(allow_none=True)
    created_at = fields.AwareDateTime()


class QueuePageSchema(Schema):
    """A page of the queue and the next cursor (null on the last page)."""

    items = fields.List(fields.Nested(AuditItemSchema))
    next_cursor = fields.String(allow_none=True)


class ModeratedAnswerSchema(Schema):
    """The answer as a moderator judges it: its text, blind to any outcome so far."""

    id = fields.UUID()
    body = fields.String()
    created_at = fields.AwareDateTime()
    released = fields.Boolean(metadata={"description": "The company has seen it."})


class ChecksSchema(Schema):
    """The automatic checks of the scoring library, each with its reason (en and zh)."""

    automatic = fields.Float(allow_none=True)
    signals = fields.List(fields.Dict())


class ModeratedQuestionSchema(Schema):
    """The question beside the answer."""

    id = fields.UUID()
    subject = fields.String()
    body = fields.String()
    channel = fields.String(attribute="channel.value")
    language = fields.String()
    tags = fields.List(fields.String())
    is_gold = fields.Boolean()
    sla_deadline = fields.AwareDateTime()


class ItemFeedbackSchema(Schema):
    """The customer's feedback on the answer, if any (a complaint's comment included)."""

    rating = fields.Integer()
    resolved = fields.Boolean(allow_none=True)
    comment = fields.String(allow_none=True)


class HistorySchema(Schema):
    """The expert's recent answers at this company."""

    id = fields.UUID()
    created_at = fields.AwareDateTime()
    score = fields.Float(allow_none=True)
    outcome = fields.String(attribute="outcome.value")


class QueuePoolSchema(Schema):
    """A pool the moderator's queue can be filtered by."""

    id = fields.UUID()
    slug = fields.String()
    name = fields.String()
    brand = fields.String()
    company_id = fields.UUID()


class ItemDetailSchema(Schema):
    """Everything needed to decide one item."""

    item = fields.Nested(AuditItemSchema)
    expert_id = fields.UUID(
        metadata={"description": "Whose answer: for their record and sanctions."}
    )
    answer = fields.Nested(ModeratedAnswerSchema)
    checks = fields.Nested(ChecksSchema)
    question = fields.Nested(ModeratedQuestionSchema)
    feedback = fields.Nested(ItemFeedbackSchema, allow_none=True)
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
    rejected_by = fields.UUID()
    decided_by = fields.UUID(allow_none=True)
    decision_note = fields.String(allow_none=True)
    created_at = fields.AwareDateTime()
    decided_at = fields.AwareDateTime(allow_none=True)


class DisputeArgsSchema(PageArgsSchema):
    """Filter disputes by status."""

    status = fields.Enum(DisputeStatus, by_value=True, load_default=None)


class DisputePageSchema(Schema):
    """A page of disputes."""

    items = fields.List(fields.Nested(DisputeSchema))
    next_cursor = fields.String(allow_none=True)


class DisputeDecisionSchema(Schema):
    """Overturn (pay and restore) or uphold."""

    overturn = fields.Boolean(required=True)
    note = fields.String(load_default="", validate=validate.Length(max=2000))


class ApplicationSchema(Schema):
    """An application waiting for review, with the test and what the expert told us."""

    membership_id = fields.UUID()
    expert_id = fields.UUID()
    pool_id = fields.UUID()
    pool_name = fields.String()
    applied_at = fields.AwareDateTime()
    motivation = fields.String()
    brands = fields.List(fields.String())
    topics = fields.List(fields.String())
    languages = fields.List(fields.String())
    skills = fields.Dict(keys=fields.String(), values=fields.Integer())
    no_test = fields.Boolean(
        metadata={"description": "The pool had no gold questions: there was no test."}
    )
    test_score = fields.Float(allow_none=True)
    test = fields.Dict()
    answers = fields.Dict()


class ApplicationPageSchema(Schema):
    """A page of applications."""

    items = fields.List(fields.Nested(ApplicationSchema))
    next_cursor = fields.String(allow_none=True)


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
    """A recorded sanction: who, why, when, how far it reaches."""

    id = fields.UUID()
    expert_id = fields.UUID()
    kind = fields.String(attribute="kind.value")
    scope = fields.Method("_scope", metadata={"description": "platform, company or pool"})
    reason = fields.String()
    reason_zh = fields.String(allow_none=True)
    until = fields.AwareDateTime(allow_none=True)
    pool_id = fields.UUID(allow_none=True)
    automatic = fields.Boolean()
    trigger = fields.String(allow_none=True)
    created_by = fields.UUID(allow_none=True)
    created_at = fields.AwareDateTime()
    lifted_at = fields.AwareDateTime(allow_none=True)
    lifted_reason = fields.String(allow_none=True)

    def _scope(self, sanction: object) -> str:
        from marketplace.moderation.sanctions import scope_of

        return scope_of(sanction)  # type: ignore[arg-type]


class SanctionArgsSchema(PageArgsSchema):
    """Filter sanctions by expert."""

    expert_id = fields.UUID(load_default=None)


class SanctionPageSchema(Schema):
    """A page of sanctions, newest first."""

    items = fields.List(fields.Nested(SanctionSchema))
    next_cursor = fields.String(allow_none=True)


class HistoryMembershipSchema(Schema):
    """The expert in one of the company's pools."""

    pool_id = fields.UUID()
    pool = fields.String()
    status = fields.String()
    tier = fields.String()
    reputation_lower = fields.Float()
    suspended_until = fields.AwareDateTime(allow_none=True)
    since = fields.AwareDateTime()


class HistoryVerdictSchema(Schema):
    """A verdict on one of the expert's answers at the company."""

    answer_id = fields.UUID()
    question_id = fields.UUID()
    verdict = fields.String()
    reasons = fields.List(fields.String())
    note = fields.String(allow_none=True)
    moderator_id = fields.UUID()
    at = fields.AwareDateTime()


class HistorySanctionSchema(Schema):
    """A sanction (platform-wide ones without who and why unless automatic)."""

    id = fields.UUID()
    kind = fields.String()
    scope = fields.String()
    reason = fields.String(allow_none=True)
    until = fields.AwareDateTime(allow_none=True)
    automatic = fields.Boolean()
    trigger = fields.String(allow_none=True)
    created_by = fields.UUID(allow_none=True)
    created_at = fields.AwareDateTime()
    lifted_at = fields.AwareDateTime(allow_none=True)


class ExpertHistorySchema(Schema):
    """An expert's moderation record with the moderator's company."""

    expert_id = fields.UUID()
    display_name = fields.String()
    account_status = fields.String()
    memberships = fields.List(fields.Nested(HistoryMembershipSchema))
    verdicts = fields.List(fields.Nested(HistoryVerdictSchema))
    disputes = fields.List(fields.Nested(DisputeSchema))
    sanctions = fields.List(fields.Nested(HistorySanctionSchema))


class LinkInSchema(Schema):
    """Declare a link to an expert (you will not audit them)."""

    expert_id = fields.UUID(required=True)
    reason = fields.String(load_default="", validate=validate.Length(max=200))


class ReportArgsSchema(Schema):
    """The report's window."""

    days = fields.Integer(load_default=90, validate=validate.Range(1, 365))


class ModeratorStatsSchema(Schema):
    """One moderator's decisions and calibration accuracy."""

    moderator_id = fields.UUID()
    decisions = fields.Integer()
    calibrations = fields.Integer()
    correct = fields.Integer()
    accuracy = fields.Float(allow_none=True)


class PairAgreementSchema(Schema):
    """Two moderators who audited the same answers."""

    moderators = fields.List(fields.UUID())
    answers = fields.Integer()
    agreed = fields.Integer()
    agreement = fields.Float(allow_none=True)
    kappa = fields.Float(allow_none=True)


class ReportSchema(Schema):
    """Moderator accuracy on calibration items and agreement between moderators."""

    days = fields.Integer()
    moderators = fields.List(fields.Nested(ModeratorStatsSchema))
    pairs = fields.Integer(metadata={"description": "Pairs of verdicts over every pair."})
    agreement = fields.Float(allow_none=True)
    kappa = fields.Float(allow_none=True)
    pairwise = fields.List(fields.Nested(PairAgreementSchema))


class ApplySchema(Schema):
    """Apply to a pool (invite-only pools need the invite token, or an e-mail invite)."""

    invite = fields.String(load_default=None, allow_none=True, validate=validate.Length(1, 100))


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
        keys=fields.String(validate=validate.Length(max=64)),
        values=fields.String(validate=validate.Length(max=8000)),
        required=True,
        validate=validate.Length(max=20),
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
    """The invite link, shown once."""

    token = fields.String()
    url = fields.String(metadata={"description": "The link to send: <site>/app/#invite/<token>."})
    path = fields.String()
    pool_id = fields.UUID()
    email = fields.String(allow_none=True)
    expires_at = fields.AwareDateTime()


class InviteInfoSchema(Schema):
    """What an invite link leads to."""

    pool_id = fields.UUID()
    pool = fields.String()
    brand = fields.String()
    company = fields.String()
    expires_at = fields.AwareDateTime()
    status = fields.String(metadata={"description": "valid, used or expired"})
    membership = fields.String(allow_none=True, metadata={"description": "Yours, if any."})


class ItemRefSchema(Schema):
    """Names one audit item (socket actions)."""

    item_id = fields.UUID(required=True)


class SyncSchema(Schema):
    """Ask for the queue again (socket action session.sync)."""

    cursor = fields.String(load_default=None, validate=validate.Length(max=400))
