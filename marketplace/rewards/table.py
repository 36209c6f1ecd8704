"""A pool's reward table: the reward of a question posted without one (docs/rewards.md).

Stored in the pool's settings as {"currency": "CNY", "rows": [{"channel": "phone" | None,
"min_priority": 0-9, "amount": minor units}, ...]}. A question takes the amount of the most
specific row that fits it: a row for its channel beats a row for any channel, and among those
the row with the highest min_priority at or below the question's priority wins.
"""

from __future__ import annotations

from typing import Any

MAX_ROWS = 50


def reward_from_table(
    table: dict[str, Any] | None, channel: str, priority: int
) -> dict[str, Any] | None:
    """The {"amount", "currency"} a question of this channel and priority gets, or None when
    there is no table or no row fits."""
    if not table:
        return None
    fitting = [
        row
        for row in table["rows"]
        if row["channel"] in (None, channel) and row["min_priority"] <= priority
    ]
    if not fitting:
        return None
    best = max(fitting, key=lambda row: (row["channel"] is not None, row["min_priority"]))
    return {"amount": best["amount"], "currency": table["currency"]}


def sorted_rows(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rows in a stable reading order: any channel first, then by channel, then priority."""
    return sorted(
        rows, key=lambda r: (r["channel"] is not None, r["channel"] or "", r["min_priority"])
    )
