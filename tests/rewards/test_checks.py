"""`flask ledger check` finds every kind of damage; the database refuses to rewrite the ledger."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import DBAPIError

from marketplace.database import utcnow
from marketplace.rewards import checks, lifecycle, payouts, settlement
from marketplace.rewards.models import (
    AccountKind,
    LedgerAccount,
    LedgerEntry,
    LedgerTransaction,
    PayoutBatch,
    PayoutItem,
)
from tests.factories import make_company
from tests.rewards import helpers as h


@pytest.fixture
def settled(app, money):
    company = make_company(app, budget=10_000)
    answer = h.answer(h.post(company.id, amount=1000), h.expert(h.pool_of(company.id)))
    reward = lifecycle.accept_answer_reward(answer, 0.5, h.ACTOR)
    settlement.settle_batch(10)
    h.assert_ledger_ok()
    return company.id, reward


def raw_transaction(db, key: str, kind: str, reference: tuple[str, str], memo=None) -> int:
    table = LedgerTransaction.__table__
    return db.session.execute(
        sa.insert(table)
        .values(
            idempotency_key=key,
            kind=kind,
            reference_type=reference[0],
            reference_id=reference[1],
            memo=memo,
            created_at=utcnow(),
        )
        .returning(table.c.id)
    ).scalar_one()


def raw_entry(db, transaction_id: int, account: LedgerAccount, amount: int) -> None:
    db.session.execute(
        sa.insert(LedgerEntry.__table__).values(
            transaction_id=transaction_id,
            account_id=account.id,
            amount=amount,
            currency=account.currency,
            created_at=utcnow(),
        )
    )


def account(db, kind: AccountKind, owner: str) -> LedgerAccount:
    return db.session.scalars(sa.select(LedgerAccount).filter_by(kind=kind, owner=owner)).one()


def test_a_tampered_cached_balance_is_reported(money, settled, runner):
    company, _ = settled
    money.session.execute(
        sa.update(LedgerAccount)
        .where(LedgerAccount.owner == f"company:{company}")
        .values(balance=LedgerAccount.balance + 1)
    )
    money.session.commit()
    problems = checks.check_ledger()
    assert any("caches" in p for p in problems)
    result = runner.invoke(args=["ledger", "check"])
    assert result.exit_code == 1 and "violation: account" in result.output


def test_an_unbalanced_or_duplicate_capture_is_reported(money, settled):
    company, reward = settled
    budget = account(money, AccountKind.COMPANY_BUDGET, f"company:{company}")
    holds = account(money, AccountKind.COMPANY_HOLDS, f"company:{company}")
    lonely = raw_transaction(money, "x1", "adjust", ("company", str(company)))
    raw_entry(money, lonely, budget, 5)
    double = raw_transaction(
        money, "x2", "capture", ("question", str(reward.question_id)), memo=f"reward:{reward.id}"
    )
    raw_entry(money, double, holds, -1)
    raw_entry(money, double, budget, 1)
    money.session.commit()
    problems = "\n".join(checks.check_ledger())
    assert "transaction x1" not in problems  # reported by id
    assert f"transaction {lonely} does not balance" in problems
    assert f"reward:{reward.id} was captured 2 times" in problems
    assert f"question {reward.question_id} holds -1 (negative)" in problems
    assert "caches" in problems


def test_the_database_refuses_to_edit_ledger_rows(money, settled):
    with pytest.raises(DBAPIError, match="append-only"), money.engine.begin() as connection:
        connection.exec_driver_sql("UPDATE ledger_entries SET amount = amount + 1")
    with pytest.raises(DBAPIError, match="append-only"), money.engine.begin() as connection:
        connection.exec_driver_sql("UPDATE ledger_transactions SET memo = 'x'")
    if money.engine.dialect.name == "postgresql":
        with pytest.raises(DBAPIError, match="append-only"), money.engine.begin() as connection:
            connection.exec_driver_sql("DELETE FROM ledger_entries")
    h.assert_ledger_ok()


def shifted(db, transaction_id: int, legs: list[tuple[LedgerAccount, int]]) -> None:
    """Slip balanced entries into an existing transaction, caches moved too: only the rule
    the entries break is left to find."""
    for account_row, amount in legs:
        raw_entry(db, transaction_id, account_row, amount)
        db.session.execute(
            sa.update(LedgerAccount)
            .where(LedgerAccount.id == account_row.id)
            .values(balance=LedgerAccount.balance + amount)
        )
    db.session.commit()


def test_a_reversal_that_does_not_mirror_its_capture_is_reported(money, settled):
    company, reward = settled
    reversed_reward = lifecycle.reverse_reward(reward.answer_id, "dispute", h.ACTOR)
    h.assert_ledger_ok()
    budget = account(money, AccountKind.COMPANY_BUDGET, f"company:{company}")
    fees = account(money, AccountKind.PLATFORM_FEES, "platform")
    shifted(money, reversed_reward.reversal_transaction_id, [(budget, -5), (fees, 5)])
    [problem] = checks.check_ledger()
    assert problem.startswith(f"reversal of reward {reward.id} does not mirror its capture")
    assert f"company_budget company:{company} +{reward.charge - 5}" in problem
    assert f"calls for company_budget company:{company} +{reward.charge}" in problem


@pytest.fixture
def batch(app, money, settled):
    app.config["PAYOUT_MINIMUM_MINOR"] = {"CNY": 1}  # restored by the money fixture
    built = payouts.build_payout_batch("b1")
    h.assert_ledger_ok()
    return built, money.session.query(PayoutItem).one()


def test_a_payout_item_whose_transaction_moved_another_amount_is_reported(money, batch):
    _, item = batch
    amount, expert = item.amount, f"expert:{item.expert_id}"
    money.session.execute(sa.update(PayoutItem).values(amount=PayoutItem.amount - 1))
    money.session.commit()
    problems = checks.payout_checks.payout_items()
    assert problems == [
        f"payout item {item.id} (in_flight, {amount - 1} CNY): the ledger moved "
        f"payout expert_earnings {expert} -{amount} CNY, "
        f"payout payouts_in_flight {expert} +{amount} CNY; the item calls "
        f"for payout expert_earnings {expert} -{amount - 1} CNY, "
        f"payout payouts_in_flight {expert} +{amount - 1} CNY"
    ]
    assert any("in flight but in-flight payout items of" in p for p in checks.check_ledger())


def test_an_item_marked_paid_without_its_transaction_is_reported(money, batch):
    built, item = batch
    money.session.execute(sa.update(PayoutItem).values(status="paid"))
    money.session.commit()
    problems = "\n".join(checks.check_ledger())
    assert f"payout item {item.id} (paid, {item.amount} CNY)" in problems
    assert f"payout_paid expert_paid_out expert:{item.expert_id} +{item.amount} CNY" in problems
    assert f"payout batch {built.key} is open but none of its items is in flight" in problems


def test_a_batch_whose_status_disagrees_with_its_items_is_reported(money, batch):
    built, _ = batch
    payouts.resolve_payouts(built.key, "paid")
    h.assert_ledger_ok()
    money.session.execute(sa.update(PayoutBatch).values(status="open"))
    money.session.commit()
    assert checks.check_ledger() == [
        f"payout batch {built.key} is open but none of its items is in flight"
    ]
    money.session.execute(sa.update(PayoutBatch).values(status="closed"))
    money.session.execute(sa.update(PayoutItem).values(status="in_flight"))
    money.session.commit()
    problems = checks.payout_checks.batch_statuses()
    assert problems == [f"payout batch {built.key} is closed with 1 items still in flight"]
