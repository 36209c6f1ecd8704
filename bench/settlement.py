"""Benchmark: rewards settled per second by the batched RQ job, beside the raw baselines.

Measured in one run, on PostgreSQL and Redis, under real `flask worker` (RQ) processes:
  - raw row inserts: one INSERT + COMMIT per row, and one executemany in a single transaction;
  - the raw RQ job rate: no-op jobs (workers.maintenance.noop);
  - one job per reward (each job settles one reward), the design the batch replaces;
  - the batched job (workers.rewards.settle_pending): many rewards per transaction.
Rates come from the jobs' own start and end times, so worker start-up is not counted.
Then `ledger check` must pass and every reward must be settled exactly once.

    DATABASE_URL=postgresql+psycopg://... REDIS_URL=redis://... python bench/settlement.py
    python bench/settlement.py --smoke        # seconds; what CI runs

Falls back to TEST_DATABASE_URL / TEST_REDIS_URL. Use a scratch database: the run adds
companies, experts, questions and rewards (named bench-*) and leaves them there.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
import uuid
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from marketplace import create_app  # noqa: E402
from marketplace.database import new_id, utcnow  # noqa: E402
from marketplace.extensions import db  # noqa: E402

SMOKE = {"rewards": 300, "per_reward": 10, "noops": 30, "inserts": 300, "workers": 2}
FULL = {"rewards": 20_000, "per_reward": 1_000, "noops": 2_000, "inserts": 5_000, "workers": 4}


def settle_one() -> None:
    """Bench job: settle a single reward, as a one-job-per-reward design would."""
    from marketplace.rewards.settlement import settle_batch
    from workers.context import job_context

    with job_context():
        settle_batch(1)
        db.session.remove()


def main() -> int:
    """Run every measurement and print the table; non-zero exit if the ledger is not sound."""
    args = _arguments()
    sizes = dict(SMOKE if args.smoke else FULL)
    sizes.update({k: v for k, v in vars(args).items() if k in sizes and v is not None})
    database_url, redis_url = _urls()
    rows, ok = measure(database_url, redis_url, sizes, args.batch, args.worker_class)
    _print(rows, sizes, database_url, args.worker_class)
    return 0 if ok else 1


def measure(
    database_url: str,
    redis_url: str,
    sizes: dict[str, int],
    batch: int = 500,
    worker_class: str = "warm",
) -> tuple[list[tuple[str, int, float]], bool]:
    """(measure, count, seconds) rows, and whether every reward settled once and the ledger
    checks out. Runs its own workers on a queue prefix of its own."""
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    prefix = f"bench-{os.getpid()}-"
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": database_url,
            "REDIS_URL": redis_url,
            "JOB_QUEUE_PREFIX": prefix,
            "REWARDS_AUTO_SETTLE": False,
            "MATCHING_ENGINE_AUTOSTART": False,
        }
    )
    env = os.environ | {
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "JOB_QUEUE_PREFIX": prefix,
        "LOG_LEVEL": "WARNING",
    }
    rows = []
    with app.app_context():
        from flask_migrate import upgrade

        upgrade()
        rows += insert_rates(sizes["inserts"])
        workers = _start_workers(env, sizes["workers"], worker_class, prefix, redis_url)
        try:
            rows.append(("RQ no-op jobs", *_run_jobs(app, "noop", sizes["noops"])))
            rows.append(("rewards, one job per reward", *_per_reward(app, sizes)))
            label = f"rewards, batched job ({batch}/tx)"
            rows.append((label, *_batched(app, sizes, batch)))
        finally:
            _stop_workers(workers)
        ok = _verify()
        db.session.remove()
        db.engine.dispose()
    return rows, ok


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--smoke", action="store_true", help="tiny sizes, a few seconds")
    parser.add_argument("--rewards", type=int, help="rewards for the batched job")
    parser.add_argument("--per-reward", dest="per_reward", type=int, help="one-job rewards")
    parser.add_argument("--noops", type=int, help="no-op jobs")
    parser.add_argument("--inserts", type=int, help="rows for the insert baselines")
    parser.add_argument("--workers", type=int, help="worker processes")
    parser.add_argument("--batch", type=int, default=500, help="rewards per transaction")
    parser.add_argument(
        "--worker-class",
        choices=["warm", "fork"],
        default="warm",
        help="warm: `flask worker` (production: jobs run in the worker process); "
        "fork: `flask worker --fork` (a fresh work horse per job)",
    )
    return parser.parse_args()


def _urls() -> tuple[str, str]:
    database_url = os.environ.get("DATABASE_URL") or os.environ.get("TEST_DATABASE_URL")
    redis_url = os.environ.get("REDIS_URL") or os.environ.get("TEST_REDIS_URL")
    if not database_url or not database_url.startswith("postgresql") or not redis_url:
        raise SystemExit("set DATABASE_URL (PostgreSQL) and REDIS_URL, or the TEST_ ones")
    return database_url, redis_url


def insert_rates(count: int) -> list[tuple[str, int, float]]:
    """Rows per second into a scratch table: committed one by one, and in one executemany."""
    table = sa.Table(
        f"bench_rows_{os.getpid()}",
        sa.MetaData(),
        sa.Column("id", sa.BigInteger, primary_key=True, autoincrement=True),
        sa.Column("account_id", sa.BigInteger),
        sa.Column("amount", sa.BigInteger),
    )
    table.create(db.engine)
    try:
        with db.engine.connect() as connection:
            start = time.perf_counter()
            for i in range(count):
                connection.execute(table.insert().values(account_id=i % 50, amount=i + 1))
                connection.commit()
            one_by_one = time.perf_counter() - start
            start = time.perf_counter()
            rows = [{"account_id": i % 50, "amount": i + 1} for i in range(count)]
            connection.execute(table.insert(), rows)
            connection.commit()
            many = time.perf_counter() - start
    finally:
        table.drop(db.engine)
    return [
        ("row inserts, a transaction each", count, one_by_one),
        ("row inserts, executemany", count, many),
    ]


def _run_jobs(app, kind: str, count: int, limit: int = 500) -> tuple[int, float]:
    """Queue `count` jobs, wait for the workers to finish them; (count, busy seconds)."""
    from marketplace.queue import JobOptions, enqueue

    options = JobOptions(queue="default", timeout=600, retry_delays=(), result_ttl=600)
    functions = {
        "noop": ("workers.maintenance.noop", ()),
        "one": ("bench.settlement.settle_one", ()),
        "batch": ("workers.rewards.settle_pending", (limit, 600.0)),
    }
    name, args = functions[kind]
    run = uuid.uuid4().hex[:8]
    ids = [f"bench-{kind}-{run}-{i}" for i in range(count)]
    for job_id in ids:
        enqueue(name, *args, job_id=job_id, options=options)
    _wait_for(app, ids)
    return count, _busy_seconds(app, ids)


def _start_workers(
    env: dict[str, str], count: int, kind: str, prefix: str, redis_url: str
) -> list[subprocess.Popen]:
    command = [sys.executable, "-m", "flask", "--app", "wsgi", "worker"]
    if kind == "fork":
        command.append("--fork")
    return [subprocess.Popen(command, cwd=ROOT, env=env) for _ in range(count)]


def _stop_workers(workers: list[subprocess.Popen]) -> None:
    for worker in workers:
        worker.terminate()  # RQ's warm shutdown: finish the current job, then exit
    for worker in workers:
        worker.wait(timeout=60)


def _wait_for(app, ids: list[str], timeout: float = 900) -> None:
    from rq.job import Job

    connection = app.extensions["job_queue"].connection
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        statuses = [job.get_status() if job else None for job in Job.fetch_many(ids, connection)]
        if all(status in ("finished", "failed", "stopped", "canceled") for status in statuses):
            return
        time.sleep(0.05)
    raise SystemExit("bench jobs did not finish in time")


def _busy_seconds(app, ids: list[str]) -> float:
    """From the first job's start to the last job's end, as RQ recorded them."""
    from rq.job import Job

    connection = app.extensions["job_queue"].connection
    jobs = [job for job in Job.fetch_many(ids, connection=connection) if job is not None]
    failed = [job.id for job in jobs if job.get_status() != "finished"]
    if failed or len(jobs) != len(ids):
        raise SystemExit(f"{len(failed)} bench jobs did not finish, e.g. {failed[:1]}")
    start = min(job.started_at for job in jobs)
    end = max(job.ended_at for job in jobs)
    return max((end - start).total_seconds(), 1e-6)


def _per_reward(app, sizes) -> tuple[int, float]:
    _seed(sizes["per_reward"])
    return _run_jobs(app, "one", sizes["per_reward"])


def _batched(app, sizes, limit: int) -> tuple[int, float]:
    """Seed the rewards, then one settle job per worker, all draining the same backlog."""
    _seed(sizes["rewards"])
    _, seconds = _run_jobs(app, "batch", sizes["workers"], limit=limit)
    return sizes["rewards"], seconds


def _seed(count: int, companies: int = 4, experts: int = 40) -> None:
    """`count` answered questions with their holds and pending rewards, inserted in bulk."""
    from marketplace.companies.services import create_company
    from marketplace.eventlog.services import Actor
    from marketplace.rewards.services import top_up

    actor = Actor.system("bench")
    company_ids = []
    for n in range(companies):
        issued = create_company(f"bench {n}", "CNY", slug=f"bench-{uuid.uuid4().hex[:10]}")
        top_up(issued.key.company_id, 10**11, "CNY", "bench", actor)
        company_ids.append(issued.key.company_id)
    expert_ids = _experts(company_ids, experts)
    for start in range(0, count, 1000):
        _seed_chunk(company_ids, expert_ids, range(start, min(start + 1000, count)))


def _experts(company_ids: list[uuid.UUID], count: int) -> dict[uuid.UUID, list[uuid.UUID]]:
    from marketplace.accounts.models import Role, User
    from marketplace.companies.models import Pool
    from marketplace.experts.models import ExpertProfile, MembershipStatus, PoolMembership, Tier

    tiers = [Tier.PROBATION, Tier.VETTED, Tier.TRUSTED]
    users = [{"id": new_id(), "n": n} for n in range(count)]
    db.session.execute(
        sa.insert(User),
        [
            {
                "id": u["id"],
                "email": f"bench-{u['id'].hex}@example.test",
                "password_hash": "!",
                "display_name": f"Bench expert {u['n']}",
                "role": Role.EXPERT,
            }
            for u in users
        ],
    )
    db.session.execute(
        sa.insert(ExpertProfile), [{"user_id": u["id"], "tier": tiers[u["n"] % 3]} for u in users]
    )
    by_company: dict[uuid.UUID, list[uuid.UUID]] = {}
    for index, company_id in enumerate(company_ids):
        pool_id = db.session.scalar(sa.select(Pool.id).filter_by(company_id=company_id))
        members = [u for u in users if u["n"] % len(company_ids) == index]
        db.session.execute(
            sa.insert(PoolMembership),
            [
                {
                    "pool_id": pool_id,
                    "expert_id": u["id"],
                    "status": MembershipStatus.APPROVED,
                    "tier": tiers[u["n"] % 3],
                }
                for u in members
            ],
        )
        by_company[company_id] = [u["id"] for u in members]
    db.session.commit()
    return by_company


def _seed_chunk(company_ids, expert_ids, numbers: range) -> None:
    """Questions (with holds posted through the ledger), answers and pending rewards."""
    from marketplace.answers.models import Answer
    from marketplace.companies.models import Pool
    from marketplace.matching.models import Assignment, Offer
    from marketplace.questions.models import Question
    from marketplace.rewards.models import Reward

    pools = {c: db.session.scalar(sa.select(Pool.id).filter_by(company_id=c)) for c in company_ids}
    tables: dict[type, list[dict]] = {m: [] for m in (Question, Offer, Assignment, Answer, Reward)}
    for n in numbers:
        company = company_ids[n % len(company_ids)]
        expert = expert_ids[company][n % len(expert_ids[company])]
        for model, row in zip(tables, _rows(n, company, pools[company], expert), strict=True):
            tables[model].append(row)
    for model in (Question, Offer, Assignment, Answer):
        db.session.execute(sa.insert(model), tables[model])
    _post_holds(company_ids, tables[Question])
    db.session.execute(sa.insert(Reward), tables[Reward])
    db.session.commit()


def _rows(n: int, company, pool, expert) -> tuple[dict, ...]:
    """One answered question's rows: question, offer, assignment, answer, pending reward."""
    from marketplace.rewards.policy import DEFAULT_POLICY

    now = utcnow()
    question, offer, assignment, answer = new_id(), new_id(), new_id(), new_id()
    amount, tier, score = 500 + n % 1000, ("probation", "vetted", "trusted")[n % 3], n % 101
    breakdown = DEFAULT_POLICY.compute(amount, Decimal(score) / 100, Decimal("0.3"), tier)
    return (
        {"id": question, "company_id": company, "pool_id": pool, "channel": "web",
         "external_id": f"bench-{question.hex}", "subject": "Bench", "body": "Bench question",
         "language": "en", "priority": 5, "reward_amount": amount, "reward_currency": "CNY",
         "sla_deadline": now + timedelta(days=1), "status": "answered",
         "content_fingerprint": question.hex, "status_changed_at": now},
        {"id": offer, "question_id": question, "expert_id": expert, "status": "accepted",
         "expires_at": now, "reasons": {}},
        {"id": assignment, "question_id": question, "expert_id": expert, "offer_id": offer,
         "status": "answered", "deadline": now + timedelta(hours=1)},
        {"id": answer, "assignment_id": assignment, "question_id": question,
         "company_id": company, "expert_id": expert, "idempotency_key": answer.hex,
         "body": "Bench answer",
         "status": "released", "signals": {}},
        {"id": new_id(), "answer_id": answer, "question_id": question, "expert_id": expert,
         "company_id": company, "currency": "CNY", "base_amount": amount,
         "quality": score / 100, "quality_bp": breakdown.quality_bp,
         "speed_bp": breakdown.speed_bp, "tier": tier, "tier_bp": breakdown.tier_bp,
         "capped": breakdown.capped, "payout": breakdown.payout, "fee": breakdown.fee,
         "status": "pending"},
    )  # fmt: skip


def _post_holds(company_ids, questions: list[dict]) -> None:
    """Each question's hold, posted through the ledger as posting a question does."""
    from marketplace.rewards import ledger
    from marketplace.rewards.models import AccountKind
    from marketplace.rewards.policy import DEFAULT_POLICY

    kinds = (AccountKind.COMPANY_BUDGET, AccountKind.COMPANY_HOLDS)
    accounts = ledger.accounts_by_key(
        (kind, f"company:{c}", "CNY") for c in company_ids for kind in kinds
    )
    postings = []
    for q in questions:
        budget, holds = (accounts[(kind, f"company:{q['company_id']}", "CNY")] for kind in kinds)
        held = DEFAULT_POLICY.max_charge(q["reward_amount"])
        legs = [(budget, -held), (holds, held)]
        postings.append(ledger.Posting(f"hold:{q['id']}", "hold", ("question", str(q["id"])), legs))
    ledger.post_many(postings)


def _verify() -> bool:
    """Every reward settled, each captured once, and the whole ledger checks out."""
    from marketplace.rewards.checks import check_ledger
    from marketplace.rewards.models import Reward, RewardStatus

    pending = db.session.scalar(
        sa.select(sa.func.count()).where(Reward.status == RewardStatus.PENDING)
    )
    violations = check_ledger()
    for violation in violations[:20]:
        print(f"violation: {violation}")
    print(f"pending rewards left: {pending}; ledger check: {len(violations)} violations")
    return pending == 0 and not violations


def _print(rows, sizes, database_url, worker_class: str) -> None:
    dialect = database_url.split(":", 1)[0]
    workers = f"{sizes['workers']} RQ worker processes ({worker_class})"
    print(f"\nsettlement benchmark on {dialect} + Redis, {workers}")
    print(f"{'measure':40} {'count':>8} {'seconds':>9} {'per second':>11}")
    for name, count, seconds in rows:
        print(f"{name:40} {count:>8} {seconds:>9.3f} {count / seconds:>11.0f}")


if __name__ == "__main__":
    raise SystemExit(main())
