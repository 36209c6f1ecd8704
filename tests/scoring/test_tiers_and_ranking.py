"""Tests for scoring.tiers (promotion, demotion, hysteresis) and scoring.ranking helpers."""

import pytest

from scoring.ranking import bayesian_average, wilson_lower_bound
from scoring.reputation import reputation_from_counts
from scoring.tiers import Tier, TierPolicy, next_tier


def test_promotion_needs_evidence_and_a_high_lower_bound():
    assert next_tier(Tier.PROBATION, 0.65, answers_count=9) is Tier.PROBATION
    assert next_tier(Tier.PROBATION, 0.65, answers_count=10) is Tier.VETTED
    assert next_tier(Tier.PROBATION, 0.59, answers_count=500) is Tier.PROBATION
    assert next_tier(Tier.VETTED, 0.85, answers_count=49) is Tier.VETTED
    assert next_tier(Tier.VETTED, 0.85, answers_count=50) is Tier.TRUSTED


def test_promotion_is_one_step_at_a_time():
    assert next_tier(Tier.PROBATION, 0.95, answers_count=1000) is Tier.VETTED


def test_demotion_ignores_answer_count_and_can_drop_two_tiers():
    assert next_tier(Tier.TRUSTED, 0.70, answers_count=0) is Tier.VETTED
    assert next_tier(Tier.TRUSTED, 0.30, answers_count=1000) is Tier.PROBATION
    assert next_tier("vetted", 0.49, answers_count=1000) is Tier.PROBATION


def test_hysteresis_prevents_flapping():
    tier = Tier.PROBATION
    history = []
    for bound in [0.61, 0.58, 0.62, 0.55, 0.59, 0.52, 0.60]:
        tier = next_tier(tier, bound, answers_count=20)
        history.append(tier)
    assert history == [Tier.VETTED] * 7
    assert next_tier(Tier.TRUSTED, 0.75, 100) is Tier.TRUSTED
    assert next_tier(Tier.VETTED, 0.75, 100) is Tier.VETTED


def test_reputation_objects_are_accepted():
    assert next_tier(Tier.VETTED, reputation_from_counts(90, 10), 100) is Tier.TRUSTED
    assert next_tier(Tier.PROBATION, reputation_from_counts(9, 1), 10) is Tier.VETTED
    assert next_tier(Tier.PROBATION, reputation_from_counts(2, 0), 2) is Tier.PROBATION


def test_invalid_tier_inputs():
    with pytest.raises(ValueError):
        next_tier(Tier.VETTED, 1.5, 10)
    with pytest.raises(ValueError):
        next_tier(Tier.VETTED, 0.5, -1)
    with pytest.raises(ValueError):
        next_tier("gold", 0.5, 1)
    with pytest.raises(ValueError):
        TierPolicy(vetted_promote=0.5, vetted_demote=0.6)


def test_wilson_lower_bound():
    assert wilson_lower_bound(0, 0) == 0.0
    assert wilson_lower_bound(9, 1) < wilson_lower_bound(90, 10)
    assert wilson_lower_bound(2, 0) < wilson_lower_bound(90, 10)
    assert wilson_lower_bound(90, 10) == pytest.approx(0.8256, abs=1e-3)
    assert 0.0 <= wilson_lower_bound(0, 5) < 0.01
    with pytest.raises(ValueError):
        wilson_lower_bound(-1, 3)


def test_bayesian_average_pulls_small_samples_to_the_prior():
    assert bayesian_average(0, 0, prior_mean=3.8) == 3.8
    one_five = bayesian_average(5, 1, prior_mean=3.5, prior_weight=10)
    many_fours = bayesian_average(4.6 * 200, 200, prior_mean=3.5, prior_weight=10)
    assert one_five == pytest.approx((35 + 5) / 11)
    assert many_fours > one_five
    with pytest.raises(ValueError):
        bayesian_average(30, 5)  # more than 5 stars per rating
    with pytest.raises(ValueError):
        bayesian_average(3, 1, prior_mean=0)


def test_settle_tier_is_a_fixpoint_and_keeps_hysteresis():
    from scoring.tiers import Tier, settle_tier

    assert settle_tier(Tier.PROBATION, 0.85, 60) is Tier.TRUSTED
    for tier in Tier:
        for bound in (0.0, 0.45, 0.55, 0.65, 0.75, 0.85, 1.0):
            for count in (0, 10, 49, 50, 200):
                once = settle_tier(tier, bound, count)
                assert settle_tier(once, bound, count) is once
    assert settle_tier(Tier.TRUSTED, 0.75, 60) is Tier.TRUSTED
    assert settle_tier(Tier.VETTED, 0.75, 60) is Tier.VETTED
    assert settle_tier(Tier.TRUSTED, 0.40, 60) is Tier.PROBATION
