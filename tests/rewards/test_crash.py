"""Settlement killed with SIGKILL at random points, then restarted: every reward paid once.

The kill points come from a fresh random seed each run (printed in every assertion, and
replayed with CRASH_SEED=<seed>): random moments of a running settler, random SQL statements
inside and between its transactions, random batches right before and after their commit, and
a random moment of a real RQ worker's job on PostgreSQL.
"""

from __future__ import annotations

import contextlib
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
from redis import Redis
from rq import Queue

from marketplace.rewards import checks, lifecycle, settlement
from marketplace.rewards.models import LedgerTransaction, Reward, RewardStatus
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
        lifecycle.accept_in_transaction(answer, (n % 10) / 10, h.ACTOR)
    h.db.session.commit()
    return answers


def child_env(app, **extra: str) -> dict[str, str]:
    return os.environ | {
        "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
        "LOG_LEVEL": "WARNING",
        "REDIS_URL": "",
        **extra,
    }


class Settlers:
    """The warm parent of crash_child: each round forks a settler that dies somewhere."""

    def __init__(self, app) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tests.rewards.crash_child"],
            cwd=ROOT,
            env=child_env(app),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self._line() == "warm"

    def _line(self) -> str:
        return self.process.stdout.readline().strip()

    def start(self, mode: str, limit: int, point: int = 0) -> int:
        """Fork a settler; its pid once it runs."""
        self.process.stdin.write(f"{mode} {limit} {point}\n")
        self.process.stdin.flush()
        ready = self._line()
        assert ready.startswith("ready "), ready
        return int(ready.split()[1])

    def wait(self) -> int:
        """The settler's return code (-9 when SIGKILLed)."""
        exited = self._line()
        assert exited.startswith("exited "), exited
        return int(exited.split()[1])

    def close(self) -> None:
        self.process.stdin.close()
        self.process.wait(timeout=30)
        self.process.stdout.close()


def crash_seed() -> int:
    """Fresh random kill points each run; CRASH_SEED=<seed> replays a failed run."""
    return int(os.environ.get("CRASH_SEED") or int.from_bytes(os.urandom(6), "big"))


def assert_each_paid_once(db, answers: list[uuid.UUID], replay: str) -> None:
    db.session.rollback()
    settlement.settle_all(50)
    assert h.count(Reward, Reward.status == RewardStatus.PENDING) == 0, replay
    captures = h.count(LedgerTransaction, LedgerTransaction.kind == "capture")
    assert captures == len(answers), replay
    assert all(h.captures_of(answer) == 1 for answer in answers), replay
    db.session.rollback()
    assert checks.check_ledger() == [], replay
    db.session.rollback()


def kill_point(rng: random.Random) -> tuple[str, int, float | int]:
    """Where a settler dies: a random moment, a random SQL statement, or a random batch."""
    mode = rng.choice(["run", "run", "statement", "statement", "before-commit", "after-commit"])
    limit = rng.randint(1, 4)
    if mode == "run":
        return mode, limit, rng.uniform(0.0, 0.03)
    if mode == "statement":
        return mode, limit, rng.randint(1, 80)
    return mode, limit, rng.randint(1, 4)


def test_settlers_sigkilled_at_random_points_leave_each_reward_paid_once(app, money):
    answers = pending_rewards(app, 240)
    money.session.rollback()  # SQLite: hold no lock while the children write
    seed = crash_seed()
    rng = random.Random(seed)
    settlers, rounds = Settlers(app), []
    replay = f"crash seed {seed}: rerun with CRASH_SEED={seed}"
    try:
        while len(rounds) < 16 and h.count(Reward, Reward.status == RewardStatus.PENDING):
            money.session.rollback()
            mode, limit, point = kill_point(rng)
            if mode == "run":
                pid = settlers.start(mode, limit)
                time.sleep(point)
                with contextlib.suppress(ProcessLookupError):  # it may have finished
                    os.kill(pid, signal.SIGKILL)  # at a random moment: mid-batch or between
            else:
                settlers.start(mode, limit, point)
            code = settlers.wait()
            assert code in (0, -signal.SIGKILL), f"{replay}: a settler failed ({code})"
            rounds.append((mode, limit, point, code == -signal.SIGKILL))
        money.session.rollback()
        replay += f"; rounds (mode, limit, point, killed) {rounds}"
        assert sum(killed for *_, killed in rounds) >= 4, replay
        settlers.start("run", 7)  # the restart settles what is left
        assert settlers.wait() == 0, replay
    finally:
        settlers.close()
    assert_each_paid_once(money, answers, replay)


def test_a_killed_rq_worker_is_restarted_and_settles_each_reward_once(app, money, redis_url):
    if money.engine.dialect.name != "postgresql":
        pytest.skip("the RQ worker crash runs on PostgreSQL (SQLite is covered above)")
    answers = pending_rewards(app, 100)
    seed = crash_seed()
    rng = random.Random(seed)
    replay = f"crash seed {seed}: rerun with CRASH_SEED={seed}"
    prefix = f"crash-{uuid.uuid4().hex[:6]}-"
    env = child_env(app, REDIS_URL=redis_url, JOB_QUEUE_PREFIX=prefix)
    worker = [sys.executable, "-m", "flask", "--app", "wsgi", "worker", "--burst"]
    # Straight onto RQ: an app made here with REDIS_URL would rebind the shared Socket.IO
    # server to Redis and break the test clients of later tests.
    queue = Queue(prefix + "default", connection=Redis.from_url(redis_url))
    queue.enqueue("workers.rewards.settle_pending", 1, job_id="settle-1", job_timeout=600)
    process = subprocess.Popen(
        worker,
        cwd=ROOT,
        env=env,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    # A random moment of the job: after a random share of the rewards, plus a random instant.
    target, extra = rng.randint(1, 80), rng.uniform(0.0, 0.05)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        money.session.rollback()
        if h.count(Reward, Reward.status == RewardStatus.SETTLED) >= target:
            break
        time.sleep(0.005)
    time.sleep(extra)
    os.killpg(process.pid, signal.SIGKILL)  # the worker and its work horse, mid-job
    process.wait(timeout=30)
    money.session.rollback()
    settled = h.count(Reward, Reward.status == RewardStatus.SETTLED)
    assert 0 < settled < len(answers), f"{replay}; killed after {settled} (target {target})"
    queue.enqueue("workers.rewards.settle_pending", 1, job_id="settle-2", job_timeout=600)
    subprocess.run(
        worker,
        cwd=ROOT,
        env=env,
        check=True,
        timeout=120,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    assert_each_paid_once(money, answers, f"{replay}; killed after {settled} (target {target})")
    assert money.session.scalar(sa.select(sa.func.count()).select_from(Reward)) == len(answers)
