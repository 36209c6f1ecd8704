"""Sanctions: who may do what, how far each reaches, work taken back, what the expert sees."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
import sqlalchemy as sa

from marketplace.accounts.models import User, UserStatus
from marketplace.database import utcnow
from marketplace.eventlog.services import Actor
from marketplace.experts.models import MembershipStatus, PoolMembership
from marketplace.experts.services import admit_to_pool
from marketplace.matching import claims, services
from marketplace.matching.models import Assignment, AssignmentStatus, Offer, OfferStatus
from marketplace.moderation.models import Sanction
from marketplace.questions.models import Question, QuestionStatus
from tests.factories import default_pool, make_company, make_pool_expert
from tests.moderation.conftest import (
    decide,
    make_admin,
    make_moderator,
    pending_item,
    post_question,
)

URL = "/api/v1/moderation/sanctions"


@pytest.fixture
def two_shops(app, db, shop):
    """The shop's expert also works for a second company."""
    other = make_company(app, budget=10**9)
    other_pool = default_pool(app, other.id)
    admit_to_pool(shop["expert"].id, other_pool, Actor.system("test"))
    return shop | {"other": other, "other_pool": other_pool}


def offered_to(db, expert_id, question_id) -> Offer | None:
    services.drain()
    db.session.expire_all()
    return db.session.scalars(
        sa.select(Offer).filter_by(expert_id=expert_id, question_id=question_id)
    ).first()


def work_in(app, db, company, expert_id):
    """One assignment the expert holds and one offer waiting for them, at this company."""
    held = post_question(app, company)
    offer = offered_to(db, expert_id, held)
    assignment = claims.accept_offer(expert_id, offer.id, Actor.user(expert_id))
    waiting = post_question(app, company)
    assert offered_to(db, expert_id, waiting) is not None
    return assignment.id, waiting


def later(days=2) -> str:
    return (utcnow() + timedelta(days=days)).isoformat()


def sanction(client, moderator, expert_id, kind, **extra):
    return client.post(
        URL,
        json={"expert_id": str(expert_id), "kind": kind, "reason": "Rude twice."} | extra,
        headers=moderator.headers,
    )


def test_a_company_suspension_reaches_only_that_companys_pools(app, db, client, two_shops):
    shop, expert = two_shops, two_shops["expert"]
    here = work_in(app, db, shop["company"], expert.id)
    there = work_in(app, db, shop["other"], expert.id)
    response = sanction(client, shop["mod_a"], expert.id, "suspend", until=later())
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["scope"] == "company"
    db.session.expire_all()
    assert db.session.get(User, expert.id).status == UserStatus.ACTIVE  # not platform-wide
    # This company's work is taken back: the assignment returns to the queue, the offer ends.
    assignment = db.session.get(Assignment, here[0])
    assert assignment.status == AssignmentStatus.RELEASED
    assert db.session.get(Question, assignment.question_id).status == QuestionStatus.QUEUED
    assert {
        o.status for o in db.session.scalars(sa.select(Offer).filter_by(question_id=here[1]))
    } == {OfferStatus.REVOKED}
    # The other company's work is untouched, and it still offers the expert questions.
    assert db.session.get(Assignment, there[0]).status == AssignmentStatus.ACTIVE
    assert offered_to(db, expert.id, post_question(app, shop["other"])) is not None
    assert offered_to(db, expert.id, post_question(app, shop["company"])) is None
    # When the suspension ends, this company's questions reach the expert again.
    db.session.execute(
        sa.update(PoolMembership)
        .where(PoolMembership.pool_id == shop["pool"])
        .values(suspended_until=utcnow() - timedelta(seconds=1))
    )
    db.session.commit()
    assert offered_to(db, expert.id, post_question(app, shop["company"])) is not None


def test_removal_takes_back_that_pools_work_only(app, db, client, two_shops):
    shop, expert = two_shops, two_shops["expert"]
    here = work_in(app, db, shop["company"], expert.id)
    there = work_in(app, db, shop["other"], expert.id)
    removed = sanction(
        client, shop["mod_a"], expert.id, "remove_from_pool", pool_id=str(shop["pool"])
    )
    assert removed.status_code == 201 and removed.get_json()["scope"] == "pool"
    db.session.expire_all()
    membership = db.session.scalars(
        sa.select(PoolMembership).filter_by(expert_id=expert.id, pool_id=shop["pool"])
    ).one()
    assert membership.status == MembershipStatus.REMOVED
    assert db.session.get(Assignment, here[0]).status == AssignmentStatus.RELEASED
    assert db.session.get(Assignment, there[0]).status == AssignmentStatus.ACTIVE
    again = sanction(client, shop["mod_a"], expert.id, "warn")
    assert again.status_code == 404  # no approved membership at this company any more
    foreign = sanction(
        client, shop["mod_a"], expert.id, "remove_from_pool", pool_id=str(shop["other_pool"])
    )
    assert foreign.status_code == 404


def test_a_platform_suspension_takes_everything_back_and_stays_visible(app, db, client, two_shops):
    shop, expert = two_shops, two_shops["expert"]
    here = work_in(app, db, shop["company"], expert.id)
    there = work_in(app, db, shop["other"], expert.id)
    admin = make_admin(app)
    response = sanction(client, admin, expert.id, "suspend", until=later())
    assert response.status_code == 201 and response.get_json()["scope"] == "platform"
    db.session.expire_all()
    assert db.session.get(User, expert.id).status == UserStatus.SUSPENDED
    for assignment_id, _ in (here, there):
        assert db.session.get(Assignment, assignment_id).status == AssignmentStatus.RELEASED
    assert (
        db.session.scalars(
            sa.select(Offer).filter_by(expert_id=expert.id, status=OfferStatus.PENDING)
        ).all()
        == []
    )
    # Locked out of work, but the sanctions stay readable, and the login says why.
    locked = client.get("/api/v1/expert/profile", headers=expert.headers)
    assert locked.status_code == 403 and locked.get_json()["type"].endswith("account-inactive")
    assert locked.get_json()["account_status"] == "suspended" and locked.get_json()["until"]
    [seen] = client.get("/api/v1/expert/sanctions", headers=expert.headers).get_json()
    assert (seen["kind"], seen["scope"], seen["reason"]) == ("suspend", "platform", "Rude twice.")
    login = client.post(
        "/api/v1/auth/token", json={"email": expert.email, "password": "password-123"}
    )
    assert login.status_code == 403 and login.get_json()["type"].endswith("account-inactive")
    assert login.get_json()["sanctions"][0]["reason"] == "Rude twice."


def test_only_platform_admins_ban_and_a_ban_explains_itself(app, db, client, shop):
    expert = shop["expert"]
    refused = sanction(client, shop["mod_a"], expert.id, "ban")
    assert refused.status_code == 403
    assert db.session.scalars(sa.select(Sanction)).all() == []
    admin = make_admin(app)
    banned = sanction(client, admin, expert.id, "ban", reason="Fraud ring.")
    assert banned.status_code == 201
    db.session.expire_all()
    assert db.session.get(User, expert.id).status == UserStatus.BANNED
    for path in ("/api/v1/auth/token", "/api/v1/auth/session"):
        login = client.post(path, json={"email": expert.email, "password": "password-123"})
        assert login.status_code == 403
        assert login.get_json()["account_status"] == "banned"
        assert login.get_json()["sanctions"][0]["reason"] == "Fraud ring."
    wrong = client.post("/api/v1/auth/token", json={"email": expert.email, "password": "nope-nope"})
    assert wrong.status_code == 401 and "sanctions" not in wrong.get_json()
    [seen] = client.get("/api/v1/expert/sanctions", headers=expert.headers).get_json()
    assert seen["kind"] == "ban"
    assert sanction(client, admin, expert.id, "suspend", until=later()).status_code == 409


def test_who_may_be_sanctioned(app, db, client, shop):
    admin = make_admin(app)
    assert sanction(client, admin, uuid.uuid4(), "warn").status_code == 404
    assert sanction(client, admin, shop["mod_b"].id, "warn").status_code == 404  # not an expert
    applicant = make_pool_expert(app, shop["pool"])
    db.session.execute(
        sa.update(PoolMembership)
        .where(PoolMembership.expert_id == applicant.id)
        .values(status=MembershipStatus.REJECTED)
    )
    db.session.commit()
    # Works-with counts approved memberships only.
    assert sanction(client, shop["mod_a"], applicant.id, "warn").status_code == 404
    client.post(
        "/api/v1/moderation/links",
        json={"expert_id": str(shop["expert"].id)},
        headers=shop["mod_a"].headers,
    )
    linked = sanction(client, shop["mod_a"], shop["expert"].id, "warn")
    assert linked.status_code == 403 and linked.get_json()["type"].endswith("conflict-of-interest")
    assert db.session.scalars(sa.select(Sanction)).all() == []


def test_moderators_list_their_companys_sanctions_and_look_up_an_expert(app, db, client, two_shops):
    shop, expert = two_shops, two_shops["expert"]
    outsider = make_moderator(app, shop["other"].id)
    for n in range(3):
        assert (
            sanction(client, shop["mod_a"], expert.id, "warn", reason=f"Warning {n}").status_code
            == 201
        )
    assert sanction(client, outsider, expert.id, "warn", reason="Theirs").status_code == 201
    first = client.get(
        URL, query_string={"expert_id": str(expert.id), "limit": 2}, headers=shop["mod_b"].headers
    ).get_json()
    second = client.get(
        URL,
        query_string={"cursor": first["next_cursor"], "limit": 2},
        headers=shop["mod_b"].headers,
    ).get_json()
    reasons = [s["reason"] for s in first["items"] + second["items"]]
    assert reasons == ["Warning 2", "Warning 1", "Warning 0"] and second["next_cursor"] is None
    _, item = pending_item(app, db, client, shop)
    assert decide(client, shop["mod_a"], item["id"], "reject", reasons=["rude"]).status_code == 200
    record = client.get(f"/api/v1/moderation/experts/{expert.id}", headers=shop["mod_b"].headers)
    body = record.get_json()
    assert [m["pool_id"] for m in body["memberships"]] == [str(shop["pool"])]
    assert [v["verdict"] for v in body["verdicts"]] == ["reject"]
    assert "Theirs" not in str(body) and len(body["sanctions"]) == 3
    stranger = make_moderator(app, make_company(app).id)
    lookup = client.get(f"/api/v1/moderation/experts/{expert.id}", headers=stranger.headers)
    assert lookup.status_code == 404


def test_repeated_personal_data_leaks_suspend_automatically(app, db, client, shop):
    for _ in range(3):
        _, item = pending_item(app, db, client, shop)
        rejected = decide(client, shop["mod_a"], item["id"], "reject", reasons=["personal_data"])
        assert rejected.status_code == 200
    db.session.expire_all()
    user = db.session.get(User, shop["expert"].id)
    assert user.status == UserStatus.SUSPENDED and user.suspended_until > utcnow()
    [automatic] = db.session.scalars(sa.select(Sanction)).all()
    assert automatic.automatic and automatic.trigger == "personal_data_repeated"
    assert automatic.company_id is None and "个人信息" in automatic.reason_zh
