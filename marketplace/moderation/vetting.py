"""Onboarding: applying to a brand pool, the qualification test, approval.

The test is up to TEST_SIZE of the pool's gold questions, drawn per applicant (seeded by the
membership id) and stored on the attempt, so a reload shows the same questions. A pool without
gold questions has no test: the application goes straight to a moderator, flagged `no_test`
(recorded as `qualification.skipped`), so nobody mistakes it for a passed test.
"""

from __future__ import annotations

import random
import uuid
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from marketplace import broadcast
from marketplace.accounts.services import UserCaller
from marketplace.aftercommit import after_commit
from marketplace.companies.models import Pool, PoolKind
from marketplace.database import new_id, utcnow
from marketplace.errors import Conflict, InvalidInput, NotFound
from marketplace.eventlog.services import Actor, record
from marketplace.experts.models import (
    ExpertLanguage,
    ExpertProfile,
    ExpertSkill,
    MembershipStatus,
    PoolMembership,
    Tier,
)
from marketplace.experts.profile import interests_of
from marketplace.extensions import db
from marketplace.moderation import conflicts, invites, paging, sanctions
from marketplace.moderation.models import QualificationAttempt
from marketplace.questions.models import GoldReference, Question
from scoring.gold import grade_gold

TEST_SIZE = 3
ANSWER_LIMIT = 8000
MEMBERSHIP = PoolMembership.__table__


def apply(
    expert_id: uuid.UUID, pool_id: uuid.UUID, invite: str | None, actor: Actor
) -> PoolMembership:
    """Apply to a crowd pool (invite-only pools need an invite); the test is drawn here."""
    pool = db.session.get(Pool, pool_id)
    if pool is None or pool.kind != PoolKind.CROWD:
        raise NotFound("No such pool.")
    existing = db.session.scalars(
        sa.select(PoolMembership).filter_by(expert_id=expert_id, pool_id=pool_id)
    ).first()
    if existing is not None and existing.status != MembershipStatus.INVITED:
        raise Conflict(
            "You already applied to this pool.", errors={"pool_id": [existing.status.value]}
        )
    if pool.invite_only:
        invites.redeem(pool, invite, expert_id)  # a conditional update: one redeemer wins
    membership = existing or PoolMembership(id=new_id(), pool_id=pool_id, expert_id=expert_id)
    questions = _draw_test(pool_id, membership.id)
    membership.status = MembershipStatus.TESTING if questions else MembershipStatus.REVIEW
    membership.tier = Tier.PROBATION
    db.session.add(membership)
    try:
        db.session.flush()
    except IntegrityError:  # the same expert applying twice at once
        db.session.rollback()
        raise Conflict(
            "You already applied to this pool.", errors={"pool_id": ["applied"]}
        ) from None
    db.session.add(
        QualificationAttempt(membership_id=membership.id, question_ids=[str(q) for q in questions])
    )
    record(
        actor,
        "membership.applied",
        "pool_membership",
        membership.id,
        company_id=pool.company_id,
        after={"pool": pool.slug, "test_questions": len(questions)},
    )
    if not questions:
        record(
            actor,
            "qualification.skipped",
            "pool_membership",
            membership.id,
            company_id=pool.company_id,
            after={"reason": "the pool has no gold questions"},
        )
    db.session.commit()
    return membership


def _draw_test(pool_id: uuid.UUID, membership_id: uuid.UUID) -> list[uuid.UUID]:
    """Up to TEST_SIZE gold questions, a different draw for each applicant."""
    ids = list(
        db.session.scalars(
            sa.select(Question.id)
            .join(GoldReference, GoldReference.question_id == Question.id)
            .where(Question.pool_id == pool_id, Question.is_gold.is_(True))
            .order_by(Question.id)
        )
    )
    return random.Random(membership_id.int).sample(ids, min(TEST_SIZE, len(ids)))


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
    _check_answers(attempt, answers)
    grades = {q: _grade(q, answers[q]) for q in attempt.question_ids}
    score = sum(g["passed"] for g in grades.values()) / len(grades)
    # Both updates are conditional: a second submission, or a membership removed or rejected
    # meanwhile, changes nothing.
    moved = db.session.execute(
        sa.update(MEMBERSHIP)
        .where(
            MEMBERSHIP.c.id == attempt.membership_id,
            MEMBERSHIP.c.status == MembershipStatus.TESTING.value,
        )
        .values(status=MembershipStatus.REVIEW.value, updated_at=utcnow())
    ).rowcount
    table = QualificationAttempt.__table__
    submitted = db.session.execute(
        sa.update(table)
        .where(table.c.id == attempt.id, table.c.submitted_at.is_(None))
        .values(
            answers={q: answers[q] for q in attempt.question_ids},
            grades=grades,
            score=score,
            submitted_at=utcnow(),
        )
    ).rowcount
    if not (moved and submitted):
        db.session.rollback()
        raise Conflict(
            "The test was already submitted, or the application is closed.",
            errors={"answers": ["not waiting for a test"]},
        )
    record(
        actor,
        "qualification.submitted",
        "pool_membership",
        attempt.membership_id,
        after={"score": score},
    )
    db.session.commit()
    db.session.refresh(attempt)
    return attempt


def _check_answers(attempt: QualificationAttempt, answers: dict[str, str]) -> None:
    if not attempt.question_ids:
        raise Conflict("This pool has no qualification test.", errors={"answers": ["no test"]})
    if attempt.submitted_at is not None:
        raise Conflict("The test was already submitted.", errors={"answers": ["submitted"]})
    errors = {}
    unknown = sorted(set(answers) - set(attempt.question_ids))
    if unknown:
        errors["answers"] = [f"Not questions of this test: {', '.join(unknown)}."]
    missing = [q for q in attempt.question_ids if not (answers.get(q) or "").strip()]
    if missing:
        errors.setdefault("answers", []).append(f"Answer every question; missing: {missing}.")
    if errors:
        raise InvalidInput("Answer every question of the test.", errors=errors)


def _grade(question_id: str, text: str) -> dict[str, Any]:
    reference = db.session.get(GoldReference, uuid.UUID(question_id))
    result = grade_gold(
        text[:ANSWER_LIMIT],
        reference.references,
        reference.threshold,
        tuple(reference.required_terms),
    )
    return {"passed": result.passed, "similarity": round(result.similarity, 4)}


def applications(
    moderator: UserCaller, cursor: str | None, limit: int
) -> tuple[list[dict[str, Any]], str | None]:
    """Applications waiting for review in the moderator's pools, oldest first, with the test,
    the expert's brands, topics, languages and motivation (linked experts left out)."""
    query = (
        sa.select(PoolMembership, Pool)
        .join(Pool, Pool.id == PoolMembership.pool_id)
        .where(
            PoolMembership.status == MembershipStatus.REVIEW,
            conflicts.scope(moderator, Pool.company_id),
            conflicts.not_linked(moderator.user_id, PoolMembership.expert_id),
        )
    )
    if cursor is not None:
        query = query.where(PoolMembership.id > paging.decode(cursor)["id"])
    rows = db.session.execute(query.order_by(PoolMembership.id).limit(limit + 1)).all()
    page = rows[:limit]
    next_cursor = paging.encode(id=page[-1][0].id) if len(rows) > limit else None
    profiles = _profiles([m.expert_id for m, _ in page])
    return [_application(m, p, profiles[m.expert_id]) for m, p in page], next_cursor


def _profiles(expert_ids: list[uuid.UUID]) -> dict[uuid.UUID, dict[str, Any]]:
    """What the expert told us at sign-up, for a page of applications (a few queries)."""
    found = {
        expert_id: {"languages": [], "skills": {}, **interests}
        for expert_id, interests in interests_of(expert_ids).items()
    }
    for profile in db.session.scalars(
        sa.select(ExpertProfile).where(ExpertProfile.user_id.in_(expert_ids))
    ):
        found[profile.user_id]["motivation"] = profile.motivation
    for expert_id, language in db.session.execute(
        sa.select(ExpertLanguage.expert_id, ExpertLanguage.language)
        .where(ExpertLanguage.expert_id.in_(expert_ids))
        .order_by(ExpertLanguage.language)
    ):
        found[expert_id]["languages"].append(language)
    for skill in db.session.scalars(
        sa.select(ExpertSkill).where(ExpertSkill.expert_id.in_(expert_ids))
    ):
        found[skill.expert_id]["skills"][skill.tag] = skill.level
    return found


def _application(membership: PoolMembership, pool: Pool, profile: dict[str, Any]) -> dict[str, Any]:
    attempt = _latest_attempt(membership.id)
    return {
        "membership_id": membership.id,
        "expert_id": membership.expert_id,
        "pool_id": pool.id,
        "pool_name": pool.name,
        "applied_at": membership.created_at,
        "motivation": "",
        **profile,
        "no_test": attempt is None or not attempt.question_ids,
        "test_score": attempt.score if attempt else None,
        "test": attempt.grades if attempt else {},
        "answers": attempt.answers if attempt else {},
    }


def review(
    moderator: UserCaller, membership_id: uuid.UUID, approve: bool, note: str
) -> PoolMembership:
    """Approve (probation tier) or reject an application; of two racing decisions one wins."""
    membership = db.session.get(PoolMembership, membership_id)
    pool = db.session.get(Pool, membership.pool_id) if membership else None
    if pool is None or not conflicts.in_scope(moderator, pool.company_id):
        raise NotFound("No such application.")
    conflicts.check_not_linked(moderator, membership.expert_id, "vet")
    status = MembershipStatus.APPROVED if approve else MembershipStatus.REJECTED
    decided = db.session.execute(
        sa.update(MEMBERSHIP)
        .where(
            MEMBERSHIP.c.id == membership_id,
            MEMBERSHIP.c.status == MembershipStatus.REVIEW.value,
        )
        .values(
            status=status.value,
            tier=Tier.PROBATION.value,
            updated_at=utcnow(),
            # A company suspension in force covers the company's pools joined meanwhile.
            suspended_until=sanctions.company_suspension_until(
                membership.expert_id, pool.company_id
            ),
        )
    ).rowcount
    if not decided:
        db.session.rollback()
        current = db.session.scalar(
            sa.select(MEMBERSHIP.c.status).where(MEMBERSHIP.c.id == membership_id)
        )
        raise Conflict(
            "This application is not waiting for review.", errors={"membership_id": [current]}
        )
    attempt = _latest_attempt(membership_id)
    if attempt is not None:
        attempt.reviewed_by, attempt.reviewed_at = moderator.user_id, utcnow()
    record(
        moderator.actor,
        f"membership.{status.value}",
        "pool_membership",
        membership_id,
        company_id=pool.company_id,
        after={"note": note},
    )
    after_commit(
        broadcast.to_expert,
        membership.expert_id,
        "membership.decided",
        {"pool_id": str(pool.id), "status": status.value, "note": note},
    )
    db.session.commit()
    db.session.refresh(membership)
    return membership


def _latest_attempt(membership_id: uuid.UUID) -> QualificationAttempt | None:
    return db.session.scalars(
        sa.select(QualificationAttempt)
        .filter_by(membership_id=membership_id)
        .order_by(QualificationAttempt.created_at.desc())
    ).first()


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
