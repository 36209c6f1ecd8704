"""Tests for scoring.reputation: sanity figures, decay, per-tag shrinkage and batch == scalar."""

import datetime as dt

import numpy as np
import pytest

from scoring.reputation import (
    BetaPrior,
    EvidenceWeights,
    Outcome,
    OutcomeKind,
    aggregate_outcomes,
    batch_reputation,
    beta_lower_bound,
    decay_factor,
    outcome_arrays,
    reputation,
    reputation_from_counts,
    success_and_weight,
    tag_reputations,
)

NOW = dt.datetime(2025, 6, 1, 12, 0, tzinfo=dt.UTC)


def days_ago(n: float) -> dt.datetime:
    return NOW - dt.timedelta(days=n)


def test_sanity_lower_bounds_rank_a_veteran_above_a_newcomer():
    nine_of_ten = reputation_from_counts(9, 1)
    ninety_of_hundred = reputation_from_counts(90, 10)
    newcomer = reputation_from_counts(2, 0)
    assert nine_of_ten.lower_bound == pytest.approx(0.64, abs=0.01)
    assert ninety_of_hundred.lower_bound == pytest.approx(0.84, abs=0.01)
    assert newcomer.mean > ninety_of_hundred.mean - 0.2
    assert newcomer.lower_bound < nine_of_ten.lower_bound < ninety_of_hundred.lower_bound
    assert nine_of_ten.mean == pytest.approx(10 / 12)
    assert (nine_of_ten.alpha, nine_of_ten.beta, nine_of_ten.evidence) == (10, 2, 10)


def test_outcome_mapping():
    assert success_and_weight(Outcome(OutcomeKind.ACCEPTED, NOW)) == (1.0, 1.0)
    assert success_and_weight(Outcome("rejected", NOW)) == (0.0, 1.0)
    assert success_and_weight(Outcome(OutcomeKind.RATING, NOW, rating=4)) == (0.75, 1.0)
    assert success_and_weight(Outcome(OutcomeKind.GOLD_FAIL, NOW)) == (0.0, 3.0)


def test_gold_failures_weigh_more_than_ordinary_rejections():
    base = [Outcome(OutcomeKind.ACCEPTED, NOW)] * 10
    rejected = reputation([*base, Outcome(OutcomeKind.REJECTED, NOW)], NOW)
    gold_fail = reputation([*base, Outcome(OutcomeKind.GOLD_FAIL, NOW)], NOW)
    assert gold_fail.mean < rejected.mean


def test_decay_halves_evidence_every_half_life():
    assert decay_factor(90) == pytest.approx(0.5)
    assert decay_factor(180, 90) == pytest.approx(0.25)
    assert decay_factor(-5) == 1.0  # clock skew: future outcomes count fully
    old = reputation([Outcome(OutcomeKind.ACCEPTED, days_ago(90))] * 4, NOW)
    fresh = reputation([Outcome(OutcomeKind.ACCEPTED, NOW)] * 4, NOW)
    assert old.evidence == pytest.approx(2.0)
    assert fresh.evidence == pytest.approx(4.0)
    assert old.lower_bound < fresh.lower_bound


def test_old_failures_matter_less_than_recent_successes():
    outcomes = [Outcome(OutcomeKind.REJECTED, days_ago(365))] * 10 + [
        Outcome(OutcomeKind.ACCEPTED, NOW)
    ] * 10
    assert reputation(outcomes, NOW).mean > 0.8
    assert reputation(outcomes, NOW, half_life_days=10_000).mean < 0.6


def test_tags_are_shrunk_toward_the_overall_reputation():
    outcomes = [Outcome(OutcomeKind.ACCEPTED, NOW, tags=("billing",)) for _ in range(40)]
    outcomes += [Outcome(OutcomeKind.REJECTED, NOW, tags=("refunds", "refunds"))]
    overall = reputation(outcomes, NOW)
    tags = tag_reputations(outcomes, NOW, overall)
    assert list(tags) == ["billing", "refunds"]
    assert tags["refunds"].evidence == pytest.approx(1.0)  # the duplicate tag counts once
    # One failure in "refunds" barely moves it from the overall mean; a flat prior would sink it.
    assert abs(tags["refunds"].mean - overall.mean) < 0.1
    assert tags["refunds"].mean > reputation_from_counts(0, 1).mean + 0.3
    assert tags["billing"].mean > tags["refunds"].mean


def test_batch_equals_scalar():
    rng = np.random.default_rng(3)
    prior = BetaPrior(2.0, 3.0)
    s = rng.uniform(0, 50, 1000)
    f = rng.uniform(0, 50, 1000)
    batch = batch_reputation(s, f, prior)
    for i in range(0, 1000, 97):
        single = reputation_from_counts(float(s[i]), float(f[i]), prior)
        assert batch.mean[i] == pytest.approx(single.mean)
        assert batch.lower_bound[i] == pytest.approx(single.lower_bound)


def test_batch_path_from_outcomes_matches_scalar_path():
    rng = np.random.default_rng(5)
    kinds = list(OutcomeKind)
    by_expert = {}
    for e in range(20):
        outs = []
        for _ in range(int(rng.integers(0, 30))):
            kind = kinds[int(rng.integers(len(kinds)))]
            rating = int(rng.integers(1, 6)) if kind is OutcomeKind.RATING else None
            outs.append(Outcome(kind, days_ago(float(rng.uniform(-1, 400))), rating))
        by_expert[e] = outs
    idx, succ, weight, age = outcome_arrays(by_expert, NOW)
    s, f = aggregate_outcomes(idx, succ, weight, age, n_experts=20)
    batch = batch_reputation(s, f)
    for e, outs in by_expert.items():
        single = reputation(outs, NOW)
        assert batch.lower_bound[e] == pytest.approx(single.lower_bound)
        assert batch.alpha[e] == pytest.approx(single.alpha)


def test_batch_handles_100k_experts():
    n = 100_000
    rng = np.random.default_rng(1)
    batch = batch_reputation(rng.poisson(20, n), rng.poisson(5, n))
    assert batch.lower_bound.shape == (n,)
    assert np.all((batch.lower_bound > 0) & (batch.lower_bound < batch.mean) & (batch.mean < 1))


def test_invalid_inputs_raise_value_error():
    with pytest.raises(ValueError):
        BetaPrior(0, 1)
    with pytest.raises(ValueError):
        Outcome(OutcomeKind.RATING, NOW)
    with pytest.raises(ValueError):
        Outcome(OutcomeKind.RATING, NOW, rating=7)
    with pytest.raises(ValueError):
        Outcome(OutcomeKind.ACCEPTED, NOW, rating=5)
    with pytest.raises(ValueError):
        Outcome("promoted", NOW)
    with pytest.raises(ValueError, match="timezone"):
        reputation([Outcome(OutcomeKind.ACCEPTED, dt.datetime(2025, 1, 1))], NOW)
    with pytest.raises(ValueError):
        reputation_from_counts(-1, 0)
    with pytest.raises(ValueError):
        batch_reputation([1, 2], [1])
    with pytest.raises(ValueError):
        aggregate_outcomes([0, 5], [1, 1], [1, 1], [0, 0], n_experts=3)
    with pytest.raises(ValueError):
        decay_factor(1, 0)
    with pytest.raises(ValueError):
        beta_lower_bound(1, 1, 1.5)
    with pytest.raises(ValueError):
        EvidenceWeights(gold=-1)


@pytest.mark.parametrize(
    ("success", "weight", "age"),
    [
        ([float("nan")], [1.0], [1.0]),
        ([1.0], [float("nan")], [1.0]),
        ([1.0], [float("inf")], [1.0]),
        ([1.0], [1.0], [float("nan")]),
    ],
)
def test_aggregate_outcomes_refuses_nan_and_infinite_inputs(success, weight, age):
    from scoring.reputation import aggregate_outcomes

    with pytest.raises(ValueError, match="NaN"):
        aggregate_outcomes([0], success, weight, age, 1)


def test_evidence_arrays_match_the_one_by_one_rules():
    import datetime as dt

    import numpy as np

    from scoring.reputation import (
        Outcome,
        OutcomeKind,
        evidence_arrays,
        kind_code,
        success_and_weight,
    )

    at = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    outcomes = [
        Outcome(OutcomeKind.ACCEPTED, at),
        Outcome(OutcomeKind.REJECTED, at),
        Outcome(OutcomeKind.RATING, at, rating=4),
        Outcome(OutcomeKind.GOLD_PASS, at),
        Outcome(OutcomeKind.GOLD_FAIL, at),
    ]
    kinds = [kind_code(o.kind) for o in outcomes]
    ratings = [np.nan if o.rating is None else o.rating for o in outcomes]
    success, weight = evidence_arrays(kinds, ratings)
    expected = [success_and_weight(o) for o in outcomes]
    assert list(zip(success, weight, strict=True)) == expected
    with pytest.raises(ValueError):
        evidence_arrays([kind_code("rating")], [np.nan])


def test_batch_reputation_takes_a_prior_per_element():
    from scoring.reputation import BetaPrior, batch_reputation, reputation_from_counts

    batch = batch_reputation([3.0, 3.0], [1.0, 1.0], priors=([1.0, 4.0], [1.0, 2.0]))
    for i, prior in enumerate([BetaPrior(1, 1), BetaPrior(4, 2)]):
        single = reputation_from_counts(3.0, 1.0, prior)
        assert batch.mean[i] == pytest.approx(single.mean, abs=1e-12)
        assert batch.lower_bound[i] == pytest.approx(single.lower_bound, abs=1e-12)
    with pytest.raises(ValueError):
        batch_reputation([1.0], [1.0], priors=([0.0], [1.0]))


def test_day_anchor_truncates_to_the_day():
    import datetime as dt

    from scoring.reputation import day_anchor

    now = dt.datetime(2026, 3, 4, 17, 5, 9, 123, tzinfo=dt.UTC)
    assert day_anchor(now) == dt.datetime(2026, 3, 4, tzinfo=dt.UTC)
