"""The /expert namespace through Flask-SocketIO's test client: auth, actions, bad input."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
import sqlalchemy as sa

from marketplace.accounts.models import User, UserStatus
from marketplace.database import utcnow
from marketplace.extensions import socketio
from marketplace.matching import services
from marketplace.questions.models import Question, QuestionStatus
from tests.factories import default_pool, make_company, make_pool_expert, post_question
from tests.realtime.world import build_world, is_problem, snapshot, suspend


def events(client, name):
    return [e["args"][0] for e in client.get_received("/expert") if e["name"] == name]


@pytest.fixture
def expert_client(app):
    company = make_company(app)
    pool = default_pool(app, company.id)
    expert = make_pool_expert(app, pool, online=False)
    client = socketio.test_client(app, namespace="/expert", auth={"token": expert.token})
    assert client.is_connected("/expert")
    yield company, pool, expert, client
    if client.is_connected("/expert"):
        client.disconnect("/expert")


def test_connect_restores_state_and_the_full_flow_works(app, db, expert_client):
    company, _, _, client = expert_client
    [restored] = events(client, "session.restored")
    assert restored == {
        "availability": "offline",
        "connected": True,
        "offers": [],
        "assignments": [],
    }
    ack = client.emit(
        "availability.set", {"availability": "online"}, namespace="/expert", callback=True
    )
    assert ack == {"status": 200, "data": {"availability": "online", "connected": True}}
    question_id = post_question(app, company)
    services.drain()
    [offer] = events(client, "offer.created")
    assert offer["question"]["id"] == str(question_id) and "customer_ref" not in offer["question"]
    ack = client.emit("offer.accept", {"offer_id": offer["id"]}, namespace="/expert", callback=True)
    assert ack["status"] == 200
    [assignment] = events(client, "assignment.created")
    assert assignment["id"] == ack["data"]["assignment_id"]
    ack = client.emit(
        "answer.submit",
        {
            "assignment_id": assignment["id"],
            "body": "Restart it.",
            "idempotency_key": "k-1234567890",
        },
        namespace="/expert",
        callback=True,
    )
    assert ack["status"] == 200 and ack["data"]["created"] is True
    db.session.expire_all()
    assert db.session.get(Question, question_id).status == QuestionStatus.ANSWERED


def test_a_connection_without_a_valid_token_is_refused(app):
    for auth in (None, {"token": "ut_forged"}, {"token": 42}):
        client = socketio.test_client(app, namespace="/expert", auth=auth)
        assert not client.is_connected("/expert")


@pytest.mark.parametrize(
    ("event", "payload", "status", "field"),
    [
        ("offer.accept", {"offer_id": str(uuid.uuid4())}, 404, None),
        ("offer.accept", {"offer_id": "not-a-uuid"}, 422, "offer_id"),
        ("offer.accept", {}, 422, "offer_id"),
        ("offer.accept", "just a string", 422, "_schema"),
        ("offer.decline", {"offer_id": 12}, 422, "offer_id"),
        ("availability.set", {"availability": "dancing"}, 422, "availability"),
        ("availability.set", {"availability": "online", "extra": 1}, 422, "extra"),
        (
            "answer.submit",
            {"assignment_id": str(uuid.uuid4()), "body": "x", "idempotency_key": "k-1234567890"},
            404,
            None,
        ),
        (
            "answer.submit",
            {"assignment_id": str(uuid.uuid4()), "body": "x", "idempotency_key": "bad key"},
            422,
            "idempotency_key",
        ),
    ],
)
def test_bad_input_gets_a_problem_acknowledgement(
    app, db, expert_client, event, payload, status, field
):
    _, _, _, client = expert_client
    ack = client.emit(event, payload, namespace="/expert", callback=True)
    assert ack["status"] == status and ack["type"].startswith("urn:marketplace:problem:")
    if field:
        assert field in ack["errors"]


@pytest.fixture
def world_client(app, db):
    world = build_world(app, db)
    client = socketio.test_client(app, namespace="/expert", auth={"token": world.me.token})
    assert client.is_connected("/expert")
    client.get_received("/expert")
    yield world, client
    if client.is_connected("/expert"):
        client.disconnect("/expert")


def refused_cases(world):
    key = "key-00000001"
    too_long = "y" * 5001
    return [
        ("offer.accept", {"offer_id": str(world.rival_offer)}, 404, "offer_id"),
        ("offer.decline", {"offer_id": str(world.rival_offer)}, 404, "offer_id"),
        (
            "answer.submit",
            {"assignment_id": str(world.rival_assignment), "body": "x", "idempotency_key": key},
            404,
            None,
        ),
        (
            "answer.submit",
            {"assignment_id": str(world.my_assignment), "body": too_long, "idempotency_key": key},
            422,
            "body",
        ),
        (
            "answer.submit",
            {"assignment_id": str(world.my_assignment), "body": "x", "idempotency_key": ""},
            422,
            "idempotency_key",
        ),
        (
            "answer.submit",
            {"assignment_id": str(world.my_assignment), "body": 42, "idempotency_key": key},
            422,
            "body",
        ),
    ]


def test_someone_elses_offer_and_over_long_answers_are_refused(app, db, world_client):
    world, client = world_client
    for event, payload, status, field in refused_cases(world):
        before = snapshot(db)
        ack = client.emit(event, payload, namespace="/expert", callback=True)
        assert is_problem(ack, status), (event, ack)
        if field:
            assert field in ack["errors"], (event, ack)
        assert snapshot(db) == before, event


def good_actions(world):
    return [
        ("availability.set", {"availability": "away"}),
        ("offer.accept", {"offer_id": str(world.my_offer)}),
        ("offer.decline", {"offer_id": str(world.my_offer)}),
        (
            "answer.submit",
            {
                "assignment_id": str(world.my_assignment),
                "body": "Restart it.",
                "idempotency_key": "key-00000001",
            },
        ),
        ("session.sync", None),
    ]


@pytest.mark.parametrize("index", range(5))
def test_a_suspended_expert_is_refused_on_every_action(app, db, world_client, index):
    world, client = world_client
    event, payload = good_actions(world)[index]
    suspend(db, world.me.id)  # a suspension (not a ban) since connecting
    before = snapshot(db)
    ack = client.emit(event, payload, namespace="/expert", callback=True)
    assert is_problem(ack, 403) and ack["type"].endswith(":forbidden"), ack
    assert snapshot(db) == before


@pytest.mark.parametrize("index", range(5))
def test_an_active_expert_may_do_the_same(app, db, world_client, index):
    world, client = world_client
    event, payload = good_actions(world)[index]
    ack = client.emit(event, payload, namespace="/expert", callback=True)
    assert ack["status"] == 200, ack


def test_a_suspended_expert_cannot_connect(app, db):
    world = build_world(app, db)
    suspend(db, world.me.id)
    client = socketio.test_client(app, namespace="/expert", auth={"token": world.me.token})
    assert not client.is_connected("/expert")


def test_a_banned_expert_is_refused_on_the_next_event(app, db, expert_client):
    from marketplace.experts.models import Availability, ExpertProfile

    _, _, expert, client = expert_client
    db.session.get(User, expert.id).status = UserStatus.BANNED
    db.session.commit()
    ack = client.emit(
        "availability.set", {"availability": "online"}, namespace="/expert", callback=True
    )
    assert ack["status"] == 403
    db.session.expire_all()
    assert db.session.get(ExpertProfile, expert.id).availability == Availability.OFFLINE
    reconnect = socketio.test_client(app, namespace="/expert", auth={"token": expert.token})
    assert not reconnect.is_connected("/expert")


def test_disconnecting_starts_the_grace_period(app, db, expert_client):
    from marketplace.experts import presence
    from marketplace.experts.models import Availability, ExpertProfile
    from marketplace.matching.models import Offer, OfferStatus

    company, _, expert, client = expert_client
    client.emit("availability.set", {"availability": "online"}, namespace="/expert", callback=True)
    post_question(app, company)
    services.drain()
    client.disconnect("/expert")
    store = app.extensions["matching_engine"].deadlines
    due = dict(store.pop_due(10**10))
    grace = app.config["PRESENCE_GRACE_SECONDS"]
    assert due[f"grace:{expert.id}"] == pytest.approx(utcnow().timestamp() + grace, abs=2)
    assert not presence.grace_over(expert.id)  # fired early (say by a skewed clock): no effect
    profile = db.session.get(ExpertProfile, expert.id)
    profile.last_seen_at = utcnow() - timedelta(seconds=grace)
    db.session.commit()
    assert presence.grace_over(expert.id)
    db.session.expire_all()
    # The toggle is the expert's choice: it stays online; without a connection they are simply
    # out of routing, and the offer went back to the queue for someone else.
    assert db.session.get(ExpertProfile, expert.id).availability == Availability.ONLINE
    [offer] = db.session.scalars(sa.select(Offer)).all()
    assert (offer.status, offer.revoked_reason) == (OfferStatus.REVOKED, "disconnected")
    assert db.session.get(Question, offer.question_id).status == QuestionStatus.QUEUED
