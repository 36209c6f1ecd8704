"""Bayesian expert reputation: a Beta posterior over answer success with time-decayed evidence."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum

import numpy as np
import numpy.typing as npt
from scipy.special import betaincinv

DEFAULT_HALF_LIFE_DAYS = 90.0
LOWER_QUANTILE = 0.05
_SECONDS_PER_DAY = 86_400.0


class OutcomeKind(StrEnum):
    """Kinds of evidence about an expert's answers."""

    ACCEPTED = "accepted"
    REJECTED = "rejected"
    RATING = "rating"
    GOLD_PASS = "gold_pass"  # noqa: S105 -- an outcome name, not a password
    GOLD_FAIL = "gold_fail"


@dataclass(frozen=True)
class BetaPrior:
    """Beta(alpha, beta) prior of a pool; Beta(1, 1) is uniform."""

    alpha: float = 1.0
    beta: float = 1.0

    def __post_init__(self) -> None:
        """Both parameters must be finite and positive."""
        for name in ("alpha", "beta"):
            value = getattr(self, name)
            if not (isinstance(value, int | float) and math.isfinite(value) and value > 0):
                raise ValueError(f"prior {name} must be a positive finite number, got {value!r}")


@dataclass(frozen=True)
class EvidenceWeights:
    """How many pseudo-observations each outcome is worth (gold questions are checked facts)."""

    accepted: float = 1.0
    rejected: float = 1.0
    rating: float = 1.0
    gold: float = 3.0

    def __post_init__(self) -> None:
        """Weights must be finite and non-negative."""
        for name in ("accepted", "rejected", "rating", "gold"):
            value = getattr(self, name)
            if not (math.isfinite(value) and value >= 0):
                raise ValueError(f"evidence weight {name} must be finite and >= 0, got {value!r}")


@dataclass(frozen=True)
class Outcome:
    """One piece of evidence at a time; ratings (1-5) are required for RATING outcomes only."""

    kind: OutcomeKind
    at: dt.datetime
    rating: float | None = None
    tags: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        """Validate the kind, the timestamp and the rating."""
        object.__setattr__(self, "kind", OutcomeKind(self.kind))
        if not isinstance(self.at, dt.datetime):
            raise ValueError(f"outcome time must be a datetime, got {self.at!r}")
        if self.kind is OutcomeKind.RATING:
            r = self.rating
            if isinstance(r, bool) or not isinstance(r, int | float) or not 1.0 <= r <= 5.0:
                raise ValueError(f"rating outcomes need a rating between 1 and 5, got {r!r}")
        elif self.rating is not None:
            raise ValueError(f"only rating outcomes carry a rating, not {self.kind.value}")
        object.__setattr__(self, "tags", tuple(self.tags))


@dataclass(frozen=True)
class Reputation:
    """Posterior Beta(alpha, beta): its mean, 5 % quantile and effective evidence count."""

    mean: float
    lower_bound: float
    alpha: float
    beta: float
    evidence: float


def success_and_weight(
    outcome: Outcome, weights: EvidenceWeights = EvidenceWeights()
) -> tuple[float, float]:
    """Success fraction s and pseudo-observation weight w of one outcome.

    accepted (1, w_a), rejected (0, w_r), rating ((r - 1) / 4, w_rating), gold pass (1, w_g),
    gold fail (0, w_g); a 4-star rating is thus 0.75 of a success and 0.25 of a failure.
    """
    kind = outcome.kind
    if kind is OutcomeKind.ACCEPTED:
        return 1.0, weights.accepted
    if kind is OutcomeKind.REJECTED:
        return 0.0, weights.rejected
    if kind is OutcomeKind.RATING:
        return (float(outcome.rating) - 1.0) / 4.0, weights.rating  # type: ignore[arg-type]
    return (1.0 if kind is OutcomeKind.GOLD_PASS else 0.0), weights.gold


def decay_factor(age_days: float, half_life_days: float = DEFAULT_HALF_LIFE_DAYS) -> float:
    """Exponential decay d = 0.5 ** (age / half_life); future times (age < 0) count fully."""
    if not (math.isfinite(half_life_days) and half_life_days > 0):
        raise ValueError(f"half_life_days must be positive, got {half_life_days!r}")
    return 0.5 ** (max(0.0, age_days) / half_life_days)


def _age_days(now: dt.datetime, at: dt.datetime) -> float:
    try:
        return (now - at).total_seconds() / _SECONDS_PER_DAY
    except TypeError as exc:
        raise ValueError("now and outcome times must both be timezone-aware or both naive") from exc


def beta_lower_bound(alpha: float, beta: float, quantile: float = LOWER_QUANTILE) -> float:
    """The `quantile` point of Beta(alpha, beta) (inverse regularised incomplete beta)."""
    if not 0.0 < quantile < 1.0:
        raise ValueError(f"quantile must be in (0, 1), got {quantile!r}")
    return float(betaincinv(alpha, beta, quantile))


def reputation_from_counts(
    successes: float, failures: float, prior: BetaPrior = BetaPrior()
) -> Reputation:
    """Posterior Beta(alpha0 + S, beta0 + F); mean = alpha / (alpha + beta), lower = 5 % point."""
    if not (math.isfinite(successes) and math.isfinite(failures)) or successes < 0 or failures < 0:
        raise ValueError("successes and failures must be finite and non-negative")
    alpha, beta = prior.alpha + successes, prior.beta + failures
    return Reputation(
        alpha / (alpha + beta), beta_lower_bound(alpha, beta), alpha, beta, successes + failures
    )


def decayed_counts(
    outcomes: Iterable[Outcome],
    now: dt.datetime,
    half_life_days: float = DEFAULT_HALF_LIFE_DAYS,
    weights: EvidenceWeights = EvidenceWeights(),
) -> tuple[float, float]:
    """Effective successes S = sum d_i w_i s_i and failures F = sum d_i w_i (1 - s_i)."""
    successes = failures = 0.0
    for outcome in outcomes:
        s, w = success_and_weight(outcome, weights)
        d = decay_factor(_age_days(now, outcome.at), half_life_days)
        successes += d * w * s
        failures += d * w * (1.0 - s)
    return successes, failures


def reputation(
    outcomes: Iterable[Outcome],
    now: dt.datetime,
    prior: BetaPrior = BetaPrior(),
    half_life_days: float = DEFAULT_HALF_LIFE_DAYS,
    weights: EvidenceWeights = EvidenceWeights(),
) -> Reputation:
    """Reputation from outcomes: Beta(alpha0 + S, beta0 + F) with S, F from decayed_counts.

    `now` is passed in so results are reproducible; the clock is never read.
    """
    successes, failures = decayed_counts(outcomes, now, half_life_days, weights)
    return reputation_from_counts(successes, failures, prior)


def tag_reputations(
    outcomes: Iterable[Outcome],
    now: dt.datetime,
    overall: Reputation,
    prior_strength: float = 10.0,
    half_life_days: float = DEFAULT_HALF_LIFE_DAYS,
    weights: EvidenceWeights = EvidenceWeights(),
) -> dict[str, Reputation]:
    """Per-tag skill, shrunk toward the overall mean m: prior Beta(k m, k (1 - m)), k = strength.

    With little evidence in a tag the estimate stays near the expert's overall reputation.
    """
    if not (math.isfinite(prior_strength) and prior_strength > 0):
        raise ValueError(f"prior_strength must be positive, got {prior_strength!r}")
    mean = min(max(overall.mean, 1e-6), 1 - 1e-6)
    prior = BetaPrior(prior_strength * mean, prior_strength * (1.0 - mean))
    by_tag: dict[str, list[Outcome]] = {}
    for outcome in outcomes:
        for tag in dict.fromkeys(outcome.tags):
            by_tag.setdefault(tag, []).append(outcome)
    return {
        tag: reputation(items, now, prior, half_life_days, weights)
        for tag, items in sorted(by_tag.items())
    }


@dataclass(frozen=True)
class BatchReputation:
    """Vectorised reputations: arrays of means, lower bounds and posterior parameters."""

    mean: npt.NDArray[np.float64]
    lower_bound: npt.NDArray[np.float64]
    alpha: npt.NDArray[np.float64]
    beta: npt.NDArray[np.float64]


def batch_reputation(
    successes: npt.ArrayLike,
    failures: npt.ArrayLike,
    prior: BetaPrior = BetaPrior(),
    quantile: float = LOWER_QUANTILE,
    priors: tuple[npt.ArrayLike, npt.ArrayLike] | None = None,
) -> BatchReputation:
    """reputation_from_counts over arrays: alpha = alpha0 + S, beta = beta0 + F, element-wise.

    `priors` gives (alpha0, beta0) arrays, one prior per element (a pool's prior per
    membership); otherwise `prior` applies to every element.
    """
    s = np.asarray(successes, dtype=np.float64)
    f = np.asarray(failures, dtype=np.float64)
    if s.shape != f.shape:
        raise ValueError(
            f"successes and failures must have the same shape, got {s.shape} and {f.shape}"
        )
    if not (np.all(np.isfinite(s)) and np.all(np.isfinite(f))) or np.any(s < 0) or np.any(f < 0):
        raise ValueError("successes and failures must be finite and non-negative")
    if not 0.0 < quantile < 1.0:
        raise ValueError(f"quantile must be in (0, 1), got {quantile!r}")
    if priors is None:
        alpha0, beta0 = np.full(s.shape, prior.alpha), np.full(s.shape, prior.beta)
    else:
        alpha0 = np.asarray(priors[0], dtype=np.float64)
        beta0 = np.asarray(priors[1], dtype=np.float64)
        if alpha0.shape != s.shape or beta0.shape != s.shape:
            raise ValueError("prior arrays must have the shape of the counts")
        if not (np.all(np.isfinite(alpha0) & (alpha0 > 0) & np.isfinite(beta0) & (beta0 > 0))):
            raise ValueError("prior parameters must be finite and positive")
    alpha = alpha0 + s
    beta = beta0 + f
    return BatchReputation(alpha / (alpha + beta), betaincinv(alpha, beta, quantile), alpha, beta)


def day_anchor(now: dt.datetime) -> dt.datetime:
    """The start of `now`'s day (same time zone): decay is measured from there.

    Two runs of a recompute on the same day and the same evidence then store the same
    numbers; evidence newer than the anchor counts fully (age < 0 is clamped to 0).
    """
    if not isinstance(now, dt.datetime):
        raise ValueError(f"now must be a datetime, got {now!r}")
    return now.replace(hour=0, minute=0, second=0, microsecond=0)


_KIND_CODES = {kind: i for i, kind in enumerate(OutcomeKind)}


def evidence_arrays(
    kinds: npt.ArrayLike,
    ratings: npt.ArrayLike,
    weights: EvidenceWeights = EvidenceWeights(),
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """success_and_weight over arrays: kind codes (OutcomeKind order) and ratings (NaN if none).

    Returns (success, weight) with the same rules, element-wise, for the batch path.
    """
    k = np.asarray(kinds, dtype=np.int64)
    r = np.asarray(ratings, dtype=np.float64)
    if k.shape != r.shape or k.ndim != 1:
        raise ValueError("kind and rating arrays must be one-dimensional and of equal length")
    if k.size and (k.min() < 0 or k.max() >= len(_KIND_CODES)):
        raise ValueError("unknown outcome kind code")
    is_rating = k == _KIND_CODES[OutcomeKind.RATING]
    if np.any(is_rating & ~((r >= 1.0) & (r <= 5.0))):
        raise ValueError("rating outcomes need a rating between 1 and 5")
    success_of = np.array([1.0, 0.0, np.nan, 1.0, 0.0])
    weight_of = np.array(
        [weights.accepted, weights.rejected, weights.rating, weights.gold, weights.gold]
    )
    success = np.where(is_rating, (np.where(is_rating, r, 1.0) - 1.0) / 4.0, success_of[k])
    return success, weight_of[k]


def kind_code(kind: OutcomeKind | str) -> int:
    """The integer code of an outcome kind for evidence_arrays."""
    return _KIND_CODES[OutcomeKind(kind)]


def aggregate_outcomes(
    expert_index: npt.ArrayLike,
    success: npt.ArrayLike,
    weight: npt.ArrayLike,
    age_days: npt.ArrayLike,
    n_experts: int,
    half_life_days: float = DEFAULT_HALF_LIFE_DAYS,
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """Per-expert decayed counts from flat outcome arrays (one row per outcome).

    S_e = sum_{i: e_i = e} d_i w_i s_i, F_e = sum d_i w_i (1 - s_i),
    d_i = 0.5 ** (max(0, age_i) / h).
    """
    idx = np.asarray(expert_index, dtype=np.int64)
    s = np.asarray(success, dtype=np.float64)
    w = np.asarray(weight, dtype=np.float64)
    age = np.asarray(age_days, dtype=np.float64)
    if not (idx.shape == s.shape == w.shape == age.shape) or idx.ndim != 1:
        raise ValueError("outcome arrays must be one-dimensional and of equal length")
    if idx.size and (idx.min() < 0 or idx.max() >= n_experts):
        raise ValueError("expert_index values must be in [0, n_experts)")
    finite = np.isfinite(s) & np.isfinite(w) & np.isfinite(age)
    # NaN compares False with everything, so range checks alone would let it through.
    if not np.all(finite) or np.any((s < 0) | (s > 1)) or np.any(w < 0):
        raise ValueError("success must be in [0, 1], weight finite and >= 0, ages finite (no NaN)")
    if not (math.isfinite(half_life_days) and half_life_days > 0):
        raise ValueError(f"half_life_days must be positive, got {half_life_days!r}")
    dw = w * np.power(0.5, np.maximum(age, 0.0) / half_life_days)
    return (
        np.bincount(idx, weights=dw * s, minlength=n_experts),
        np.bincount(idx, weights=dw * (1.0 - s), minlength=n_experts),
    )


def outcome_arrays(
    outcomes_by_expert: Mapping[int, Iterable[Outcome]],
    now: dt.datetime,
    weights: EvidenceWeights = EvidenceWeights(),
) -> tuple[
    npt.NDArray[np.int64], npt.NDArray[np.float64], npt.NDArray[np.float64], npt.NDArray[np.float64]
]:
    """Flatten Outcome objects into (expert_index, success, weight, age_days) for the batch path."""
    rows = [
        (e, *success_and_weight(o, weights), _age_days(now, o.at))
        for e, outcomes in outcomes_by_expert.items()
        for o in outcomes
    ]
    if not rows:
        empty = np.zeros(0)
        return np.zeros(0, dtype=np.int64), empty, empty.copy(), empty.copy()
    e, s, w, a = zip(*rows, strict=True)
    return np.asarray(e, dtype=np.int64), np.asarray(s), np.asarray(w), np.asarray(a)
