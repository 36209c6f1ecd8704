"""The settlement jobs: the scheduled sweep, the hand-over, and notifications after the commit."""

from __future__ import annotations

import time
from types import SimpleNamespace

import pytest

from marketplace.rewards import lifecycle, services
from marketplace.schedule import PERIODIC_JOBS, PeriodicRunner
from tests.factories import make_company
from tests.rewards import helpers as h
from workers import rewards as jobs


@pytest.fixture
def pending(app, money):
    """Three accepted answers waiting for settlement."""
    company = make_company(app, budget=100_000).id
    expert = h.expert(h.pool_of(company))
    answers = [h.answer(h.post(company, amount=1000), expert) for _ in range(3)]
    for answer in answers:
        lifecycle.accept_answer_reward(answer, 0.9, h.ACTOR)
    money.session.rollback()
    return answers


def test_the_scheduled_sweep_settles_what_no_job_was_queued_for(app, money, pending):
    sweep = next(job for job in PERIODIC_JOBS if job.name == "rewards-sweep")
    assert sweep.every == 60 and sweep.func == "workers.rewards.settle_pending"
    now, backend = time.time(), app.extensions["job_queue"]
    for _ in range(2):  # two web processes queue the same bucket, the second after the first ran
        money.session.rollback()  # SQLite: hold no lock while the job writes
        with app.app_context():
            assert PeriodicRunner((sweep,)).run_due(now) == [f"rewards-sweep-{int(now // 60)}"]
        assert backend.wait_until_idle(20) and backend.failed == []
        money.session.rollback()
        assert all(h.captures_of(answer) == 1 for answer in pending)  # paid once
    h.assert_ledger_ok()


def test_a_job_out_of_time_hands_over_under_one_deterministic_id(app, money, pending, monkeypatch):
    queued = []
    monkeypatch.setattr("marketplace.queue.enqueue", lambda *a, **k: queued.append(k["job_id"]))
    monkeypatch.setattr(jobs, "time", SimpleNamespace(time=lambda: 1_000_030.5))
    assert jobs.settle_pending(limit=1, max_seconds=0) == 1  # one batch, then time is up
    assert jobs.settle_pending(limit=1, max_seconds=0) == 1
    assert queued == ["rewards-settle-more-1000030", "rewards-settle-more-1000030"]
    assert jobs.handover_job_id(1_000_030.5, 60) == "rewards-settle-more-16667"
    assert jobs.handover_job_id(1_000_019.9, 60) == "rewards-settle-more-16666"


def test_a_failing_notification_after_the_commit_does_not_fail_the_job(
    app, money, pending, monkeypatch
):
    calls = []

    def redis_down(reward_ids):
        calls.append(list(reward_ids))
        raise ConnectionError("the message queue is down")

    monkeypatch.setattr(services, "notify_reward_credited", redis_down)
    assert jobs.settle_pending(limit=2) == 3  # the job succeeds: RQ will not run it again
    assert [len(ids) for ids in calls] == [2, 1]
    assert all(h.captures_of(answer) == 1 for answer in pending)
    h.assert_ledger_ok()
