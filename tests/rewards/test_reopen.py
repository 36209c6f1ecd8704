"""A rejected answer reopens its question: the question holds its maximum charge again first."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from marketplace.answers import grading
from marketplace.answers.models import Outcome
from marketplace.companies.models import Company
from marketplace.eventlog.models import Event
from marketplace.questions.models import Question, QuestionStatus
from marketplace.rewards import checks, services, settlement
from marketplace.rewards.models import AccountKind as K
from marketplace.rewards.models import LedgerTransaction, Reward, RewardStatus
from marketplace.rewards.policy import DEFAULT_POLICY
from tests.factories import make_company
from tests.rewards import helpers as h

HOLD = DEFAULT_POLICY.max_charge(1000)  # 1668


@pytest.fixture
def shop(app, money):
    company = make_company(app, budget=10_000).id
    pool = h.pool_of(company)
    return company, [h.expert(pool) for _ in range(2)], h.moderator(company)


def budget(company) -> int:
    return h.balance(K.COMPANY_BUDGET, f"company:{company}")


def status(question) -> QuestionStatus:
    h.db.session.expire_all()
    return h.db.session.get(Question, question).status


@pytest.mark.parametrize("settle_first", [False, True], ids=["pending", "settled"])
def test_a_reopened_question_holds_its_maximum_and_pays_the_next_answer(money, shop, settle_first):
    company, experts, mod = shop
    question = h.post(company, amount=1000)
    first = h.answer(question, experts[0])
    h.accept(first, 1.0)
    if settle_first:
        settlement.settle_batch(10)
    h.reject(first, mod)
    assert status(question) == QuestionStatus.QUEUED
    assert services.free_hold(question) == HOLD  # placed again before it is offered
    assert budget(company) == 10_000 - HOLD
    h.assert_ledger_ok()

    second = h.answer(question, experts[1])
    before = budget(company)
    h.accept(second, 1.0)
    assert budget(company) == before  # the charge comes out of the hold, not the budget
    settlement.settle_all(10)
    reward = money.session.scalars(sa.select(Reward).filter_by(answer_id=second)).one()
    assert reward.status == RewardStatus.SETTLED
    assert budget(company) == 10_000 - reward.charge
    assert services.held_for_question(question) == 0
    h.assert_ledger_ok()


def test_the_scoring_job_accepts_the_next_answer_even_with_the_budget_spent(app, money, shop):
    company, experts, mod = shop
    money.session.get(Company, company).settings = {"accept_threshold": 0.0}
    money.session.commit()
    question = h.post(company, amount=1000)
    first = h.answer(question, experts[0])
    h.accept(first, 1.0)
    h.reject(first, mod)
    h.post(company, amount=int(budget(company) / 1.6675))  # another question takes the rest
    assert budget(company) < 2
    second = h.answer(question, experts[1])
    answer = grading.score_answer(second)  # raised PaymentRequired when the hold was gone
    assert answer.outcome == Outcome.ACCEPTED
    assert len(settlement.settle_batch(10)) == 1
    h.assert_ledger_ok()


def test_a_reopen_the_budget_cannot_cover_returns_the_question(app, money):
    company = make_company(app, budget=3000).id
    mod = h.moderator(company)
    question = h.post(company, amount=1000)
    first = h.answer(question, h.expert(h.pool_of(company)))
    h.accept(first, 1.0)
    settlement.settle_batch(10)  # the capture returned the rest of the hold to the budget
    h.post(company, amount=900)  # and another question holds most of it
    assert budget(company) + h.db.session.get(Reward, _reward(first)).charge < HOLD
    h.reject(first, mod)  # the reversal alone cannot fund a new hold
    assert status(question) == QuestionStatus.RETURNED
    assert services.held_for_question(question) == 0
    returned = money.session.scalars(
        sa.select(Event).filter_by(action="question.returned", entity_id=str(question))
    ).one()
    assert "budget" in returned.after["reason"]
    reopened = LedgerTransaction.idempotency_key.like(f"hold:{question}:reopened:%")
    assert h.count(LedgerTransaction, reopened) == 0  # the refused hold wrote nothing
    h.assert_ledger_ok()


def test_reopening_twice_holds_once(money, shop):
    company, experts, _ = shop
    question = h.post(company, amount=1000)
    answer = h.answer(question, experts[0])
    h.accept(answer, 1.0)
    settlement.settle_batch(10)
    money.session.execute(sa.update(Question).values(status=QuestionStatus.QUEUED))
    assert services.restore_open_hold(question) and services.restore_open_hold(question)
    money.session.commit()
    assert services.free_hold(question) == HOLD
    assert h.count(LedgerTransaction, LedgerTransaction.kind == "hold") == 2  # post + reopen


def test_ledger_check_reports_an_open_question_without_its_hold(money, shop):
    company, *_ = shop
    question = h.post(company, amount=1000)
    services.release_for_question(question)  # what the old reopen left behind
    money.session.commit()
    problems = checks.check_ledger()
    assert problems == [
        f"question {question} is queued but holds 0 beyond its pending rewards, "
        f"less than its maximum charge {HOLD}"
    ]


def test_an_appeal_won_while_another_expert_works_keeps_the_open_hold(money, shop):
    company, experts, mod = shop
    other_mod = h.moderator(company)
    question = h.post(company, amount=1000)
    first = h.answer(question, experts[0])
    h.accept(first, 1.0)
    h.reject(first, mod)
    money.session.execute(sa.update(Question).values(status=QuestionStatus.ASSIGNED))
    money.session.commit()
    before = budget(company)
    h.overturn(first, other_mod)  # the question is still open: its hold stays whole
    reward = money.session.get(Reward, _reward(first))
    assert reward.status == RewardStatus.PENDING
    assert services.free_hold(question) == HOLD
    assert budget(company) == before - reward.charge
    h.assert_ledger_ok()
    assert settlement.settle_batch(10) == [reward.id]
    assert services.free_hold(question) == HOLD  # settling it releases nothing the question needs
    assert budget(company) == before - reward.charge
    h.assert_ledger_ok()


def _reward(answer_id):
    return h.db.session.scalars(
        sa.select(Reward.id).filter_by(answer_id=answer_id).order_by(Reward.generation.desc())
    ).first()


def test_an_appeal_won_while_the_next_answer_awaits_its_outcome_keeps_its_hold(app, money, shop):
    company, experts, mod = shop
    money.session.get(Company, company).settings = {"accept_threshold": 0.0}
    money.session.commit()
    question = h.post(company, amount=1000)
    first = h.answer(question, experts[0])
    h.accept(first, 1.0)
    h.reject(first, mod)
    second = h.answer(question, experts[1])  # answered, not yet scored
    h.overturn(first, h.moderator(company))
    assert services.free_hold(question) == HOLD  # the second answer's hold is untouched
    h.post(company, amount=int(budget(company) / 1.6675))  # the rest of the budget goes
    assert grading.score_answer(second).outcome == Outcome.ACCEPTED  # paid from its hold
    assert len(settlement.settle_batch(10)) == 2
    h.assert_ledger_ok()


def test_rejecting_a_reinstated_answer_again_keeps_the_open_questions_hold(money, shop):
    company, experts, mod = shop
    question = h.post(company, amount=1000)
    first = h.answer(question, experts[0])
    h.reject(first, mod)  # undecided, so nothing to reverse; the question is queued again
    money.session.execute(sa.update(Question).values(status=QuestionStatus.ASSIGNED))
    money.session.commit()
    h.overturn(first, h.moderator(company))
    h.reject(first, mod)  # its pending reward is voided while someone else works on it
    assert money.session.get(Reward, _reward(first)).status == RewardStatus.VOID
    assert services.free_hold(question) == HOLD
    h.assert_ledger_ok()
