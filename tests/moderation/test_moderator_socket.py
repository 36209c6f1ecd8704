"""The /moderator namespace with Flask-SocketIO's test client: who connects, what is pushed to
whom, claims and releases over the socket, what a reconnecting console is sent."""

from __future__ import annotations

import pytest

from marketplace.accounts.models import Role
from marketplace.accounts.services import create_user
from marketplace.answers.models import Answer
from marketplace.companies.models import PoolKind
from marketplace.companies.services import create_pool
from marketplace.eventlog.services import Actor
from marketplace.extensions import socketio
from marketplace.moderation import items
from marketplace.moderation.models import AuditReason
from tests.factories import answer_question, make_company
from tests.moderation.conftest import (
    decide,
    make_admin,
    make_moderator,
    pending_item,
    post_question,
)

NS = "/moderator"


def console(app, moderator):
    client = socketio.test_client(app, namespace=NS, auth={"token": moderator.token})
    assert client.is_connected(NS)
    return client


def heard(client, name):
    return [e["args"][0] for e in client.get_received(NS) if e["name"] == name]


def test_who_may_connect(app, db, shop):
    expert = socketio.test_client(app, namespace=NS, auth={"token": shop["expert"].token})
    assert not expert.is_connected(NS)
    anonymous = socketio.test_client(app, namespace=NS)
    assert not anonymous.is_connected(NS)
    forged = socketio.test_client(app, namespace=NS, auth={"token": "ut_forged"})
    assert not forged.is_connected(NS)
    create_user(
        "boss@example.test",
        "password-123",
        "Boss",
        Role.COMPANY_ADMIN,
        company_id=shop["company"].id,
    )
    browser = app.test_client()
    browser.post(
        "/api/v1/auth/session", json={"email": "boss@example.test", "password": "password-123"}
    )
    admin_socket = socketio.test_client(app, namespace=NS, flask_test_client=browser)
    assert not admin_socket.is_connected(NS)
    assert console(app, shop["mod_a"]).is_connected(NS)
    assert console(app, make_admin(app)).is_connected(NS)


def test_new_items_go_to_the_moderators_who_may_claim_them(app, db, client, shop):
    linked = make_moderator(app, shop["company"].id)
    client.post(
        "/api/v1/moderation/links",
        json={"expert_id": str(shop["expert"].id)},
        headers=linked.headers,
    )
    consoles = {
        "mod_a": console(app, shop["mod_a"]),
        "linked": console(app, linked),
        "outsider": console(app, make_moderator(app, make_company(app).id)),
        "admin": console(app, make_admin(app)),
    }
    for c in consoles.values():
        c.get_received(NS)
    answer_id, item = pending_item(app, db, client, shop)
    [created] = heard(consoles["mod_a"], "audit.created")
    assert created["item_id"] == item["id"] and created["answer_id"] == str(answer_id)
    assert created["reasons"] == ["probation"] and created["mandatory"] is True
    assert len(heard(consoles["admin"], "audit.created")) == 1
    assert heard(consoles["linked"], "audit.created") == []
    assert heard(consoles["outsider"], "audit.created") == []


def test_claim_release_and_verdict_over_sockets(app, db, client, shop):
    _, item = pending_item(app, db, client, shop)
    first, second = console(app, shop["mod_a"]), console(app, shop["mod_b"])
    for c in (first, second):
        c.get_received(NS)
    ack = first.emit("audit.claim", {"item_id": item["id"]}, namespace=NS, callback=True)
    assert ack["status"] == 200 and ack["data"]["claimed_by"] == str(shop["mod_a"].id)
    [claimed] = heard(second, "audit.claimed")
    assert claimed["item_id"] == item["id"] and claimed["by"] == str(shop["mod_a"].id)
    lost = second.emit("audit.claim", {"item_id": item["id"]}, namespace=NS, callback=True)
    assert lost["status"] == 409 and lost["type"].endswith("claim-lost")
    theirs = second.emit("audit.release", {"item_id": item["id"]}, namespace=NS, callback=True)
    assert theirs["status"] == 409
    released = first.emit("audit.release", {"item_id": item["id"]}, namespace=NS, callback=True)
    assert released["status"] == 200 and released["data"]["status"] == "open"
    assert heard(second, "audit.released") == [
        {"item_id": item["id"], "by": str(shop["mod_a"].id), "reason": "released"}
    ]
    assert decide(client, shop["mod_b"], item["id"], "approve").status_code == 200
    assert heard(first, "audit.decided") == [
        {"item_id": item["id"], "by": str(shop["mod_b"].id), "verdict": "approve"}
    ]


def test_a_reconnecting_console_is_sent_what_is_pending(app, db, client, shop):
    _, waiting = pending_item(app, db, client, shop)
    _, mine = pending_item(app, db, client, shop)
    client.post(f"/api/v1/moderation/items/{mine['id']}/claim", headers=shop["mod_a"].headers)
    again = socketio.test_client(app, namespace=NS, auth={"token": shop["mod_a"].token})
    [restored] = heard(again, "session.restored")
    assert [i["id"] for i in restored["items"]] == [waiting["id"]]
    assert [i["id"] for i in restored["claimed"]] == [mine["id"]]
    synced = again.emit("session.sync", {}, namespace=NS, callback=True)
    assert synced["status"] == 200 and synced["data"] == restored


def test_the_company_room_covers_pools_created_after_connecting(app, db, client, shop):
    watcher = console(app, shop["mod_b"])
    watcher.get_received(NS)
    pool = create_pool(
        shop["company"].id, "new-brand", "New", "New", PoolKind.CROWD, Actor.system("t")
    )
    db.session.commit()
    answer_id = answer_question(app, post_question(app, shop["company"], pool="new-brand"), "Hi.")
    item = items.open_item(db.session.get(Answer, answer_id), [AuditReason.SAMPLE])
    db.session.commit()
    assert item.pool_id == pool.id
    assert [e["item_id"] for e in heard(watcher, "audit.created")] == [str(item.id)]
    claim = client.post(f"/api/v1/moderation/items/{item.id}/claim", headers=shop["mod_a"].headers)
    assert claim.status_code == 200
    assert [e["item_id"] for e in heard(watcher, "audit.claimed")] == [str(item.id)]


@pytest.mark.parametrize(
    ("event", "payload", "status"),
    [
        ("audit.claim", {"item_id": "nope"}, 422),
        ("audit.claim", {}, 422),
        ("audit.claim", {"item_id": "00000000-0000-0000-0000-000000000000"}, 404),
        ("audit.claim", {"item_id": "00000000-0000-0000-0000-000000000000", "x": 1}, 422),
        ("audit.claim", "not an object", 422),
        ("audit.release", {"item_id": "nope"}, 422),
        ("audit.release", {"item_id": "00000000-0000-0000-0000-000000000000"}, 404),
        ("session.sync", {"cursor": "garbage!"}, 422),
    ],
)
def test_bad_socket_input_is_refused(app, db, client, shop, event, payload, status):
    _, item = pending_item(app, db, client, shop)
    socket = console(app, shop["mod_a"])
    ack = socket.emit(event, payload, namespace=NS, callback=True)
    assert ack["status"] == status and ack["type"].startswith("urn:marketplace:problem:")
    if status == 422:
        assert ack["errors"]
    body = client.get("/api/v1/moderation/queue", headers=shop["mod_a"].headers).get_json()
    assert [(i["id"], i["status"]) for i in body["items"]] == [(item["id"], "open")]
