"""Bad input on every REST twin under /api/v1/expert: a problem document, and nothing changes."""

from __future__ import annotations

import uuid

import pytest

from tests.realtime.world import World, build_world, is_problem, snapshot, suspend

LIMIT = 5000  # ANSWER_MAX_CHARS
KEY = "key-00000001"


@pytest.fixture
def world(app, db) -> World:
    return build_world(app, db)


def url(world: World, template: str) -> str:
    ids = {
        "unknown": uuid.uuid4(),
        "my_offer": world.my_offer,
        "rival_offer": world.rival_offer,
        "mine": world.my_assignment,
        "rivals": world.rival_assignment,
    }
    return "/api/v1/expert" + template.format(**ids)


CASES = [
    # availability
    ("put", "/availability", {"availability": 1}, 422, "availability"),
    ("put", "/availability", {"availability": "dancing"}, 422, "availability"),
    ("put", "/availability", {"availability": "away", "extra": 1}, 422, "extra"),
    ("put", "/availability", {}, 422, "availability"),
    # accept
    ("post", "/offers/{unknown}/accept", None, 404, None),
    ("post", "/offers/{rival_offer}/accept", None, 404, None),
    ("post", "/offers/not-a-uuid/accept", None, 404, None),
    ("post", "/offers/{my_offer}/accept", {"offer_id": "x"}, 422, "offer_id"),
    # decline
    ("post", "/offers/{unknown}/decline", None, 404, None),
    ("post", "/offers/{rival_offer}/decline", None, 404, None),
    ("post", "/offers/12/decline", None, 404, None),
    ("post", "/offers/{my_offer}/decline", {"reason": "busy"}, 422, "reason"),
    # answer
    ("post", "/assignments/{unknown}/answer", {"body": "x", "idempotency_key": KEY}, 404, None),
    ("post", "/assignments/{rivals}/answer", {"body": "x", "idempotency_key": KEY}, 404, None),
    ("post", "/assignments/nope/answer", {"body": "x", "idempotency_key": KEY}, 404, None),
    ("post", "/assignments/{mine}/answer", {"body": 5, "idempotency_key": KEY}, 422, "body"),
    ("post", "/assignments/{mine}/answer", {"idempotency_key": KEY}, 422, "body"),
    ("post", "/assignments/{mine}/answer", {"body": "x"}, 422, "idempotency_key"),
    ("post", "/assignments/{mine}/answer", {"body": "x", "idempotency_key": ""}, 422,
     "idempotency_key"),
    ("post", "/assignments/{mine}/answer", {"body": "x", "idempotency_key": "k" * 65}, 422,
     "idempotency_key"),
    ("post", "/assignments/{mine}/answer", {"body": "x", "idempotency_key": "bad key!"}, 422,
     "idempotency_key"),
    ("post", "/assignments/{mine}/answer", {"body": "x", "idempotency_key": KEY, "x": 1}, 422,
     "x"),
    ("post", "/assignments/{mine}/answer", {"body": "y" * (LIMIT + 1), "idempotency_key": KEY},
     422, "body"),
    ("post", "/assignments/{mine}/answer", {"body": "<b></b>  ", "idempotency_key": KEY}, 422,
     "body"),
]  # fmt: skip


@pytest.mark.parametrize(("method", "template", "body", "status", "field"), CASES)
def test_bad_input_is_refused_with_a_problem_and_changes_nothing(
    app, db, world, method, template, body, status, field
):
    before = snapshot(db)
    response = getattr(app.test_client(), method)(
        url(world, template), json=body, headers=world.me.headers
    )
    assert response.status_code == status, response.get_json()
    assert response.mimetype == "application/problem+json"
    problem = response.get_json()
    assert is_problem(problem, status)
    if field:
        assert field in problem["errors"], problem
    assert snapshot(db) == before


def test_a_body_that_is_not_json_is_refused(app, db, world):
    before = snapshot(db)
    response = app.test_client().put(
        url(world, "/availability"), data="availability=away", headers=world.me.headers
    )
    assert response.status_code == 415 and is_problem(response.get_json(), 415)
    assert snapshot(db) == before


GOOD = [
    ("get", "/pending", None),
    ("put", "/availability", {"availability": "away"}),
    ("post", "/offers/{my_offer}/accept", None),
    ("post", "/offers/{my_offer}/decline", None),
    ("post", "/assignments/{mine}/answer", {"body": "Restart it.", "idempotency_key": KEY}),
]


@pytest.mark.parametrize(("method", "template", "body"), GOOD)
def test_a_suspended_expert_is_refused_on_every_twin(app, db, world, method, template, body):
    suspend(db, world.me.id)
    before = snapshot(db)
    response = getattr(app.test_client(), method)(
        url(world, template), json=body, headers=world.me.headers
    )
    problem = response.get_json()
    # The same 403 as the socket, saying why (the socket twin: test_expert_socket.py).
    assert response.status_code == 403 and is_problem(problem, 403)
    assert problem["type"].endswith(":account-inactive") and "suspended" in problem["detail"]
    assert snapshot(db) == before


@pytest.mark.parametrize(("method", "template", "body"), GOOD)
def test_the_same_requests_work_for_an_active_expert(app, db, world, method, template, body):
    response = getattr(app.test_client(), method)(
        url(world, template), json=body, headers=world.me.headers
    )
    assert response.status_code in {200, 201}, response.get_json()
