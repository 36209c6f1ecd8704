"""What an expert (or a moderator) sees of a scored answer: the score and why."""

from __future__ import annotations

from marshmallow import Schema, fields, validate


class SignalSchema(Schema):
    """One automatic check, with its reason in English and Chinese."""

    code = fields.String()
    score = fields.Float()
    flagged = fields.Boolean()
    reason = fields.String()
    reason_zh = fields.String()
    details = fields.Dict()


class ComponentSchema(Schema):
    """One input of the blended quality score and its share."""

    name = fields.String()
    value = fields.Float()
    weight = fields.Float()


class ScoreExplanationSchema(Schema):
    """How the score came about, as the expert sees it: never whether the question was gold."""

    signals = fields.List(fields.Nested(SignalSchema))
    automatic = fields.Float()
    components = fields.List(fields.Nested(ComponentSchema))
    overridden_by = fields.String(allow_none=True)


class GoldResultSchema(Schema):
    """A gold answer against its reference (moderators and the company only)."""

    similarity = fields.Float()
    passed = fields.Boolean()
    threshold = fields.Float()
    missing_terms = fields.List(fields.String())


class FullExplanationSchema(ScoreExplanationSchema):
    """Everything behind the score, for moderators: also the gold grading."""

    gold = fields.Nested(GoldResultSchema, allow_none=True)


class ScoredAnswerSchema(Schema):
    """An answer with its score, outcome and the reasons."""

    id = fields.UUID()
    question_id = fields.UUID()
    question_subject = fields.Function(lambda a: a.question.subject if a.question else None)
    body = fields.String()
    status = fields.String(attribute="status.value")
    outcome = fields.String(attribute="outcome.value")
    score = fields.Float(allow_none=True)
    score_confidence = fields.Float(allow_none=True)
    explanation = fields.Nested(ScoreExplanationSchema, attribute="signals")
    created_at = fields.AwareDateTime()
    decided_at = fields.AwareDateTime(allow_none=True)


class ReviewTaskSchema(Schema):
    """An answer to review: the question and the answer, never who wrote it."""

    answer_id = fields.UUID(attribute="id")
    question_subject = fields.Function(lambda a: a.question.subject)
    question_body = fields.Function(lambda a: a.question.body)
    language = fields.Function(lambda a: a.question.language)
    answer = fields.String(attribute="body")


class ReviewInSchema(Schema):
    """A grade from 1 (wrong or harmful) to 5 (excellent)."""

    answer_id = fields.UUID(required=True)
    grade = fields.Integer(required=True, strict=True, validate=validate.Range(1, 5))


class ModeratedAnswerDetailSchema(Schema):
    """The answer as a moderator sees it."""

    id = fields.UUID()
    expert_id = fields.UUID()
    body = fields.String()
    edited_body = fields.String(allow_none=True)
    status = fields.String(attribute="status.value")
    outcome = fields.String(attribute="outcome.value")
    score = fields.Float(allow_none=True)
    score_confidence = fields.Float(allow_none=True)
    gold_passed = fields.Boolean(allow_none=True)
    peer_good_probability = fields.Float(allow_none=True)
    created_at = fields.AwareDateTime()
    decided_at = fields.AwareDateTime(allow_none=True)


class ModeratedQuestionBriefSchema(Schema):
    """The question the answer is for."""

    id = fields.UUID()
    pool_id = fields.UUID(allow_none=True)
    subject = fields.String()
    body = fields.String()
    language = fields.String()
    is_gold = fields.Boolean()


class AnswerExplanationSchema(Schema):
    """An answer, its question and the full explanation of its score."""

    answer = fields.Nested(ModeratedAnswerDetailSchema)
    question = fields.Nested(ModeratedQuestionBriefSchema)
    explanation = fields.Nested(FullExplanationSchema)


class ReviewerArgsSchema(Schema):
    """Optionally one pool."""

    pool_id = fields.UUID(load_default=None)


class ReviewerReliabilitySchema(Schema):
    """A reviewer's estimated accuracy in a pool (one-coin Dawid-Skene) and review count."""

    pool_id = fields.UUID()
    reviewer_id = fields.UUID()
    reliability = fields.Float()
    reviews = fields.Integer()
