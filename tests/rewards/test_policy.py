"""The reward policy: documented multipliers, rounding down, and a hold that covers any charge."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from marketplace.rewards.policy import DEFAULT_POLICY as POLICY


def test_the_documented_example():
    # 1000 x 1.06 (score 0.8) x 1.10 (fast) x 1.0 (vetted) = 1166; fee 15 % = 174.9 -> 174
    breakdown = POLICY.compute(1000, Decimal("0.8"), Decimal("0.2"), "vetted")
    assert (breakdown.quality_bp, breakdown.speed_bp, breakdown.tier_bp) == (10600, 11000, 10000)
    assert (breakdown.payout, breakdown.fee, breakdown.charge) == (1166, 174, 1340)
    assert not breakdown.capped


@pytest.mark.parametrize(
    ("score", "share", "tier", "payout"),
    [
        (Decimal(0), Decimal(1), "probation", 450),  # 1000 x 0.5 x 1.0 x 0.9
        (Decimal("0.5"), Decimal("0.4"), "vetted", 892),  # 1000 x 0.85 x 1.05 = 892.5 -> 892
        (Decimal(1), Decimal(0), "trusted", 1450),  # 1.2 x 1.1 x 1.1 = 1.452, capped at 1.45
        (Decimal(1), Decimal("0.3"), "unknown-tier", 1134),  # unknown tiers pay like probation
    ],
)
def test_multipliers_and_the_cap(score, share, tier, payout):
    assert POLICY.compute(1000, score, share, tier).payout == payout


def test_payouts_and_fees_round_down_and_the_hold_rounds_up():
    breakdown = POLICY.compute(7, Decimal("0.33"), Decimal(1), "vetted")
    # 7 x 0.731 = 5.117 -> 5; fee 0.75 -> 0; hold ceil(7 x 1.45 x 1.15) = ceil(11.6725) = 12
    assert (breakdown.payout, breakdown.fee) == (5, 0)
    assert POLICY.max_charge(7) == 12
    assert POLICY.max_charge(100) == 167  # Decimal: binary floats would give 166.7499...


@pytest.mark.parametrize("score", [Decimal("-0.01"), Decimal("1.01")])
def test_scores_outside_zero_to_one_are_refused(score):
    with pytest.raises(ValueError):
        POLICY.compute(100, score, Decimal(1), "vetted")


@given(
    base=st.integers(1, 10**9),
    score=st.decimals(0, 1, places=4),
    share=st.decimals(0, 2, places=3),
    tier=st.sampled_from(["probation", "vetted", "trusted"]),
)
def test_the_hold_always_covers_the_charge(base, score, share, tier):
    breakdown = POLICY.compute(base, score, share, tier)
    assert 0 <= breakdown.payout <= base * Decimal("1.45")
    assert breakdown.fee == int(breakdown.payout * Decimal("0.15"))
    assert breakdown.charge <= POLICY.max_charge(base)
