"""Matching settings per pool, with company-wide overrides and sane defaults.

Stored settings are JSON (company and pool `settings`). What the API writes is validated by
the schemas in marketplace/matching/schemas.py; what is read back is validated again field by
field, so a bad value left in the database (an old row, a hand edit) is ignored with a warning
instead of breaking the matching of every question that uses it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field, replace
from typing import Any

from marshmallow import ValidationError

from marketplace.companies.models import Company, OfferMode, Pool

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Ring:
    """One escalation step: who may be offered the question, how many at once, for how long."""

    name: str
    seconds: int
    pool: str = "own"  # "own" (the question's pool) or "staff" (the company's staff pools)
    require_tags: bool = True
    min_tier: str | None = None  # None, "vetted" or "trusted": the lowest tier offered
    fanout: int | None = None  # None: 1 in sequential mode, broadcast_k in broadcast mode
    raise_percent: int = 0  # raise the reward by this much on entering the ring


DEFAULT_RINGS = (
    Ring("best-fit", seconds=120, min_tier="vetted"),
    Ring("relaxed", seconds=60, require_tags=False, min_tier="vetted"),
    Ring("lower-tiers", seconds=60, require_tags=False),
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
RING_SECONDS = (10, 24 * 3600)
MAX_RINGS = 12


def settings_for(company: Company, pool: Pool | None) -> MatchingSettings:
    """Defaults, then the company's settings, then the pool's; invalid stored values are skipped."""
    result = _apply(
        MatchingSettings(offer_mode=company.offer_mode), company.settings, f"company {company.id}"
    )
    if pool is not None:
        result = _apply(result, pool.settings, f"pool {pool.id}")
        if pool.offer_mode is not None:
            result = replace(result, offer_mode=pool.offer_mode)
    return result


def _apply(
    settings: MatchingSettings, source: dict[str, Any] | None, owner: str
) -> MatchingSettings:
    """Overlay stored settings, keeping each valid field and logging each invalid one.

    Numbers out of range are clamped to it (as documented); other invalid values are ignored.
    """
    from marketplace.matching.schemas import STORED_SETTINGS

    changes: dict[str, Any] = {}
    for name in STORED_SETTINGS.fields:
        if not source or source.get(name) is None:
            continue
        try:
            value = STORED_SETTINGS.load({name: source[name]})[name]
        except ValidationError as error:
            log.warning("ignoring invalid matching setting %s of %s: %s", name, owner, error)
            continue
        if name in LIMITS:
            low, high = LIMITS[name]
            value = min(max(value, low), high)
        elif name == "rings":
            value = tuple(Ring(**ring) for ring in value)
        elif name == "weights":
            value = RankingWeights(**value)
        changes[name] = value
    return replace(settings, **changes) if changes else settings


def settings_document(settings: MatchingSettings) -> dict[str, Any]:
    """The settings as JSON (what the API shows as `effective`)."""
    return {
        "offer_mode": settings.offer_mode.value,
        **{name: getattr(settings, name) for name in LIMITS},
        "weights": vars(settings.weights).copy(),
        "rings": [vars(ring).copy() for ring in settings.rings],
    }
