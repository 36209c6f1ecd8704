"""Races on PostgreSQL: settlers, accepts and disputes at once still pay each answer once."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable

import pytest

from marketplace.errors import DomainError
from marketplace.extensions import db
from marketplace.rewards import lifecycle, settlement
from marketplace.rewards.models import LedgerTransaction, Reward, RewardStatus
from tests.factories import make_company
from tests.rewards import helpers as h


@pytest.fixture
def postgres(money):
    if money.engine.dialect.name != "postgresql":
        pytest.skip("races need PostgreSQL's row locks (SQLite serialises every writer)")
    return money


def answered(app, count: int) -> list[uuid.UUID]:
    """`count` answered questions, half from each of two companies."""
    answers = []
    for _ in range(2):
        company = make_company(app, budget=10**7).id
        experts = [h.expert(h.pool_of(company)) for _ in range(2)]
        answers += h.answered_many(company, experts, count // 2)
    return answers


def race(app, jobs: list[Callable[[], object]]) -> list[object]:
    """Run every job on its own thread and app context, released at the same moment."""
    barrier = threading.Barrier(len(jobs))
    results: list[object] = [None] * len(jobs)

    def run(index: int) -> None:
        with app.app_context():
            barrier.wait()
            try:
                results[index] = jobs[index]()
            except DomainError as error:  # a refusal is a fine outcome of a race
                results[index] = error
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(jobs))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def test_concurrent_settlers_pay_each_reward_once(app, postgres):
    answers = answered(app, 100)
    for n, answer in enumerate(answers):
        lifecycle.accept_answer_reward(answer, (n % 11) / 10, h.ACTOR)
    results = race(app, [lambda: settlement.settle_all(5)[0] for _ in range(6)])
    assert sum(results) == 100
    assert sum(1 for r in results if r) >= 2  # the work really was shared
    assert h.count(LedgerTransaction, LedgerTransaction.kind == "capture") == 100
    assert all(h.captures_of(answer) == 1 for answer in answers)
    h.assert_ledger_ok()


def test_accepts_disputes_and_settlers_racing_keep_each_answer_paid_once(app, postgres):
    answers = answered(app, 40)
    for answer in answers[::2]:
        lifecycle.accept_answer_reward(answer, 0.9, h.ACTOR)
    jobs: list[Callable[[], object]] = [lambda: settlement.settle_all(3) for _ in range(3)]
    for answer in answers:
        jobs.append(lambda a=answer: lifecycle.accept_answer_reward(a, 0.5, h.ACTOR))
        jobs.append(lambda a=answer: lifecycle.accept_answer_reward(a, 0.7, h.ACTOR))
    for answer in answers[:10]:
        jobs.append(lambda a=answer: lifecycle.reverse_reward(a, "dispute", h.ACTOR))
    race(app, jobs)
    settlement.settle_all(50)
    for answer in answers:
        rewards = postgres.session.query(Reward).filter_by(answer_id=answer).all()
        assert len(rewards) == 1
        paid = 1 if rewards[0].status == RewardStatus.SETTLED else 0
        reversals = h.count(
            LedgerTransaction,
            LedgerTransaction.kind == "reversal",
            LedgerTransaction.reference_id == str(rewards[0].id),
        )
        assert h.captures_of(answer) - reversals == paid
    h.assert_ledger_ok()
