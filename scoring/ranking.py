"""Ranking helpers that keep small samples from outranking large ones: Wilson, Bayesian average."""

from __future__ import annotations

import math

from scipy.stats import norm


def wilson_lower_bound(up: int, down: int, confidence: float = 0.95) -> float:
    """Wilson score lower bound of the share of up votes; 0 when there are no votes.

    With n = up + down, p = up / n and z the two-sided normal quantile of `confidence`:
    (p + z^2 / 2n - z sqrt(p (1 - p) / n + z^2 / 4n^2)) / (1 + z^2 / n).
    """
    for name, value in (("up", up), ("down", down)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise ValueError(f"{name} must be a non-negative int, got {value!r}")
    if not 0.0 < confidence < 1.0:
        raise ValueError(f"confidence must be in (0, 1), got {confidence!r}")
    n = up + down
    if n == 0:
        return 0.0
    z = float(norm.ppf(1.0 - (1.0 - confidence) / 2.0))
    p = up / n
    centre = p + z * z / (2 * n)
    margin = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return max(0.0, (centre - margin) / (1 + z * z / n))


def bayesian_average(
    rating_sum: float, rating_count: int, prior_mean: float = 3.5, prior_weight: float = 10.0
) -> float:
    """Bayesian average of star ratings: (C m + sum r) / (C + n), C = prior_weight, m = prior_mean.

    Pass the pool's mean rating as prior_mean; with no ratings the result is prior_mean.
    """
    if isinstance(rating_count, bool) or not isinstance(rating_count, int) or rating_count < 0:
        raise ValueError(f"rating_count must be a non-negative int, got {rating_count!r}")
    if not 1.0 <= prior_mean <= 5.0:
        raise ValueError(f"prior_mean must be between 1 and 5, got {prior_mean!r}")
    if not (math.isfinite(prior_weight) and prior_weight > 0):
        raise ValueError(f"prior_weight must be positive, got {prior_weight!r}")
    if not (math.isfinite(rating_sum) and rating_count <= rating_sum <= 5 * rating_count):
        raise ValueError("rating_sum must lie between 1 and 5 times rating_count")
    return (prior_weight * prior_mean + rating_sum) / (prior_weight + rating_count)
