"""An expert's standing as they see it."""

from __future__ import annotations

from marshmallow import Schema, fields


class MembershipStandingSchema(Schema):
    """Standing in one pool."""

    pool_id = fields.UUID()
    pool_name = fields.String()
    status = fields.String()
    tier = fields.String()
    reputation_mean = fields.Float()
    reputation_lower = fields.Float()


class SkillSchema(Schema):
    """A declared skill and what the record says about it."""

    tag = fields.String()
    level = fields.Integer()
    estimate = fields.Float(allow_none=True)


class ExpertStandingSchema(Schema):
    """Reputation overall and per pool, tier, skills and capacity."""

    tier = fields.String()
    reputation_mean = fields.Float()
    reputation_lower = fields.Float()
    capacity = fields.Integer()
    languages = fields.List(fields.String())
    pools = fields.List(fields.Nested(MembershipStandingSchema))
    skills = fields.List(fields.Nested(SkillSchema))
