"""`flask ledger check` finds every kind of damage; the database refuses to rewrite the ledger."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import DBAPIError

from marketplace.database import utcnow
from marketplace.rewards import checks, lifecycle, settlement
from marketplace.rewards.models import AccountKind, LedgerAccount, LedgerEntry, LedgerTransaction
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
