"""The company question API: posting, idempotency, batches, listing, cancel, feedback."""

from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
import sqlalchemy as sa

from marketplace.questions.models import Question, QuestionStatus
from marketplace.rewards.policy import DEFAULT_POLICY
from tests.factories import make_company, question_payload


def count_questions(app) -> int:
    from marketplace.extensions import db

    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(Question))


def balances(client, company) -> dict:
    response = client.get("/api/v1/account", headers=company.headers)
    assert response.status_code == 200
    return response.get_json()["balances"][0]


def test_post_then_get_returns_the_question(app, client):
    company = make_company(app)
    payload = question_payload(tags=["Battery", "battery", "screen"])
    created = client.post("/api/v1/questions", json=payload, headers=company.headers)
    assert created.status_code == 201, created.get_json()
    body = created.get_json()
    assert body["status"] == "queued"
    assert body["tags"] == ["battery", "screen"]
    assert body["reward"] == {"amount": 500, "currency": "CNY"}
    fetched = client.get(f"/api/v1/questions/{body['id']}", headers=company.headers)
    assert fetched.status_code == 200
    assert fetched.get_json()["external_id"] == payload["external_id"]
    assert fetched.get_json()["answer"] is None


def test_posting_holds_the_maximum_cost_and_cancel_releases_it(app, client):
    company = make_company(app, budget=100_000)
    created = client.post("/api/v1/questions", json=question_payload(), headers=company.headers)
    held = DEFAULT_POLICY.max_charge(500)
    assert balances(client, company)["on_hold"] == held
    assert balances(client, company)["budget"] == 100_000 - held
    question_id = created.get_json()["id"]
    cancelled = client.post(f"/api/v1/questions/{question_id}/cancel", headers=company.headers)
    assert cancelled.status_code == 200
    assert cancelled.get_json()["status"] == "cancelled"
    after = balances(client, company)
    assert (after["budget"], after["on_hold"], after["spent"]) == (100_000, 0, 0)
    again = client.post(f"/api/v1/questions/{question_id}/cancel", headers=company.headers)
    assert again.status_code == 200
    assert balances(client, company)["budget"] == 100_000


def test_repeating_an_external_id_returns_the_original(app, client):
    company = make_company(app)
    payload = question_payload()
    first = client.post("/api/v1/questions", json=payload, headers=company.headers)
    second = client.post("/api/v1/questions", json=payload, headers=company.headers)
    assert (first.status_code, second.status_code) == (201, 200)
    assert first.get_json()["id"] == second.get_json()["id"]
    assert count_questions(app) == 1
    assert balances(client, company)["on_hold"] == DEFAULT_POLICY.max_charge(500)


def test_repeating_an_external_id_with_other_content_is_a_conflict(app, client):
    company = make_company(app)
    payload = question_payload()
    client.post("/api/v1/questions", json=payload, headers=company.headers)
    changed = client.post(
        "/api/v1/questions",
        json=payload | {"body": "Something else entirely"},
        headers=company.headers,
    )
    assert changed.status_code == 409
    problem = changed.get_json()
    assert changed.mimetype == "application/problem+json"
    assert problem["errors"] == {"external_id": ["Already used with different content."]}
    assert count_questions(app) == 1


def test_the_same_external_id_is_independent_per_company(app, client):
    first, second = make_company(app), make_company(app)
    payload = question_payload()
    a = client.post("/api/v1/questions", json=payload, headers=first.headers)
    b = client.post("/api/v1/questions", json=payload, headers=second.headers)
    assert (a.status_code, b.status_code) == (201, 201)
    assert a.get_json()["id"] != b.get_json()["id"]


def test_concurrent_posts_of_one_external_id_create_one_question(app):
    company = make_company(app, budget=10_000_000)
    payload = question_payload()

    def post(_: int) -> int:
        return (
            app.test_client()
            .post("/api/v1/questions", json=payload, headers=company.headers)
            .status_code
        )

    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = sorted(pool.map(post, range(8)))
    assert statuses == [200] * 7 + [201]
    assert count_questions(app) == 1


@pytest.mark.parametrize(
    ("change", "field_path"),
    [
        ({"channel": "fax"}, ("channel",)),
        ({"reward": {"amount": 0, "currency": "CNY"}}, ("reward", "amount")),
        ({"reward": {"amount": -5, "currency": "CNY"}}, ("reward", "amount")),
        ({"reward": {"amount": 5.5, "currency": "CNY"}}, ("reward", "amount")),
        ({"reward": {"amount": "500", "currency": "CNY"}}, ("reward", "amount")),
        ({"reward": {"amount": 10**12, "currency": "CNY"}}, ("reward", "amount")),
        ({"reward": {"amount": 500, "currency": "XYZ"}}, ("reward", "currency")),
        ({"reward": {"amount": 500, "currency": "USD"}}, ("reward", "currency")),
        ({"subject": "   "}, ("subject",)),
        ({"subject": "x" * 201}, ("subject",)),
        ({"body": "y" * 8001}, ("body",)),
        ({"language": "English"}, ("language",)),
        ({"priority": 11}, ("priority",)),
        ({"tags": ["ok", "has space"]}, ("tags",)),
        ({"tags": [f"t{i}" for i in range(21)]}, ("tags",)),
        ({"external_id": ""}, ("external_id",)),
        ({"pool": "nope"}, ("pool",)),
        ({"sla_deadline": "2001-01-01T00:00:00Z"}, ("sla_deadline",)),
        ({"sla_deadline": "2030-01-01T00:00:00"}, ("sla_deadline",)),
        ({"surprise": True}, ("surprise",)),
    ],
)
def test_bad_fields_get_a_422_naming_the_field_and_store_nothing(app, client, change, field_path):
    company = make_company(app)
    response = client.post(
        "/api/v1/questions", json=question_payload(**change), headers=company.headers
    )
    assert response.status_code == 422, response.get_json()
    assert response.mimetype == "application/problem+json"
    errors = response.get_json()["errors"]
    for key in field_path:
        assert key in errors, errors
        errors = errors[key]
    assert count_questions(app) == 0
    assert balances(client, company)["on_hold"] == 0


def test_missing_fields_are_each_named(app, client):
    company = make_company(app)
    response = client.post("/api/v1/questions", json={}, headers=company.headers)
    assert response.status_code == 422
    errors = response.get_json()["errors"]
    # reward may be left out when the pool has a reward table (tests/rewards/test_reward_table.py)
    assert set(errors) == {"external_id", "channel", "subject", "body", "language"}


def test_malformed_json_is_a_400(app, client):
    company = make_company(app)
    response = client.post(
        "/api/v1/questions",
        data='{"external_id": ',
        headers=company.headers | {"Content-Type": "application/json"},
    )
    assert response.status_code == 400
    assert response.mimetype == "application/problem+json"
    assert count_questions(app) == 0


def test_a_body_over_the_single_question_limit_is_a_413(app, client):
    company = make_company(app)
    payload = question_payload(body="z" * 70_000)
    response = client.post("/api/v1/questions", json=payload, headers=company.headers)
    assert response.status_code == 413
    assert count_questions(app) == 0


def test_insufficient_budget_is_a_402_and_nothing_is_stored(app, client):
    company = make_company(app, budget=100)
    response = client.post("/api/v1/questions", json=question_payload(), headers=company.headers)
    assert response.status_code == 402
    assert response.get_json()["type"].endswith("insufficient-budget")
    assert count_questions(app) == 0
    assert balances(client, company) | {} == {
        "currency": "CNY",
        "budget": 100,
        "on_hold": 0,
        "spent": 0,
        "topped_up": 100,
    }


@pytest.mark.parametrize(
    "header", [None, "Bearer", "Bearer nope", "Basic abc", "Bearer mk_0123456789abcdef_wrong"]
)
def test_missing_or_wrong_api_keys_are_401(app, client, header):
    make_company(app)
    headers = {"Authorization": header} if header else {}
    response = client.post("/api/v1/questions", json=question_payload(), headers=headers)
    assert response.status_code == 401
    assert response.mimetype == "application/problem+json"
    assert client.get("/api/v1/questions", headers=headers).status_code == 401
    assert count_questions(app) == 0


def test_a_revoked_key_stops_working(app, client):
    from marketplace.companies.services import authenticate_api_key, revoke_api_key
    from marketplace.eventlog.services import Actor

    company = make_company(app)
    assert client.get("/api/v1/account", headers=company.headers).status_code == 200
    with app.app_context():
        caller = authenticate_api_key(company.api_key)
        revoke_api_key(company.id, caller.api_key_id, Actor.system("test"))
    assert client.get("/api/v1/account", headers=company.headers).status_code == 401


def test_another_companys_question_is_not_found(app, client):
    owner, other = make_company(app), make_company(app)
    created = client.post("/api/v1/questions", json=question_payload(), headers=owner.headers)
    question_id = created.get_json()["id"]
    for method, path in [("get", ""), ("post", "/cancel")]:
        response = getattr(client, method)(
            f"/api/v1/questions/{question_id}{path}", headers=other.headers
        )
        assert response.status_code == 404
    feedback = client.post(
        f"/api/v1/questions/{question_id}/feedback", json={"rating": 5}, headers=other.headers
    )
    assert feedback.status_code == 404
    listed = client.get("/api/v1/questions", headers=other.headers).get_json()
    assert listed["items"] == []
    unknown = client.get(f"/api/v1/questions/{uuid.uuid4()}", headers=owner.headers)
    assert unknown.status_code == 404
    assert client.get("/api/v1/questions/not-a-uuid", headers=owner.headers).status_code == 404


def test_list_filters_and_walks_every_page_once(app, client):
    company = make_company(app, budget=10_000_000)
    channels = ["web", "email", "wechat"]
    for n in range(25):
        client.post(
            "/api/v1/questions",
            headers=company.headers,
            json=question_payload(channel=channels[n % 3], tags=["even" if n % 2 == 0 else "odd"]),
        )
    seen, cursor = [], None
    while True:
        query = {"limit": 10} | ({"cursor": cursor} if cursor else {})
        page = client.get("/api/v1/questions", query_string=query, headers=company.headers)
        assert page.status_code == 200
        seen += [item["id"] for item in page.get_json()["items"]]
        cursor = page.get_json()["next_cursor"]
        if cursor is None:
            break
    assert len(seen) == len(set(seen)) == 25
    assert seen == sorted(seen, reverse=True)

    def count(**query):
        response = client.get(
            "/api/v1/questions", query_string=query | {"limit": 200}, headers=company.headers
        )
        assert response.status_code == 200, response.get_json()
        return len(response.get_json()["items"])

    assert count(channel="email") == 8
    assert count(tag="even") == 13
    assert count(status="queued") == 25
    assert count(status="answered") == 0
    assert count(created_after="2000-01-01T00:00:00Z") == 25
    assert count(created_before="2000-01-01T00:00:00Z") == 0


@pytest.mark.parametrize(
    "query",
    [
        {"cursor": "garbage"},
        {"limit": 0},
        {"limit": 1000},
        {"status": "lost"},
        {"created_after": "yesterday"},
    ],
)
def test_bad_list_arguments_are_422(app, client, query):
    company = make_company(app)
    response = client.get("/api/v1/questions", query_string=query, headers=company.headers)
    assert response.status_code == 422
    assert set(response.get_json()["errors"]) == set(query)


def test_batch_answers_per_item(app, client):
    company = make_company(app, budget=DEFAULT_POLICY.max_charge(500) * 3)
    existing = question_payload()
    client.post("/api/v1/questions", json=existing, headers=company.headers)
    items = [
        question_payload(),  # 201
        existing,  # 200: already posted, same content
        existing | {"body": "different"},  # 409
        question_payload(channel="fax"),  # 422
        "not an object",  # 422
        question_payload(),  # 201
        question_payload(),  # 402: the budget covered only three holds
    ]
    response = client.post(
        "/api/v1/questions/batch", json={"items": items}, headers=company.headers
    )
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert [r["status"] for r in body["results"]] == [201, 200, 409, 422, 422, 201, 402]
    assert [r["index"] for r in body["results"]] == list(range(7))
    assert (body["created"], body["existing"], body["failed"]) == (2, 1, 4)
    assert body["results"][3]["error"]["errors"] == {
        "channel": ["Must be one of: web, app, email, wechat, weibo, phone, other."]
    }
    assert count_questions(app) == 3
    assert balances(client, company)["budget"] == 0


def test_batch_duplicates_inside_one_batch_are_created_once(app, client):
    company = make_company(app)
    item = question_payload()
    response = client.post(
        "/api/v1/questions/batch", json={"items": [item, item]}, headers=company.headers
    )
    assert [r["status"] for r in response.get_json()["results"]] == [201, 200]
    assert count_questions(app) == 1


@pytest.mark.parametrize("body", [{"items": []}, {"items": [{}] * 1001}, {}, {"items": "x"}])
def test_batch_envelope_errors_are_422(app, client, body):
    company = make_company(app)
    response = client.post("/api/v1/questions/batch", json=body, headers=company.headers)
    assert response.status_code == 422
    assert "items" in response.get_json()["errors"]
    assert count_questions(app) == 0


def test_feedback_needs_an_answer_and_is_recorded_once(app, client):
    from tests.factories import answer_question

    company = make_company(app)
    created = client.post("/api/v1/questions", json=question_payload(), headers=company.headers)
    question_id = created.get_json()["id"]
    url = f"/api/v1/questions/{question_id}/feedback"
    early = client.post(url, json={"rating": 4}, headers=company.headers)
    assert early.status_code == 409
    answer_question(app, uuid.UUID(question_id), "Calibrate the battery, then update.")
    assert client.post(url, json={"rating": 6}, headers=company.headers).status_code == 422
    assert client.post(url, json={"rating": 4.5}, headers=company.headers).status_code == 422
    feedback = {"rating": 4, "resolved": True, "comment": "Helpful"}
    assert client.post(url, json=feedback, headers=company.headers).status_code == 201
    assert client.post(url, json=feedback, headers=company.headers).status_code == 200
    changed = client.post(url, json=feedback | {"rating": 1}, headers=company.headers)
    assert changed.status_code == 409
    detail = client.get(f"/api/v1/questions/{question_id}", headers=company.headers).get_json()
    assert detail["status"] == QuestionStatus.ANSWERED.value
    assert detail["answer"]["body"] == "Calibrate the battery, then update."
    assert detail["feedback"]["rating"] == 4


def test_an_answered_question_cannot_be_cancelled(app, client):
    from tests.factories import answer_question

    company = make_company(app)
    question_id = client.post(
        "/api/v1/questions", json=question_payload(), headers=company.headers
    ).get_json()["id"]
    answer_question(app, uuid.UUID(question_id), "Done.")
    response = client.post(f"/api/v1/questions/{question_id}/cancel", headers=company.headers)
    assert response.status_code == 409
    assert response.get_json()["errors"] == {"status": ["is answered"]}


def test_a_body_that_is_not_json_is_a_415(app, client):
    company = make_company(app)
    response = client.post(
        "/api/v1/questions",
        data="external_id=1&channel=web",
        headers=company.headers | {"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code == 415
    assert count_questions(app) == 0


def test_the_rate_limit_answers_429_per_key(tmp_path):
    from flask_migrate import upgrade

    from tests.conftest import make_app

    app = make_app(
        f"sqlite:///{tmp_path}/rl.db", RATELIMIT_ENABLED=True, API_RATE_LIMIT="3 per minute"
    )
    with app.app_context():
        upgrade()
    limited, other = make_company(app), make_company(app)
    client = app.test_client()
    statuses = [
        client.get("/api/v1/account", headers=limited.headers).status_code for _ in range(4)
    ]
    assert statuses == [200, 200, 200, 429]
    response = client.get("/api/v1/account", headers=limited.headers)
    assert response.mimetype == "application/problem+json"
    assert client.get("/api/v1/account", headers=other.headers).status_code == 200
