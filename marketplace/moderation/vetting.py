"""Onboarding: applying to a brand pool, the qualification test, approval, invites."""

from __future__ import annotations

import hashlib
import random
import secrets
import uuid
from datetime import timedelta
from typing import Any

import sqlalchemy as sa

from marketplace import broadcast
from marketplace.accounts.models import Role
from marketplace.accounts.services import UserCaller
from marketplace.aftercommit import after_commit
from marketplace.companies.models import Pool, PoolKind
from marketplace.database import utcnow
from marketplace.errors import Conflict, Forbidden, InvalidInput, NotFound
from marketplace.eventlog.services import Actor, record
from marketplace.experts.models import ExpertProfile, MembershipStatus, PoolMembership, Tier
from marketplace.extensions import db
from marketplace.moderation.models import PoolInvite, QualificationAttempt
from marketplace.questions.models import GoldReference, Question
from scoring.gold import grade_gold

TEST_SIZE = 3
INVITE_DAYS = 14


def apply(
    expert_id: uuid.UUID, pool_id: uuid.UUID, invite: str | None, actor: Actor
) -> PoolMembership:
    """Apply to a pool; its qualification test is drawn from the pool's gold questions."""
    pool = db.session.get(Pool, pool_id)
    if pool is None or pool.kind != PoolKind.CROWD:
        raise NotFound("No such pool.")
    if pool.invite_only:
        _use_invite(pool, invite, expert_id)
    existing = db.session.scalars(
        sa.select(PoolMembership).filter_by(expert_id=expert_id, pool_id=pool_id)
    ).first()
    if existing is not None and existing.status != MembershipStatus.INVITED:
        raise Conflict(
            "You already applied to this pool.", errors={"pool_id": [existing.status.value]}
        )
    membership = existing or PoolMembership(pool_id=pool_id, expert_id=expert_id)
    db.session.add(membership)
    questions = _test_questions(pool_id)
    membership.status = MembershipStatus.TESTING if questions else MembershipStatus.REVIEW
    membership.tier = Tier.PROBATION
    db.session.flush()
    if questions:
        db.session.add(
            QualificationAttempt(
                membership_id=membership.id, question_ids=[str(q) for q in questions]
            )
        )
    record(
        actor,
        "membership.applied",
        "pool_membership",
        membership.id,
        company_id=pool.company_id,
        after={"pool": pool.slug},
    )
    db.session.commit()
    return membership


def _test_questions(pool_id: uuid.UUID) -> list[uuid.UUID]:
    ids = list(
        db.session.scalars(
            sa.select(Question.id)
            .join(GoldReference, GoldReference.question_id == Question.id)
            .where(Question.pool_id == pool_id, Question.is_gold.is_(True))
            .order_by(Question.id)
        )
    )
    return random.Random(pool_id.int).sample(ids, min(TEST_SIZE, len(ids)))


def current_test(expert_id: uuid.UUID, pool_id: uuid.UUID) -> list[Question]:
    """The questions of the applicant's test (their text only; the references stay hidden)."""
    attempt = _attempt(expert_id, pool_id)
    ids = [uuid.UUID(q) for q in attempt.question_ids]
    found = {q.id: q for q in db.session.scalars(sa.select(Question).where(Question.id.in_(ids)))}
    return [found[i] for i in ids if i in found]


def submit_test(
    expert_id: uuid.UUID, pool_id: uuid.UUID, answers: dict[str, str], actor: Actor
) -> QualificationAttempt:
    """Grade the test with the scoring library; a moderator then reviews the application."""
    attempt = _attempt(expert_id, pool_id)
    if attempt.submitted_at is not None:
        raise Conflict("The test was already submitted.", errors={"answers": ["submitted"]})
    missing = [q for q in attempt.question_ids if not (answers.get(q) or "").strip()]
    if missing:
        raise InvalidInput("Answer every question.", errors={"answers": [f"missing: {missing}"]})
    grades = {}
    for question_id in attempt.question_ids:
        reference = db.session.get(GoldReference, uuid.UUID(question_id))
        result = grade_gold(
            answers[question_id][:8000],
            reference.references,
            reference.threshold,
            tuple(reference.required_terms),
        )
        grades[question_id] = {"passed": result.passed, "similarity": round(result.similarity, 4)}
    attempt.answers = {q: answers[q][:8000] for q in attempt.question_ids}
    attempt.grades = grades
    attempt.score = sum(g["passed"] for g in grades.values()) / len(grades)
    attempt.submitted_at = utcnow()
    membership = db.session.get(PoolMembership, attempt.membership_id)
    membership.status = MembershipStatus.REVIEW
    record(
        actor,
        "qualification.submitted",
        "pool_membership",
        membership.id,
        after={"score": attempt.score},
    )
    db.session.commit()
    return attempt


def applications(moderator: UserCaller) -> list[dict[str, Any]]:
    """Applications waiting for review in the moderator's pools, with test results."""
    query = (
        sa.select(PoolMembership, Pool)
        .join(Pool, Pool.id == PoolMembership.pool_id)
        .where(PoolMembership.status == MembershipStatus.REVIEW)
    )
    if moderator.role != Role.PLATFORM_ADMIN:
        query = query.where(Pool.company_id == moderator.company_id)
    result = []
    for membership, pool in db.session.execute(query.order_by(PoolMembership.created_at)):
        attempt = db.session.scalars(
            sa.select(QualificationAttempt)
            .filter_by(membership_id=membership.id)
            .order_by(QualificationAttempt.created_at.desc())
        ).first()
        profile = db.session.get(ExpertProfile, membership.expert_id)
        result.append(
            {
                "membership_id": membership.id,
                "expert_id": membership.expert_id,
                "pool_id": pool.id,
                "pool_name": pool.name,
                "motivation": profile.motivation if profile else "",
                "test_score": attempt.score if attempt else None,
                "test": attempt.grades if attempt else {},
                "answers": attempt.answers if attempt else {},
            }
        )
    return result


def review(
    moderator: UserCaller, membership_id: uuid.UUID, approve: bool, note: str
) -> PoolMembership:
    """Approve (probation tier) or reject an application."""
    membership = db.session.get(PoolMembership, membership_id)
    pool = db.session.get(Pool, membership.pool_id) if membership else None
    if pool is None or (
        moderator.role != Role.PLATFORM_ADMIN and pool.company_id != moderator.company_id
    ):
        raise NotFound("No such application.")
    if membership.status != MembershipStatus.REVIEW:
        raise Conflict(
            "This application is not waiting for review.",
            errors={"membership_id": [membership.status.value]},
        )
    membership.status = MembershipStatus.APPROVED if approve else MembershipStatus.REJECTED
    membership.tier = Tier.PROBATION
    record(
        moderator.actor,
        f"membership.{membership.status.value}",
        "pool_membership",
        membership.id,
        company_id=pool.company_id,
        after={"note": note},
    )
    after_commit(
        broadcast.to_expert,
        membership.expert_id,
        "membership.decided",
        {"pool_id": str(pool.id), "status": membership.status.value, "note": note},
    )
    db.session.commit()
    return membership


def create_invite(
    company_id: uuid.UUID, pool_slug: str, email: str | None, actor: Actor
) -> tuple[PoolInvite, str]:
    """An invite link token for an invite-only pool (shown once)."""
    pool = db.session.scalars(
        sa.select(Pool).filter_by(company_id=company_id, slug=pool_slug)
    ).one_or_none()
    if pool is None:
        raise InvalidInput("Unknown pool.", errors={"pool": [f"No pool {pool_slug!r}."]})
    token = secrets.token_urlsafe(24)
    invite = PoolInvite(
        pool_id=pool.id,
        token_hash=_hash(token),
        email=email.lower() if email else None,
        expires_at=utcnow() + timedelta(days=INVITE_DAYS),
    )
    db.session.add(invite)
    db.session.flush()
    record(
        actor,
        "invite.created",
        "pool",
        pool.id,
        company_id=company_id,
        after={"email": invite.email},
    )
    db.session.commit()
    return invite, token


def _use_invite(pool: Pool, token: str | None, expert_id: uuid.UUID) -> None:
    invite = db.session.scalars(
        sa.select(PoolInvite).filter_by(token_hash=_hash(token or ""), pool_id=pool.id)
    ).one_or_none()
    if invite is None or invite.used_at is not None or invite.expires_at < utcnow():
        raise Forbidden("This pool is by invitation; the invite is missing, used or expired.")
    if invite.email:
        from marketplace.accounts.models import User

        if db.session.get(User, expert_id).email != invite.email:
            raise Forbidden("This invite is for another e-mail address.")
    invite.used_by, invite.used_at = expert_id, utcnow()


def _attempt(expert_id: uuid.UUID, pool_id: uuid.UUID) -> QualificationAttempt:
    attempt = db.session.scalars(
        sa.select(QualificationAttempt)
        .join(PoolMembership, PoolMembership.id == QualificationAttempt.membership_id)
        .where(PoolMembership.expert_id == expert_id, PoolMembership.pool_id == pool_id)
        .order_by(QualificationAttempt.created_at.desc())
    ).first()
    if attempt is None:
        raise NotFound("No test for this pool.")
    return attempt


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
