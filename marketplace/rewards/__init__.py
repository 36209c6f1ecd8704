"""Company budgets, the double-entry ledger, reward settlement and payouts."""
