"""Peer review: experts grade other experts' answers in their pools; Dawid-Skene weighs them."""

from __future__ import annotations

import uuid
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from marketplace.accounts.models import Role
from marketplace.accounts.services import UserCaller
from marketplace.aftercommit import after_commit
from marketplace.answers.models import Answer, AnswerStatus, PeerReview
from marketplace.companies.models import Pool
from marketplace.errors import Conflict, Forbidden, NotFound
from marketplace.eventlog.services import Actor, record
from marketplace.experts.models import MembershipStatus, PoolMembership
from marketplace.extensions import db
from marketplace.questions.models import Question
from marketplace.queue import JobOptions, enqueue
from scoring.peer_review import Review, dawid_skene, grade_to_good

REVIEWS_PER_ANSWER = 3
MIN_DIFFERENCE = 1e-3  # a consensus change smaller than this does not trigger a re-grade
CANDIDATES = 50  # answers read per request to find one a reviewer may see


class ReviewsComplete(Conflict):
    """The answer already has all the reviews it needs."""

    slug = "reviews-complete"
    title = "Enough reviews"


def reviewable(answer: Answer) -> bool:
    """Whether peers may see an answer: released to the company, scored, and not flagged for
    personal data (a customer's phone number must not be shown to other experts)."""
    if answer.status != AnswerStatus.RELEASED or answer.score is None:
        return False
    signals = (answer.signals or {}).get("signals", [])
    return not any(s.get("code") == "personal_data" and s.get("flagged") for s in signals)


def _review_counts() -> sa.Subquery:
    return (
        sa.select(PeerReview.answer_id, sa.func.count().label("n"))
        .group_by(PeerReview.answer_id)
        .subquery()
    )


def next_to_review(reviewer_id: uuid.UUID) -> Answer | None:
    """An answer in one of the reviewer's pools, not theirs, not yet reviewed by them, with
    fewer than REVIEWS_PER_ANSWER reviews and visible to peers (reviewable): oldest first."""
    pools = sa.select(PoolMembership.pool_id).filter_by(
        expert_id=reviewer_id, status=MembershipStatus.APPROVED
    )
    reviewed = sa.select(PeerReview.answer_id).filter_by(reviewer_id=reviewer_id)
    counts = _review_counts()
    candidates = db.session.scalars(
        sa.select(Answer)
        .join(Question, Question.id == Answer.question_id)
        .outerjoin(counts, counts.c.answer_id == Answer.id)
        .where(
            Question.pool_id.in_(pools),
            Answer.expert_id != reviewer_id,
            Answer.status == AnswerStatus.RELEASED,
            Answer.score.is_not(None),
            Answer.id.not_in(reviewed),
            sa.func.coalesce(counts.c.n, 0) < REVIEWS_PER_ANSWER,
        )
        .order_by(Answer.created_at, Answer.id)
        .limit(CANDIDATES)
    )
    return next((a for a in candidates if reviewable(a)), None)


def submit_review(
    reviewer_id: uuid.UUID, answer_id: uuid.UUID, grade: int, actor: Actor
) -> PeerReview:
    """Record a grade once per reviewer and answer, on an answer next_to_review could serve
    them, up to REVIEWS_PER_ANSWER per answer; then re-aggregate the pool."""
    # Touch the answer row first: its lock (a row lock on PostgreSQL, the write lock on
    # SQLite) makes concurrent reviewers count the reviews one after the other.
    table = Answer.__table__
    db.session.execute(
        sa.update(table).where(table.c.id == answer_id).values(updated_at=table.c.updated_at)
    )
    answer = db.session.get(Answer, answer_id)
    question = db.session.get(Question, answer.question_id) if answer else None
    if answer is None or not reviewable(answer) or not _member(reviewer_id, question.pool_id):
        db.session.rollback()
        raise NotFound("No such answer.")  # outside the reviewer's pools or hidden: not visible
    if answer.expert_id == reviewer_id:
        db.session.rollback()
        raise Forbidden("You cannot review your own answer.")
    done = db.session.scalar(
        sa.select(sa.func.count()).select_from(PeerReview).filter_by(answer_id=answer_id)
    )
    mine = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(PeerReview)
        .filter_by(answer_id=answer_id, reviewer_id=reviewer_id)
    )
    if not mine and done >= REVIEWS_PER_ANSWER:
        db.session.rollback()
        raise ReviewsComplete(
            "This answer has all the reviews it needs.",
            errors={"answer_id": [f"Already has {REVIEWS_PER_ANSWER} reviews."]},
        )
    review = PeerReview(answer_id=answer_id, reviewer_id=reviewer_id, grade=grade)
    db.session.add(review)
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        raise Conflict(
            "You already reviewed this answer.", errors={"answer_id": ["Already reviewed."]}
        ) from None
    record(
        actor,
        "review.submitted",
        "answer",
        answer_id,
        company_id=question.company_id,
        after={"grade": grade},
    )
    after_commit(
        enqueue,
        "workers.scoring.aggregate_reviews",
        str(question.pool_id),
        job_id=f"reviews-{question.pool_id}",
        delay=2,
        options=JobOptions(queue="low", retry_delays=(30,)),
    )
    db.session.commit()
    return review


def _member(expert_id: uuid.UUID, pool_id: uuid.UUID | None) -> bool:
    return bool(
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(PoolMembership)
            .filter_by(expert_id=expert_id, pool_id=pool_id, status=MembershipStatus.APPROVED)
        )
    )


def aggregate_pool(pool_id: uuid.UUID) -> int:
    """Run Dawid-Skene over the pool's reviews; store each answer's consensus and re-grade."""
    from marketplace.answers.grading import score_answer

    rows = db.session.execute(
        sa.select(PeerReview.answer_id, PeerReview.reviewer_id, PeerReview.grade)
        .join(Answer, Answer.id == PeerReview.answer_id)
        .join(Question, Question.id == Answer.question_id)
        .where(Question.pool_id == pool_id)
    ).all()
    if not rows:
        return 0
    result = dawid_skene([Review(a, r, grade_to_good(g)) for a, r, g in rows])
    changed = []
    for answer_id, probability in result.posterior.items():
        answer = db.session.get(Answer, answer_id)
        if (
            answer.peer_good_probability is None
            or abs(answer.peer_good_probability - probability) > MIN_DIFFERENCE
        ):
            answer.peer_good_probability = round(float(probability), 6)
            changed.append(answer_id)
    db.session.commit()
    for answer_id in changed:
        score_answer(answer_id)
    return len(changed)


def reviewer_report(moderator: UserCaller, pool_id: uuid.UUID | None) -> list[dict[str, Any]]:
    """Each reviewer's reliability and review count per pool the moderator may see.

    A moderator sees their company's pools, a platform admin every pool; another company's
    pool asked for by id is not found.
    """
    query = sa.select(Pool).order_by(Pool.created_at, Pool.id)
    if moderator.role != Role.PLATFORM_ADMIN:
        query = query.where(Pool.company_id == moderator.company_id)
    if pool_id is not None:
        query = query.where(Pool.id == pool_id)
    pools = db.session.scalars(query).all()
    if pool_id is not None and not pools:
        raise NotFound("No such pool.")
    report = []
    for pool in pools:
        counts = dict(
            db.session.execute(
                sa.select(PeerReview.reviewer_id, sa.func.count())
                .join(Answer, Answer.id == PeerReview.answer_id)
                .join(Question, Question.id == Answer.question_id)
                .where(Question.pool_id == pool.id)
                .group_by(PeerReview.reviewer_id)
            ).all()
        )
        for reviewer, value in sorted(reviewer_reliability(pool.id).items(), key=lambda kv: kv[1]):
            report.append(
                {
                    "pool_id": pool.id,
                    "reviewer_id": reviewer,
                    "reliability": round(value, 4),
                    "reviews": counts.get(reviewer, 0),
                }
            )
    return report


def reviewer_reliability(pool_id: uuid.UUID) -> dict[uuid.UUID, float]:
    """Each reviewer's estimated accuracy in the pool (for moderators)."""
    rows = db.session.execute(
        sa.select(PeerReview.answer_id, PeerReview.reviewer_id, PeerReview.grade)
        .join(Answer, Answer.id == PeerReview.answer_id)
        .join(Question, Question.id == Answer.question_id)
        .where(Question.pool_id == pool_id)
    ).all()
    if not rows:
        return {}
    result = dawid_skene([Review(a, r, grade_to_good(g)) for a, r, g in rows])
    return {reviewer: float(value) for reviewer, value in result.reliability.items()}
