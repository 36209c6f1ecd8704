"""One answer quality score with a confidence, blended from automatic, customer and peer signals."""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum
from typing import NamedTuple


class Verdict(StrEnum):
    """A moderator's decision on an answer; it overrides the blended score."""

    APPROVE = "approve"
    REJECT = "reject"


@dataclass(frozen=True)
class QualityWeights:
    """Blend weights and moderator overrides (see quality_score for the formula).

    Defaults: customer rating 0.35, peer review 0.30, automatic checks 0.20, resolved 0.15.
    Customers and peers saw the content, the checks only its form, hence the order.
    A moderator approval floors the score at 0.7; a rejection caps it at 0.2.
    """

    automatic: float = 0.20
    rating: float = 0.35
    resolved: float = 0.15
    peer: float = 0.30
    approve_floor: float = 0.7
    reject_cap: float = 0.2

    def __post_init__(self) -> None:
        """Reject negative or non-finite weights and floors/caps outside [0, 1]."""
        weights = (self.automatic, self.rating, self.resolved, self.peer)
        if any(
            isinstance(w, bool) or not isinstance(w, int | float) or not math.isfinite(w) or w < 0
            for w in weights
        ):
            raise ValueError("quality weights must be finite, non-negative numbers")
        total = sum(weights)
        # Each weight finite is not enough: 1e308 + 1e308 overflows to inf and the blend to NaN.
        if not math.isfinite(total) or total <= 0:
            raise ValueError(f"quality weights must sum to a finite positive number, got {total}")
        for name in ("approve_floor", "reject_cap"):
            value = getattr(self, name)
            if not isinstance(value, int | float) or not 0.0 <= value <= 1.0:
                raise ValueError(f"{name} must be in [0, 1], got {value!r}")


def _unit(name: str, value: float) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0.0 <= value <= 1.0:
        raise ValueError(f"{name} must be a number in [0, 1], got {value!r}")
    return float(value)


def rating_to_unit(rating: float) -> float:
    """Map a 1-5 star rating to [0, 1]: (rating - 1) / 4. Raises ValueError outside 1-5."""
    if isinstance(rating, bool) or not isinstance(rating, int | float) or not 1.0 <= rating <= 5.0:
        raise ValueError(f"customer rating must be between 1 and 5, got {rating!r}")
    return (float(rating) - 1.0) / 4.0


@dataclass(frozen=True)
class QualityInputs:
    """What is known about one answer; every input but the automatic score is optional."""

    automatic: float
    customer_rating: float | None = None
    resolved: bool | None = None
    peer_good_probability: float | None = None
    verdict: Verdict | None = None

    def __post_init__(self) -> None:
        """Validate ranges and accept the verdict as a plain string."""
        _unit("automatic score", self.automatic)
        if self.customer_rating is not None:
            rating_to_unit(self.customer_rating)
        if self.resolved is not None and not isinstance(self.resolved, bool):
            raise ValueError(f"resolved must be True, False or None, got {self.resolved!r}")
        if self.peer_good_probability is not None:
            _unit("peer_good_probability", self.peer_good_probability)
        if self.verdict is not None:
            object.__setattr__(self, "verdict", Verdict(self.verdict))


class Component(NamedTuple):
    """One blended input: its name, its value in [0, 1] and its share of the blend."""

    name: str
    value: float
    weight: float


@dataclass(frozen=True)
class QualityScore:
    """The blended quality, its confidence, the parts it came from and any moderator override."""

    value: float
    confidence: float
    components: tuple[Component, ...]
    overridden_by: Verdict | None = None


def quality_score(
    inputs: QualityInputs, weights: QualityWeights = QualityWeights()
) -> QualityScore:
    """Blend the present inputs: Q = sum_i w_i x_i / sum_i w_i, confidence = sum_i w_i / W.

    x_i: automatic score, (rating - 1) / 4, resolved as 1/0, peer probability of "good";
    w_i their QualityWeights, W the sum of all four weights. Component weights are reported
    as shares w_i / sum_i w_i. A moderator verdict then sets confidence 1 and either floors Q at
    approve_floor (approve) or caps it at reject_cap (reject).
    """
    present = [Component("automatic", float(inputs.automatic), weights.automatic)]
    if inputs.customer_rating is not None:
        present.append(
            Component("customer_rating", rating_to_unit(inputs.customer_rating), weights.rating)
        )
    if inputs.resolved is not None:
        present.append(Component("resolved", 1.0 if inputs.resolved else 0.0, weights.resolved))
    if inputs.peer_good_probability is not None:
        present.append(Component("peer_review", float(inputs.peer_good_probability), weights.peer))
    total_all = weights.automatic + weights.rating + weights.resolved + weights.peer
    total = sum(c.weight for c in present)
    if total > 0:
        value = sum(c.value * c.weight for c in present) / total
        shares = tuple(Component(c.name, c.value, c.weight / total) for c in present)
    else:
        # Only zero-weight inputs are present: fall back to their plain mean.
        value = sum(c.value for c in present) / len(present)
        shares = tuple(Component(c.name, c.value, 1.0 / len(present)) for c in present)
    confidence = total / total_all
    if inputs.verdict is Verdict.APPROVE:
        return QualityScore(max(value, weights.approve_floor), 1.0, shares, Verdict.APPROVE)
    if inputs.verdict is Verdict.REJECT:
        return QualityScore(min(value, weights.reject_cap), 1.0, shares, Verdict.REJECT)
    return QualityScore(min(1.0, max(0.0, value)), min(1.0, confidence), shares)
