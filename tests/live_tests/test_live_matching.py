"""The production stack end to end: real sockets, gunicorn + gevent, RQ, Redis, PostgreSQL."""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import select
import signal
import subprocess
import sys
import threading
import time
import urllib.request
import uuid

import socketio
import sqlalchemy as sa

from marketplace.companies.models import OfferMode, Pool
from marketplace.matching.models import Assignment
from tests.factories import default_pool, make_company, make_pool_expert, question_payload
from tests.live import ROOT, ExpertClient
from tests.receivers import WebhookReceiver

SECRET = "whsec-live-0123456789"


def http(method: str, url: str, key: str, body: dict | None = None) -> tuple[int, dict]:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(
        url,
        data=data,
        method=method,
        headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def pool_settings(db, pool_id, mode=OfferMode.SEQUENTIAL, **settings):
    pool = db.session.get(Pool, pool_id)
    pool.offer_mode, pool.settings = mode, settings
    db.session.commit()


def test_offer_accept_answer_and_the_signed_webhook(app, db, stack):
    company = make_company(app)
    pool = default_pool(app, company.id)
    expert = make_pool_expert(app, pool, online=False)
    web = stack.start_web()
    stack.start_worker()
    with WebhookReceiver() as receiver:
        assert (
            http(
                "PUT",
                web + "/api/v1/webhook",
                company.api_key,
                {"url": receiver.url, "secret": SECRET},
            )[0]
            == 200
        )
        dashboard = socketio.Client(reconnection=False)
        seen_by_dashboard: list[str] = []
        dashboard.on(
            "*", lambda event, data=None: seen_by_dashboard.append(event), namespace="/company"
        )
        dashboard.connect(
            web,
            namespaces=["/company"],
            auth={"api_key": company.api_key},
            transports=["websocket"],
        )
        phone = ExpertClient(web, expert.token)
        try:
            assert phone.wait("session.restored")[0]["availability"] == "offline"
            ack = phone.call("availability.set", {"availability": "online"})
            assert ack["status"] == 200 and ack["data"]["connected"] is True
            status, question = http(
                "POST", web + "/api/v1/questions", company.api_key, question_payload()
            )
            assert status == 201
            [offer] = phone.wait("offer.created")
            assert offer["question"]["id"] == question["id"]
            accepted = phone.call("offer.accept", {"offer_id": offer["id"]})
            assert accepted["status"] == 200, accepted
            phone.wait("assignment.created")
            answered = phone.call(
                "answer.submit",
                {
                    "assignment_id": accepted["data"]["assignment_id"],
                    "body": "Open Settings > Battery and turn on adaptive charging.",
                    "idempotency_key": "live-answer-0001",
                },
            )
            assert answered["status"] == 200, answered
            deadline = time.monotonic() + 20
            while len(receiver.received) < 2 and time.monotonic() < deadline:
                time.sleep(0.05)
        finally:
            phone.close()
            dashboard.disconnect()
    events = [r.json["event"] for r in receiver.received]
    assert events == ["question.assigned", "question.answered"]
    for request in receiver.received:
        timestamp, v1 = (
            p.split("=", 1)[1] for p in request.headers["X-Marketplace-Signature"].split(",")
        )
        expected = hmac.new(
            SECRET.encode(), f"{timestamp}.".encode() + request.body, hashlib.sha256
        ).hexdigest()
        assert hmac.compare_digest(v1, expected)
    assert receiver.received[1].json["data"]["answer"]["body"].startswith("Open Settings")
    assert {"question.assigned", "question.answered"} <= set(seen_by_dashboard)
    status, fetched = http("GET", f"{web}/api/v1/questions/{question['id']}", company.api_key)
    assert fetched["status"] == "answered"


def test_fifty_experts_accept_one_broadcast_at_once_and_exactly_one_wins(app, db, stack):
    company = make_company(app)
    pool = default_pool(app, company.id)
    pool_settings(db, pool, OfferMode.BROADCAST, broadcast_k=50)
    experts = [make_pool_expert(app, pool, online=False, capacity=1) for _ in range(50)]
    web = stack.start_web()
    phones = [ExpertClient(web, e.token) for e in experts]
    try:
        for phone in phones:
            assert phone.call("availability.set", {"availability": "online"})["status"] == 200
        assert (
            http("POST", web + "/api/v1/questions", company.api_key, question_payload())[0] == 201
        )
        offers = [phone.wait("offer.created", timeout=60)[0] for phone in phones]
        barrier = threading.Barrier(len(phones))
        acks: list[dict] = [{}] * len(phones)

        def accept(index: int) -> None:
            barrier.wait()
            acks[index] = phones[index].call("offer.accept", {"offer_id": offers[index]["id"]})

        threads = [threading.Thread(target=accept, args=(i,)) for i in range(len(phones))]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
    finally:
        for phone in phones:
            phone.close()
    statuses = sorted(ack["status"] for ack in acks)
    assert statuses == [200] + [409] * 49
    refusals = {ack["type"].rsplit(":", 1)[1] for ack in acks if ack["status"] == 409}
    assert refusals == {"already-taken"}
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Assignment)) == 1


def test_a_worker_emits_to_clients_on_either_web_process(app, db, stack, redis_url):
    from redis import Redis
    from rq import Queue

    company = make_company(app)
    pool = default_pool(app, company.id)
    pool_settings(db, pool, OfferMode.BROADCAST, broadcast_k=2)
    first, second = (make_pool_expert(app, pool, online=False) for _ in range(2))
    # Web processes without engines: only the worker's reconciler can make the offers.
    quiet = {"MATCHING_ENGINE_AUTOSTART": "0"}
    web_a, web_b = stack.start_web(**quiet), stack.start_web(**quiet)
    stack.start_worker()
    phone_a, phone_b = ExpertClient(web_a, first.token), ExpertClient(web_b, second.token)
    try:
        for phone in (phone_a, phone_b):
            assert phone.call("availability.set", {"availability": "online"})["status"] == 200
        assert (
            http("POST", web_a + "/api/v1/questions", company.api_key, question_payload())[0] == 201
        )
        time.sleep(0.5)
        assert not phone_a.events["offer.created"] and not phone_b.events["offer.created"]
        Queue("live-low", connection=Redis.from_url(redis_url)).enqueue(
            "workers.reconcile.reconcile"
        )
        offer_a = phone_a.wait("offer.created", timeout=20)[0]
        offer_b = phone_b.wait("offer.created", timeout=20)[0]
        assert offer_a["question"]["id"] == offer_b["question"]["id"]
    finally:
        phone_a.close()
        phone_b.close()


def test_an_unanswered_offer_moves_on_and_a_dropped_phone_loses_its_offer(
    app, db, stack, quick_env
):
    company = make_company(app)
    pool = default_pool(app, company.id)
    pool_settings(db, pool, offer_timeout_seconds=10)
    slow = make_pool_expert(app, pool, online=False, reputation_lower=0.9)
    backup = make_pool_expert(app, pool, online=False, reputation_lower=0.5)
    third = make_pool_expert(app, pool, online=False, reputation_lower=0.1)
    web = stack.start_web(**quick_env)
    phones = {e.id: ExpertClient(web, e.token) for e in (slow, backup, third)}
    try:
        for phone in phones.values():
            assert phone.call("availability.set", {"availability": "online"})["status"] == 200
        started = time.monotonic()
        assert (
            http("POST", web + "/api/v1/questions", company.api_key, question_payload())[0] == 201
        )
        [offer] = phones[slow.id].wait("offer.created")
        phones[slow.id].wait("offer.expired", timeout=15)
        waited = time.monotonic() - started
        [moved] = phones[backup.id].wait("offer.created", timeout=5)
        assert moved["question"]["id"] == offer["question"]["id"]
        assert 9.5 <= waited <= 12.5
        # The backup's phone drops: after the 1 s grace period the offer goes to the third.
        phones[backup.id].close()
        [rerouted] = phones[third.id].wait("offer.created", timeout=10)
        assert rerouted["question"]["id"] == offer["question"]["id"]
    finally:
        for phone in phones.values():
            if phone.client.connected:
                phone.close()


class Phone:
    """tests/live_tests/phone.py in a subprocess: a real client the test can freeze."""

    def __init__(self, web: str, token: str) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tests.live_tests.phone", web, token],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            text=True,
        )

    def read(self, timeout: float = 20) -> dict:
        """The next JSON line the phone printed."""
        ready, _, _ = select.select([self.process.stdout], [], [], timeout)
        assert ready, "the phone said nothing"
        return json.loads(self.process.stdout.readline())

    def kill(self) -> None:
        """SIGKILL works on a stopped process too."""
        self.process.kill()
        self.process.wait(10)


def test_a_silent_phone_is_out_of_routing_within_30_seconds(app, db, stack):
    from marketplace.experts.models import ExpertConnection
    from marketplace.matching.models import Offer, OfferStatus

    config = app.config
    # What production uses (the stack runs with the defaults): detection + grace < 30 s.
    worst = (
        config["SOCKETIO_PING_INTERVAL"]
        + 2 * config["SOCKETIO_PING_TIMEOUT"]
        + config["PRESENCE_GRACE_SECONDS"]
    )
    assert worst < 30
    company = make_company(app)
    pool = default_pool(app, company.id)
    pool_settings(db, pool, offer_timeout_seconds=120)  # the offer must not simply time out
    silent = make_pool_expert(app, pool, online=False, reputation_lower=0.9)
    backup = make_pool_expert(app, pool, online=False, reputation_lower=0.1)
    web = stack.start_web()
    phone = Phone(web, silent.token)
    other = None
    try:
        assert phone.read() == {"ready": 200}
        other = ExpertClient(web, backup.token)
        assert other.call("availability.set", {"availability": "online"})["status"] == 200
        assert (
            http("POST", web + "/api/v1/questions", company.api_key, question_payload())[0] == 201
        )
        offered = phone.read()
        os.kill(phone.process.pid, signal.SIGSTOP)  # the app went to the background
        stopped = time.monotonic()
        [moved] = other.wait("offer.created", timeout=40)
        elapsed = time.monotonic() - stopped
    finally:
        phone.kill()
        if other is not None:
            other.close()
    assert moved["question"]["id"] == offered["question"]
    assert elapsed < 30, f"the silent phone kept its offer for {elapsed:.1f} s"
    db.session.expire_all()
    first = db.session.get(Offer, uuid.UUID(offered["offer"]))
    assert (first.status, first.revoked_reason) == (OfferStatus.REVOKED, "disconnected")
    assert not db.session.scalars(sa.select(ExpertConnection).filter_by(expert_id=silent.id)).all()


def test_a_web_process_that_stops_leaves_no_connections_behind(app, db, stack):
    from marketplace.experts.models import ExpertConnection

    company = make_company(app)
    expert = make_pool_expert(app, default_pool(app, company.id), online=False)
    web = stack.start_web()
    process = stack.processes[-1]
    phone = Phone(web, expert.token)
    try:
        assert phone.read() == {"ready": 200}
        # Frozen: the phone cannot say goodbye, so only the server's shutdown can clean up.
        os.kill(phone.process.pid, signal.SIGSTOP)
        [server_id] = db.session.scalars(sa.select(ExpertConnection.server_id)).all()
        db.session.rollback()
        process.send_signal(signal.SIGTERM)
        assert process.wait(20) == 0
    finally:
        phone.kill()
    db.session.expire_all()
    assert (
        db.session.scalars(sa.select(ExpertConnection).filter_by(server_id=server_id)).all() == []
    )
