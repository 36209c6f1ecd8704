"""`flask worker`: jobs run in the worker process by default, in a work horse each with --fork
(or WORKER_FORK=1); either way every job is counted in the job metrics."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from redis import Redis
from rq import Queue

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    ("flags", "env", "forked"),
    [((), {}, False), (("--fork",), {}, True), ((), {"WORKER_FORK": "1"}, True)],
    ids=["default-warm", "fork-flag", "fork-env"],
)
def test_where_jobs_run(redis_url, tmp_path, flags, env, forked):
    prefix = f"runner-{len(flags)}{len(env)}-"
    queue = Queue(prefix + "default", connection=Redis.from_url(redis_url))
    for n in range(3):
        queue.enqueue("tests.workers.jobs_for_tests.write_pid", redis_url, "pids", job_id=f"p{n}")
    worker = subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "wsgi", "worker", "--burst", *flags],
        cwd=ROOT,
        env=os.environ
        | {
            "DATABASE_URL": f"sqlite:///{tmp_path}/runner.db",
            "REDIS_URL": redis_url,
            "JOB_QUEUE_PREFIX": prefix,
            "PROMETHEUS_MULTIPROC_DIR": str(tmp_path),
            "LOG_LEVEL": "WARNING",
            **env,
        },
    )
    assert worker.wait(60) == 0
    pids = {int(p) for p in Redis.from_url(redis_url).lrange("pids", 0, -1)}
    if forked:
        assert len(pids) == 3 and worker.pid not in pids  # a fresh horse per job
    else:
        assert pids == {worker.pid}  # all three in the worker itself
    counted = b"".join(p.read_bytes() for p in tmp_path.glob("counter_*.db"))
    assert b"tests.workers.jobs_for_tests.write_pid" in counted
