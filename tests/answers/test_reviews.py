"""Peer review: pool members grade others' answers; reliable reviewers count more."""

from __future__ import annotations

import threading
import uuid

import pytest
import sqlalchemy as sa

from marketplace.answers import grading, reviews
from marketplace.answers.models import Answer, AnswerStatus, PeerReview
from marketplace.eventlog.services import Actor
from tests.factories import (
    answer_question,
    default_pool,
    make_company,
    make_pool_expert,
    post_question,
)


def test_reviewers_grade_answers_in_their_pools_once(app, db, client):
    company = make_company(app)
    pool = default_pool(app, company.id)
    author = make_pool_expert(app, pool)
    reviewer = make_pool_expert(app, pool)
    outsider = make_pool_expert(app, default_pool(app, make_company(app).id))
    answer_id = answer_question(
        app, post_question(app, company), "Restart it.", expert_id=author.id
    )
    grading.score_answer(answer_id)
    task = client.get("/api/v1/expert/reviews/next", headers=reviewer.headers)
    assert task.status_code == 200 and task.get_json()["answer_id"] == str(answer_id)
    assert "expert" not in str(task.get_json())  # the author stays anonymous
    assert client.get("/api/v1/expert/reviews/next", headers=author.headers).status_code == 204
    assert client.get("/api/v1/expert/reviews/next", headers=outsider.headers).status_code == 204
    url = "/api/v1/expert/reviews"
    own = client.post(url, json={"answer_id": str(answer_id), "grade": 5}, headers=author.headers)
    assert own.status_code == 403
    foreign = client.post(
        url, json={"answer_id": str(answer_id), "grade": 5}, headers=outsider.headers
    )
    assert foreign.status_code == 404
    bad = client.post(url, json={"answer_id": str(answer_id), "grade": 9}, headers=reviewer.headers)
    assert bad.status_code == 422
    ok = client.post(url, json={"answer_id": str(answer_id), "grade": 4}, headers=reviewer.headers)
    assert ok.status_code == 201
    again = client.post(
        url, json={"answer_id": str(answer_id), "grade": 2}, headers=reviewer.headers
    )
    assert again.status_code == 409
    assert client.get("/api/v1/expert/reviews/next", headers=reviewer.headers).status_code == 204


def test_aggregation_weighs_reviewers_and_stores_the_consensus(app, db):
    company = make_company(app, budget=10**9)
    pool = default_pool(app, company.id)
    author = make_pool_expert(app, pool)
    honest = [make_pool_expert(app, pool) for _ in range(3)]
    contrarian = make_pool_expert(app, pool)
    truth = {}
    for n in range(8):
        answer_id = answer_question(
            app, post_question(app, company), f"Answer {n}", expert_id=author.id
        )
        truth[answer_id] = n % 2 == 0
    for answer_id, good in truth.items():
        for reviewer in honest:
            db.session.add(
                PeerReview(answer_id=answer_id, reviewer_id=reviewer.id, grade=5 if good else 1)
            )
        db.session.add(
            PeerReview(answer_id=answer_id, reviewer_id=contrarian.id, grade=1 if good else 5)
        )
    db.session.commit()
    assert reviews.aggregate_pool(pool) == len(truth)
    db.session.expire_all()
    for answer_id, good in truth.items():
        probability = db.session.get(Answer, answer_id).peer_good_probability
        assert (probability > 0.5) == good
    reliability = reviews.reviewer_reliability(pool)
    assert reliability[contrarian.id] < 0.5 < min(reliability[r.id] for r in honest)
    assert reviews.aggregate_pool(pool) == 0  # nothing changed the second time
    assert reviews.aggregate_pool(uuid.uuid4()) == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(PeerReview)) == 32


GOOD = (
    "Open Settings > Battery and turn on adaptive charging, then restart the phone. If it "
    "still drains overnight, check which app uses it most under Battery usage."
)


def scored_answer(app, company, author, text=GOOD):
    answer_id = answer_question(app, post_question(app, company), text, expert_id=author.id)
    grading.score_answer(answer_id)
    return answer_id


def test_held_unscored_and_personal_data_answers_are_not_served_or_accepted(app, db, client):
    company = make_company(app)
    pool = default_pool(app, company.id)
    author, reviewer = make_pool_expert(app, pool), make_pool_expert(app, pool)
    leak = scored_answer(app, company, author, GOOD + " Call me on 13812345678.")
    held = scored_answer(app, company, author)
    db.session.get(Answer, held).status = AnswerStatus.HELD
    db.session.commit()
    unscored = answer_question(app, post_question(app, company), GOOD, expert_id=author.id)
    assert client.get("/api/v1/expert/reviews/next", headers=reviewer.headers).status_code == 204
    for answer_id in (leak, held, unscored):
        response = client.post(
            "/api/v1/expert/reviews",
            json={"answer_id": str(answer_id), "grade": 4},
            headers=reviewer.headers,
        )
        assert response.status_code == 404, response.get_json()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(PeerReview)) == 0
    fine = scored_answer(app, company, author)
    task = client.get("/api/v1/expert/reviews/next", headers=reviewer.headers).get_json()
    assert task["answer_id"] == str(fine)


def test_an_answer_takes_at_most_reviews_per_answer_grades(app, db, client):
    company = make_company(app)
    pool = default_pool(app, company.id)
    author = make_pool_expert(app, pool)
    reviewers = [make_pool_expert(app, pool) for _ in range(reviews.REVIEWS_PER_ANSWER + 1)]
    answer_id = scored_answer(app, company, author)
    statuses = [
        client.post(
            "/api/v1/expert/reviews",
            json={"answer_id": str(answer_id), "grade": 5},
            headers=r.headers,
        ).status_code
        for r in reviewers
    ]
    assert statuses == [201] * reviews.REVIEWS_PER_ANSWER + [409]
    last = reviewers[-1]
    assert client.get("/api/v1/expert/reviews/next", headers=last.headers).status_code == 204
    count = sa.select(sa.func.count()).select_from(PeerReview).filter_by(answer_id=answer_id)
    assert db.session.scalar(count) == reviews.REVIEWS_PER_ANSWER
    with pytest.raises(reviews.ReviewsComplete):
        reviews.submit_review(last.id, answer_id, 3, Actor.user(last.id))


def test_moderators_see_reviewer_reliability_of_their_own_pools_only(app, db, client):
    from tests.moderation.conftest import make_moderator

    company, other = make_company(app), make_company(app)
    pool = default_pool(app, company.id)
    author = make_pool_expert(app, pool)
    honest = [make_pool_expert(app, pool) for _ in range(3)]
    contrarian = make_pool_expert(app, pool)
    for n in range(6):
        answer_id = answer_question(
            app, post_question(app, company), f"Answer {n}", expert_id=author.id
        )
        good = n % 2 == 0
        for reviewer in honest:
            db.session.add(
                PeerReview(answer_id=answer_id, reviewer_id=reviewer.id, grade=5 if good else 1)
            )
        db.session.add(
            PeerReview(answer_id=answer_id, reviewer_id=contrarian.id, grade=1 if good else 5)
        )
    db.session.commit()
    moderator = make_moderator(app, company.id)
    rows = client.get("/api/v1/moderation/reviewers", headers=moderator.headers).get_json()
    by_reviewer = {row["reviewer_id"]: row for row in rows}
    assert set(by_reviewer) == {str(r.id) for r in [*honest, contrarian]}
    assert rows[0]["reviewer_id"] == str(contrarian.id)  # least reliable first
    assert by_reviewer[str(contrarian.id)]["reliability"] < 0.5 and rows[0]["reviews"] == 6
    outsider = make_moderator(app, other.id)
    assert client.get("/api/v1/moderation/reviewers", headers=outsider.headers).get_json() == []
    foreign = client.get(f"/api/v1/moderation/reviewers?pool_id={pool}", headers=outsider.headers)
    assert foreign.status_code == 404
    expert = client.get("/api/v1/moderation/reviewers", headers=author.headers)
    assert expert.status_code == 403


def test_reviewers_racing_for_the_last_places_never_pass_the_cap(app, db):
    """Six reviewers post at the same instant: the answer row lock lets exactly three in."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("race test: runs on PostgreSQL (SQLite serialises writers)")
    company = make_company(app)
    pool = default_pool(app, company.id)
    author = make_pool_expert(app, pool)
    reviewers = [make_pool_expert(app, pool) for _ in range(2 * reviews.REVIEWS_PER_ANSWER)]
    answer_id = scored_answer(app, company, author)
    db.session.remove()
    start = threading.Barrier(len(reviewers))
    statuses: list[int] = []

    def review(reviewer) -> None:
        client = app.test_client()
        start.wait()
        response = client.post(
            "/api/v1/expert/reviews",
            json={"answer_id": str(answer_id), "grade": 4},
            headers=reviewer.headers,
        )
        statuses.append(response.status_code)

    threads = [threading.Thread(target=review, args=(r,)) for r in reviewers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(statuses) == [201] * reviews.REVIEWS_PER_ANSWER + [409] * (
        len(reviewers) - reviews.REVIEWS_PER_ANSWER
    )
    count = sa.select(sa.func.count()).select_from(PeerReview).filter_by(answer_id=answer_id)
    assert db.session.scalar(count) == reviews.REVIEWS_PER_ANSWER
