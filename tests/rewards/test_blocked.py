"""Rewards settlement cannot capture are set aside: they never starve the rewards behind them."""

from __future__ import annotations

import sqlalchemy as sa

from marketplace.rewards import checks, ledger, lifecycle, settlement
from marketplace.rewards.models import AccountKind as K
from marketplace.rewards.models import Reward, RewardStatus
from tests.factories import make_company
from tests.rewards import helpers as h


def move_hold(company, question, amount: int, key: str) -> None:
    """Take (amount > 0) or give back (amount < 0) part of a question's hold, off the books of
    the services: the only way a hold can fall short of its pending rewards."""
    owner = f"company:{company}"
    holds = ledger.get_account(K.COMPANY_HOLDS, owner, "CNY")
    budget = ledger.get_account(K.COMPANY_BUDGET, owner, "CNY")
    ledger.post(key, "adjust", ("question", str(question)), [(holds, -amount), (budget, amount)])
    h.db.session.commit()


def test_short_rewards_are_set_aside_and_the_rest_settle(app, money, runner):
    company = make_company(app, budget=100_000).id
    expert = h.expert(h.pool_of(company))
    short = []
    for n in range(3):  # the oldest rewards: a whole batch of them is short
        question = h.post(company, amount=1000)
        answer = h.answer(question, expert)
        short.append((question, lifecycle.accept_answer_reward(answer, 1.0, h.ACTOR).id))
        move_hold(company, question, 1600, f"tamper-{n}")
    healthy = [h.answer(h.post(company, amount=1000), expert) for _ in range(3)]
    for answer in healthy:
        lifecycle.accept_answer_reward(answer, 1.0, h.ACTOR)

    assert settlement.settle_all(limit=2) == (3, True)
    assert all(h.captures_of(answer) == 1 for answer in healthy)
    blocked = [r.id for r in settlement.blocked_rewards()]
    assert sorted(blocked) == sorted(rid for _, rid in short)
    assert h.count(Reward, Reward.status == RewardStatus.PENDING) == 3

    listing = runner.invoke(args=["rewards", "blocked"])
    assert listing.exit_code == 0 and "3 blocked rewards" in listing.output
    assert all(str(rid) in listing.output for _, rid in short)
    assert "holds 68, its rewards need 1312 more" in listing.output  # 1668 - 1600 < 1380
    problems = "\n".join(checks.blocked_rewards())
    assert all(f"reward {rid} (answer" in problems for _, rid in short)
    check = runner.invoke(args=["ledger", "check"])
    assert check.exit_code == 1 and "is blocked since" in check.output

    assert settlement.settle_all(limit=2) == (0, True)  # still set aside: not claimed again
    for n, (question, _) in enumerate(short):
        move_hold(company, question, -1600, f"fix-{n}")
    assert (
        "unblocked 1 rewards" in runner.invoke(args=["rewards", "unblock", str(blocked[0])]).output
    )
    assert "unblocked 2 rewards" in runner.invoke(args=["rewards", "unblock"]).output
    assert settlement.settle_all(limit=2) == (3, True)
    assert h.count(Reward, Reward.status == RewardStatus.PENDING) == 0
    h.assert_ledger_ok()


def test_a_reward_still_short_after_unblocking_is_set_aside_again(app, money):
    company = make_company(app, budget=100_000).id
    question = h.post(company, amount=1000)
    answer = h.answer(question, h.expert(h.pool_of(company)))
    reward = lifecycle.accept_answer_reward(answer, 1.0, h.ACTOR)
    move_hold(company, question, 1600, "tamper")
    assert settlement.settle_batch(10) == []
    assert settlement.unblock() == 1
    assert settlement.settle_batch(10) == []
    row = money.session.scalars(sa.select(Reward).filter_by(id=reward.id)).one()
    assert row.blocked_at is not None and row.status == RewardStatus.PENDING
