"""Peer review: experts grade other experts' answers in their pools; Dawid-Skene weighs them."""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from marketplace.aftercommit import after_commit
from marketplace.answers.models import Answer, PeerReview
from marketplace.errors import Conflict, Forbidden, NotFound
from marketplace.eventlog.services import Actor, record
from marketplace.experts.models import MembershipStatus, PoolMembership
from marketplace.extensions import db
from marketplace.questions.models import Question
from marketplace.queue import JobOptions, enqueue
from scoring.peer_review import Review, dawid_skene, grade_to_good

REVIEWS_PER_ANSWER = 3
MIN_DIFFERENCE = 1e-3  # a consensus change smaller than this does not trigger a re-grade


def next_to_review(reviewer_id: uuid.UUID) -> Answer | None:
    """An answer in one of the reviewer's pools, not theirs, not yet reviewed by them, with
    fewer than REVIEWS_PER_ANSWER reviews: oldest first."""
    pools = sa.select(PoolMembership.pool_id).filter_by(
        expert_id=reviewer_id, status=MembershipStatus.APPROVED
    )
    reviewed = sa.select(PeerReview.answer_id).filter_by(reviewer_id=reviewer_id)
    counts = (
        sa.select(PeerReview.answer_id, sa.func.count().label("n"))
        .group_by(PeerReview.answer_id)
        .subquery()
    )
    return db.session.scalars(
        sa.select(Answer)
        .join(Question, Question.id == Answer.question_id)
        .outerjoin(counts, counts.c.answer_id == Answer.id)
        .where(
            Question.pool_id.in_(pools),
            Answer.expert_id != reviewer_id,
            Answer.id.not_in(reviewed),
            sa.func.coalesce(counts.c.n, 0) < REVIEWS_PER_ANSWER,
        )
        .order_by(Answer.created_at)
        .limit(1)
    ).first()


def submit_review(
    reviewer_id: uuid.UUID, answer_id: uuid.UUID, grade: int, actor: Actor
) -> PeerReview:
    """Record a grade once per reviewer and answer; then re-aggregate the pool."""
    answer = db.session.get(Answer, answer_id)
    if answer is None:
        raise NotFound("No such answer.")
    question = db.session.get(Question, answer.question_id)
    if answer.expert_id == reviewer_id:
        raise Forbidden("You cannot review your own answer.")
    member = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(PoolMembership)
        .filter_by(
            expert_id=reviewer_id, pool_id=question.pool_id, status=MembershipStatus.APPROVED
        )
    )
    if not member:
        raise NotFound("No such answer.")  # outside the reviewer's pools: not visible
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
