"""Payout batches: earnings above the minimum go in flight, into a CSV, then paid or returned."""

from __future__ import annotations

import csv
import time
from datetime import datetime

import pytest

from marketplace.errors import Conflict, NotFound
from marketplace.rewards import lifecycle, payouts, settlement
from marketplace.rewards.models import AccountKind as K
from marketplace.rewards.models import (
    PayoutBatch,
    PayoutBatchStatus,
    PayoutItem,
    PayoutItemStatus,
)
from marketplace.rewards.providers import CSV_COLUMNS
from marketplace.schedule import PERIODIC_JOBS, PeriodicRunner
from tests.factories import make_company
from tests.rewards import helpers as h
from workers.payouts import daily_key


def earn(company_id, expert_id, amount: int, quality: float = 1.0):
    """Answer, accept and settle one question; returns the reward."""
    answer = h.answer(h.post(company_id, amount=amount), expert_id)
    reward = lifecycle.accept_answer_reward(answer, quality, h.ACTOR)
    settlement.settle_batch(100)
    return reward, answer


@pytest.fixture
def company(app, money):
    return make_company(app, budget=1_000_000).id


def test_a_batch_pays_experts_above_the_minimum_into_a_csv(money, company):
    rich = h.expert(h.pool_of(company))
    poor = h.expert(h.pool_of(company))
    first, _ = earn(company, rich, 3000)
    second, _ = earn(company, rich, 2000)
    earn(company, poor, 1000)  # 1200 < 5000 CNY minimum
    batch = payouts.build_payout_batch("2026-11-24")
    items = money.session.query(PayoutItem).all()
    assert [(i.expert_id, i.amount) for i in items] == [(rich, first.payout + second.payout)]
    assert h.balance(K.EXPERT_EARNINGS, f"expert:{rich}") == 0
    assert h.balance(K.PAYOUTS_IN_FLIGHT, f"expert:{rich}") == items[0].amount
    assert h.balance(K.EXPERT_EARNINGS, f"expert:{poor}") == 1200
    statement = items[0].statement
    assert [line["reward_id"] for line in statement["lines"]] == [str(first.id), str(second.id)]
    assert statement["credited"] == statement["amount"] == items[0].amount
    with open(batch.file_path, newline="", encoding="utf-8") as file:
        rows = list(csv.reader(file))
    assert tuple(rows[0]) == CSV_COLUMNS
    assert CSV_COLUMNS == (
        "payout_id",
        "batch",
        "expert_id",
        "name",
        "email",
        "currency",
        "amount",
        "reference",
    )
    assert rows[1][0] == str(items[0].id) and rows[1][2] == str(rich)
    assert rows[1][5:7] == ["CNY", f"{items[0].amount // 100}.{items[0].amount % 100:02d}"]
    assert rows[1][7] == f"MKT-20261124-{items[0].id.hex[:8].upper()}"
    again = payouts.build_payout_batch("2026-11-24")
    assert again.id == batch.id and h.count(PayoutItem) == 1
    h.assert_ledger_ok()


def test_marking_paid_and_failed_moves_the_money_once(money, company):
    experts = [h.expert(h.pool_of(company)) for _ in range(2)]
    for expert in experts:
        earn(company, expert, 5000)
    batch = payouts.build_payout_batch("b1")
    items = {i.expert_id: i for i in money.session.query(PayoutItem).all()}
    failed = items[experts[1]]
    payouts.resolve_payouts("b1", "failed", [failed.id])
    payouts.resolve_payouts("b1", "failed", [failed.id])  # the same outcome again: no-op
    with pytest.raises(Conflict):
        payouts.resolve_payouts("b1", "paid", [failed.id])
    assert money.session.get(PayoutBatch, batch.id).status == PayoutBatchStatus.OPEN
    result = payouts.resolve_payouts(str(batch.id), "paid")
    assert result.status == PayoutBatchStatus.CLOSED
    paid = items[experts[0]]
    assert h.balance(K.EXPERT_PAID_OUT, f"expert:{experts[0]}") == paid.amount
    assert h.balance(K.PAYOUTS_IN_FLIGHT, f"expert:{experts[0]}") == 0
    assert h.balance(K.EXPERT_EARNINGS, f"expert:{experts[1]}") == failed.amount
    assert money.session.get(PayoutItem, failed.id).status == PayoutItemStatus.FAILED
    retry = payouts.build_payout_batch("b2")  # the failed payout goes out again
    assert [i.amount for i in money.session.query(PayoutItem).filter_by(batch_id=retry.id)] == [
        failed.amount
    ]
    with pytest.raises(NotFound):
        payouts.resolve_payouts("no-such-batch", "paid")
    h.assert_ledger_ok()


def test_a_reversal_after_payout_is_owed_and_recovered_from_the_next_payout(money, company):
    expert = h.expert(h.pool_of(company))
    reward, answer = earn(company, expert, 5000)
    payouts.build_payout_batch("b1")
    payouts.resolve_payouts("b1", "paid")
    lifecycle.reverse_reward(answer, "fraud confirmed", h.ACTOR)
    assert h.balance(K.EXPERT_RECEIVABLE, f"expert:{expert}") == -reward.payout
    assert payouts.build_payout_batch("b2") is None  # earnings 0, owes 6000
    later = [earn(company, expert, 5000)[0] for _ in range(2)]
    batch = payouts.build_payout_batch("b3")
    item = money.session.query(PayoutItem).filter_by(batch_id=batch.id).one()
    assert item.debt_recovered == reward.payout
    assert item.amount == sum(r.payout for r in later) - reward.payout
    assert h.balance(K.EXPERT_RECEIVABLE, f"expert:{expert}") == 0
    h.assert_ledger_ok()


def test_names_that_look_like_formulas_are_defused(app, money, company):
    expert = h.expert(h.pool_of(company))
    from marketplace.accounts.models import User

    money.session.get(User, expert).display_name = "=HYPERLINK(1)"
    money.session.commit()
    earn(company, expert, 5000)
    batch = payouts.build_payout_batch("b1")
    with open(batch.file_path, encoding="utf-8") as file:
        assert "'=HYPERLINK(1)" in file.read()


def test_cli_builds_marks_and_checks(app, money, runner, company):
    expert = h.expert(h.pool_of(company))
    earn(company, expert, 5000)
    built = runner.invoke(args=["payouts", "build", "--key", "cli-1"])
    assert built.exit_code == 0 and "cli-1.csv" in built.output, built.output
    marked = runner.invoke(args=["payouts", "mark", "cli-1", "paid"])
    assert marked.exit_code == 0 and "closed" in marked.output, marked.output
    assert "nobody is due" in runner.invoke(args=["payouts", "build", "--key", "x"]).output
    check = runner.invoke(args=["ledger", "check"])
    assert check.exit_code == 0 and "ledger ok" in check.output
    bad = runner.invoke(args=["payouts", "mark", "cli-1", "failed"])
    assert bad.exit_code != 0 and "already paid" in bad.output


def test_the_schedule_queues_the_daily_batch_and_a_second_run_builds_no_other(app, money, company):
    job = next(job for job in PERIODIC_JOBS if job.name == "payouts-daily")
    expert = h.expert(h.pool_of(company))
    earn(company, expert, 5000)
    money.session.rollback()  # SQLite: hold no lock while the job writes
    now = time.time()
    backend = app.extensions["job_queue"]
    with app.app_context():
        queued = PeriodicRunner().run_due(now)  # what every web process's engine does
    assert {f"rewards-sweep-{int(now // 60)}", f"payouts-daily-{job.bucket(now)}"} <= set(queued)
    assert backend.wait_until_idle(20) and backend.failed == []
    [batch] = money.session.query(PayoutBatch).all()
    assert batch.key == daily_key(now)
    money.session.rollback()
    with app.app_context():  # another web process queues the same bucket once the job is done
        assert PeriodicRunner((job,)).run_due(now) == [f"payouts-daily-{job.bucket(now)}"]
    assert backend.wait_until_idle(20) and backend.failed == []
    assert h.count(PayoutBatch) == 1 and h.count(PayoutItem) == 1
    assert h.balance(K.PAYOUTS_IN_FLIGHT, f"expert:{expert}") == batch_total(money)
    h.assert_ledger_ok()


def batch_total(money) -> int:
    return sum(item.amount for item in money.session.query(PayoutItem))


@pytest.mark.parametrize(
    ("at", "key"),
    [
        ("2026-12-01T02:14:59+00:00", "2026-11-30"),  # a late retry of the day before
        ("2026-12-01T02:15:00+00:00", "2026-12-01"),  # the run at 02:15 UTC
        ("2026-12-02T02:14:59+00:00", "2026-12-01"),
    ],
)
def test_the_daily_batch_is_keyed_by_its_schedule_day(at, key):
    assert daily_key(datetime.fromisoformat(at).timestamp()) == key
