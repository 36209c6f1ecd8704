"""API key and pool schemas, as a company sees them."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, ValidationError, fields, post_load, validate, validates_schema

from marketplace.companies.models import OfferMode, PoolKind
from marketplace.matching.settings import LIMITS
from marketplace.moderation.policy import effective_audit
from marketplace.questions.models import Channel
from marketplace.rewards.currencies import is_currency
from marketplace.rewards.table import MAX_ROWS, sorted_rows

# The matching settings a company may set per pool from the dashboard (docs/matching.md).
POOL_SETTING_NAMES = ("offer_timeout_seconds", "broadcast_k", "answer_minutes", "hourly_offer_cap")


class ApiKeySchema(Schema):
    """A key without its secret."""

    id = fields.UUID()
    name = fields.String()
    prefix = fields.Function(
        lambda key: f"mk_{key.prefix}_…",
        metadata={"description": "The public start of the key, to recognise it."},
    )
    created_at = fields.AwareDateTime()
    last_used_at = fields.AwareDateTime(
        allow_none=True, metadata={"description": "Updated at most once a minute."}
    )
    revoked_at = fields.AwareDateTime(allow_none=True)


class ApiKeyCreateSchema(Schema):
    """A name to recognise the key by."""

    name = fields.String(
        required=True,
        validate=[
            validate.Length(1, 80),
            validate.Regexp(r"\S", error="Must not be blank."),
        ],
    )


class IssuedKeySchema(Schema):
    """A new key: `secret` appears in this response only."""

    id = fields.UUID(attribute="key.id")
    name = fields.String(attribute="key.name")
    prefix = fields.Function(lambda issued: f"mk_{issued.key.prefix}_…")
    created_at = fields.AwareDateTime(attribute="key.created_at")
    secret = fields.String(metadata={"description": "The whole key. Shown once; store it now."})


def _setting_field(name: str) -> fields.Integer:
    low, high = LIMITS[name]
    return fields.Integer(
        strict=True,
        allow_none=True,
        validate=validate.Range(low, high),
        metadata={"description": f"{low}-{high}; null goes back to the company default."},
    )


class _Number(fields.Float):
    """A JSON number (not a string, not a boolean)."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.make_error("invalid")
        return super()._deserialize(value, attr, data, **kwargs)


def _share(description: str) -> _Number:
    return _Number(
        allow_none=True,
        allow_nan=False,
        validate=validate.Range(0, 1, error="Must be between 0 and 1."),
        metadata={"description": description},
    )


class SampleRatesSchema(Schema):
    """The random share of answers audited per tier (probation answers always are)."""

    vetted = _share("0-1; default 0.10; null: the default.")
    trusted = _share("0-1; default 0.02; null: the default.")


class AuditSettingsSchema(Schema):
    """How a pool's answers are audited (docs/moderation.md); null resets a field."""

    sample_rates = fields.Nested(SampleRatesSchema, allow_none=True)
    low_score = _share("Audit answers scoring below this (0-1); null: the accept threshold.")
    low_rating = fields.Integer(
        strict=True,
        allow_none=True,
        validate=validate.Range(1, 5),
        metadata={"description": "Audit answers the customer rated this or lower (1-5)."},
    )
    hold = fields.Boolean(
        truthy={True},
        falsy={False},
        allow_none=True,
        metadata={"description": "Hold mandatory audits from the company until the verdict."},
    )


class RewardRowSchema(Schema):
    """One row of a reward table: questions of this channel and priority get this reward."""

    channel = fields.Enum(
        Channel,
        by_value=True,
        load_default=None,
        allow_none=True,
        metadata={"description": "null: any channel (a row for the channel wins)."},
    )
    min_priority = fields.Integer(
        strict=True,
        load_default=0,
        validate=validate.Range(0, 9),
        metadata={"description": "The row fits questions of this priority (0-9) or higher."},
    )
    amount = fields.Integer(
        required=True,
        strict=True,
        validate=validate.Range(min=1, error="Must be at least 1."),
        metadata={"description": "The reward in minor units of the table's currency."},
    )


class RewardTableSchema(Schema):
    """The rewards of questions posted to the pool without one (docs/rewards.md)."""

    currency = fields.String(required=True)
    rows = fields.List(
        fields.Nested(RewardRowSchema),
        required=True,
        validate=validate.Length(1, MAX_ROWS, error=f"Send 1 to {MAX_ROWS} rows."),
    )

    @validates_schema
    def _check(self, data: dict[str, Any], **_: Any) -> None:
        errors: dict[str, Any] = {}
        if not is_currency(data.get("currency", "")):
            errors["currency"] = ["Must be an ISO 4217 currency code such as CNY or USD."]
        seen: set[tuple[str | None, int]] = set()
        duplicates: dict[int, dict[str, list[str]]] = {}
        for index, row in enumerate(data.get("rows") or []):
            key = (row["channel"], row["min_priority"])
            if key in seen:
                duplicates[index] = {"min_priority": ["Another row has this channel and priority."]}
            seen.add(key)
        if duplicates:
            errors["rows"] = duplicates
        if errors:
            raise ValidationError(errors)

    @post_load
    def _ordered(self, data: dict[str, Any], **_: Any) -> dict[str, Any]:
        rows = [
            {**row, "channel": row["channel"].value if row["channel"] else None}
            for row in data["rows"]
        ]
        return {"currency": data["currency"], "rows": sorted_rows(rows)}


class PoolSettingsPatchSchema(Schema):
    """The pool settings to change; fields left out stay as they are."""

    offer_mode = fields.Enum(
        OfferMode,
        by_value=True,
        allow_none=True,
        metadata={"description": "null: the company's mode."},
    )
    invite_only = fields.Boolean(truthy={True}, falsy={False})
    offer_timeout_seconds = _setting_field("offer_timeout_seconds")
    broadcast_k = _setting_field("broadcast_k")
    answer_minutes = _setting_field("answer_minutes")
    hourly_offer_cap = _setting_field("hourly_offer_cap")
    audit = fields.Nested(
        AuditSettingsSchema,
        allow_none=True,
        metadata={"description": "Merged into the pool's audit settings; null resets them."},
    )
    reward_table = fields.Nested(
        RewardTableSchema,
        allow_none=True,
        metadata={"description": "Replaces the pool's reward table; null removes it."},
    )

    @validates_schema
    def _not_empty(self, data: dict[str, Any], **_: Any) -> None:
        if not data:
            raise ValidationError("Send at least one setting to change.", "_schema")


class EffectiveSettingsSchema(Schema):
    """What matching uses for this pool: defaults, then company, then pool settings."""

    offer_mode = fields.Enum(OfferMode, by_value=True)
    offer_timeout_seconds = fields.Integer()
    broadcast_k = fields.Integer()
    answer_minutes = fields.Integer()
    hourly_offer_cap = fields.Integer()


class PoolSchema(Schema):
    """A pool, its own settings and the settings in effect."""

    id = fields.UUID()
    slug = fields.String()
    name = fields.String()
    brand = fields.String()
    kind = fields.Enum(PoolKind, by_value=True)
    invite_only = fields.Boolean()
    offer_mode = fields.Enum(
        OfferMode, by_value=True, allow_none=True, metadata={"description": "null: inherited."}
    )
    settings = fields.Method(
        "_own", metadata={"description": "Settings set on this pool (others are inherited)."}
    )
    effective = fields.Nested(EffectiveSettingsSchema)
    audit = fields.Method(
        "_audit", metadata={"description": "Audit settings set on this pool (others default)."}
    )
    audit_effective = fields.Method(
        "_audit_effective",
        metadata={"description": "The audit rules in effect; low_score null: accept threshold."},
    )
    reward_table = fields.Method(
        "_reward_table",
        metadata={"description": "Rewards of questions posted without one; null: none."},
    )
    limits = fields.Constant(
        {name: list(LIMITS[name]) for name in POOL_SETTING_NAMES},
        metadata={"description": "Allowed range of each numeric setting."},
    )
    updated_at = fields.AwareDateTime()

    def _audit(self, pool: Any) -> dict[str, Any]:
        return dict((pool.settings or {}).get("audit") or {})

    def _reward_table(self, pool: Any) -> dict[str, Any] | None:
        return (pool.settings or {}).get("reward_table")

    def _audit_effective(self, pool: Any) -> dict[str, Any]:
        return effective_audit(pool.settings)

    def _own(self, pool: Any) -> dict[str, Any]:
        own = pool.settings or {}
        return {name: own[name] for name in POOL_SETTING_NAMES if name in own}
