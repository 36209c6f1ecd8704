"""Matching settings per pool, with company-wide overrides and sane defaults."""

from __future__ import annotations

from dataclasses import dataclass, field, fields, replace
from typing import Any

from marketplace.companies.models import Company, OfferMode, Pool


@dataclass(frozen=True)
class Ring:
    """One escalation step: who may be offered the question, how many at once, for how long."""

    name: str
    seconds: int
    pool: str = "own"  # "own" (the question's pool) or "staff" (the company's staff pools)
    require_tags: bool = True
    min_tier: str | None = None  # None, "vetted" or "trusted"
    fanout: int | None = None  # None: 1 in sequential mode, broadcast_k in broadcast mode
    raise_percent: int = 0  # raise the reward by this much on entering the ring


DEFAULT_RINGS = (
    Ring("best-fit", seconds=120),
    Ring("relaxed", seconds=120, require_tags=False),
    Ring("raised", seconds=120, require_tags=False, raise_percent=20),
    Ring("staff", seconds=300, pool="staff", require_tags=False),
)


@dataclass(frozen=True)
class RankingWeights:
    """How much each signal counts when ranking eligible experts (they sum to 1)."""

    reputation: float = 0.4
    skill: float = 0.3
    speed: float = 0.15
    fairness: float = 0.15


@dataclass(frozen=True)
class MatchingSettings:
    """Everything matching needs to know about a pool. Documented in docs/matching.md."""

    offer_mode: OfferMode = OfferMode.SEQUENTIAL
    offer_timeout_seconds: int = 30
    broadcast_k: int = 3
    answer_minutes: int = 15
    hourly_offer_cap: int = 30
    missed_offers_before_away: int = 3
    return_margin_seconds: int = 300
    max_raise_percent: int = 30
    rings: tuple[Ring, ...] = DEFAULT_RINGS
    weights: RankingWeights = field(default_factory=RankingWeights)

    def fanout(self, ring: Ring, mode: OfferMode) -> int:
        """How many experts one round of this ring offers the question to."""
        if ring.fanout:
            return ring.fanout
        return self.broadcast_k if mode == OfferMode.BROADCAST else 1


LIMITS = {
    "offer_timeout_seconds": (10, 300),
    "broadcast_k": (1, 100),
    "answer_minutes": (1, 24 * 60),
    "hourly_offer_cap": (1, 1000),
    "missed_offers_before_away": (1, 50),
    "return_margin_seconds": (0, 24 * 3600),
    "max_raise_percent": (0, 200),
}


def settings_for(company: Company, pool: Pool | None) -> MatchingSettings:
    """Defaults, then the company's settings, then the pool's (each clamped to its limits)."""
    result = MatchingSettings(offer_mode=company.offer_mode)
    for source in (company.settings or {}, (pool.settings if pool else None) or {}):
        result = _apply(result, source)
    if pool is not None and pool.offer_mode is not None:
        result = replace(result, offer_mode=pool.offer_mode)
    return result


def _apply(settings: MatchingSettings, source: dict[str, Any]) -> MatchingSettings:
    changes: dict[str, Any] = {}
    for name, (low, high) in LIMITS.items():
        if isinstance(source.get(name), int):
            changes[name] = min(max(source[name], low), high)
    if isinstance(source.get("rings"), list) and source["rings"]:
        ring_fields = {f.name for f in fields(Ring)}
        changes["rings"] = (
            tuple(
                Ring(**{k: v for k, v in ring.items() if k in ring_fields})
                for ring in source["rings"]
                if isinstance(ring, dict) and "name" in ring and "seconds" in ring
            )
            or settings.rings
        )
    if isinstance(source.get("weights"), dict):
        weight_fields = {f.name for f in fields(RankingWeights)}
        values = {k: float(v) for k, v in source["weights"].items() if k in weight_fields}
        changes["weights"] = replace(settings.weights, **values)
    return replace(settings, **changes)
