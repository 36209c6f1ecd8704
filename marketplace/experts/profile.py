"""What the expert app shows about the expert: profile, pools, and their answers' scores."""

from __future__ import annotations

import uuid
from typing import Any

import sqlalchemy as sa

from marketplace.accounts.models import User
from marketplace.answers.grading import expert_explanation
from marketplace.answers.models import Answer, Feedback
from marketplace.companies.models import Company, Pool, PoolKind
from marketplace.errors import NotFound
from marketplace.eventlog.services import Actor
from marketplace.experts.models import (
    ExpertInterest,
    ExpertLanguage,
    ExpertProfile,
    ExpertSkill,
    InterestKind,
    PoolMembership,
)
from marketplace.experts.services import create_expert
from marketplace.extensions import db
from marketplace.moderation.invites import invited_pools
from marketplace.moderation.models import Audit, Dispute
from marketplace.moderation.reasons import explain
from marketplace.questions.models import Question
from marketplace.questions.services import decode_cursor, encode_cursor

OPEN_POOLS_LIMIT = 50


def sign_up(data: dict[str, Any]) -> User:
    """A new expert from the sign-up form (validated); pools come later, by vetting.

    Brands and topics are stored as rows (expert_interests) that moderators see when they
    review the expert's applications."""
    return create_expert(
        data["email"],
        data["password"],
        data["display_name"],
        languages=data["languages"],
        skills=data["skills"],
        locale=data["locale"],
        actor=Actor.system("signup"),
        motivation=data.get("motivation", ""),
        interests={
            InterestKind.BRAND: data.get("brands", []),
            InterestKind.TOPIC: data.get("topics", []),
        },
    )


def interests_of(expert_ids: list[uuid.UUID]) -> dict[uuid.UUID, dict[str, list[str]]]:
    """Brands and topics per expert, sorted, in one query."""
    found: dict[uuid.UUID, dict[str, list[str]]] = {
        i: {"brands": [], "topics": []} for i in expert_ids
    }
    rows = db.session.execute(
        sa.select(ExpertInterest.expert_id, ExpertInterest.kind, ExpertInterest.name)
        .where(ExpertInterest.expert_id.in_(expert_ids))
        .order_by(ExpertInterest.name)
    )
    for expert_id, kind, name in rows:
        found[expert_id]["brands" if kind == InterestKind.BRAND else "topics"].append(name)
    return found


def expert_profile(expert_id: uuid.UUID) -> dict[str, Any]:
    """The expert's account, tier, reputation, languages and skills."""
    profile = db.session.get(ExpertProfile, expert_id)
    user = db.session.get(User, expert_id)
    if profile is None or user is None:
        raise NotFound("No expert profile.")
    languages = db.session.scalars(
        sa.select(ExpertLanguage.language).filter_by(expert_id=expert_id).order_by("language")
    )
    skills = db.session.scalars(
        sa.select(ExpertSkill).filter_by(expert_id=expert_id).order_by(ExpertSkill.tag)
    )
    answers = db.session.scalar(
        sa.select(sa.func.count()).select_from(Answer).filter_by(expert_id=expert_id)
    )
    return {
        "user_id": user.id,
        "display_name": user.display_name,
        "email": user.email,
        "locale": user.locale,
        "tier": profile.tier.value,
        "reputation_mean": profile.reputation_mean,
        "reputation_lower": profile.reputation_lower,
        "capacity": profile.capacity,
        "availability": profile.availability.value,
        "languages": list(languages),
        "skills": list(skills),
        "answers": answers,
        "motivation": profile.motivation,
        **interests_of([expert_id])[expert_id],
    }


def expert_pools(expert_id: uuid.UUID) -> dict[str, Any]:
    """Pools the expert belongs to or applied to, and crowd pools open to applications."""
    rows = db.session.execute(
        sa.select(PoolMembership, Pool, Company.name)
        .join(Pool, Pool.id == PoolMembership.pool_id)
        .join(Company, Company.id == Pool.company_id)
        .where(PoolMembership.expert_id == expert_id)
        .order_by(Company.name, Pool.name)
    ).all()
    memberships = [
        {
            "pool_id": pool.id,
            "pool": pool.name,
            "brand": pool.brand,
            "company": company,
            "status": membership.status.value,
            "tier": membership.tier.value,
            "reputation_mean": membership.reputation_mean,
            "reputation_lower": membership.reputation_lower,
        }
        for membership, pool, company in rows
    ]
    joined = [m["pool_id"] for m in memberships]
    open_rows = db.session.execute(
        sa.select(Pool, Company.name)
        .join(Company, Company.id == Pool.company_id)
        .where(Pool.kind == PoolKind.CROWD, Pool.invite_only.is_(False), Pool.id.not_in(joined))
        .order_by(Company.name, Pool.name)
        .limit(OPEN_POOLS_LIMIT)
    ).all()
    open_pools = [
        {"pool_id": pool.id, "pool": pool.name, "brand": pool.brand, "company": company}
        for pool, company in open_rows
    ]
    return {"memberships": memberships, "open": open_pools, "invited": invited_pools(expert_id)}


def expert_answers(
    expert_id: uuid.UUID, cursor: str | None, limit: int
) -> tuple[list[dict[str, Any]], str | None]:
    """The expert's answers, newest first, with score, signals and the customer's rating."""
    query = (
        sa.select(Answer, Question, Feedback)
        .join(Question, Question.id == Answer.question_id)
        .outerjoin(Feedback, Feedback.question_id == Answer.question_id)
        .where(Answer.expert_id == expert_id)
    )
    if cursor is not None:
        query = query.where(Answer.id < decode_cursor(cursor))
    rows = db.session.execute(query.order_by(Answer.id.desc()).limit(limit + 1)).all()
    next_cursor = encode_cursor(rows[limit - 1][0].id) if len(rows) > limit else None
    page = rows[:limit]
    verdicts, appeals = _moderation_of([answer.id for answer, *_ in page])
    return [
        _answer_item(*row) | {"verdict": verdicts.get(row[0].id), "appeal": appeals.get(row[0].id)}
        for row in page
    ], next_cursor


def _moderation_of(
    answer_ids: list[uuid.UUID],
) -> tuple[dict[uuid.UUID, dict[str, Any]], dict[uuid.UUID, str]]:
    """The latest moderator verdict on each answer (with its reasons in en and zh) and the
    status of its appeal, in two queries; calibration verdicts are not the expert's business."""
    verdicts: dict[uuid.UUID, dict[str, Any]] = {}
    for audit in db.session.scalars(
        sa.select(Audit)
        .where(Audit.answer_id.in_(answer_ids), Audit.calibration.is_(False))
        .order_by(Audit.created_at)
    ):
        verdicts[audit.answer_id] = {
            "verdict": audit.verdict.value,
            "reasons": explain(audit.reasons),
            "note": audit.note,
            "at": audit.created_at,
        }
    appeals = dict(
        db.session.execute(
            sa.select(Dispute.answer_id, Dispute.status).where(Dispute.answer_id.in_(answer_ids))
        ).all()
    )
    return verdicts, {k: v.value for k, v in appeals.items()}


def _answer_item(answer: Answer, question: Question, feedback: Feedback | None) -> dict[str, Any]:
    return {
        "id": answer.id,
        "question_id": question.id,
        "subject": question.subject,
        "channel": question.channel.value,
        "language": question.language,
        "body": answer.body,
        "status": answer.status.value,
        "outcome": answer.outcome.value,
        "score": answer.score,
        "confidence": answer.score_confidence,
        "signals": expert_explanation(answer.signals),
        "submitted_at": answer.created_at,
        "feedback": None
        if feedback is None
        else {"rating": feedback.rating, "resolved": feedback.resolved},
    }
