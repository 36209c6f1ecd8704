"""Moderation rules: claims, the authorisation matrix, bad input, sanctions, calibration."""

from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
import sqlalchemy as sa

from marketplace.accounts.models import Role, User, UserStatus
from marketplace.accounts.services import create_user
from marketplace.answers.models import Answer
from marketplace.database import utcnow
from marketplace.extensions import socketio
from marketplace.moderation.models import Audit, AuditItem
from tests.factories import default_pool, make_company, make_pool_expert
from tests.moderation.conftest import answer_as, decide, item_for, make_moderator, post_question


def pending_item(app, db, client, shop, text="Restart the phone, then recalibrate the battery."):
    answer_id = answer_as(db, shop["expert"], post_question(app, shop["company"]), text)
    return answer_id, item_for(client, shop["mod_a"], answer_id)


def test_two_moderators_claiming_at_once_one_wins(app, db, client, shop):
    _, item = pending_item(app, db, client, shop)
    db.session.remove()

    def claim(moderator):
        return (
            app.test_client()
            .post(f"/api/v1/moderation/items/{item['id']}/claim", headers=moderator.headers)
            .status_code
        )

    with ThreadPoolExecutor(max_workers=2) as pool:
        results = sorted(pool.map(claim, [shop["mod_a"], shop["mod_b"]]))
    assert results == [200, 409]
    holder = db.session.get(AuditItem, uuid.UUID(item["id"])).claimed_by
    winner, loser = sorted((shop["mod_a"], shop["mod_b"]), key=lambda m: m.id != holder)
    url = f"/api/v1/moderation/items/{item['id']}/verdict"
    refused = client.post(url, json={"verdict": "approve"}, headers=loser.headers)
    assert refused.status_code == 409
    assert client.post(url, json={"verdict": "approve"}, headers=winner.headers).status_code == 200
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Audit)) == 1


def test_an_expired_claim_can_be_taken_over(app, db, client, shop):
    _, item = pending_item(app, db, client, shop)
    url = f"/api/v1/moderation/items/{item['id']}"
    assert client.post(url + "/claim", headers=shop["mod_a"].headers).status_code == 200
    row = db.session.get(AuditItem, uuid.UUID(item["id"]))
    row.claimed_until = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert client.post(url + "/claim", headers=shop["mod_b"].headers).status_code == 200
    late = client.post(url + "/verdict", json={"verdict": "approve"}, headers=shop["mod_a"].headers)
    assert late.status_code == 409 and late.get_json()["type"].endswith("claim-lost")


def test_authorisation_matrix(app, db, client, shop):
    _, item = pending_item(app, db, client, shop)
    other_company = make_company(app)
    outsider = make_moderator(app, other_company.id)
    create_user(
        "boss@example.test",
        "password-123",
        "Boss",
        Role.COMPANY_ADMIN,
        company_id=shop["company"].id,
    )
    url = f"/api/v1/moderation/items/{item['id']}"
    # An expert cannot reach moderator endpoints or the /moderator namespace.
    assert client.get("/api/v1/moderation/queue", headers=shop["expert"].headers).status_code == 403
    socket = socketio.test_client(app, namespace="/moderator", auth={"token": shop["expert"].token})
    assert not socket.is_connected("/moderator")
    # A moderator of another company sees nothing of this company.
    assert client.get("/api/v1/moderation/queue", headers=outsider.headers).get_json() == []
    assert client.get(url, headers=outsider.headers).status_code == 404
    assert client.post(url + "/claim", headers=outsider.headers).status_code == 404
    assert client.get("/api/v1/moderation/applications", headers=outsider.headers).get_json() == []
    # A company admin cannot edit verdicts (not with a session either).
    admin = app.test_client()
    login = admin.post(
        "/api/v1/auth/session", json={"email": "boss@example.test", "password": "password-123"}
    )
    csrf = {"X-CSRF-Token": login.get_json()["csrf_token"]}
    assert admin.post(url + "/claim", headers=csrf).status_code == 403
    assert (
        admin.post(url + "/verdict", json={"verdict": "approve"}, headers=csrf).status_code == 403
    )
    # And company API keys do not open moderation either.
    assert (
        client.get("/api/v1/moderation/queue", headers=shop["company"].headers).status_code == 401
    )


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"verdict": "reject"}, "reasons"),
        ({"verdict": "reject", "reasons": ["ugly"]}, "reasons"),
        ({"verdict": "approve_with_edit"}, "edited_body"),
        ({"verdict": "approve", "edited_body": "sneaky edit"}, "edited_body"),
        ({"verdict": "maybe"}, "verdict"),
        ({"verdict": "approve", "extra": 1}, "extra"),
    ],
)
def test_bad_verdicts_are_refused_and_change_nothing(app, db, client, shop, body, field):
    answer_id, item = pending_item(app, db, client, shop)
    url = f"/api/v1/moderation/items/{item['id']}"
    assert client.post(url + "/claim", headers=shop["mod_a"].headers).status_code == 200
    response = client.post(url + "/verdict", json=body, headers=shop["mod_a"].headers)
    assert response.status_code == 422 and field in response.get_json()["errors"]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Audit)) == 0
    assert db.session.get(Answer, answer_id).outcome.value == "pending"


def test_a_verdict_without_a_claim_or_twice_is_a_conflict(app, db, client, shop):
    _, item = pending_item(app, db, client, shop)
    url = f"/api/v1/moderation/items/{item['id']}/verdict"
    unclaimed = client.post(url, json={"verdict": "approve"}, headers=shop["mod_a"].headers)
    assert unclaimed.status_code == 409
    assert decide(client, shop["mod_a"], item["id"], "approve").status_code == 200
    again = client.post(
        url, json={"verdict": "reject", "reasons": ["wrong"]}, headers=shop["mod_a"].headers
    )
    assert again.status_code == 409
    unknown = client.post(
        f"/api/v1/moderation/items/{uuid.uuid4()}/claim", headers=shop["mod_a"].headers
    )
    assert unknown.status_code == 404


def test_an_edit_reaches_the_company_and_the_original_is_kept(app, db, client, shop):
    answer_id, item = pending_item(app, db, client, shop, "Restart it lol")
    edited = decide(
        client,
        shop["mod_a"],
        item["id"],
        "approve_with_edit",
        edited_body="<b>Restart</b> the phone, then recalibrate the battery.",
    )
    assert edited.status_code == 200
    answer = db.session.get(Answer, answer_id)
    db.session.refresh(answer)
    assert answer.body == "Restart it lol"
    seen = client.get(
        f"/api/v1/questions/{answer.question_id}", headers=shop["company"].headers
    ).get_json()
    assert seen["answer"]["body"] == "Restart the phone, then recalibrate the battery."


def test_a_linked_moderator_cannot_audit_the_expert(app, db, client, shop):
    _, item = pending_item(app, db, client, shop)
    linked = client.post(
        "/api/v1/moderation/links",
        json={"expert_id": str(shop["expert"].id), "reason": "my cousin"},
        headers=shop["mod_a"].headers,
    )
    assert linked.status_code == 201
    claim = client.post(
        f"/api/v1/moderation/items/{item['id']}/claim", headers=shop["mod_a"].headers
    )
    assert claim.status_code == 403
    assert decide(client, shop["mod_b"], item["id"], "approve").status_code == 200


def test_sanctions_are_recorded_visible_and_take_effect(app, db, client, shop):
    expert = shop["expert"]
    url = "/api/v1/moderation/sanctions"
    bad = client.post(
        url,
        json={"expert_id": str(expert.id), "kind": "suspend", "reason": "x"},
        headers=shop["mod_a"].headers,
    )
    assert bad.status_code == 422 and "until" in bad.get_json()["errors"]
    ban = client.post(
        url,
        json={"expert_id": str(expert.id), "kind": "ban", "reason": "abuse"},
        headers=shop["mod_a"].headers,
    )
    assert ban.status_code == 403
    stranger = make_pool_expert(app, default_pool(app, make_company(app).id))
    foreign = client.post(
        url,
        json={"expert_id": str(stranger.id), "kind": "warn", "reason": "x"},
        headers=shop["mod_a"].headers,
    )
    assert foreign.status_code == 404
    until = (utcnow() + timedelta(days=2)).isoformat()
    suspended = client.post(
        url,
        json={
            "expert_id": str(expert.id),
            "kind": "suspend",
            "reason": "Rude to customers twice.",
            "until": until,
        },
        headers=shop["mod_a"].headers,
    )
    assert suspended.status_code == 201, suspended.get_json()
    assert db.session.get(User, expert.id).status == UserStatus.SUSPENDED
    assert client.get("/api/v1/expert/sanctions", headers=expert.headers).status_code == 401
    db.session.get(User, expert.id).suspended_until = utcnow() - timedelta(seconds=1)
    db.session.commit()
    [record] = client.get("/api/v1/expert/sanctions", headers=expert.headers).get_json()
    assert (record["kind"], record["reason"], record["created_by"]) == (
        "suspend",
        "Rude to customers twice.",
        str(shop["mod_a"].id),
    )


def test_repeated_personal_data_leaks_suspend_automatically(app, db, client, shop):
    for _ in range(3):
        _, item = pending_item(app, db, client, shop)
        rejected = decide(client, shop["mod_a"], item["id"], "reject", reasons=["personal_data"])
        assert rejected.status_code == 200
    db.session.expire_all()
    user = db.session.get(User, shop["expert"].id)
    assert user.status == UserStatus.SUSPENDED and user.suspended_until > utcnow()
    from marketplace.moderation.models import Sanction

    [sanction] = db.session.scalars(sa.select(Sanction)).all()
    assert sanction.automatic and sanction.trigger == "personal_data_repeated"


def test_moderators_get_calibration_items_and_a_report(app, db, client, shop):
    from marketplace.companies.models import Pool

    # Audit everything, so the expert's promotion midway does not empty the queue.
    pool = db.session.get(Pool, shop["pool"])
    pool.settings = {"audit": {"sample_rates": {"vetted": 1.0, "trusted": 1.0}}}
    db.session.commit()
    for _ in range(10):
        _, item = pending_item(app, db, client, shop)
        assert decide(client, shop["mod_a"], item["id"], "approve").status_code == 200
    queue = client.get("/api/v1/moderation/queue", headers=shop["mod_b"].headers).get_json()
    assert all("calibration" not in i["reasons"] for i in queue)
    for _ in range(10):
        _, item = pending_item(app, db, client, shop)
        assert decide(client, shop["mod_b"], item["id"], "approve").status_code == 200
    mine = client.get("/api/v1/moderation/queue", headers=shop["mod_b"].headers).get_json()
    [calibration] = [i for i in mine if "calibration" in i["reasons"]]
    assert all(
        "calibration" not in i["reasons"]
        for i in client.get("/api/v1/moderation/queue", headers=shop["mod_a"].headers).get_json()
    )
    assert (
        decide(client, shop["mod_b"], calibration["id"], "reject", reasons=["wrong"]).status_code
        == 200
    )
    report = client.get("/api/v1/moderation/report", headers=shop["mod_b"].headers).get_json()
    mod_b = next(m for m in report["moderators"] if m["moderator_id"] == str(shop["mod_b"].id))
    assert (mod_b["calibrations"], mod_b["accuracy"]) == (1, 0.0)
    assert report["pairs"] == 1 and report["agreement"] == 0.0


def test_the_moderator_namespace_pushes_new_items(app, db, client, shop):
    token = client.post("/api/v1/auth/token", json={"email": "x", "password": "y"})
    assert token.status_code == 401
    from marketplace.accounts.tokens import issue_token

    socket = socketio.test_client(
        app, namespace="/moderator", auth={"token": issue_token(shop["mod_a"].id, Role.MODERATOR)}
    )
    assert socket.is_connected("/moderator")
    _, item = pending_item(app, db, client, shop)
    events = [e for e in socket.get_received("/moderator") if e["name"] == "audit.created"]
    assert events and events[-1]["args"][0]["item_id"] == item["id"]
    ack = socket.emit("audit.claim", {"item_id": item["id"]}, namespace="/moderator", callback=True)
    assert ack["status"] == 200 and ack["data"]["status"] == "claimed"
    bad = socket.emit("audit.claim", {"item_id": "nope"}, namespace="/moderator", callback=True)
    assert bad["status"] == 422
