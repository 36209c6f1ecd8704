"""The jobs of workers/scoring.py, called as RQ calls them: running twice changes nothing."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from marketplace.answers import grading
from marketplace.answers.models import Answer, Feedback, PeerReview
from marketplace.database import utcnow
from marketplace.eventlog.models import Event
from marketplace.experts.models import PoolMembership
from marketplace.schedule import DAY, PERIODIC_JOBS
from tests.factories import (
    answer_question,
    default_pool,
    make_company,
    make_pool_expert,
    post_question,
)
from workers import scoring as jobs

GOOD = (
    "Open Settings > Battery and turn on adaptive charging, then restart the phone. If it "
    "still drains overnight, check which app uses it most under Battery usage."
)


def _events(db):
    return db.session.scalar(sa.select(sa.func.count()).select_from(Event))


def _state(db, answer_id):
    db.session.expire_all()
    a = db.session.get(Answer, answer_id)
    memberships = [
        (m.reputation_mean, m.reputation_lower, m.tier)
        for m in db.session.scalars(sa.select(PoolMembership).order_by(PoolMembership.id))
    ]
    return (a.score, a.score_confidence, a.signals, a.outcome, a.decided_at, memberships)


def test_each_scoring_job_twice_changes_nothing_the_second_time(app, db):
    company = make_company(app)
    pool = default_pool(app, company.id)
    expert = make_pool_expert(app, pool)
    question_id = post_question(app, company)
    answer_id = answer_question(app, question_id, GOOD, expert.id)
    score = jobs.score_answer(str(answer_id))
    assert score is not None and score == db.session.get(Answer, answer_id).score
    db.session.add(Feedback(question_id=question_id, rating=2, resolved=False))
    db.session.commit()
    assert jobs.rescore_question(str(question_id)) == 1
    assert jobs.recompute_reputation(str(expert.id))["pools"] == {str(pool): "vetted"}
    assert jobs.recompute_all_reputations() == 1
    settled, events = _state(db, answer_id), _events(db)
    assert settled[0] < score  # the low rating was blended in
    jobs.score_answer(str(answer_id))
    jobs.rescore_question(str(question_id))
    jobs.recompute_reputation(str(expert.id))
    jobs.recompute_all_reputations()
    assert _state(db, answer_id) == settled
    assert _events(db) == events


def test_aggregating_reviews_twice_rescores_only_once(app, db):
    company = make_company(app)
    pool = default_pool(app, company.id)
    author = make_pool_expert(app, pool)
    reviewers = [make_pool_expert(app, pool) for _ in range(3)]
    answer_id = answer_question(app, post_question(app, company), GOOD, author.id)
    jobs.score_answer(str(answer_id))
    for reviewer in reviewers:
        db.session.add(PeerReview(answer_id=answer_id, reviewer_id=reviewer.id, grade=5))
    db.session.commit()
    assert jobs.aggregate_reviews(str(pool)) == 1
    settled, events = _state(db, answer_id), _events(db)
    assert settled[2]["components"][-1]["name"] == "peer_review"
    assert jobs.aggregate_reviews(str(pool)) == 0
    assert _state(db, answer_id) == settled and _events(db) == events


def test_the_nightly_recompute_is_a_periodic_job():
    [job] = [j for j in PERIODIC_JOBS if j.func == "workers.scoring.recompute_all_reputations"]
    assert job.every == DAY and job.options.queue == "low"
    assert job.bucket(job.offset) == 0 and job.bucket(job.offset + DAY) == 1
    import importlib

    module, _, name = job.func.rpartition(".")
    assert callable(getattr(importlib.import_module(module), name))


def test_the_sweep_scores_again_answers_whose_job_was_lost(app, db):
    company = make_company(app)
    expert = make_pool_expert(app, default_pool(app, company.id))
    lost = answer_question(app, post_question(app, company), GOOD, expert.id)
    recent = answer_question(app, post_question(app, company), GOOD, expert.id)
    app.extensions["job_queue"].wait_until_idle(10)
    # As if both scoring jobs vanished (a killed worker, a Redis restarted empty); one answer
    # is older than the sweep's patience, the other may still be waiting in a backlog.
    db.session.execute(sa.update(Answer).values(score=None, score_confidence=None, signals=None))
    written = utcnow() - grading.UNSCORED_AFTER - timedelta(minutes=1)
    db.session.execute(sa.update(Answer).where(Answer.id == lost).values(created_at=written))
    db.session.commit()
    assert jobs.requeue_unscored() == 1
    assert jobs.requeue_unscored() == 0  # one attempt per window, even before it ran
    app.extensions["job_queue"].wait_until_idle(10)
    db.session.expire_all()
    assert db.session.get(Answer, lost).score is not None
    assert db.session.get(Answer, recent).score is None
    assert "scoring-sweep" in {job.name for job in PERIODIC_JOBS}
