"""What an expert sends to sign up, and sees of their profile, pools and answers."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates

from marketplace.experts.services import LANGUAGE, TAG

LOCALES = ("en", "zh-CN")


class SignupSchema(Schema):
    """A new expert: languages are required, skills optional (tag -> level 1-5)."""

    email = fields.String(required=True, validate=validate.Length(3, 254))
    password = fields.String(required=True, load_only=True, validate=validate.Length(8, 256))
    display_name = fields.String(required=True, validate=validate.Length(1, 80))
    languages = fields.List(
        fields.String(validate=validate.Regexp(LANGUAGE, error="Use a code such as en or zh.")),
        required=True,
        validate=validate.Length(1, 10),
    )
    skills = fields.Dict(
        keys=fields.String(validate=validate.Regexp(TAG, error="Use 1-40 letters or digits.")),
        values=fields.Integer(strict=True, validate=validate.Range(1, 5)),
        load_default=dict,
    )
    brands = fields.List(
        fields.String(validate=validate.Length(1, 80)),
        load_default=list,
        validate=validate.Length(max=20),
        metadata={"description": "Brands the expert knows well (up to 20, 1-80 characters)."},
    )
    topics = fields.List(
        fields.String(validate=validate.Length(1, 80)),
        load_default=list,
        validate=validate.Length(max=20),
        metadata={"description": "Topics in the expert's own words, e.g. 'battery care'."},
    )
    motivation = fields.String(
        load_default="",
        validate=validate.Length(max=2000),
        metadata={"description": "A few words on why they want to help."},
    )
    locale = fields.String(load_default="en", validate=validate.OneOf(LOCALES))

    @validates("skills")
    def _few_skills(self, value: dict[str, Any], **_: Any) -> None:
        if len(value) > 30:
            raise ValidationError("At most 30 skills.")


class MembershipSchema(Schema):
    """The expert's standing in one pool."""

    pool_id = fields.UUID()
    pool = fields.String()
    brand = fields.String()
    company = fields.String()
    status = fields.String()
    tier = fields.String()
    reputation_mean = fields.Float()
    reputation_lower = fields.Float()


class OpenPoolSchema(Schema):
    """A brand pool the expert may apply to."""

    pool_id = fields.UUID()
    pool = fields.String()
    brand = fields.String()
    company = fields.String()


class InvitedPoolSchema(OpenPoolSchema):
    """An invite-only pool the expert was invited to by e-mail (apply without the token)."""

    expires_at = fields.AwareDateTime()


class ExpertPoolsSchema(Schema):
    """Pools the expert is in (any status), open pools they are not in yet, and invite-only
    pools they were invited to."""

    memberships = fields.List(fields.Nested(MembershipSchema))
    open = fields.List(fields.Nested(OpenPoolSchema))
    invited = fields.List(fields.Nested(InvitedPoolSchema))


class SkillSchema(Schema):
    """A skill tag and level 1-5."""

    tag = fields.String()
    level = fields.Integer()


class ExpertProfileSchema(Schema):
    """The expert's own profile."""

    user_id = fields.UUID()
    display_name = fields.String()
    email = fields.String()
    locale = fields.String()
    tier = fields.String()
    reputation_mean = fields.Float()
    reputation_lower = fields.Float(
        metadata={"description": "5 % lower bound, what matching ranks on."}
    )
    capacity = fields.Integer()
    availability = fields.String()
    languages = fields.List(fields.String())
    skills = fields.List(fields.Nested(SkillSchema))
    answers = fields.Integer(metadata={"description": "Answers submitted so far."})
    motivation = fields.String()
    brands = fields.List(fields.String(), metadata={"description": "From sign-up."})
    topics = fields.List(fields.String(), metadata={"description": "From sign-up."})


class AnswerFeedbackSchema(Schema):
    """The customer's verdict as relayed by the company (no comment: it may hold their data)."""

    rating = fields.Integer()
    resolved = fields.Boolean(allow_none=True)


class VerdictReasonSchema(Schema):
    """One reject reason, explained."""

    code = fields.String()
    reason = fields.String()
    reason_zh = fields.String()


class MyVerdictSchema(Schema):
    """A moderator's latest verdict on the answer."""

    verdict = fields.String(metadata={"description": "approve, approve_with_edit or reject"})
    reasons = fields.List(fields.Nested(VerdictReasonSchema))
    note = fields.String(allow_none=True)
    at = fields.AwareDateTime()


class MyAnswerSchema(Schema):
    """One of the expert's answers with its score and the scoring signals."""

    id = fields.UUID()
    question_id = fields.UUID()
    subject = fields.String()
    channel = fields.String()
    language = fields.String()
    body = fields.String()
    status = fields.String()
    outcome = fields.String(metadata={"description": "pending, accepted (paid) or rejected."})
    score = fields.Float(allow_none=True)
    confidence = fields.Float(allow_none=True)
    signals = fields.Raw(metadata={"description": "Scoring signals with reasons (issue 4)."})
    submitted_at = fields.AwareDateTime()
    feedback = fields.Nested(AnswerFeedbackSchema, allow_none=True)
    verdict = fields.Nested(MyVerdictSchema, allow_none=True)
    appeal = fields.String(
        allow_none=True, metadata={"description": "open, upheld or overturned, if appealed."}
    )


class MyAnswersArgsSchema(Schema):
    """Paging of the expert's answers, newest first."""

    cursor = fields.String(load_default=None, validate=validate.Length(max=200))
    limit = fields.Integer(load_default=20, validate=validate.Range(1, 100))


class MyAnswersPageSchema(Schema):
    """A page of answers and the next cursor (null on the last page)."""

    items = fields.List(fields.Nested(MyAnswerSchema))
    next_cursor = fields.String(allow_none=True)
