"""Periodic jobs: queued once per bucket, whichever web process asks, in-process and on RQ."""

from __future__ import annotations

from marketplace.queue import JobOptions
from marketplace.schedule import PERIODIC_JOBS, PeriodicJob, PeriodicRunner
from tests.conftest import make_app
from tests.workers import jobs_for_tests as jobs

TICK = PeriodicJob(
    "tick",
    "tests.workers.jobs_for_tests.periodic_tick",
    every=60,
    offset=10,
    options=JobOptions(queue="low", retry_delays=()),
)


def test_each_bucket_is_queued_once_and_runs(tmp_path):
    app = make_app(f"sqlite:///{tmp_path}/s.db")
    jobs.CALLS.clear()
    runner = PeriodicRunner((TICK,))
    with app.app_context():
        assert runner.run_due(70.0) == ["tick-1"]  # 70 s is 60 s past the 10 s offset
        assert runner.run_due(129.9) == []  # still bucket 1
        assert runner.run_due(130.0) == ["tick-2"]
    assert app.extensions["job_queue"].wait_until_idle(5)
    assert [tag for tag, _ in jobs.CALLS] == ["tick", "tick"]


def test_two_web_processes_queue_one_job_per_bucket_on_redis(redis_url, tmp_path):
    apps = [
        make_app(f"sqlite:///{tmp_path}/s.db", REDIS_URL=redis_url, JOB_QUEUE_PREFIX="sched-")
        for _ in range(2)
    ]
    queued = []
    for app in apps:  # each app stands for one web process with its own runner
        with app.app_context():
            queued += PeriodicRunner((TICK,)).run_due(1000.0)
    assert queued == ["tick-16"]
    queue = apps[0].extensions["job_queue"].rq_queue("low")
    assert [job.id for job in queue.jobs] == ["tick-16"]


def test_the_shipped_jobs_name_importable_functions():
    from marketplace.queue import resolve

    assert len({job.name for job in PERIODIC_JOBS}) == len(PERIODIC_JOBS)
    for job in PERIODIC_JOBS:
        assert callable(resolve(job.func)), job.func
