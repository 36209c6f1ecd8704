"""bench/faults' job accounting on a real Redis and a real `flask worker`: a job the worker is
running counts as running; once the worker is killed mid-job it is listed as abandoned with the
retries RQ will use to run it again. A periodic run abandoned that way (they have no retries)
is not lost either: the scheduler queues the next one."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from redis import Redis
from rq import Queue, Retry

from bench.faults import lost_jobs, periodic_job_of

ROOT = Path(__file__).resolve().parents[2]


def test_a_job_of_a_killed_worker_is_abandoned_not_running(redis_url, tmp_path):
    connection = Redis.from_url(redis_url)
    queue = Queue("default", connection=connection)
    job = queue.enqueue(
        "tests.workers.jobs_for_tests.slow_marker",
        redis_url,
        "slow",
        60,
        job_id="slow-1",
        retry=Retry(max=2),
    )
    worker = subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "wsgi", "worker", "--queues", "default"],
        cwd=ROOT,
        env=os.environ
        | {
            "DATABASE_URL": f"sqlite:///{tmp_path}/w.db",
            "REDIS_URL": redis_url,
            "LOG_LEVEL": "WARNING",
        },
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 30
        while not connection.get("slow:started"):
            assert time.monotonic() < deadline, "the worker never started the job"
            time.sleep(0.1)
        running = lost_jobs(redis_url)
        assert running["default_started"] == 1 and running["abandoned"] == []
    finally:
        os.killpg(worker.pid, signal.SIGKILL)  # mid-job, as bench/faults does
        worker.wait(10)
    after = lost_jobs(redis_url)
    assert after["default_started"] == 0
    assert after["abandoned"] == [
        {
            "job": job.id,
            "function": "tests.workers.jobs_for_tests.slow_marker",
            "retries_left": 2,
            "periodic_every_s": None,
        }
    ]
    assert not connection.get("slow:done")


def test_a_periodic_run_is_told_by_its_id_and_function():
    sweep = periodic_job_of("scoring-sweep-5987130", "workers.scoring.requeue_unscored")
    assert sweep is not None and sweep.every == 300
    assert periodic_job_of("rewards-sweep-29935650", "workers.rewards.settle_pending").every == 60
    assert periodic_job_of("scoring-sweep-5987130", "workers.rewards.settle_pending") is None
    assert periodic_job_of("score-01a2-sweep-12", "workers.scoring.score_answer") is None
    assert periodic_job_of("scoring-sweep-x", "workers.scoring.requeue_unscored") is None
