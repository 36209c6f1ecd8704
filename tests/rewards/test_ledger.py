"""Ledger primitives: balanced, idempotent, never overdrawn, balances match entries."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from marketplace.rewards import ledger
from marketplace.rewards.models import AccountKind, LedgerAccount, LedgerEntry, LedgerTransaction


def accounts(db, currency="CNY"):
    source = ledger.get_account(AccountKind.TOP_UPS, "company:x", currency)
    budget = ledger.get_account(AccountKind.COMPANY_BUDGET, "company:x", currency)
    return source, budget


def test_posting_is_balanced_and_idempotent(db):
    source, budget = accounts(db)
    _, posted = ledger.post("k1", "top_up", ("company", "x"), [(source, -500), (budget, 500)])
    db.session.commit()
    _, again = ledger.post("k1", "top_up", ("company", "x"), [(source, -500), (budget, 500)])
    db.session.commit()
    assert (posted, again) == (True, False)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(LedgerTransaction)) == 1
    assert db.session.get(LedgerAccount, budget.id).balance == 500
    assert ledger.balance_from_entries(budget.id) == 500
    assert ledger.balance_from_entries(source.id) == -500


@pytest.mark.parametrize("legs", [[-500, 400], [0, 0], [-1.5, 1.5], [True, -1]])
def test_unbalanced_or_non_integer_legs_are_refused(db, legs):
    source, budget = accounts(db)
    with pytest.raises(ValueError):
        ledger.post("bad", "x", ("t", "1"), [(source, legs[0]), (budget, legs[1])])
    assert db.session.scalar(sa.select(sa.func.count()).select_from(LedgerEntry)) == 0


def test_a_non_negative_account_cannot_be_overdrawn_and_nothing_is_written(db):
    source, budget = accounts(db)
    ledger.post("in", "top_up", ("company", "x"), [(source, -100), (budget, 100)])
    holds = ledger.get_account(AccountKind.COMPANY_HOLDS, "company:x", "CNY")
    with pytest.raises(ledger.InsufficientFunds):
        ledger.post("hold", "hold", ("q", "1"), [(budget, -101), (holds, 101)])
    db.session.commit()
    assert db.session.get(LedgerAccount, budget.id).balance == 100
    assert ledger.find_transaction("hold") is None
    assert ledger.balance_from_entries(holds.id) == 0


def test_currencies_must_balance_separately(db):
    source_cny, _ = accounts(db, "CNY")
    _, budget_usd = accounts(db, "USD")
    with pytest.raises(ValueError, match="does not balance"):
        ledger.post("fx", "x", ("t", "1"), [(source_cny, -100), (budget_usd, 100)])
