"""The load of the end-to-end, soak and fault runs: experts on real Socket.IO clients who accept
every offer and answer at once, a company posting questions at a steady rate (retrying a failed
POST with the same `external_id`, which the API deduplicates), and the checks of what became of
every question afterwards."""

from __future__ import annotations

import asyncio
import random
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

import aiohttp
import socketio
import sqlalchemy as sa

# Scoring accepts an answer only if it is on topic and no near copy of the company's other
# answers (docs/scoring.md), so each simulated answer mixes the question's words with made-up
# ones: on topic, in English as the checks see it, and its own text.
ON_TOPIC = (
    "the and then your phone battery check settings app apps turn off on background night",
    "screen update restart drain power mode saver usage hours charge",
)


def answer_text(rng: random.Random) -> str:
    """An answer the automatic checks accept, unlike every other one."""

    def made_up() -> str:
        syllables = range(rng.randint(2, 3))
        return "".join(rng.choice("bcdfghjklmnprstvwz") + rng.choice("aeiou") for _ in syllables)

    topic = " ".join(ON_TOPIC).split()
    words = [made_up() if i % 2 else rng.choice(topic) for i in range(40)]
    return "Check the battery usage of your phone overnight. " + " ".join(words) + "."


TERMINAL = ("answered", "returned", "expired", "cancelled")


@dataclass
class LoadRecord:
    """What the clients saw: posts, refusals, answers, reconnects (times are Unix seconds)."""

    posted: dict[str, str] = field(default_factory=dict)  # external_id -> question id
    sent_at: dict[str, float] = field(default_factory=dict)  # external_id -> first attempt
    failures: list[tuple[float, str]] = field(default_factory=list)  # every failed attempt
    gave_up: list[str] = field(default_factory=list)  # external ids never acknowledged
    answers: int = 0
    answer_errors: list[str] = field(default_factory=list)
    credited: int = 0
    connects: int = 0
    disconnects: int = 0


class AnsweringExpert:
    """One phone that reconnects by itself, accepts every offer and answers at once."""

    def __init__(self, token: str, record: LoadRecord) -> None:
        self.token, self.record = token, record
        self.answered: set[str] = set()
        self.rng = random.Random()
        self.client = socketio.AsyncClient(reconnection=True, reconnection_delay=0.2)
        self.client.on("offer.created", self.on_offer, namespace="/expert")
        self.client.on("session.restored", self.on_restored, namespace="/expert")
        self.client.on("reward.credited", self.on_credited, namespace="/expert")
        self.client.on("connect", self.on_connect, namespace="/expert")
        self.client.on("disconnect", self.on_disconnect, namespace="/expert")

    async def connect(self, url: str) -> None:
        """Connect and go online."""
        await self.client.connect(
            url, namespaces=["/expert"], auth={"token": self.token}, transports=["websocket"],
            wait_timeout=30,
        )  # fmt: skip
        ack = await self.call("availability.set", {"availability": "online"})
        assert ack and ack["status"] == 200, ack

    async def call(self, event: str, data: dict[str, Any]) -> dict[str, Any] | None:
        """Emit and wait for the acknowledgement; None when the transport failed meanwhile
        (the reconnect's `session.restored` brings back whatever is still pending)."""
        try:
            return await self.client.call(event, data, namespace="/expert", timeout=30)
        except (socketio.exceptions.TimeoutError, socketio.exceptions.BadNamespaceError):
            return None

    async def on_offer(self, offer: dict[str, Any]) -> None:
        ack = await self.call("offer.accept", {"offer_id": offer["id"]})
        if ack and ack["status"] == 200:
            await self.answer(ack["data"]["assignment_id"])

    async def on_restored(self, session: dict[str, Any]) -> None:
        for assignment in session.get("assignments", []):
            if assignment.get("status") == "active":
                await self.answer(assignment["id"])
        for offer in session.get("offers", []):
            await self.on_offer(offer)

    async def answer(self, assignment_id: str) -> None:
        if assignment_id in self.answered:
            return
        text = answer_text(self.rng)
        body = {"assignment_id": assignment_id, "body": text, "idempotency_key": assignment_id}
        ack = await self.call("answer.submit", body)
        for _ in range(3):  # busy did nothing: send it again (same key), as the phone does
            if not (ack and ack["status"] == 503):
                break
            await asyncio.sleep(ack.get("retry_after", 2))
            ack = await self.call("answer.submit", body)
        if ack and ack["status"] == 200:
            self.answered.add(assignment_id)
            self.record.answers += 1
        elif ack:
            self.record.answer_errors.append(str(ack))

    async def on_credited(self, reward: dict[str, Any]) -> None:
        self.record.credited += 1

    async def on_connect(self) -> None:
        self.record.connects += 1

    async def on_disconnect(self, *reason: Any) -> None:
        self.record.disconnects += 1


async def connect_crowd(url: str, tokens: list[str], record: LoadRecord) -> list[AnsweringExpert]:
    """Every expert, 50 at a time, through nginx."""
    experts = [AnsweringExpert(token, record) for token in tokens]
    for start in range(0, len(experts), 50):
        await asyncio.gather(*(e.connect(url) for e in experts[start : start + 50]))
    return experts


async def disconnect_crowd(experts: list[AnsweringExpert]) -> None:
    """Close every client (no reconnect)."""
    await asyncio.gather(*(e.client.disconnect() for e in experts))


def question_body(external_id: str) -> dict[str, Any]:
    """One question the bench experts can answer (their skill, their language)."""
    return {
        "external_id": external_id,
        "channel": "web",
        "subject": "Battery drains overnight",
        "language": "en",
        "body": "My phone loses 30% battery overnight. What should I check?",
        "tags": ["battery"],
        "reward": {"amount": 100, "currency": "CNY"},
    }


async def post_questions(
    url: str, key: str, rate: float, seconds: float, record: LoadRecord, attempts: int = 60
) -> None:
    """POST /api/v1/questions at `rate` per second for `seconds`; a refused or failed attempt
    is recorded and retried (up to `attempts` times, 0.5 s apart) with the same external_id."""
    headers = {"Authorization": f"Bearer {key}"}
    timeout = aiohttp.ClientTimeout(total=30)
    async with aiohttp.ClientSession(timeout=timeout) as session:

        async def post(external_id: str) -> None:
            record.sent_at[external_id] = time.time()
            for _ in range(attempts):
                try:
                    async with session.post(
                        url + "/api/v1/questions", json=question_body(external_id), headers=headers
                    ) as response:
                        if response.status in (200, 201):
                            record.posted[external_id] = (await response.json())["id"]
                            return
                        record.failures.append((time.time(), f"HTTP {response.status}"))
                except (TimeoutError, aiohttp.ClientError) as error:
                    record.failures.append((time.time(), type(error).__name__))
                await asyncio.sleep(0.5)
            record.gave_up.append(external_id)

        run, tasks, start = uuid.uuid4().hex[:8], [], time.perf_counter()
        for n in range(int(rate * seconds)):
            await asyncio.sleep(max(0.0, start + n / rate - time.perf_counter()))
            tasks.append(asyncio.create_task(post(f"load-{run}-{n}")))
        await asyncio.gather(*tasks)


def outcomes(database_url: str, question_ids: list[str]) -> dict[str, Any]:
    """What became of the posted questions: status counts, rewards settled, what is left."""
    engine = sa.create_engine(database_url)
    ids = [uuid.UUID(i) for i in question_ids]
    with engine.connect() as connection:
        statuses = dict(
            connection.execute(
                sa.text("SELECT status, count(*) FROM questions WHERE id = ANY(:ids) GROUP BY 1"),
                {"ids": ids},
            ).all()
        )
        rewards = dict(
            connection.execute(
                sa.text(
                    "SELECT status, count(*) FROM rewards WHERE question_id = ANY(:ids) GROUP BY 1"
                ),
                {"ids": ids},
            ).all()
        )
        answers = dict(
            connection.execute(
                sa.text(
                    "SELECT outcome, count(*) FROM answers WHERE question_id = ANY(:ids) GROUP BY 1"
                ),
                {"ids": ids},
            ).all()
        )
        live_offers = connection.execute(
            sa.text(
                "SELECT count(*) FROM offers o JOIN questions q ON q.id = o.question_id"
                " WHERE o.status = 'pending' AND q.status IN :done"
            ).bindparams(sa.bindparam("done", expanding=True)),
            {"done": list(TERMINAL)},
        ).scalar_one()
    engine.dispose()
    found = sum(statuses.values())
    return {
        "questions": len(ids),
        "statuses": statuses,
        "missing": len(ids) - found,  # acknowledged but not in the database
        "not_terminal": sum(n for s, n in statuses.items() if s not in TERMINAL),
        "rewards": rewards,
        "answers": answers,  # by outcome: pending means not scored (or held) yet
        "answered_without_settled_reward": statuses.get("answered", 0) - rewards.get("settled", 0),
        "pending_offers_of_closed_questions": live_offers,
    }


def wait_for_outcomes(database_url: str, question_ids: list[str], timeout: float) -> dict:
    """Poll until every posted question is terminal with its reward settled, or time runs out."""
    deadline = time.monotonic() + timeout
    while True:
        result = outcomes(database_url, question_ids)
        done = not result["not_terminal"] and not result["answered_without_settled_reward"]
        if done or time.monotonic() > deadline:
            result["drained_in_s"] = round(timeout - max(0.0, deadline - time.monotonic()), 1)
            return result
        time.sleep(1)


def system_times(database_url: str, question_ids: list[str]) -> list[float]:
    """Milliseconds from each question's row being created to its reward being settled."""
    engine = sa.create_engine(database_url)
    with engine.connect() as connection:
        rows = connection.execute(
            sa.text(
                "SELECT extract(epoch FROM r.settled_at - q.created_at) * 1000 FROM rewards r"
                " JOIN questions q ON q.id = r.question_id"
                " WHERE r.status = 'settled' AND q.id = ANY(:ids)"
            ),
            {"ids": [uuid.UUID(i) for i in question_ids]},
        ).scalars()
        values = [float(v) for v in rows]
    engine.dispose()
    return values


def ledger_violations(database_url: str) -> list[str]:
    """`flask ledger check`, as its service function."""
    from bench.common import bench_app_config
    from marketplace import create_app
    from marketplace.rewards.checks import check_ledger

    app = create_app(bench_app_config(database_url, None))
    with app.app_context():
        from marketplace.extensions import db

        violations = [str(v) for v in check_ledger()]
        db.session.remove()
        db.engine.dispose()
    return violations
