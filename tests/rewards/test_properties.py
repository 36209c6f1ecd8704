"""Property-based: random sequences of money moves keep the ledger sound and pay answers once.

A hypothesis state machine drives the real services: top-ups (some repeating a key), posting
questions (some refused for want of budget), answers, scoring's acceptance (the outcome change
money follows), moderators' rejections through the audit queue (reversal, then the question
reopens or goes back to the company), appeals upheld or overturned (reinstatement),
cancellations, expiries, settlement batches, payout batches paid or failed. After every step
`flask ledger check` must pass (every transaction sums to zero, cached balances match entries,
no budget below zero, every open question holds its maximum charge...), each answer's money
follows its outcome, and each answer is net paid at most once. At the end, after a last
settlement, no reward is pending and every accepted answer is paid exactly once.
"""

from __future__ import annotations

import os
import uuid

import sqlalchemy as sa
from hypothesis import HealthCheck, event, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    initialize,
    invariant,
    multiple,
    precondition,
    rule,
    run_state_machine_as_test,
)

from marketplace.answers.models import Answer, Outcome
from marketplace.errors import Conflict, PaymentRequired
from marketplace.experts.models import Tier
from marketplace.extensions import db
from marketplace.matching import escalation
from marketplace.matching.models import Offer
from marketplace.moderation.models import Dispute
from marketplace.questions import services as questions
from marketplace.questions.models import Question, QuestionStatus
from marketplace.questions.states import OPEN_STATUSES
from marketplace.queue import JobBackend
from marketplace.rewards import payouts, services, settlement
from marketplace.rewards.models import (
    LedgerTransaction,
    PayoutBatch,
    PayoutBatchStatus,
    Reward,
    RewardStatus,
)
from tests.conftest import clear_tables
from tests.factories import make_company
from tests.rewards import helpers as h

# Examples per backend (HYPOTHESIS_MONEY_EXAMPLES overrides both, e.g. for a long soak).
EXAMPLES = {"sqlite": 60, "postgresql": 20}
STEPS = 40


def net_payments(answer_id: uuid.UUID) -> int:
    """Captures minus reversals of an answer's rewards."""
    ids = db.session.scalars(sa.select(Reward.id).filter_by(answer_id=answer_id)).all()
    reversals = h.count(
        LedgerTransaction,
        LedgerTransaction.kind == "reversal",
        LedgerTransaction.reference_id.in_([str(i) for i in ids]),
    )
    return h.captures_of(answer_id) - reversals


def latest_reward(answer_id: uuid.UUID) -> Reward | None:
    return db.session.scalars(
        sa.select(Reward).filter_by(answer_id=answer_id).order_by(Reward.generation.desc())
    ).first()


class QueueNothing(JobBackend):
    """Background jobs (rescoring after a verdict, reputation) would race the machine's steps."""

    def enqueue(self, func, args, *, job_id, delay, options):  # type: ignore[no-untyped-def]
        return True


class MoneyMachine(RuleBasedStateMachine):
    """The marketplace's money, driven at random through its services."""

    app = None
    questions = Bundle("questions")
    answers = Bundle("answers")

    @initialize(budgets=st.lists(st.integers(1, 30_000), min_size=2, max_size=2))
    def open_marketplace(self, budgets: list[int]) -> None:
        self.companies = [make_company(self.app, budget=b).id for b in budgets]
        tiers = (Tier.PROBATION, Tier.TRUSTED)
        self.experts = [h.expert(h.pool_of(c), tier) for c in self.companies for tier in tiers]
        # Per company: who rejects, and another moderator who decides the appeals.
        self.moderators = [(h.moderator(c), h.moderator(c)) for c in self.companies]
        self.batches = 0

    @rule(
        company=st.integers(0, 1),
        amount=st.integers(1, 20_000),
        key=st.sampled_from(["bank-1", "bank-2", "bank-3"]),
    )
    def top_up(self, company: int, amount: int, key: str) -> None:
        before = h.count(LedgerTransaction)
        try:
            services.top_up(self.companies[company], amount, "CNY", key, h.ACTOR)
        except Conflict:
            assert h.count(LedgerTransaction) == before  # same key, other amount: nothing written

    @rule(target=questions, company=st.integers(0, 1), amount=st.integers(1, 5000))
    def post(self, company: int, amount: int):
        before = h.count(Question)
        try:
            return h.post(self.companies[company], amount=amount)
        except PaymentRequired:
            event("post refused: budget too low")
            assert h.count(Question) == before  # refused: nothing stored
            return multiple()

    @rule(
        target=answers,
        question=questions,
        expert=st.integers(0, 1),
        used=st.floats(0, 1),
        score=st.none() | st.floats(0, 1),
    )
    def answer(self, question: uuid.UUID, expert: int, used: float, score: float | None):
        """An open question is answered; scoring accepts the answer at once unless score is None."""
        row = db.session.get(Question, question)
        if row.status not in OPEN_STATUSES:
            return multiple()
        expert_id = self.experts[2 * self.companies.index(row.company_id) + expert]
        if h.count(Offer, Offer.question_id == question, Offer.expert_id == expert_id):
            return multiple()  # one offer per expert and question
        answer_id = h.answer(question, expert_id, used=used)
        if score is not None:
            self.accept(answer_id, score)
        return answer_id

    @rule(answer=answers, score=st.floats(0, 1))
    def accept(self, answer: uuid.UUID, score: float) -> None:
        """Scoring accepts an undecided answer: its question's hold always covers it."""
        if db.session.get(Answer, answer).outcome != Outcome.PENDING:
            return
        h.accept(answer, score)  # a PaymentRequired here is the bug of an unheld question
        event(f"accepted: reward {latest_reward(answer).status.value}")

    @rule(answer=answers)
    def reject(self, answer: uuid.UUID) -> None:
        """A moderator rejects the answer: money reversed, the question reopened or returned."""
        row = db.session.get(Answer, answer)
        if row.outcome == Outcome.REJECTED:
            return
        was = latest_reward(answer)
        h.reject(answer, self._moderators(answer)[0])
        question = db.session.get(Question, row.question_id)
        event(f"rejected {row.outcome.value}: question {question.status.value}")
        if was is not None and was.status == RewardStatus.SETTLED:
            assert db.session.get(Reward, was.id).status == RewardStatus.REVERSED

    @rule(answer=answers, overturn=st.booleans())
    def appeal(self, answer: uuid.UUID, overturn: bool) -> None:
        """The expert appeals a rejection once; another moderator upholds or overturns it."""
        row = db.session.get(Answer, answer)
        if row.outcome != Outcome.REJECTED or h.count(Dispute, Dispute.answer_id == answer):
            return
        rewards = h.count(Reward, Reward.answer_id == answer)
        transactions = h.count(LedgerTransaction)
        try:
            if overturn:
                h.overturn(answer, self._moderators(answer)[1])
            else:
                h.uphold(answer, self._moderators(answer)[1])
        except PaymentRequired:  # the budget cannot pay the answer back: nothing written
            event("overturn refused: budget too low")
            assert h.count(Reward, Reward.answer_id == answer) == rewards
            assert h.count(LedgerTransaction) == transactions
            return
        event(f"appeal {'overturned' if overturn else 'upheld'}")

    @rule(question=questions, expire=st.booleans())
    def cancel_or_expire(self, question: uuid.UUID, expire: bool) -> None:
        row = db.session.get(Question, question)
        if expire and row.status in OPEN_STATUSES:
            assert escalation.sla_due(question)
            event("expired")
        elif row.status in {QuestionStatus.QUEUED, QuestionStatus.OFFERED}:
            questions.cancel_question(row.company_id, question, h.ACTOR)
            event("cancelled")

    @precondition(lambda self: h.count(Reward, Reward.status == RewardStatus.PENDING))
    @rule(limit=st.integers(1, 4))
    def settle(self, limit: int) -> None:
        settled = len(settlement.settle_batch(limit))
        event(f"settled {min(settled, 2)}+ rewards")

    @precondition(lambda self: h.count(Reward, Reward.status == RewardStatus.SETTLED))
    @rule()
    def build_payouts(self) -> None:
        self.batches += 1
        batch = payouts.build_payout_batch(f"batch-{self.batches}")
        event("payout batch built" if batch else "payout: nobody due")

    @precondition(lambda self: self.batches)
    @rule(outcome=st.sampled_from(["paid", "failed"]))
    def resolve_payouts(self, outcome: str) -> None:
        batch = db.session.scalars(
            sa.select(PayoutBatch).filter_by(status=PayoutBatchStatus.OPEN).limit(1)
        ).first()
        if batch is not None:
            payouts.resolve_payouts(batch.key, outcome)
            event(f"payouts {outcome}")

    def _moderators(self, answer: uuid.UUID):  # type: ignore[no-untyped-def]
        company = db.session.get(Answer, answer).company_id
        return self.moderators[self.companies.index(company)]

    @invariant()
    def ledger_is_sound(self) -> None:
        if hasattr(self, "companies"):
            h.assert_ledger_ok()

    @invariant()
    def money_follows_each_outcome_and_pays_at_most_once(self) -> None:
        for answer in db.session.scalars(sa.select(Answer)):
            reward = latest_reward(answer.id)
            live = reward is not None and reward.status in (
                RewardStatus.PENDING,
                RewardStatus.SETTLED,
            )
            if answer.outcome == Outcome.ACCEPTED:
                assert reward is not None and reward.status != RewardStatus.REVERSED
            else:
                assert not live, f"answer {answer.id} is {answer.outcome.value} but {reward}"
            settled = live and reward.status == RewardStatus.SETTLED
            assert net_payments(answer.id) == (1 if settled else 0)
        db.session.rollback()

    def teardown(self) -> None:
        """Settle what is left: nothing stays pending, every accepted answer is paid once."""
        db.session.rollback()
        try:
            if hasattr(self, "companies"):
                settlement.settle_all(1000)
                assert h.count(Reward, Reward.status == RewardStatus.PENDING) == 0
                for answer in db.session.scalars(sa.select(Answer)):
                    reward = latest_reward(answer.id)
                    if answer.outcome != Outcome.ACCEPTED:
                        assert net_payments(answer.id) == 0
                    elif reward.status == RewardStatus.VOID:  # a payout that rounds to zero
                        assert (reward.payout, net_payments(answer.id)) == (0, 0)
                    else:
                        assert reward.status == RewardStatus.SETTLED
                        assert net_payments(answer.id) == 1
                h.assert_ledger_ok()
        finally:
            db.session.rollback()
            clear_tables()


def test_random_money_moves_keep_every_invariant(app, money, monkeypatch):
    MoneyMachine.app = app
    monkeypatch.setitem(app.config, "PAYOUT_MINIMUM_MINOR", {"CNY": 100})
    monkeypatch.setitem(app.extensions, "job_queue", QueueNothing())
    backend = money.engine.dialect.name
    examples = int(os.environ.get("HYPOTHESIS_MONEY_EXAMPLES") or EXAMPLES[backend])
    run_state_machine_as_test(
        MoneyMachine,
        settings=settings(
            max_examples=examples,
            stateful_step_count=STEPS,
            deadline=None,
            suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
        ),
    )
