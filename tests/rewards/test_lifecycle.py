"""Accept, settle, reverse, reinstate and release: each answer is paid once, nothing is lost."""

from __future__ import annotations

import math
import time

import pytest
import sqlalchemy as sa

from marketplace.companies.models import PoolKind
from marketplace.errors import InvalidInput, NotFound, PaymentRequired
from marketplace.eventlog.models import Event
from marketplace.questions.models import Question
from marketplace.rewards import lifecycle, services, settlement
from marketplace.rewards.models import AccountKind as K
from marketplace.rewards.models import (
    LedgerEntry,
    LedgerTransaction,
    Reward,
    RewardStatus,
)
from marketplace.rewards.policy import DEFAULT_POLICY
from tests.factories import make_company
from tests.rewards import helpers as h


@pytest.fixture
def world(app, money):
    """A company with 100.00 CNY, a vetted expert in its crowd pool, one answered question."""
    company = make_company(app, budget=10_000)
    expert = h.expert(h.pool_of(company.id))
    question = h.post(company.id, amount=1000)
    answer = h.answer(question, expert, used=0.2)
    return company.id, expert, question, answer


def owner(kind: str, some_id) -> str:
    return f"{kind}:{some_id}"


def test_accept_reserves_and_settlement_pays_once(app, money, world, monkeypatch):
    company, expert, question, answer = world
    sent = []
    monkeypatch.setattr("marketplace.broadcast.to_expert", lambda *a: sent.append(a))
    reward = lifecycle.accept_answer_reward(answer, 0.8, h.ACTOR)
    assert reward.status == RewardStatus.PENDING
    assert (reward.payout, reward.fee, reward.speed_bp) == (1166, 174, 11000)
    assert h.balance(K.COMPANY_BUDGET, owner("company", company)) == 10_000 - 1668
    assert services.free_hold(question) == 1668 - 1340

    assert settlement.settle_batch(10) == [reward.id]
    assert settlement.settle_batch(10) == []
    assert lifecycle.accept_answer_reward(answer, 0.1, h.ACTOR).id == reward.id
    assert h.balance(K.EXPERT_EARNINGS, owner("expert", expert)) == 1166
    assert h.balance(K.PLATFORM_FEES, "platform") == 174
    assert h.balance(K.COMPANY_BUDGET, owner("company", company)) == 10_000 - 1340
    assert services.held_for_question(question) == 0
    assert h.captures_of(answer) == 1
    assert [(e[0], e[1]) for e in sent] == [(expert, "reward.credited")]
    assert sent[0][2]["payout"] == 1166 and sent[0][2]["breakdown"]["speed_multiplier"] == "1.1000"
    assert h.count(Event, Event.action == "reward.accepted") == 1
    h.assert_ledger_ok()


@pytest.mark.parametrize("quality", [-0.1, 1.5, math.nan, True, "0.5", None])
def test_bad_quality_is_refused_and_nothing_is_written(money, world, quality):
    *_, answer = world
    with pytest.raises(InvalidInput) as error:
        lifecycle.accept_answer_reward(answer, quality, h.ACTOR)
    assert "quality" in error.value.errors
    assert h.count(Reward) == 0


def test_unknown_answer_is_not_found(money, world):
    import uuid

    with pytest.raises(NotFound):
        lifecycle.accept_answer_reward(uuid.uuid4(), 0.5, h.ACTOR)
    with pytest.raises(NotFound):
        lifecycle.reverse_reward(uuid.uuid4(), "dispute", h.ACTOR)


def test_staff_pool_answers_are_void_and_release_the_hold(app, money):
    company = make_company(app, budget=5000)
    staff_pool = h.pool_of(company.id, PoolKind.STAFF)
    staffer = h.expert(staff_pool)
    question = h.post(company.id, amount=1000, pool="staff")
    reward = lifecycle.accept_answer_reward(h.answer(question, staffer), 1.0, h.ACTOR)
    assert (reward.status, reward.payout, reward.fee) == (RewardStatus.VOID, 0, 0)
    assert services.held_for_question(question) == 0
    assert h.balance(K.COMPANY_BUDGET, owner("company", company.id)) == 5000
    assert settlement.settle_batch(10) == []
    h.assert_ledger_ok()


def test_reversing_a_pending_reward_voids_it_and_frees_the_hold(money, world):
    company, _, question, answer = world
    lifecycle.accept_answer_reward(answer, 0.5, h.ACTOR)
    reward = lifecycle.reverse_reward(answer, "customer dispute upheld", h.ACTOR)
    assert reward.status == RewardStatus.VOID
    assert services.held_for_question(question) == 0
    assert h.balance(K.COMPANY_BUDGET, owner("company", company)) == 10_000
    assert settlement.settle_batch(10) == []
    h.assert_ledger_ok()


def test_reversing_a_settled_reward_is_a_new_transaction_and_idempotent(money, world):
    company, expert, _, answer = world
    lifecycle.accept_answer_reward(answer, 0.8, h.ACTOR)
    settlement.settle_batch(10)
    entries_before = h.count(LedgerEntry)
    reward = lifecycle.reverse_reward(answer, "wrong answer", h.ACTOR)
    again = lifecycle.reverse_reward(answer, "wrong answer", h.ACTOR)
    assert reward.status == again.status == RewardStatus.REVERSED
    assert h.count(LedgerTransaction, LedgerTransaction.kind == "reversal") == 1
    assert h.count(LedgerEntry) == entries_before + 3  # earnings, fees, budget
    assert h.balance(K.COMPANY_BUDGET, owner("company", company)) == 10_000
    assert h.balance(K.EXPERT_EARNINGS, owner("expert", expert)) == 0
    assert h.balance(K.PLATFORM_FEES, "platform") == 0
    h.assert_ledger_ok()


def test_reinstating_pays_again_exactly_once_and_draws_the_budget(money, world):
    company, expert, question, answer = world
    lifecycle.accept_answer_reward(answer, 0.8, h.ACTOR)
    settlement.settle_batch(10)
    lifecycle.reverse_reward(answer, "dispute", h.ACTOR)
    assert lifecycle.accept_answer_reward(answer, 0.8, h.ACTOR).status == RewardStatus.REVERSED
    second = lifecycle.reinstate_reward(answer, 0.9, h.ACTOR, "appeal won")
    assert lifecycle.reinstate_reward(answer, 0.9, h.ACTOR).id == second.id
    assert second.generation == 2 and second.status == RewardStatus.PENDING
    settlement.settle_batch(10)
    assert h.captures_of(answer) == 2  # captured twice, reversed once: paid once
    assert h.balance(K.EXPERT_EARNINGS, owner("expert", expert)) == second.payout
    assert h.balance(K.COMPANY_BUDGET, owner("company", company)) == 10_000 - second.charge
    assert services.held_for_question(question) == 0
    h.assert_ledger_ok()


def test_a_reinstatement_the_budget_cannot_cover_is_refused_cleanly(app, money):
    company = make_company(app, budget=1668)  # exactly the hold of one 1000 reward
    expert = h.expert(h.pool_of(company.id))
    answer = h.answer(h.post(company.id, amount=1000), expert)
    lifecycle.accept_answer_reward(answer, 1.0, h.ACTOR)
    settlement.settle_batch(10)
    lifecycle.reverse_reward(answer, "dispute", h.ACTOR)
    h.post(company.id, amount=1000)  # holds the whole budget again
    transactions = h.count(LedgerTransaction)
    with pytest.raises(PaymentRequired):
        lifecycle.reinstate_reward(answer, 1.0, h.ACTOR, "appeal won")
    assert h.count(Reward) == 1
    assert h.count(LedgerTransaction) == transactions
    h.assert_ledger_ok()


def test_release_keeps_what_pending_rewards_need_and_is_repeatable(money, world):
    _, expert, question, answer = world
    reward = lifecycle.accept_answer_reward(answer, 0.5, h.ACTOR)
    released = services.release_for_question(question)
    assert released == 1668 - reward.charge
    assert services.release_for_question(question) == 0
    money.session.commit()
    settlement.settle_batch(10)
    assert services.held_for_question(question) == 0
    assert h.balance(K.EXPERT_EARNINGS, owner("expert", expert)) == reward.payout
    h.assert_ledger_ok()


def test_two_answers_on_one_question_settle_together(app, money, world):
    company, _, question, first = world
    other = h.expert(h.pool_of(company))
    second = h.answer(question, other)
    a = lifecycle.accept_answer_reward(first, 1.0, h.ACTOR)  # the second keeps its hold
    assert services.free_hold(question) == DEFAULT_POLICY.max_charge(1000)
    b = lifecycle.accept_answer_reward(second, 1.0, h.ACTOR)
    assert services.free_hold(question) == DEFAULT_POLICY.max_charge(1000) - b.charge
    assert sorted(settlement.settle_batch(10)) == sorted([a.id, b.id])
    assert services.held_for_question(question) == 0
    spent = a.charge + b.charge
    assert h.balance(K.COMPANY_BUDGET, owner("company", company)) == 10_000 - spent
    h.assert_ledger_ok()


def test_an_escalation_raise_is_held_and_paid(money, world):
    company, _, question, answer = world
    q = money.session.get(Question, question)
    extra = services.hold_extra_for_raise(company, question, 1000, 200, "CNY")
    q.reward_raise = 200
    money.session.commit()
    assert extra == DEFAULT_POLICY.max_charge(1200) - DEFAULT_POLICY.max_charge(1000)
    reward = lifecycle.accept_answer_reward(answer, 1.0, h.ACTOR)
    assert reward.base_amount == 1200
    settlement.settle_batch(10)
    assert services.held_for_question(question) == 0
    h.assert_ledger_ok()


def test_a_batch_that_fails_halfway_writes_nothing_and_a_rerun_pays_once(money, world, monkeypatch):
    *_, answer = world
    lifecycle.accept_answer_reward(answer, 0.7, h.ACTOR)
    entries = h.count(LedgerEntry)

    def crash(*_args):
        raise RuntimeError("worker died")

    monkeypatch.setattr(settlement, "_mark_settled", crash)
    with pytest.raises(RuntimeError):
        settlement.settle_batch(10)
    assert h.count(LedgerEntry) == entries
    monkeypatch.undo()
    assert len(settlement.settle_batch(10)) == 1
    assert h.captures_of(answer) == 1
    h.assert_ledger_ok()


def test_a_capture_already_posted_is_linked_not_repeated(money, world):
    *_, answer = world
    reward = lifecycle.accept_answer_reward(answer, 0.7, h.ACTOR)
    _, postings = settlement._postings([money.session.get(Reward, reward.id)], [reward.id])
    capture = postings[0]
    settlement.ledger.post(
        capture.idempotency_key, capture.kind, capture.reference, capture.legs, capture.memo
    )
    money.session.commit()
    assert settlement.settle_batch(10) == [reward.id]
    assert h.captures_of(answer) == 1
    h.assert_ledger_ok()


def test_accepting_queues_one_settlement_per_time_bucket(app, money, monkeypatch):
    monkeypatch.setitem(app.config, "REWARDS_AUTO_SETTLE", True)
    monkeypatch.setitem(app.config, "REWARDS_SETTLE_SECONDS", 0.2)
    company = make_company(app, budget=50_000)
    expert = h.expert(h.pool_of(company.id))
    answers = [h.answer(h.post(company.id, amount=500), expert) for _ in range(5)]
    for answer in answers:
        lifecycle.accept_answer_reward(answer, 0.6, h.ACTOR)
    deadline = time.monotonic() + 10
    while h.count(Reward, Reward.status == RewardStatus.PENDING) and time.monotonic() < deadline:
        money.session.rollback()
        time.sleep(0.05)
    assert h.count(Reward, Reward.status == RewardStatus.SETTLED) == 5
    assert all(h.captures_of(a) == 1 for a in answers)
    assert money.session.scalar(sa.select(sa.func.count()).select_from(Reward)) == 5
    h.assert_ledger_ok()


def test_the_settle_sweep_command_settles_everything_pending(app, money, runner, world):
    *_, answer = world
    lifecycle.accept_answer_reward(answer, 0.4, h.ACTOR)
    money.session.rollback()
    result = runner.invoke(args=["rewards", "settle", "--limit", "1"])
    assert result.exit_code == 0 and "settled 1 rewards" in result.output
    assert h.captures_of(answer) == 1
