"""Question input and output schemas, per audience."""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from marshmallow import Schema, ValidationError, fields, post_load, validate, validates

from marketplace.companies.models import OfferMode
from marketplace.questions.models import Channel, QuestionStatus
from marketplace.rewards.currencies import is_currency

LANGUAGE = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8}){0,2}$")
TAG = re.compile(r"^[\w.:+#-]{1,40}$")
EXTERNAL_ID = re.compile(r"^[\x21-\x7e]{1,128}$")  # printable ASCII, no spaces


def clean_text(value: str) -> str:
    """Normalise to NFC, drop control and zero-width characters (keep newlines/tabs), trim."""
    value = unicodedata.normalize("NFC", value)
    kept = (
        ch
        for ch in value
        if ch in "\n\t" or unicodedata.category(ch) not in {"Cc", "Cf", "Cs", "Co"}
    )
    return "".join(kept).strip()


def _not_blank(value: str) -> None:
    if not clean_text(value):
        raise ValidationError("Must not be blank.")


class RewardSchema(Schema):
    """A reward in integer minor units of an ISO 4217 currency."""

    amount = fields.Integer(
        required=True, strict=True, validate=validate.Range(min=1, error="Must be at least 1.")
    )
    currency = fields.String(required=True)

    @validates("currency")
    def _currency(self, value: str, **_: Any) -> None:
        if not is_currency(value):
            raise ValidationError("Must be an ISO 4217 currency code such as CNY or USD.")


class QuestionCreateSchema(Schema):
    """What a company posts."""

    external_id = fields.String(
        required=True,
        validate=validate.Regexp(EXTERNAL_ID, error="Use 1-128 printable ASCII characters."),
        metadata={"description": "Your id for this question; reposting it returns the original."},
    )
    channel = fields.Enum(Channel, by_value=True, required=True)
    customer_ref = fields.String(
        load_default=None,
        allow_none=True,
        validate=validate.Length(max=128),
        metadata={"description": "Your customer's reference; follow-ups go to the same expert."},
    )
    subject = fields.String(required=True, validate=[validate.Length(max=200), _not_blank])
    body = fields.String(required=True, validate=[validate.Length(max=8000), _not_blank])
    language = fields.String(
        required=True,
        validate=validate.Regexp(LANGUAGE, error="Use a BCP 47 tag such as en or zh-CN."),
    )
    tags = fields.List(
        fields.String(validate=validate.Regexp(TAG, error="Use 1-40 letters, digits or .:+#-_")),
        load_default=list,
        validate=validate.Length(max=20),
    )
    priority = fields.Integer(
        strict=True,
        load_default=5,
        validate=validate.Range(0, 9),
        metadata={"description": "0 (low) to 9 (urgent)."},
    )
    reward = fields.Nested(
        RewardSchema,
        load_default=None,
        metadata={"description": "Leave out to take it from the pool's reward table."},
    )
    sla_deadline = fields.AwareDateTime(
        load_default=None, metadata={"description": "Answer wanted by; default 24 h from now."}
    )
    pool = fields.String(
        load_default=None,
        allow_none=True,
        metadata={"description": "Pool slug; default: the company's crowd pool."},
    )
    offer_mode = fields.Enum(OfferMode, by_value=True, load_default=None, allow_none=True)

    @post_load
    def _normalise(self, data: dict[str, Any], **_: Any) -> dict[str, Any]:
        data["subject"] = clean_text(data["subject"])
        data["body"] = clean_text(data["body"])
        data["language"] = data["language"].lower()
        seen: dict[str, None] = {}
        for tag in data["tags"]:
            seen.setdefault(tag.lower(), None)
        data["tags"] = list(seen)
        return data


class GoldQuestionCreateSchema(QuestionCreateSchema):
    """A known-answer question slipped into the stream to measure experts (and moderators)."""

    reference_answers = fields.List(
        fields.String(validate=[validate.Length(max=8000), _not_blank]),
        required=True,
        validate=validate.Length(1, 5),
        metadata={"description": "One to five correct answers."},
    )
    required_terms = fields.List(
        fields.String(validate=validate.Length(1, 80)),
        load_default=list,
        validate=validate.Length(max=20),
        metadata={"description": "Facts a correct answer must contain ('a|b' = either)."},
    )
    threshold = fields.Float(
        load_default=None,
        allow_none=True,
        validate=validate.Range(0.0, 1.0),
        metadata={
            "description": "Share of the reference's key words an answer must cover; "
            "default: the company's gold_threshold (GET /scoring/settings, 0.25 unless set)."
        },
    )


class QuestionBatchSchema(Schema):
    """Up to 1,000 questions; each is validated and answered on its own."""

    items = fields.List(
        # Raw, not Nested: one bad item must not fail the whole batch; each is loaded alone.
        fields.Raw(metadata={"description": "A QuestionCreate object."}),
        required=True,
        validate=validate.Length(min=1, max=1000, error="Send 1 to 1,000 items."),
    )


class AnswerOutSchema(Schema):
    """The answer as the company sees it (no expert e-mail or private data)."""

    id = fields.UUID()
    body = fields.Method("_body", metadata={"description": "A moderator's edit if there is one."})
    status = fields.String()
    score = fields.Float(allow_none=True)
    submitted_at = fields.AwareDateTime(attribute="created_at")
    audit = fields.Method(
        "_audit",
        metadata={"description": '{"pending": true} while a moderator has yet to audit it.'},
    )

    def _body(self, answer: Any) -> str:
        return answer.edited_body or answer.body

    def _audit(self, answer: Any) -> dict[str, bool]:
        return {"pending": bool(answer.audit_pending)}


class FeedbackSchema(Schema):
    """The customer's rating of an answered question."""

    rating = fields.Integer(required=True, strict=True, validate=validate.Range(1, 5))
    resolved = fields.Boolean(load_default=None, allow_none=True)
    comment = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=2000))
    created_at = fields.AwareDateTime(dump_only=True)


class QuestionSchema(Schema):
    """A question as its company sees it."""

    id = fields.UUID()
    external_id = fields.String()
    channel = fields.Enum(Channel, by_value=True)
    customer_ref = fields.String(allow_none=True)
    subject = fields.String()
    body = fields.String()
    language = fields.String()
    tags = fields.List(fields.String())
    priority = fields.Integer()
    reward = fields.Method("_reward")
    sla_deadline = fields.AwareDateTime()
    status = fields.Enum(QuestionStatus, by_value=True)
    offer_mode = fields.Enum(OfferMode, by_value=True, allow_none=True)
    created_at = fields.AwareDateTime()
    updated_at = fields.AwareDateTime()
    answer = fields.Nested(AnswerOutSchema, allow_none=True)
    feedback = fields.Nested(FeedbackSchema, allow_none=True)

    def _reward(self, question: Any) -> dict[str, Any]:
        return {"amount": question.reward_amount, "currency": question.reward_currency}


class QuestionListArgsSchema(Schema):
    """Filters and the page cursor of GET /questions."""

    status = fields.Enum(QuestionStatus, by_value=True, load_default=None)
    channel = fields.Enum(Channel, by_value=True, load_default=None)
    tag = fields.String(load_default=None, validate=validate.Length(max=40))
    created_after = fields.AwareDateTime(load_default=None)
    created_before = fields.AwareDateTime(load_default=None)
    cursor = fields.String(load_default=None, validate=validate.Length(max=200))
    limit = fields.Integer(load_default=50, validate=validate.Range(1, 200))


class QuestionPageSchema(Schema):
    """One page of questions and the cursor of the next (null on the last page)."""

    items = fields.List(fields.Nested(QuestionSchema))
    next_cursor = fields.String(allow_none=True)


class BatchItemResultSchema(Schema):
    """The outcome of one batch item: 201 created, 200 existing, or a 4xx with field errors."""

    index = fields.Integer()
    status = fields.Integer()
    id = fields.UUID(allow_none=True)
    external_id = fields.String(allow_none=True)
    error = fields.Dict(allow_none=True)


class BatchResultSchema(Schema):
    """Per-item results of a batch, in the order sent, plus counts."""

    results = fields.List(fields.Nested(BatchItemResultSchema))
    created = fields.Integer()
    existing = fields.Integer()
    failed = fields.Integer()


class HistoryEventSchema(Schema):
    """One entry of a question's trail (who acted is given by kind only)."""

    at = fields.AwareDateTime(attribute="occurred_at")
    action = fields.String()
    entity = fields.String(attribute="entity_type")
    actor = fields.String(
        attribute="actor_type", metadata={"description": "user, api_key or system"}
    )
    before = fields.Dict(allow_none=True)
    after = fields.Dict(allow_none=True)
