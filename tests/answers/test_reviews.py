"""Peer review: pool members grade others' answers; reliable reviewers count more."""

from __future__ import annotations

import uuid

import sqlalchemy as sa

from marketplace.answers import reviews
from marketplace.answers.models import Answer
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
    from marketplace.answers.models import PeerReview

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
