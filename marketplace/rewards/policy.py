"""How much an accepted answer pays and what it costs the company (see docs/rewards.md).

payout = floor(base x quality x speed x tier), capped at floor(base x max_payout_multiplier)
fee    = floor(payout x fee_rate), charged to the company on top of the payout
hold   = ceil(base x max_payout_multiplier x (1 + fee_rate)), placed when a question is posted

All arithmetic is Decimal on integer minor units. Payouts and fees round down (towards zero,
never up); only the hold rounds up, so it always covers the largest possible charge:
floor(B x 1.45) + floor(floor(B x 1.45) x 0.15) <= ceil(B x 1.45 x 1.15).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal

BASIS = Decimal(10000)  # multipliers are stored as integer basis points: 10000 = x1.0


@dataclass(frozen=True)
class Breakdown:
    """One reward's computation: the multipliers used (basis points) and the amounts."""

    base: int
    quality_bp: int
    speed_bp: int
    tier_bp: int
    capped: bool
    payout: int
    fee: int

    @property
    def charge(self) -> int:
        """What the company pays: payout plus fee."""
        return self.payout + self.fee


@dataclass(frozen=True)
class RewardPolicy:
    """The documented multipliers. Quality is a score in [0, 1] from scoring/moderation.

    - quality multiplier = quality_min + (quality_max - quality_min) x score, rounded down to
      0.0001 (score 0 -> 0.5, 0.5 -> 0.85, 1 -> 1.2);
    - speed multiplier = 1.10 if answered within the first quarter of the time the expert had
      (assignment to answer deadline), 1.05 within the first half, else 1.00;
    - tier multiplier = probation 0.9, vetted 1.0, trusted 1.1 (the expert's tier in the pool);
    - the product is capped at max_payout_multiplier (1.2 x 1.1 x 1.1 = 1.452 > 1.45).
    """

    quality_min: Decimal = Decimal("0.5")
    quality_max: Decimal = Decimal("1.2")
    # (share of the allowed time used, at most) -> multiplier; the first match wins.
    speed_steps: tuple[tuple[Decimal, Decimal], ...] = (
        (Decimal("0.25"), Decimal("1.10")),
        (Decimal("0.5"), Decimal("1.05")),
    )
    tier_multipliers: dict[str, Decimal] = field(
        default_factory=lambda: {
            "probation": Decimal("0.9"),
            "vetted": Decimal("1.0"),
            "trusted": Decimal("1.1"),
        }
    )
    max_payout_multiplier: Decimal = Decimal("1.45")
    fee_rate: Decimal = Decimal("0.15")

    def max_charge(self, reward_minor: int) -> int:
        """The hold placed when a question is posted: the largest payout plus its fee."""
        charge = Decimal(reward_minor) * self.max_payout_multiplier * (1 + self.fee_rate)
        return int(charge.to_integral_value(rounding=ROUND_CEILING))

    def quality_multiplier(self, score: Decimal) -> Decimal:
        """Map a quality score in [0, 1] to its multiplier (rounded down to 0.0001)."""
        if not Decimal(0) <= score <= Decimal(1):
            raise ValueError(f"quality must be between 0 and 1, got {score}")
        value = self.quality_min + (self.quality_max - self.quality_min) * score
        return value.quantize(Decimal("0.0001"), rounding=ROUND_FLOOR)

    def speed_multiplier(self, used_share: Decimal) -> Decimal:
        """The speed bonus for answering after `used_share` of the allowed time."""
        for limit, multiplier in self.speed_steps:
            if used_share <= limit:
                return multiplier
        return Decimal(1)

    def tier_multiplier(self, tier: str) -> Decimal:
        """The multiplier of a tier (unknown tiers pay like probation)."""
        return self.tier_multipliers.get(tier, self.tier_multipliers["probation"])

    def compute(self, base: int, score: Decimal, used_share: Decimal, tier: str) -> Breakdown:
        """The payout and fee of one reward; payout and fee round down."""
        quality = self.quality_multiplier(score)
        speed = self.speed_multiplier(used_share)
        tier_value = self.tier_multiplier(tier)
        raw = Decimal(base) * quality * speed * tier_value
        cap = Decimal(base) * self.max_payout_multiplier
        payout = _floor(min(raw, cap))
        fee = _floor(Decimal(payout) * self.fee_rate)
        return Breakdown(
            base=base,
            quality_bp=int(quality * BASIS),
            speed_bp=int(speed * BASIS),
            tier_bp=int(tier_value * BASIS),
            capped=raw > cap,
            payout=payout,
            fee=fee,
        )


def _floor(value: Decimal) -> int:
    return int(value.to_integral_value(rounding=ROUND_FLOOR))


DEFAULT_POLICY = RewardPolicy()

# Experts are paid out once their earnings in a currency reach this (minor units); currencies
# not listed need 10 major units. Override per app with config PAYOUT_MINIMUM_MINOR.
PAYOUT_MINIMUM_MINOR: dict[str, int] = {"CNY": 5000, "USD": 1000, "EUR": 1000, "JPY": 1000}
