"""Settlement killed with SIGKILL at random points, then restarted: every reward paid once."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa

from marketplace.queue import enqueue
from marketplace.rewards import lifecycle, settlement
from marketplace.rewards.models import LedgerTransaction, Reward, RewardStatus
from tests.conftest import make_app
from tests.factories import make_company
from tests.rewards import helpers as h

ROOT = Path(__file__).resolve().parents[2]


def pending_rewards(app, count: int) -> list[uuid.UUID]:
    """`count` accepted answers across two companies, not yet settled."""
    answers = []
    for _ in range(2):
        company = make_company(app, budget=10**7).id
        experts = [h.expert(h.pool_of(company)) for _ in range(3)]
        answers += h.answered_many(company, experts, count // 2)
    for n, answer in enumerate(answers):
        lifecycle.accept_answer_reward(answer, (n % 10) / 10, h.ACTOR)
    return answers


def child_env(app, **extra: str) -> dict[str, str]:
    return os.environ | {
        "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
        "LOG_LEVEL": "WARNING",
        "REDIS_URL": "",
        **extra,
    }


def start_child(app, mode: str, limit: int) -> subprocess.Popen:
    command = [sys.executable, "-m", "tests.rewards.crash_child", mode, str(limit)]
    process = subprocess.Popen(
        command, cwd=ROOT, env=child_env(app), stdout=subprocess.PIPE, text=True
    )
    assert process.stdout.readline().strip() == "ready"
    return process


def assert_each_paid_once(db, answers: list[uuid.UUID]) -> None:
    db.session.rollback()
    settlement.settle_all(50)
    assert h.count(Reward, Reward.status == RewardStatus.PENDING) == 0
    assert h.count(LedgerTransaction, LedgerTransaction.kind == "capture") == len(answers)
    assert all(h.captures_of(answer) == 1 for answer in answers)
    h.assert_ledger_ok()


def test_sigkill_at_random_moments_and_inside_the_transaction(app, money):
    answers = pending_rewards(app, 60)
    money.session.rollback()  # SQLite: hold no lock while the children write
    rng = random.Random(os.environ.get("CRASH_SEED", "5"))
    kills = 0
    for mode in ("before-commit", "after-commit", "run"):
        process = start_child(app, mode, rng.randint(3, 9))
        if mode == "run":
            time.sleep(rng.uniform(0.0, 0.15))
            process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
        process.stdout.close()
        kills += process.returncode == -signal.SIGKILL
    assert kills >= 2  # the failpoint modes always die; random kills may come after "done"
    assert_each_paid_once(money, answers)


def test_a_killed_rq_worker_is_restarted_and_settles_each_reward_once(app, money, redis_url):
    if money.engine.dialect.name != "postgresql":
        pytest.skip("the RQ worker crash runs on PostgreSQL (SQLite is covered above)")
    answers = pending_rewards(app, 100)
    prefix = f"crash-{uuid.uuid4().hex[:6]}-"
    env = child_env(app, REDIS_URL=redis_url, JOB_QUEUE_PREFIX=prefix)
    worker = [sys.executable, "-m", "flask", "--app", "wsgi", "worker", "--burst"]
    producer = make_app(
        app.config["SQLALCHEMY_DATABASE_URI"], REDIS_URL=redis_url, JOB_QUEUE_PREFIX=prefix
    )

    def queue_settlement(job_id: str) -> None:
        with producer.app_context():
            assert enqueue("workers.rewards.settle_pending", 1, job_id=job_id)

    queue_settlement("settle-1")
    process = subprocess.Popen(
        worker,
        cwd=ROOT,
        env=env,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        money.session.rollback()
        if h.count(Reward, Reward.status == RewardStatus.SETTLED) >= 5:
            break
        time.sleep(0.01)
    os.killpg(process.pid, signal.SIGKILL)  # the worker and its work horse, mid-job
    process.wait(timeout=30)
    money.session.rollback()
    assert 0 < h.count(Reward, Reward.status == RewardStatus.SETTLED) < len(answers)
    queue_settlement("settle-2")
    subprocess.run(
        worker,
        cwd=ROOT,
        env=env,
        check=True,
        timeout=120,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    money.session.rollback()
    assert h.count(Reward, Reward.status == RewardStatus.PENDING) == 0
    assert_each_paid_once(money, answers)
    assert money.session.scalar(sa.select(sa.func.count()).select_from(Reward)) == len(answers)
