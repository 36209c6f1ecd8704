"""Vetting: what sign-up keeps, the qualification test per applicant, review and its races."""

from __future__ import annotations

import random
import uuid

import sqlalchemy as sa

from marketplace.experts.models import (
    ExpertInterest,
    ExpertProfile,
    MembershipStatus,
    PoolMembership,
)
from marketplace.moderation import vetting
from marketplace.moderation.models import QualificationAttempt
from tests.moderation.conftest import add_gold, events, race, sign_up

APPLY = "/api/v1/expert/pools/{}/apply"
TEST = "/api/v1/expert/pools/{}/test"


def applications(client, moderator):
    response = client.get("/api/v1/moderation/applications", headers=moderator.headers)
    assert response.status_code == 200, response.get_json()
    return response.get_json()["items"]


def test_sign_up_keeps_brands_and_topics_as_data_shown_to_moderators(app, db, client, shop):
    expert_id, fan = sign_up(
        app,
        brands=["Aurora", " aurora ", "Nova Phones"],
        topics=["battery care", "Battery care", "电池保养"],
        motivation="I fix my friends' phones.",
        languages=["en", "zh"],
    )
    rows = db.session.execute(
        sa.select(ExpertInterest.kind, ExpertInterest.name).filter_by(expert_id=expert_id)
    ).all()
    assert sorted((k.value, n) for k, n in rows) == [
        ("brand", "Aurora"),
        ("brand", "Nova Phones"),
        ("topic", "battery care"),
        ("topic", "电池保养"),
    ]
    assert db.session.get(ExpertProfile, expert_id).headline == ""  # no longer squeezed in
    profile = client.get("/api/v1/expert/profile", headers=fan).get_json()
    assert profile["brands"] == ["Aurora", "Nova Phones"]
    assert profile["topics"] == ["battery care", "电池保养"]
    assert client.post(APPLY.format(shop["pool"]), json={}, headers=fan).status_code == 201
    [application] = applications(client, shop["mod_a"])
    assert application["brands"] == ["Aurora", "Nova Phones"]
    assert application["topics"] == ["battery care", "电池保养"]
    assert application["languages"] == ["en", "zh"]
    assert application["skills"] == {"battery": 3}
    assert application["motivation"] == "I fix my friends' phones."


def test_each_applicant_draws_their_own_test_and_a_reload_shows_the_same(app, db, client, shop):
    gold = add_gold(client, shop["company"], 8)
    draws = set()
    for _ in range(6):
        expert_id, fan = sign_up(app)
        applied = client.post(APPLY.format(shop["pool"]), json={}, headers=fan)
        assert applied.get_json()["status"] == "testing"
        first = [q["id"] for q in client.get(TEST.format(shop["pool"]), headers=fan).get_json()]
        again = [q["id"] for q in client.get(TEST.format(shop["pool"]), headers=fan).get_json()]
        assert first == again and len(first) == 3 and set(first) <= set(gold)
        membership = db.session.scalars(
            sa.select(PoolMembership).filter_by(expert_id=expert_id)
        ).one()
        # The draw is seeded by the membership, so it is reproducible and differs per person.
        ordered = sorted(uuid.UUID(g) for g in gold)
        expected = random.Random(membership.id.int).sample(ordered, 3)
        assert first == [str(q) for q in expected]
        draws.add(frozenset(first))
    assert len(draws) > 1  # (1/56)^5 chance that six applicants share one test


def test_a_pool_without_gold_questions_sends_applicants_to_review_flagged(app, db, client, shop):
    _expert_id, fan = sign_up(app)
    applied = client.post(APPLY.format(shop["pool"]), json={}, headers=fan)
    assert applied.status_code == 201 and applied.get_json()["status"] == "review"
    assert client.get(TEST.format(shop["pool"]), headers=fan).get_json() == []
    refused = client.post(TEST.format(shop["pool"]), json={"answers": {}}, headers=fan)
    assert refused.status_code == 409
    [application] = applications(client, shop["mod_a"])
    assert application["no_test"] is True and application["test_score"] is None
    [skipped] = events(db, "qualification.skipped")
    assert skipped.after == {"reason": "the pool has no gold questions"}


def test_the_test_is_graded_once_and_never_reopens_a_closed_application(app, db, client, shop):
    gold = add_gold(client, shop["company"], 3)
    answers = {g: "Open settings and reset the option then restart." for g in gold}
    _, fan = sign_up(app)
    client.post(APPLY.format(shop["pool"]), json={}, headers=fan)
    graded = client.post(TEST.format(shop["pool"]), json={"answers": answers}, headers=fan)
    assert graded.status_code == 200 and 0 <= graded.get_json()["score"] <= 1
    again = client.post(TEST.format(shop["pool"]), json={"answers": answers}, headers=fan)
    assert again.status_code == 409
    # Removed (or rejected) while testing: submitting must not move it back to review.
    closed_id, closed = sign_up(app)
    client.post(APPLY.format(shop["pool"]), json={}, headers=closed)
    membership = db.session.scalars(sa.select(PoolMembership).filter_by(expert_id=closed_id)).one()
    membership.status = MembershipStatus.REMOVED
    db.session.commit()
    refused = client.post(TEST.format(shop["pool"]), json={"answers": answers}, headers=closed)
    assert refused.status_code == 409
    db.session.expire_all()
    assert db.session.get(PoolMembership, membership.id).status == MembershipStatus.REMOVED
    attempt = db.session.scalars(
        sa.select(QualificationAttempt).filter_by(membership_id=membership.id)
    ).one()
    assert attempt.submitted_at is None and attempt.score is None


def test_review_records_the_reviewer_and_refuses_a_linked_moderator(app, db, client, shop):
    expert_id, fan = sign_up(app)
    client.post(APPLY.format(shop["pool"]), json={}, headers=fan)
    linked = client.post(
        "/api/v1/moderation/links",
        json={"expert_id": str(expert_id), "reason": "my sister"},
        headers=shop["mod_a"].headers,
    )
    assert linked.status_code == 201
    assert applications(client, shop["mod_a"]) == []  # not shown to the linked moderator
    [application] = applications(client, shop["mod_b"])
    url = f"/api/v1/moderation/applications/{application['membership_id']}/decision"
    refused = client.post(url, json={"approve": True}, headers=shop["mod_a"].headers)
    assert refused.status_code == 403 and refused.get_json()["type"].endswith(
        "conflict-of-interest"
    )
    membership_id = uuid.UUID(application["membership_id"])
    assert db.session.get(PoolMembership, membership_id).status == MembershipStatus.REVIEW
    approved = client.post(url, json={"approve": True}, headers=shop["mod_b"].headers)
    assert approved.get_json() == {"status": "approved"}
    attempt = db.session.scalars(
        sa.select(QualificationAttempt).filter_by(membership_id=membership_id)
    ).one()
    db.session.refresh(attempt)
    assert attempt.reviewed_by == shop["mod_b"].id and attempt.reviewed_at is not None
    late = client.post(url, json={"approve": False}, headers=shop["mod_b"].headers)
    assert late.status_code == 409


def test_approve_and_reject_at_once_one_wins(app, db, client, shop, postgres_only, monkeypatch):
    _, fan = sign_up(app)
    client.post(APPLY.format(shop["pool"]), json={}, headers=fan)
    [application] = applications(client, shop["mod_a"])
    url = f"/api/v1/moderation/applications/{application['membership_id']}/decision"
    db.session.remove()

    def decide(moderator, approve):
        return lambda: app.test_client().post(
            url, json={"approve": approve}, headers=moderator.headers
        )

    results = race(
        app,
        [decide(shop["mod_a"], True), decide(shop["mod_b"], False)],
        monkeypatch,
        vetting.conflicts,
        "check_not_linked",  # both have read the membership in review by then
    )
    codes = sorted(r.status_code for r in results)
    assert codes == [200, 409], [r.get_json() for r in results]
    winner = next(r for r in results if r.status_code == 200).get_json()["status"]
    db.session.expire_all()
    status = db.session.get(PoolMembership, uuid.UUID(application["membership_id"])).status
    assert status.value == winner
    decided = events(db, "membership.approved") + events(db, "membership.rejected")
    assert [e.entity_id for e in decided].count(application["membership_id"]) == 1


def test_applications_page_with_a_cursor(app, db, client, shop):
    for _ in range(3):
        _, fan = sign_up(app)
        assert client.post(APPLY.format(shop["pool"]), json={}, headers=fan).status_code == 201
    url = "/api/v1/moderation/applications"
    first = client.get(url, query_string={"limit": 2}, headers=shop["mod_a"].headers).get_json()
    second = client.get(
        url,
        query_string={"limit": 2, "cursor": first["next_cursor"]},
        headers=shop["mod_a"].headers,
    ).get_json()
    ids = [a["membership_id"] for a in first["items"] + second["items"]]
    assert len(first["items"]) == 2 and len(second["items"]) == 1
    assert len(set(ids)) == 3 and second["next_cursor"] is None
