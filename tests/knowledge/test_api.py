"""The knowledge base and scoring settings API, and suggestions for the expert answering."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from marketplace.answers import grading
from marketplace.companies.models import Company
from marketplace.eventlog.services import Actor
from marketplace.matching import claims, services
from marketplace.matching.models import Offer
from tests.factories import default_pool, make_company, make_pool_expert, post_question

BATTERY = {
    "title": "Battery drains overnight",
    "body": "Turn on adaptive charging under Settings > Battery and check Battery usage for apps.",
    "language": "en",
    "tags": ["battery"],
}
SCREEN = {
    "title": "Screen flickers",
    "body": "Flicker at low brightness is fixed by turning off DC dimming in Display settings.",
    "language": "en",
    "tags": ["screen"],
}
ZH_BATTERY = {
    "title": "手机夜间耗电",
    "body": "在设置 > 电池 中开启自适应充电，并在电池用量里查看耗电最多的应用。",
    "language": "zh",
    "tags": ["battery"],
}


def test_entries_are_created_listed_changed_and_deleted_per_company(app, client):
    company, other = make_company(app), make_company(app)
    created = client.post("/api/v1/knowledge", json=BATTERY, headers=company.headers)
    assert created.status_code == 201
    entry = created.get_json()
    assert entry["title"] == BATTERY["title"] and entry["tags"] == ["battery"]
    client.post("/api/v1/knowledge", json=ZH_BATTERY, headers=company.headers)
    page = client.get("/api/v1/knowledge?limit=1", headers=company.headers).get_json()
    assert len(page["items"]) == 1 and page["next_cursor"]
    rest = client.get(
        f"/api/v1/knowledge?cursor={page['next_cursor']}", headers=company.headers
    ).get_json()
    assert {e["language"] for e in page["items"] + rest["items"]} == {"en", "zh"}
    url = f"/api/v1/knowledge/{entry['id']}"
    assert client.get(url, headers=other.headers).status_code == 404
    assert client.patch(url, json={"title": "x"}, headers=other.headers).status_code == 404
    assert client.delete(url, headers=other.headers).status_code == 404
    assert client.get("/api/v1/knowledge", headers=other.headers).get_json()["items"] == []
    patched = client.patch(url, json={"title": "Battery life"}, headers=company.headers)
    assert patched.status_code == 200 and patched.get_json()["title"] == "Battery life"
    assert client.delete(url, headers=company.headers).status_code == 204
    assert client.get(url, headers=company.headers).status_code == 404


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({**BATTERY, "title": "  "}, "title"),
        ({**BATTERY, "body": ""}, "body"),
        ({**BATTERY, "language": "english"}, "language"),
        ({**BATTERY, "tags": ["no spaces please"]}, "tags"),
        ({**BATTERY, "extra": 1}, "extra"),
        ({k: v for k, v in BATTERY.items() if k != "body"}, "body"),
    ],
)
def test_bad_entries_are_refused_per_field(app, db, client, payload, field):
    company = make_company(app)
    response = client.post("/api/v1/knowledge", json=payload, headers=company.headers)
    assert response.status_code == 422 and field in response.get_json()["errors"]
    assert client.get("/api/v1/knowledge", headers=company.headers).get_json()["items"] == []


def test_scoring_settings_are_validated_stored_and_used(app, db, client):
    company = make_company(app)
    defaults = client.get("/api/v1/scoring/settings", headers=company.headers).get_json()
    assert defaults == {
        "banned_terms": [],
        "allowed_domains": [],
        "accept_threshold": 0.6,
        "gold_threshold": 0.25,
    }
    changes = {
        "banned_terms": ["Pear Phone", "刷机"],
        "allowed_domains": ["Aurora.example.com", "aurora.example.com"],
        "accept_threshold": 0.5,
    }
    patched = client.patch("/api/v1/scoring/settings", json=changes, headers=company.headers)
    assert patched.status_code == 200, patched.get_json()
    assert patched.get_json()["allowed_domains"] == ["aurora.example.com"]
    assert patched.get_json()["accept_threshold"] == 0.5
    reset = client.patch(
        "/api/v1/scoring/settings", json={"accept_threshold": None}, headers=company.headers
    )
    assert reset.get_json()["accept_threshold"] == 0.6
    assert reset.get_json()["banned_terms"] == ["Pear Phone", "刷机"]


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"accept_threshold": "0.5"}, "accept_threshold"),
        ({"accept_threshold": 1.5}, "accept_threshold"),
        ({"accept_threshold": True}, "accept_threshold"),
        ({"gold_threshold": -0.1}, "gold_threshold"),
        ({"allowed_domains": ["https://evil.example.com/x"]}, "allowed_domains"),
        ({"allowed_domains": "example.com"}, "allowed_domains"),
        ({"banned_terms": ["  "]}, "banned_terms"),
        ({"banned_terms": ["x" * 81]}, "banned_terms"),
        ({"knowledge_base": ["text"]}, "knowledge_base"),
        ({}, "_schema"),
    ],
)
def test_bad_settings_get_a_422_naming_the_field_and_change_nothing(
    app, db, client, payload, field
):
    company = make_company(app)
    response = client.patch("/api/v1/scoring/settings", json=payload, headers=company.headers)
    assert response.status_code == 422
    assert field in response.get_json()["errors"]
    assert db.session.get(Company, company.id).settings == {}


def test_a_malformed_stored_threshold_cannot_crash_scoring(app, db, client):
    company = make_company(app)
    expert = make_pool_expert(app, default_pool(app, company.id))
    db.session.get(Company, company.id).settings = {"accept_threshold": "high", "banned_terms": 3}
    db.session.commit()
    question_id = post_question(app, company)
    answer_id = _answer(db, expert, question_id)
    assert grading.score_answer(answer_id).score is not None


def test_allowed_domains_stop_company_links_from_counting_as_external(app, db, client):
    company = make_company(app)
    expert = make_pool_expert(app, default_pool(app, company.id))
    text = (
        "Turn on adaptive charging in Settings > Battery, restart, and see the guide at "
        "https://help.aurora.example.com/battery if it still drains overnight."
    )
    links = lambda a: next(s for s in a.signals["signals"] if s["code"] == "external_links")  # noqa: E731
    first = _answer(db, expert, post_question(app, company), text)
    # The submission's own scoring job runs in the background: let it finish, so it cannot
    # score the first answer again once the new settings are in.
    app.extensions["job_queue"].wait_until_idle(10)
    before = grading.score_answer(first)
    flagged_before, score_before = links(before)["flagged"], before.score  # read before commit
    changed = client.patch(
        "/api/v1/scoring/settings",
        json={"allowed_domains": ["aurora.example.com"]},
        headers=company.headers,
    )
    assert changed.status_code == 200
    after = grading.score_answer(_answer(db, expert, post_question(app, company), text))
    assert flagged_before and not links(after)["flagged"]
    assert after.score > score_before


def _answer(db, expert, question_id, text=None):
    from marketplace.answers.services import submit_answer

    services.drain()
    offer = db.session.scalars(
        sa.select(Offer).filter_by(question_id=question_id, expert_id=expert.id)
    ).one()
    assignment = claims.accept_offer(expert.id, offer.id, Actor.user(expert.id))
    body = text or (
        "Turn on adaptive charging under Settings > Battery and restart; check Battery usage."
    )
    answer, _ = submit_answer(
        expert.id, assignment.id, body, f"k-{offer.id.hex[-12:]}", Actor.user(expert.id)
    )
    return answer.id


def _assignment(db, expert, question_id):
    services.drain()
    offer = db.session.scalars(
        sa.select(Offer).filter_by(question_id=question_id, expert_id=expert.id)
    ).one()
    return claims.accept_offer(expert.id, offer.id, Actor.user(expert.id)).id


def test_suggestions_rank_the_question_companys_entries_for_the_assignee(app, db, client):
    company, other = make_company(app), make_company(app)
    pool = default_pool(app, company.id)
    expert = make_pool_expert(app, pool)
    for entry in (SCREEN, BATTERY, ZH_BATTERY):
        client.post("/api/v1/knowledge", json=entry, headers=company.headers)
    client.post(
        "/api/v1/knowledge",
        json={**BATTERY, "title": "Other company's battery article"},
        headers=other.headers,
    )
    assignment_id = _assignment(db, expert, post_question(app, company))
    url = f"/api/v1/expert/assignments/{assignment_id}/suggestions"
    response = client.get(url, headers=expert.headers)
    assert response.status_code == 200, response.get_json()
    items = response.get_json()["items"]
    assert items[0]["title"] == BATTERY["title"]  # the question is about battery drain
    assert set(items[0]) == {"id", "title", "body"}
    assert all("Other company" not in i["title"] for i in items)
    assert SCREEN["title"] not in [i["title"] for i in items]  # shares no words with it
    rival = make_pool_expert(app, pool)
    assert client.get(url, headers=rival.headers).status_code == 404
    assert client.get(url, headers=company.headers).status_code == 401
