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
    """How the score came about."""

    signals = fields.List(fields.Nested(SignalSchema))
    automatic = fields.Float()
    components = fields.List(fields.Nested(ComponentSchema))
    overridden_by = fields.String(allow_none=True)
    gold = fields.Dict(allow_none=True)


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
