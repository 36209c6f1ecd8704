"""How much a question may cost a company: the reward multipliers and the platform fee."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_CEILING, Decimal


@dataclass(frozen=True)
class RewardPolicy:
    """Documented in docs/rewards.md. The hold on a question covers the most it can cost.

    payout = reward x quality multiplier x speed multiplier x tier multiplier, capped at
    reward x max_payout_multiplier; the company pays payout x (1 + fee_rate).
    """

    quality_min: float = 0.5
    quality_max: float = 1.2
    speed_max: float = 1.1
    tier_multipliers: tuple[tuple[str, float], ...] = (
        ("probation", 0.9),
        ("vetted", 1.0),
        ("trusted", 1.1),
    )
    max_payout_multiplier: float = 1.45
    fee_rate: float = 0.15

    def max_charge(self, reward_minor: int) -> int:
        """The hold placed when a question is posted: the largest payout plus its fee."""
        # Decimal from the printed floats: binary floats would make 100 x 1.45 x 1.15 = 166.7499...
        charge = (
            Decimal(reward_minor)
            * Decimal(str(self.max_payout_multiplier))
            * (1 + Decimal(str(self.fee_rate)))
        )
        return int(charge.to_integral_value(rounding=ROUND_CEILING))


DEFAULT_POLICY = RewardPolicy()
