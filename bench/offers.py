"""Offer latency on the production stack, beside raw Socket.IO and Redis round trips.

N experts hold real Socket.IO connections (spread over the web processes), a stream of questions
is posted through the API, and the clients time what arrives. Prints p50/p95/p99 of
- POST returned -> offer: from the POST /questions response to the offer arriving at the
  expert's client (negative when the offer beats the response), and the same from sending;
- the matching decision alone (load the available experts and rank them, no writes), measured
  while the experts are still connected, counting only decisions that ranked someone;
- the accept acknowledgement round trip;
- how late offer deadlines fire on the server (every web process appends to a Redis list in
  bench mode, MATCHING_LATENESS_KEY) and reach the client after `expires_at`;
beside a bare python-socketio echo round trip and a Redis PING measured in the same run. It also
checks the invariants (at most one live assignment per question, one per accepted claim).

    python -m bench.offers                 # 1,000 experts, 50 questions/s for 20 s
    python -m bench.offers --smoke         # seconds; what CI runs
Uses BENCH_DATABASE_URL (default: database `bench`, wiped) and BENCH_REDIS_URL (db 9, flushed).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import aiohttp
import socketio

from bench.common import (
    analyze,
    bench_app_config,
    bench_urls,
    fresh_database,
    percentiles,
    print_table,
)
from bench.stack import LATENESS_KEY


@dataclass
class Timings:
    """Everything the clients observed, in milliseconds."""

    post_to_offer: list[float] = field(default_factory=list)
    sent_to_offer: list[float] = field(default_factory=list)
    created_to_received: list[float] = field(default_factory=list)
    post_round_trip: list[float] = field(default_factory=list)
    accept_ack: list[float] = field(default_factory=list)
    expiry_late: list[float] = field(default_factory=list)
    sent_at: dict[str, float] = field(default_factory=dict)
    returned_at: dict[str, float] = field(default_factory=dict)
    offered: set[str] = field(default_factory=set)
    first_offer_at: dict[str, float] = field(default_factory=dict)
    expired: int = 0
    accepted: int = 0
    accept_timeouts: int = 0  # accepts unanswered within 10 s
    post_errors: dict[int, int] = field(default_factory=dict)
    connect_errors: list[str] = field(default_factory=list)


def prepare(
    database_url: str, redis_url: str, experts: int, companies: int = 1
) -> tuple[list[str], list[str]]:
    """Fresh schema, companies with large budgets, N experts vetted into every company's pool;
    returns the companies' API keys and the experts' tokens."""
    import sqlalchemy as sa
    from flask_migrate import upgrade
    from redis import Redis
    from werkzeug.security import generate_password_hash

    from marketplace import create_app
    from marketplace.accounts.models import Role
    from marketplace.accounts.tokens import issue_token
    from marketplace.companies.models import Pool
    from marketplace.companies.services import create_company, find_pool
    from marketplace.database import new_id, utcnow
    from marketplace.eventlog.services import Actor
    from marketplace.extensions import db
    from marketplace.rewards.services import top_up

    fresh_database(database_url)
    Redis.from_url(redis_url).flushdb()
    app = create_app(bench_app_config(database_url, None))
    with app.app_context():
        upgrade()
        keys, pools = [], []
        for n in range(companies):
            issued = create_company(f"Bench Co {n}", "CNY", slug=f"bench-{n}")
            company_id = issued.key.company_id
            top_up(company_id, 10**11, "CNY", "bench", Actor.system("bench"))
            pool = find_pool(company_id, None)
            db.session.get(Pool, pool.id).settings = {
                "offer_timeout_seconds": 10,
                "hourly_offer_cap": 1000,
                # No random audits: a sampled answer waits for a moderator, and the benchmarks
                # measure system time only (bench.load's experts answer at once).
                "audit": {"sample_rates": {"vetted": 0, "trusted": 0}},
            }
            keys.append(issued.secret)
            pools.append(pool.id)
        password = generate_password_hash("bench-password")  # hashed once for every expert
        now, ids = utcnow(), [new_id() for _ in range(experts)]
        tables = db.metadata.tables
        db.session.execute(
            sa.insert(tables["users"]),
            [
                {
                    "id": i,
                    "email": f"e{n}@bench.test",
                    "password_hash": password,
                    "display_name": f"E{n}",
                    "role": "expert",
                    "status": "active",
                    "locale": "en",
                    "created_at": now,
                    "updated_at": now,
                }
                for n, i in enumerate(ids)
            ],
        )
        db.session.execute(
            sa.insert(tables["expert_profiles"]),
            [
                {
                    "user_id": i,
                    "headline": "",
                    "motivation": "",
                    "capacity": 3,
                    "tier": "vetted",
                    "reputation_mean": 0.7,
                    "reputation_lower": random.random(),
                    "availability": "offline",
                    "active_assignments": 0,
                    "missed_offers_in_row": 0,
                    "created_at": now,
                    "updated_at": now,
                }
                for i in ids
            ],
        )
        db.session.execute(
            sa.insert(tables["expert_languages"]), [{"expert_id": i, "language": "en"} for i in ids]
        )
        db.session.execute(
            sa.insert(tables["expert_skills"]),
            [{"expert_id": i, "tag": "battery", "level": 3} for i in ids],
        )
        db.session.execute(
            sa.insert(tables["pool_memberships"]),
            [
                {
                    "id": new_id(),
                    "pool_id": pool_id,
                    "expert_id": i,
                    "status": "approved",
                    "tier": "vetted",
                    "reputation_mean": 0.7,
                    "reputation_lower": random.random(),
                    "created_at": now,
                    "updated_at": now,
                }
                for i in ids
                for pool_id in pools
            ],
        )
        db.session.commit()
        tokens = [issue_token(i, Role.EXPERT) for i in ids]
    return keys, tokens


async def connect_expert(
    url: str, token: str, timings: Timings, accept: bool
) -> socketio.AsyncClient:
    """One phone: goes online, accepts a share of its offers, ignores the rest (they expire)."""
    client = socketio.AsyncClient(reconnection=False)

    @client.on("offer.created", namespace="/expert")
    async def on_offer(offer: dict[str, Any]) -> None:
        question_id = offer["question"]["id"]
        arrived = time.time()
        created = datetime.fromisoformat(offer["created_at"]).timestamp()
        timings.created_to_received.append((arrived - created) * 1000)
        if question_id not in timings.first_offer_at:
            timings.first_offer_at[question_id] = arrived
        if accept and random.random() < 0.5:
            started = time.perf_counter()
            try:
                ack = await client.call(
                    "offer.accept", {"offer_id": offer["id"]}, namespace="/expert", timeout=10
                )
            except socketio.exceptions.TimeoutError:
                # An overloaded stack: counted and reported, the claim may still have landed.
                timings.accept_timeouts += 1
                return
            timings.accept_ack.append((time.perf_counter() - started) * 1000)
            timings.accepted += ack.get("status") == 200
        else:
            expires = offer["expires_at"]
            client_expiries[offer["id"]] = expires

    client_expiries: dict[str, str] = {}

    @client.on("offer.expired", namespace="/expert")
    async def on_expired(data: dict[str, Any]) -> None:
        expires = client_expiries.pop(data["offer_id"], None)
        if expires:
            due = datetime.fromisoformat(expires).timestamp()
            timings.expiry_late.append((time.time() - due) * 1000)
            timings.expired += 1

    await client.connect(
        url,
        namespaces=["/expert"],
        auth={"token": token},
        transports=["websocket"],
        wait_timeout=20,
    )
    ack = await client.call(
        "availability.set", {"availability": "online"}, namespace="/expert", timeout=20
    )
    assert ack["status"] == 200, ack
    return client


async def echo_baseline(url: str, rounds: int) -> list[float]:
    """Round trips of a bare python-socketio echo server."""
    client = socketio.AsyncClient(reconnection=False)
    await client.connect(url, transports=["websocket"])
    samples = []
    for n in range(rounds):
        started = time.perf_counter()
        await client.call("echo", {"n": n}, timeout=5)
        samples.append((time.perf_counter() - started) * 1000)
    await client.disconnect()
    return samples


def redis_baseline(redis_url: str, rounds: int) -> list[float]:
    """Round trips of Redis PING."""
    from redis import Redis

    connection = Redis.from_url(redis_url)
    samples = []
    for _ in range(rounds):
        started = time.perf_counter()
        connection.ping()
        samples.append((time.perf_counter() - started) * 1000)
    return samples


async def post_stream(
    urls: list[str], keys: list[str], rate: float, seconds: float, timings: Timings
) -> int:
    """Post questions at `rate` per second for `seconds`, round-robin over the web processes
    (and over the companies)."""
    count = int(rate * seconds)
    async with aiohttp.ClientSession() as session:

        async def post(n: int) -> None:
            body = {
                "external_id": f"b-{n}-{uuid.uuid4().hex[:6]}",
                "channel": "web",
                "subject": "Battery drains overnight",
                "language": "en",
                "body": "My phone loses 30% battery overnight.",
                "tags": ["battery"],
                "reward": {"amount": 100, "currency": "CNY"},
            }
            sent = time.time()
            url = urls[n % len(urls)] + "/api/v1/questions"
            headers = {"Authorization": f"Bearer {keys[n % len(keys)]}"}
            async with session.post(url, json=body, headers=headers) as r:
                data = await r.json()
                returned = time.time()
                if r.status != 201:  # counted and reported: an overloaded stack is a result
                    timings.post_errors[r.status] = timings.post_errors.get(r.status, 0) + 1
                    return
                timings.sent_at[data["id"]] = sent
                timings.returned_at[data["id"]] = returned
                timings.post_round_trip.append((returned - sent) * 1000)

        tasks, start = [], time.perf_counter()
        for n in range(count):
            await asyncio.sleep(max(0.0, start + n / rate - time.perf_counter()))
            tasks.append(asyncio.create_task(post(n)))
        await asyncio.gather(*tasks)
    return count


def decision_times(database_url: str, samples: int) -> tuple[list[float], list[float], int]:
    """Time the matching decision alone (load available experts + rank; no writes), for
    questions as if they were new; returns (full, rank only, decisions that ranked nobody)."""
    import sqlalchemy as sa

    from marketplace import create_app
    from marketplace.database import utcnow
    from marketplace.extensions import db
    from marketplace.matching.candidates import Roster, available_experts
    from marketplace.matching.routing import DrainCache, choose, settings_of
    from marketplace.questions.models import Question

    app = create_app(bench_app_config(database_url, None))
    full, rank_only, empty = [], [], 0
    with app.app_context():
        questions = db.session.scalars(sa.select(Question).limit(samples)).all()
        db.session.expunge_all()  # changed below, never written
        db.session.rollback()
        for question in questions:
            question.ring = 0  # decide as for a newly posted question
            started = time.perf_counter()
            roster = Roster(available_experts(utcnow()))
            loaded = time.perf_counter()
            settings = settings_of(question)
            _, chosen = choose(question, settings, roster, utcnow(), set(), DrainCache())
            done = time.perf_counter()
            if not chosen:
                empty += 1
                continue
            full.append((done - started) * 1000)
            rank_only.append((done - loaded) * 1000)
        db.session.rollback()
        db.engine.dispose()
    return full, rank_only, empty


def invariants(database_url: str) -> dict[str, int]:
    """Exactly one expert per question: live assignments per question, claims vs assignments."""
    import sqlalchemy as sa

    engine = sa.create_engine(database_url)
    with engine.connect() as connection:
        worst = connection.execute(
            sa.text(
                "SELECT coalesce(max(n), 0) FROM (SELECT count(*) AS n FROM assignments"
                " WHERE status IN ('active', 'answered') GROUP BY question_id) AS live"
            )
        ).scalar_one()
        assignments = connection.execute(sa.text("SELECT count(*) FROM assignments")).scalar_one()
        accepted = connection.execute(
            sa.text("SELECT count(*) FROM offers WHERE status = 'accepted'")
        ).scalar_one()
    engine.dispose()
    return {
        "max_live_assignments_per_question": worst,
        "assignments": assignments,
        "offers_accepted": accepted,
    }


def server_lateness(redis_url: str) -> list[float]:
    """How late the web processes fired offer deadlines (what they appended in bench mode)."""
    from redis import Redis

    connection = Redis.from_url(redis_url)
    values = [float(v) for v in connection.lrange(LATENESS_KEY, 0, -1)]
    connection.close()
    return values


async def run(args: argparse.Namespace) -> dict[str, Any]:
    """Set up, measure, tear down (the web processes of tests.live, without nginx)."""
    from tests.live import LiveStack

    database_url, redis_url = bench_urls()
    keys, tokens = prepare(database_url, redis_url, args.experts, args.companies)
    stack = LiveStack(
        database_url,
        redis_url,
        env_extra={"SECRET_KEY": "bench-secret", "MATCHING_LATENESS_KEY": LATENESS_KEY},
    )
    try:
        urls = [stack.start_web() for _ in range(args.web)]
        stack.start_worker()
        echo_url = start_echo_server(stack)
        echo = await echo_baseline(echo_url, args.baseline_rounds)
        redis_rtt = redis_baseline(redis_url, args.baseline_rounds)
        results = await measure(
            urls, urls, keys, tokens, args.rate, args.duration, database_url, redis_url,
            accept_share=args.accept_share, decision_samples=args.decision_samples,
        )  # fmt: skip
    finally:
        stack.stop()
    results["config"] = vars(args) | results["config"]
    results["socketio_echo_ms"] = percentiles(echo)
    results["redis_ping_ms"] = percentiles(redis_rtt)
    report(args, results)
    return results


async def measure(
    client_urls: list[str],
    post_urls: list[str],
    keys: list[str],
    tokens: list[str],
    rate: float,
    duration: float,
    database_url: str,
    redis_url: str,
    *,
    accept_share: float = 0.2,
    decision_samples: int = 100,
    expiry_wait: float = 13.0,
    memory: Any = None,
) -> dict[str, Any]:
    """Connect the experts (round-robin over `client_urls`), post at `rate` for `duration`
    seconds, wait for the expiries, and return the figures. `memory()`, if given, is called
    before and after connecting (resident bytes of the web processes)."""
    timings = Timings()
    rss_before = memory() if memory else None
    clients = await connect_all(client_urls, tokens, timings, accept_share)
    rss_after = memory() if memory else None
    # As autovacuum would, now that the experts are connected (it is off on the shared server).
    await asyncio.to_thread(analyze, database_url)
    posted = await post_stream(post_urls, keys, rate, duration, timings)
    await asyncio.sleep(expiry_wait)  # unanswered offers time out (10 s) and their expiries land
    # The decision is timed while every expert is still connected (and routable).
    full, rank_only, empty = await asyncio.to_thread(decision_times, database_url, decision_samples)
    await asyncio.gather(*(c.disconnect() for c in clients))
    for question_id, arrived in timings.first_offer_at.items():
        if question_id in timings.returned_at:
            timings.post_to_offer.append((arrived - timings.returned_at[question_id]) * 1000)
            timings.sent_to_offer.append((arrived - timings.sent_at[question_id]) * 1000)
    return {
        "config": {"experts": len(tokens), "rate": rate, "duration": duration, "posted": posted},
        "post_to_offer_ms": percentiles(timings.post_to_offer),
        "sent_to_offer_ms": percentiles(timings.sent_to_offer),
        "post_round_trip_ms": percentiles(timings.post_round_trip),
        "created_to_received_ms": percentiles(timings.created_to_received),
        "decision_ms": percentiles(full),
        "rank_only_ms": percentiles(rank_only),
        "decisions_without_candidates": empty,
        "accept_ack_ms": percentiles(timings.accept_ack),
        "deadline_late_server_ms": percentiles(server_lateness(redis_url)),
        "expiry_late_ms": percentiles(timings.expiry_late),
        "offered": len(timings.first_offer_at),
        "post_errors": timings.post_errors,
        "connect_errors": len(timings.connect_errors),
        "connect_error_kinds": sorted(set(timings.connect_errors))[:5],
        "accepted": timings.accepted,
        "accept_timeouts": timings.accept_timeouts,
        "expired": timings.expired,
        "rss_before": rss_before,
        "rss_after": rss_after,
        "invariants": invariants(database_url),
    }


ROWS = (
    ("POST returned -> offer received by the expert", "post_to_offer_ms"),
    ("  the same from sending the POST", "sent_to_offer_ms"),
    ("POST /questions round trip", "post_round_trip_ms"),
    ("offer created -> received (the emit path alone)", "created_to_received_ms"),
    ("matching decision alone (load experts + rank)", "decision_ms"),
    ("  of which ranking", "rank_only_ms"),
    ("accept acknowledgement round trip", "accept_ack_ms"),
    ("offer deadline fired after expires_at (server)", "deadline_late_server_ms"),
    ("offer expiry: client notified after expires_at", "expiry_late_ms"),
    ("baseline: raw Socket.IO echo round trip", "socketio_echo_ms"),
    ("baseline: raw Redis PING round trip", "redis_ping_ms"),
)


def report(args: argparse.Namespace, results: dict[str, Any]) -> None:
    """Print the table and the invariants."""
    config = results["config"]
    print_table(
        f"{args.experts} experts on {args.web} web processes, {args.companies} compan"
        f"{'y' if args.companies == 1 else 'ies'}, {args.rate}/s for {args.duration}s "
        f"({config['posted']} questions, {results['offered']} offered, {results['accepted']} "
        f"accepted, {results['expired']} expired)",
        [(label, results[name]) for label, name in ROWS],
    )
    checks = results["invariants"]
    if results["post_errors"]:
        print(f"POST /questions refused or failed: {results['post_errors']} (status: count)")
    if results["accept_timeouts"]:
        print(f"offer.accept unanswered within 10 s: {results['accept_timeouts']}")
    print(
        f"invariants: at most {checks['max_live_assignments_per_question']} live assignment per "
        f"question; {checks['assignments']} assignments for {checks['offers_accepted']} accepted "
        f"offers and {results['accepted']} successful accepts; "
        f"{results['decisions_without_candidates']} timed decisions found nobody"
    )


def start_echo_server(stack: Any) -> str:
    """The bare python-socketio echo server of the baseline, under gunicorn + gevent."""
    import subprocess
    import sys
    from pathlib import Path

    from tests.live import free_port, wait_for

    port = free_port()
    command = [str(Path(sys.executable).parent / "gunicorn"), "-k", "gevent", "-w", "1"]
    # As many connections as a web process takes (WEB_CONNECTIONS); gunicorn's default is 1,000.
    command += ["--worker-connections", "10000"]
    stack.processes.append(
        subprocess.Popen(
            [*command, "-b", f"127.0.0.1:{port}", "bench.echo_server:app"],
            cwd=Path(__file__).resolve().parents[1],
        )
    )
    wait_for(f"http://127.0.0.1:{port}/socket.io/?EIO=4&transport=polling")
    return f"http://127.0.0.1:{port}"


async def connect_all(
    urls: list[str], tokens: list[str], timings: Timings, accept_share: float
) -> list[socketio.AsyncClient]:
    """Connect every expert, 50 at a time, spread over the web processes. A refused connect is
    counted (`timings.connect_errors`, reported) rather than ending the run."""
    clients: list[socketio.AsyncClient] = []
    for start in range(0, len(tokens), 50):
        batch = tokens[start : start + 50]
        outcomes = await asyncio.gather(
            *(
                connect_expert(
                    urls[(start + i) % len(urls)],
                    token,
                    timings,
                    accept=random.random() < accept_share,
                )
                for i, token in enumerate(batch)
            ),
            return_exceptions=True,
        )
        for outcome in outcomes:
            if isinstance(outcome, BaseException):
                timings.connect_errors.append(f"{type(outcome).__name__}: {outcome}")
            else:
                clients.append(outcome)
    return clients


def main() -> None:
    """Parse arguments, run, optionally write JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--experts", type=int, default=1000)
    parser.add_argument("--rate", type=float, default=50.0, help="questions per second")
    parser.add_argument("--duration", type=float, default=20.0, help="seconds of posting")
    parser.add_argument("--web", type=int, default=2, help="web processes")
    parser.add_argument(
        "--companies",
        type=int,
        default=1,
        help="companies posting (each posts reserve money on its own budget account)",
    )
    parser.add_argument(
        "--accept-share",
        type=float,
        default=0.2,
        help="share of experts who accept (half of) their offers",
    )
    parser.add_argument("--baseline-rounds", type=int, default=500)
    parser.add_argument("--decision-samples", type=int, default=100)
    parser.add_argument("--smoke", action="store_true", help="tiny run for CI")
    parser.add_argument("--json", help="also write the figures to this file")
    args = parser.parse_args()
    if args.smoke:
        args.experts, args.rate, args.duration, args.web = 20, 10.0, 2.0, 1
        args.baseline_rounds, args.decision_samples, args.accept_share = 50, 10, 0.5
    results = asyncio.run(run(args))
    if args.json:
        with open(args.json, "w") as handle:
            json.dump(results, handle, indent=2)


if __name__ == "__main__":
    main()
