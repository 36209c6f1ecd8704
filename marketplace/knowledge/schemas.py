"""Knowledge-base entries and scoring settings as the company sends and sees them."""

from __future__ import annotations

import math
import re
from typing import Any

from marshmallow import Schema, ValidationError, fields, post_load, validate, validates_schema

from marketplace.questions.schemas import LANGUAGE, TAG, clean_text

# A host name: labels of letters, digits and hyphens, at least one dot, no scheme or path.
DOMAIN = re.compile(
    r"^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$", re.IGNORECASE
)
MAX_BANNED_TERMS = 500
MAX_ALLOWED_DOMAINS = 100


def _not_blank(value: str) -> None:
    if not clean_text(value):
        raise ValidationError("Must not be blank.")


class Fraction(fields.Float):
    """A number in [0, 1]; strings, booleans, NaN and infinities are refused."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ValidationError("Must be a number between 0 and 1.")
        if not math.isfinite(value) or not 0.0 <= value <= 1.0:
            raise ValidationError("Must be a number between 0 and 1.")
        return float(value)


class KnowledgeEntryInSchema(Schema):
    """A new entry; on PATCH every field is optional."""

    title = fields.String(required=True, validate=[validate.Length(max=200), _not_blank])
    body = fields.String(required=True, validate=[validate.Length(max=20000), _not_blank])
    language = fields.String(
        required=True,
        validate=validate.Regexp(LANGUAGE, error="Use a BCP 47 tag such as en or zh-CN."),
    )
    tags = fields.List(
        fields.String(validate=validate.Regexp(TAG, error="Use 1-40 letters, digits or .:+#-_")),
        load_default=list,
        validate=validate.Length(max=20),
    )

    @post_load
    def _normalise(self, data: dict[str, Any], **_: Any) -> dict[str, Any]:
        for name in ("title", "body"):
            if name in data:
                data[name] = clean_text(data[name])
        if "language" in data:
            data["language"] = data["language"].lower()
        if "tags" in data:
            data["tags"] = list(dict.fromkeys(t.lower() for t in data["tags"]))
        return data


class KnowledgeEntryPatchSchema(KnowledgeEntryInSchema):
    """The fields to change (none is required, at least one must be sent)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("partial", True)
        super().__init__(*args, **kwargs)

    @validates_schema
    def _not_empty(self, data: dict[str, Any], **_: Any) -> None:
        if not data:
            raise ValidationError("Send at least one field to change.", "_schema")


class KnowledgeEntrySchema(Schema):
    """An entry as the company sees it."""

    id = fields.UUID()
    title = fields.String()
    body = fields.String()
    language = fields.String()
    tags = fields.List(fields.String())
    created_at = fields.AwareDateTime()
    updated_at = fields.AwareDateTime()


class KnowledgeListArgsSchema(Schema):
    """Paging of the entries, newest first."""

    cursor = fields.String(load_default=None, validate=validate.Length(max=200))
    limit = fields.Integer(load_default=50, validate=validate.Range(1, 200))


class KnowledgePageSchema(Schema):
    """A page of entries and the next cursor (null on the last page)."""

    items = fields.List(fields.Nested(KnowledgeEntrySchema))
    next_cursor = fields.String(allow_none=True)


class SuggestionSchema(Schema):
    """An entry offered to the expert answering a question."""

    id = fields.UUID()
    title = fields.String()
    body = fields.String()


class SuggestionsSchema(Schema):
    """Entries of the question's company, most relevant first."""

    items = fields.List(fields.Nested(SuggestionSchema))


class ScoringSettingsSchema(Schema):
    """The company's content rules and thresholds, as the scoring uses them."""

    banned_terms = fields.List(fields.String())
    allowed_domains = fields.List(fields.String())
    accept_threshold = fields.Float()
    gold_threshold = fields.Float()


class ScoringSettingsPatchSchema(Schema):
    """The settings to change; null goes back to the default."""

    banned_terms = fields.List(
        fields.String(validate=[validate.Length(max=80), _not_blank]),
        allow_none=True,
        validate=validate.Length(max=MAX_BANNED_TERMS),
        metadata={"description": "Words answers must not use (Chinese terms match anywhere)."},
    )
    allowed_domains = fields.List(
        fields.String(
            validate=validate.Regexp(DOMAIN, error="Use a host name such as example.com.")
        ),
        allow_none=True,
        validate=validate.Length(max=MAX_ALLOWED_DOMAINS),
        metadata={"description": "Links to these hosts and their subdomains are not external."},
    )
    accept_threshold = Fraction(
        allow_none=True,
        metadata={"description": "Answers scoring below this go to the audit queue (0-1)."},
    )
    gold_threshold = Fraction(
        allow_none=True,
        metadata={"description": "Default pass mark of new gold questions (0-1)."},
    )

    @post_load
    def _normalise(self, data: dict[str, Any], **_: Any) -> dict[str, Any]:
        if data.get("banned_terms"):
            data["banned_terms"] = list(dict.fromkeys(clean_text(t) for t in data["banned_terms"]))
        if data.get("allowed_domains"):
            data["allowed_domains"] = list(
                dict.fromkeys(d.lower() for d in data["allowed_domains"])
            )
        return data

    @validates_schema
    def _not_empty(self, data: dict[str, Any], **_: Any) -> None:
        if not data:
            raise ValidationError("Send at least one setting to change.", "_schema")
