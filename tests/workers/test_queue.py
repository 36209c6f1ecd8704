"""The one enqueue(): in-process (delays, retries, duplicate ids) and on real Redis with RQ."""

from __future__ import annotations

import time

import pytest

from marketplace.queue import JobOptions, RedisJobBackend, enqueue
from tests.conftest import make_app
from tests.workers import jobs_for_tests as jobs


@pytest.fixture
def inprocess_app(tmp_path):
    app = make_app(f"sqlite:///{tmp_path}/q.db")
    jobs.CALLS.clear()
    jobs.FAILURES_LEFT.clear()
    return app


def test_jobs_run_in_the_background_with_an_app_context(inprocess_app):
    with inprocess_app.app_context():
        assert enqueue(jobs.record_call, "a")
    assert inprocess_app.extensions["job_queue"].wait_until_idle(5)
    assert [tag for tag, _ in jobs.CALLS] == ["a"]


def test_a_delay_is_honoured(inprocess_app):
    backend = inprocess_app.extensions["job_queue"]
    start = time.monotonic()
    with inprocess_app.app_context():
        enqueue(jobs.record_call, "later", delay=0.3)
    assert backend.pending() == 1
    deadline = time.monotonic() + 5
    while not jobs.CALLS and time.monotonic() < deadline:
        time.sleep(0.01)
    assert jobs.CALLS and jobs.CALLS[0][1] - start >= 0.3


def test_failures_are_retried_with_the_given_delays(inprocess_app):
    backend = inprocess_app.extensions["job_queue"]
    jobs.FAILURES_LEFT["f"] = 2
    with inprocess_app.app_context():
        enqueue(jobs.flaky, "f", options=JobOptions(retry_delays=(0.05, 0.1)))
    deadline = time.monotonic() + 5
    while len(jobs.CALLS) < 3 and time.monotonic() < deadline:
        time.sleep(0.01)
    times = [t for _, t in jobs.CALLS]
    assert len(times) == 3
    assert times[1] - times[0] >= 0.05 and times[2] - times[1] >= 0.1
    assert backend.failed == []


def test_a_job_that_keeps_failing_is_recorded_as_failed(inprocess_app):
    backend = inprocess_app.extensions["job_queue"]
    jobs.FAILURES_LEFT["g"] = 10
    with inprocess_app.app_context():
        enqueue(jobs.flaky, "g", job_id="job-g", options=JobOptions(retry_delays=(0.01,)))
    deadline = time.monotonic() + 5
    while not backend.failed and time.monotonic() < deadline:
        time.sleep(0.01)
    assert [job_id for job_id, _ in backend.failed] == ["job-g"]
    assert len(jobs.CALLS) == 2


def test_a_pending_job_id_is_not_queued_twice(inprocess_app):
    with inprocess_app.app_context():
        assert enqueue(jobs.record_call, "x", job_id="same", delay=0.2)
        assert not enqueue(jobs.record_call, "x", job_id="same", delay=0.2)
    time.sleep(0.3)
    assert inprocess_app.extensions["job_queue"].wait_until_idle(5)
    assert len(jobs.CALLS) == 1


def test_rq_on_real_redis_runs_jobs_once_per_id_with_retries(redis_url, tmp_path):
    from redis import Redis
    from rq import SimpleWorker

    app = make_app(f"sqlite:///{tmp_path}/rq.db", REDIS_URL=redis_url, JOB_QUEUE_PREFIX="test-")
    backend = app.extensions["job_queue"]
    assert isinstance(backend, RedisJobBackend)
    with app.app_context():
        assert enqueue(
            jobs.write_marker,
            redis_url,
            "marker",
            job_id="marker-job",
            options=JobOptions(retry_delays=(1, 2)),
        )
        assert not enqueue(jobs.write_marker, redis_url, "marker", job_id="marker-job")
    queue = backend.rq_queue("default")
    assert queue.name == "test-default" and queue.count == 1
    job = queue.jobs[0]
    assert (job.retries_left, job.retry_intervals, job.timeout) == (2, [1, 2], 120)
    SimpleWorker([queue], connection=backend.connection).work(burst=True)
    assert Redis.from_url(redis_url).get("marker") == b"marketplace"


def test_job_ids_follow_rqs_rule_in_every_mode(inprocess_app):
    with inprocess_app.app_context(), pytest.raises(ValueError, match="job id"):
        enqueue(jobs.record_call, "x", job_id="reward:123")
