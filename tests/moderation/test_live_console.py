"""Moderator consoles on the production stack: real python-socketio clients, gunicorn + gevent,
an RQ worker with its scheduler, Redis and PostgreSQL."""

from __future__ import annotations

import json
import threading
import time
import urllib.request
from collections import defaultdict
from typing import Any

import pytest
import socketio
from redis import Redis

from tests.factories import default_pool, make_company, make_pool_expert, question_payload
from tests.live import ExpertClient, LiveStack
from tests.moderation.conftest import make_moderator

NS = "/moderator"


@pytest.fixture
def stack(app, redis_url):
    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    if not uri.startswith("postgresql"):
        pytest.skip("the live stack runs on PostgreSQL (this is the SQLite run)")
    live = LiveStack(uri, redis_url, env_extra={"MODERATION_CLAIM_SECONDS": "3"})
    yield live
    live.stop()
    Redis.from_url(redis_url).flushdb()


class Console:
    """A moderator's console: a real Socket.IO client on /moderator recording every event."""

    def __init__(self, base_url: str, token: str) -> None:
        self.events: dict[str, list[Any]] = defaultdict(list)
        self.arrived = threading.Condition()
        self.client = socketio.Client(reconnection=False)
        self.client.on("*", self._record, namespace=NS)
        self.client.connect(
            base_url,
            namespaces=[NS],
            auth={"token": token},
            transports=["websocket"],
            wait_timeout=10,
        )

    def _record(self, event: str, data: Any = None) -> None:
        with self.arrived:
            self.events[event].append(data)
            self.arrived.notify_all()

    def wait(self, event: str, count: int = 1, timeout: float = 20) -> list[Any]:
        with self.arrived:
            if not self.arrived.wait_for(lambda: len(self.events[event]) >= count, timeout):
                raise TimeoutError(f"no {event} within {timeout}s (have {dict(self.events)})")
            return self.events[event]

    def call(self, event: str, data: Any) -> Any:
        return self.client.call(event, data, namespace=NS, timeout=30)

    def close(self) -> None:
        self.client.disconnect()


def http(method: str, url: str, token: str, body: dict | None = None) -> tuple[int, Any]:
    request = urllib.request.Request(
        url,
        data=json.dumps(body).encode() if body is not None else None,
        method=method,
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def answered_by_probation_expert(web: str, company, expert) -> None:
    phone = ExpertClient(web, expert.token)
    try:
        assert phone.call("availability.set", {"availability": "online"})["status"] == 200
        status, _ = http("POST", web + "/api/v1/questions", company.api_key, question_payload())
        assert status == 201
        [offer] = phone.wait("offer.created", timeout=30)
        accepted = phone.call("offer.accept", {"offer_id": offer["id"]})
        assert accepted["status"] == 200, accepted
        answer = {
            "assignment_id": accepted["data"]["assignment_id"],
            "body": "Hold the power key for ten seconds to restart the phone.",
            "idempotency_key": "live-moderation-0001",
        }
        assert phone.call("answer.submit", answer)["status"] == 200
    finally:
        phone.close()


def test_two_consoles_claim_release_expire_and_decide(app, db, stack):
    company = make_company(app)
    pool = default_pool(app, company.id)
    expert = make_pool_expert(app, pool, tier="probation", online=False)
    first, second = (make_moderator(app, company.id) for _ in range(2))
    web = stack.start_web()
    stack.start_worker()
    consoles = [Console(web, first.token), Console(web, second.token)]
    try:
        for c in consoles:
            assert c.wait("session.restored")[0]["items"] == []
        answered_by_probation_expert(web, company, expert)
        created = [c.wait("audit.created")[0] for c in consoles]
        item_id = created[0]["item_id"]
        assert created[1]["item_id"] == item_id and created[0]["reasons"] == ["probation"]

        # Both consoles claim at the same moment: exactly one wins.
        barrier = threading.Barrier(2)
        acks: list[Any] = [None, None]

        def claim(index: int) -> None:
            barrier.wait()
            acks[index] = consoles[index].call("audit.claim", {"item_id": item_id})

        threads = [threading.Thread(target=claim, args=(i,)) for i in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
        assert sorted(a["status"] for a in acks) == [200, 409], acks
        winner = 0 if acks[0]["status"] == 200 else 1
        loser = 1 - winner
        assert consoles[loser].wait("audit.claimed")[0]["item_id"] == item_id

        # The winner walks away: after the claim timeout the RQ job frees it for everyone.
        [expired] = consoles[loser].wait("audit.released", timeout=30)
        assert expired == {"item_id": item_id, "by": None, "reason": "expired"}

        # The other moderator takes it and decides over the REST API; the first console hears it.
        taker = (first, second)[loser]
        assert consoles[loser].call("audit.claim", {"item_id": item_id})["status"] == 200
        status, body = http(
            "POST",
            f"{web}/api/v1/moderation/items/{item_id}/verdict",
            taker.token,
            {"verdict": "approve"},
        )
        assert status == 200, body
        [decided] = consoles[winner].wait("audit.decided")
        assert decided == {"item_id": item_id, "by": str(taker.id), "verdict": "approve"}
        time.sleep(0.2)
        assert consoles[winner].events["audit.released"] == [expired]
    finally:
        for c in consoles:
            c.close()
