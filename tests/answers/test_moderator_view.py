"""Moderators see why an answer scored as it did: signals, components and gold."""

from __future__ import annotations

from marketplace.accounts.models import Role
from marketplace.answers import grading
from tests.answers.test_grading import GOLD_PASS, gold_question
from tests.factories import answer_question, default_pool, make_company, make_pool_expert
from tests.moderation.conftest import make_moderator


def test_a_moderator_sees_the_full_explanation_of_their_companys_answer(app, db, client):
    company, other = make_company(app), make_company(app)
    expert = make_pool_expert(app, default_pool(app, company.id))
    question = gold_question(app, company)
    answer_id = answer_question(app, question.id, GOLD_PASS, expert.id)
    grading.score_answer(answer_id)
    moderator = make_moderator(app, company.id)
    response = client.get(f"/api/v1/moderation/answers/{answer_id}", headers=moderator.headers)
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["answer"]["id"] == str(answer_id) and body["answer"]["body"] == GOLD_PASS
    assert body["question"]["is_gold"] is True and body["question"]["subject"] == "Phone frozen"
    explanation = body["explanation"]
    assert {s["code"] for s in explanation["signals"]} >= {"personal_data", "copied", "rude"}
    assert all(s["reason"] and s["reason_zh"] for s in explanation["signals"])
    assert explanation["components"][0]["name"] == "automatic"
    assert explanation["gold"]["passed"] is True and explanation["gold"]["threshold"] == 0.25
    outsider = make_moderator(app, other.id)
    assert (
        client.get(f"/api/v1/moderation/answers/{answer_id}", headers=outsider.headers).status_code
        == 404
    )
    admin = make_moderator(app, None, role=Role.PLATFORM_ADMIN)
    assert (
        client.get(f"/api/v1/moderation/answers/{answer_id}", headers=admin.headers).status_code
        == 200
    )
    as_expert = client.get(f"/api/v1/moderation/answers/{answer_id}", headers=expert.headers)
    assert as_expert.status_code == 403
