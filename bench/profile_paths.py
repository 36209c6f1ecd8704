"""What one posted question and one offered question cost: SQL statements, CPU and wall time.

On a shared machine wall-clock latencies are noise; statements and process CPU are not. On
PostgreSQL this seeds one company and 1,000 experts online in its pool (the same data as
`bench.offers`), then, in one process and without Socket.IO clients:
- POST /api/v1/questions through the test client, N times (the view, the service, the hold on
  the company budget and the response; the test client's own CPU is included);
- the engine's drain step over those N queued questions with one cached roster, as the engine
  runs it (probe, lock, rank ~1,000 candidates, insert the offers, log and emit), divided by
  the questions offered;
- loading the roster of available experts (the engine does this at most every 250 ms, so
  it is reported on its own), and filtering and ranking all 1,000 candidates alone.
Prints a table of means per operation: statements, CPU ms (time.process_time) and wall ms.
The seeded tables are ANALYZEd first, as autovacuum would (`--no-analyze` to see the plans
of a server with autovacuum off).

    python -m bench.profile_paths              # 1,000 experts, 200 posts and offers
    python -m bench.profile_paths --experts 200 --iterations 50
Uses BENCH_DATABASE_URL (wiped) and BENCH_REDIS_URL (flushed; the app itself runs without Redis).
"""

from __future__ import annotations

import argparse
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from bench.common import analyze, bench_urls


@dataclass
class Cost:
    """Totals over some runs of one operation."""

    runs: int = 0
    statements: int = 0
    cpu: float = 0.0
    wall: float = 0.0

    def row(self, name: str) -> str:
        """One line of the table: means per run."""
        n = max(self.runs, 1)
        return (
            f"{name:48} {self.runs:>6} {self.statements / n:>11.1f} "
            f"{self.cpu / n * 1000:>9.2f} {self.wall / n * 1000:>9.2f}"
        )


class StatementCounter:
    """Counts the statements sent to the database (each executemany batch counts once)."""

    def __init__(self, engine: sa.Engine) -> None:
        self.count = 0
        sa.event.listen(engine, "before_cursor_execute", self._seen)

    def _seen(self, *_args: Any) -> None:
        self.count += 1


def measure(counter: StatementCounter, cost: Cost, work: Callable[[], Any], runs: int = 1) -> Any:
    """Run `work` once, adding its statements, CPU and wall time to `cost` (as `runs` runs)."""
    before, cpu, wall = counter.count, time.process_time(), time.perf_counter()
    result = work()
    cost.cpu += time.process_time() - cpu
    cost.wall += time.perf_counter() - wall
    cost.statements += counter.count - before
    cost.runs += runs
    return result


def bring_online(experts: int) -> None:
    """Every seeded expert online with one live connection (as if their phones were open)."""
    from marketplace.database import utcnow
    from marketplace.experts.models import Availability, ExpertConnection, ExpertProfile
    from marketplace.extensions import db

    now = utcnow()
    ids = list(db.session.scalars(sa.select(ExpertProfile.user_id)))
    db.session.execute(sa.update(ExpertProfile).values(availability=Availability.ONLINE))
    db.session.execute(
        sa.insert(ExpertConnection.__table__),
        [
            {"sid": f"s-{n}", "expert_id": i, "server_id": "bench"}
            | {"connected_at": now, "seen_at": now}
            for n, i in enumerate(ids)
        ],
    )
    db.session.commit()
    assert len(ids) == experts


def profile_posts(app: Any, counter: StatementCounter, key: str, iterations: int) -> Cost:
    """POST /api/v1/questions `iterations` times (after a few unmeasured warm-up posts)."""
    client = app.test_client()
    headers = {"Authorization": f"Bearer {key}"}
    cost = Cost()

    def post() -> None:
        body = {
            "external_id": f"p-{uuid.uuid4().hex[:12]}",
            "channel": "web",
            "subject": "Battery drains overnight",
            "language": "en",
            "body": "My phone loses 30% battery overnight.",
            "tags": ["battery"],
            "reward": {"amount": 100, "currency": "CNY"},
        }
        response = client.post("/api/v1/questions", json=body, headers=headers)
        assert response.status_code == 201, response.get_data(as_text=True)

    for _ in range(3):
        post()
    for _ in range(iterations):
        measure(counter, cost, post)
    return cost


def profile_offers(counter: StatementCounter) -> tuple[Cost, Cost, Cost]:
    """Drain every queued question with one cached roster; returns (roster load, drain per
    offered question, ranking 1,000 candidates)."""
    from marketplace.database import utcnow
    from marketplace.extensions import db
    from marketplace.matching import services
    from marketplace.matching.candidates import Roster, available_experts
    from marketplace.matching.ranking import rank
    from marketplace.matching.settings import RankingWeights

    load = Cost()
    roster = measure(counter, load, lambda: Roster(available_experts(utcnow())))
    db.session.rollback()
    queued = db.session.scalar(sa.text("SELECT count(*) FROM questions WHERE status = 'queued'"))
    db.session.rollback()
    offer = Cost()
    measure(counter, offer, lambda: services.drain(roster_of=lambda _now: roster), runs=0)
    offered = db.session.scalar(sa.text("SELECT count(*) FROM questions WHERE status = 'offered'"))
    db.session.rollback()
    offer.runs = offered
    if offered < queued:
        print(f"warning: only {offered} of {queued} queued questions were offered")
    ranking = Cost()
    pool_id = next(iter(next(iter(roster.candidates.values())).pools))
    now, weights = utcnow(), RankingWeights()

    def choose_among_all() -> None:
        eligible = roster.eligible({pool_id}, "en", ["battery"], None, 10**6, set())
        assert len(eligible) == len(roster.candidates)
        rank(eligible, pool_id, ["battery"], now, weights, 1)

    for _ in range(20):
        measure(counter, ranking, choose_among_all)
    return load, offer, ranking


def main() -> None:
    """Seed, measure, print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--experts", type=int, default=1000)
    parser.add_argument("--iterations", type=int, default=200)
    parser.add_argument(
        "--no-analyze", action="store_true", help="keep the seeded tables without statistics"
    )
    args = parser.parse_args()
    database_url, redis_url = bench_urls()
    if not database_url.startswith("postgresql"):
        raise SystemExit("bench.profile_paths measures PostgreSQL; set BENCH_DATABASE_URL")

    from bench.offers import prepare
    from marketplace import create_app
    from marketplace.extensions import db

    keys, _ = prepare(database_url, redis_url, args.experts)
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": database_url,
            "REDIS_URL": None,
            "SECRET_KEY": "bench-secret",
            "MATCHING_ENGINE_AUTOSTART": False,
            "RATELIMIT_ENABLED": False,
        }
    )
    with app.app_context():
        bring_online(args.experts)
        if not args.no_analyze:
            analyze(database_url)
        counter = StatementCounter(db.engine)
        posts = profile_posts(app, counter, keys[0], args.iterations)
        db.session.remove()
        load, offers, ranking = profile_offers(counter)
        db.session.remove()
        db.engine.dispose()
    print(f"\n{args.experts} experts online in one pool; means per operation")
    print(f"{'operation':48} {'runs':>6} {'statements':>11} {'CPU ms':>9} {'wall ms':>9}")
    print(posts.row("POST /api/v1/questions"))
    print(offers.row("offer one queued question (drain step)"))
    print(load.row("load the roster of available experts"))
    print(ranking.row(f"  filter and rank {args.experts} candidates (in the offer)"))


if __name__ == "__main__":
    main()
