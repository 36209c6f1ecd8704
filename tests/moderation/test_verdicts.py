"""Verdicts: claims first, valid reasons and edits, what each verdict does."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
import sqlalchemy as sa

from marketplace.answers.models import Answer
from marketplace.database import utcnow
from marketplace.moderation.models import Audit, AuditItem
from tests.moderation.conftest import decide, pending_item


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
