"""Expert tiers (probation, vetted, trusted) with hysteresis between promotion and demotion."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from scoring.reputation import Reputation


class Tier(StrEnum):
    """Expert tiers, lowest first."""

    PROBATION = "probation"
    VETTED = "vetted"
    TRUSTED = "trusted"


@dataclass(frozen=True)
class TierPolicy:
    """Thresholds on the reputation lower bound (5 % quantile) and on the answer count.

    probation -> vetted: >= 10 answers and lower bound >= 0.60; vetted -> probation: < 0.50.
    vetted -> trusted: >= 50 answers and lower bound >= 0.80; trusted -> vetted: < 0.72.
    The gap between each promote and demote threshold is the hysteresis band: an expert whose
    bound wobbles inside it keeps the current tier.
    """

    vetted_min_answers: int = 10
    vetted_promote: float = 0.60
    vetted_demote: float = 0.50
    trusted_min_answers: int = 50
    trusted_promote: float = 0.80
    trusted_demote: float = 0.72

    def __post_init__(self) -> None:
        """Demotion thresholds must sit below promotion ones, and tiers must be ordered."""
        values = (
            self.vetted_promote,
            self.vetted_demote,
            self.trusted_promote,
            self.trusted_demote,
        )
        if not all(0.0 <= v <= 1.0 for v in values):
            raise ValueError("tier thresholds must be in [0, 1]")
        if not (
            self.vetted_demote < self.vetted_promote and self.trusted_demote < self.trusted_promote
        ):
            raise ValueError("each demotion threshold must be below its promotion threshold")
        if not (
            self.vetted_promote <= self.trusted_promote
            and self.vetted_demote <= self.trusted_demote
        ):
            raise ValueError("trusted thresholds must not be below vetted thresholds")
        if not 0 <= self.vetted_min_answers <= self.trusted_min_answers:
            raise ValueError("minimum answer counts must be non-negative and ordered")


def next_tier(
    current: Tier,
    reputation: Reputation | float,
    answers_count: int,
    policy: TierPolicy = TierPolicy(),
) -> Tier:
    """Tier after this review: promote one step at most, demote as far as the bound demands.

    `reputation` is a Reputation or its lower bound. Demotions ignore the answer count.
    """
    current = Tier(current)
    bound = reputation.lower_bound if isinstance(reputation, Reputation) else float(reputation)
    if not 0.0 <= bound <= 1.0:
        raise ValueError(f"reputation lower bound must be in [0, 1], got {bound!r}")
    if isinstance(answers_count, bool) or not isinstance(answers_count, int) or answers_count < 0:
        raise ValueError(f"answers_count must be a non-negative int, got {answers_count!r}")
    if current is Tier.TRUSTED:
        if bound >= policy.trusted_demote:
            return Tier.TRUSTED
        return Tier.VETTED if bound >= policy.vetted_demote else Tier.PROBATION
    if current is Tier.VETTED:
        if bound < policy.vetted_demote:
            return Tier.PROBATION
        promote = answers_count >= policy.trusted_min_answers and bound >= policy.trusted_promote
        return Tier.TRUSTED if promote else Tier.VETTED
    promote = answers_count >= policy.vetted_min_answers and bound >= policy.vetted_promote
    return Tier.VETTED if promote else Tier.PROBATION


def settle_tier(
    current: Tier,
    reputation: Reputation | float,
    answers_count: int,
    policy: TierPolicy = TierPolicy(),
) -> Tier:
    """The tier the evidence supports from `current`: next_tier repeated until it stops moving.

    A fixpoint, so applying it again to its own result changes nothing (a job that runs twice
    on the same evidence cannot promote twice). Hysteresis stays: from probation a bound of
    0.85 with 60 answers settles at trusted, while a trusted expert whose bound falls to 0.75
    stays trusted and a vetted one with 0.75 stays vetted. It stops within three steps because
    promotions only go up and a promoted tier's demotion threshold is below its promotion one.
    """
    tier = Tier(current)
    for _ in range(len(Tier)):
        following = next_tier(tier, reputation, answers_count, policy)
        if following is tier:
            return tier
        tier = following
    return tier
