"""Faults under load: the soak's load on the production set-up while, one after the other,
  1. an RQ worker is killed (SIGKILL to its process group: worker and work horse);
  2. Redis is restarted (SIGTERM, then started again on the same port and data directory);
  3. a web process is restarted (SIGTERM: its graceful shutdown; the supervisor starts another).
Reports what was lost (questions, offers, jobs, rewards; the goal is nothing) and how long each
recovery took; exit code 1 if anything was lost or the ledger does not check out.

It never touches the shared services: it starts its own `redis-server` on a free port (append-
only file, `appendfsync everysec`, as production Redis should run) and uses its own database,
BENCH_DATABASE_URL's name + `_faults` (created and wiped).

    bench/faults                # 90 s of load at 5 questions/s, faults at 20 s intervals
    bench/faults --quick        # what the smoke test runs
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import subprocess
import tempfile
import time
import urllib.request
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from redis import Redis
from redis.exceptions import RedisError

from bench import load, offers, soak
from bench.common import bench_urls
from bench.stack import ProdStack
from marketplace.schedule import PERIODIC_JOBS, PeriodicJob
from tests.live import free_port


@dataclass
class RedisServer:
    """A redis-server of our own (the shared one is never restarted)."""

    port: int
    data_dir: Path
    process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        """Its Redis URL (db 0)."""
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        """Start it and wait until it answers PING."""
        command = ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1"]
        command += ["--dir", str(self.data_dir), "--appendonly", "yes", "--save", ""]
        command += ["--appendfsync", "everysec"]
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and self.process.poll() is None:
            try:
                if Redis.from_url(self.url).ping():
                    return
            except (OSError, RedisError):
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def stop(self) -> None:
        """SIGTERM and wait for it to exit."""
        if self.process and self.process.poll() is None:
            self.process.terminate()  # SHUTDOWN: the append-only file is flushed first
            self.process.wait(30)


async def wait_until(predicate, timeout: float = 120) -> float:
    """Seconds until `predicate()` (run in a thread) is true; raises after `timeout`."""
    started = time.monotonic()
    while not await asyncio.to_thread(predicate):
        if time.monotonic() - started > timeout:
            raise TimeoutError(f"not recovered within {timeout}s")
        await asyncio.sleep(0.1)
    return round(time.monotonic() - started, 2)


def ready(url: str) -> bool:
    """Whether a web process answers /readyz with 200."""
    try:
        with urllib.request.urlopen(url + "/readyz", timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


def restarted(stack: ProdStack, name: str, old_pid: int) -> bool:
    """The supervisor runs `name` again under a new pid (and a web one is ready)."""
    child = next(c for c in stack.state()["children"] if c["name"] == name)
    if child["status"] != "running" or child["pid"] == old_pid:
        return False
    return child["role"] != "web" or ready(f"http://127.0.0.1:{child['port']}")


async def kill_worker(stack: ProdStack) -> dict[str, Any]:
    """SIGKILL the first worker's process group; time until the supervisor runs it again."""
    worker = stack.children("worker")[0]
    os.killpg(worker["pid"], signal.SIGKILL)
    seconds = await wait_until(lambda: restarted(stack, worker["name"], worker["pid"]))
    return {"fault": f"kill -9 {worker['name']}", "recovered_in_s": seconds}


async def restart_redis(stack: ProdStack, redis: RedisServer) -> dict[str, Any]:
    """Stop and start our Redis; time until every web process is ready again."""
    started = time.monotonic()
    await asyncio.to_thread(redis.stop)
    down = round(time.monotonic() - started, 2)
    await asyncio.to_thread(redis.start)
    seconds = await wait_until(lambda: all(ready(url) for url in stack.web_urls))
    return {"fault": "restart Redis", "down_s": down, "recovered_in_s": seconds}


async def restart_web(stack: ProdStack, experts: int, record: load.LoadRecord) -> dict:
    """SIGTERM one web process (the gunicorn master: its graceful shutdown); time until the
    supervisor's new one is ready, and until its experts are back (through nginx, on the
    other process), both from the signal."""
    web = stack.children("web")[0]
    dropped_before = record.disconnects
    os.kill(web["pid"], signal.SIGTERM)
    back = asyncio.create_task(experts_back(record, experts, dropped_before))
    seconds = await wait_until(lambda: restarted(stack, web["name"], web["pid"]))
    return {"fault": f"SIGTERM {web['name']}", "recovered_in_s": seconds,
            "experts_reconnected_in_s": await back}  # fmt: skip


async def experts_back(record: load.LoadRecord, experts: int, dropped_before: int) -> float | str:
    """Seconds until every expert is connected again after some were dropped."""
    started = time.monotonic()
    try:
        await wait_until(lambda: record.disconnects > dropped_before, timeout=15)
    except TimeoutError:
        return "no expert was connected to it"
    await wait_until(lambda: record.connects - record.disconnects >= experts, timeout=60)
    return round(time.monotonic() - started, 2)


def lost_jobs(redis_url: str) -> dict[str, Any]:
    """Per queue: jobs RQ gave up on (failed registry: lost), still running and still queued
    (a backlog, not a loss). A job marked started whose worker process is gone was abandoned
    by the killed worker: listed under `abandoned` with its retries left. RQ's registry cleanup
    runs it again once its execution expires (its timeout, checked at the workers' maintenance,
    every 10 minutes); with no retry left it would be lost."""
    from rq import Queue
    from rq.job import Job
    from rq.registry import FailedJobRegistry, StartedJobRegistry

    connection = Redis.from_url(redis_url)
    counts: dict[str, Any] = {"abandoned": []}
    for name in ("high", "default", "low"):
        queue = Queue(name, connection=connection)
        counts[f"{name}_failed"] = FailedJobRegistry(queue=queue).count
        counts[f"{name}_queued"] = len(queue)
        running = 0
        for job_id in StartedJobRegistry(queue=queue).get_job_ids(cleanup=False):
            job = Job.fetch(job_id, connection=connection)
            if _worker_alive(job, connection):
                running += 1
            else:
                periodic = periodic_job_of(job.id, job.func_name)
                counts["abandoned"].append(
                    {
                        "job": job.id,
                        "function": job.func_name,
                        "retries_left": job.retries_left or 0,
                        # The scheduler queues a periodic job's next run on its own.
                        "periodic_every_s": periodic.every if periodic else None,
                    }
                )
        counts[f"{name}_started"] = running
    return counts


def periodic_job_of(job_id: str, func_name: str) -> PeriodicJob | None:
    """The periodic job (marketplace/schedule.py) a run `<name>-<bucket>` belongs to, if any."""
    name, _, bucket = job_id.rpartition("-")
    for periodic in PERIODIC_JOBS:
        if periodic.name == name and periodic.func == func_name and bucket.isdigit():
            return periodic
    return None


def _worker_alive(job: Any, connection: Redis) -> bool:
    """Whether the process of the worker running `job` still exists (the harness's workers
    run on this machine)."""
    from rq import Worker

    if not job.worker_name:
        return False
    worker = Worker.find_by_key(
        Worker.redis_worker_namespace_prefix + job.worker_name, connection=connection
    )
    if worker is None or not worker.pid:
        return False
    try:
        os.kill(worker.pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def unscored_answers(database_url: str, redis_url: str, record: load.LoadRecord) -> dict:
    """Answers of the posted questions still without an outcome, split by their scoring job
    (`score-<answer id>`): still queued or running is a backlog; none, or given up, is lost."""
    from rq.job import Job

    engine = sa.create_engine(database_url)
    with engine.connect() as connection:
        ids = connection.execute(
            sa.text("SELECT id FROM answers WHERE outcome = 'pending' AND question_id = ANY(:q)"),
            {"q": [uuid.UUID(i) for i in record.posted.values()]},
        ).scalars()
        answer_ids = [str(i) for i in ids]
    engine.dispose()
    connection = Redis.from_url(redis_url)
    jobs = Job.fetch_many([f"score-{i}" for i in answer_ids], connection=connection)
    waiting = ("queued", "started", "scheduled", "deferred")
    backlog = sum(1 for job in jobs if job is not None and job.get_status() in waiting)
    return {"backlog": backlog, "lost": len(answer_ids) - backlog}


def offers_state(database_url: str) -> dict[str, int]:
    """Offers by status at the end (none should be left pending)."""
    engine = sa.create_engine(database_url)
    with engine.connect() as connection:
        rows = connection.execute(sa.text("SELECT status, count(*) FROM offers GROUP BY 1")).all()
    engine.dispose()
    return dict(rows)


async def faults(
    stack: ProdStack, redis: RedisServer, experts: int, record: load.LoadRecord, gap: float
) -> list[dict[str, Any]]:
    """The three faults in turn, `gap` seconds apart, while the load runs."""
    done = []
    await asyncio.sleep(gap)
    done.append(await kill_worker(stack))
    await asyncio.sleep(gap)
    done.append(await restart_redis(stack, redis))
    await asyncio.sleep(gap)
    done.append(await restart_web(stack, experts, record))
    return done


def main() -> int:
    """Run the load with the faults; print and check what was lost."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=90.0, help="of load")
    parser.add_argument("--gap", type=float, default=20.0, help="seconds between faults")
    parser.add_argument("--rate", type=float, default=5.0)
    parser.add_argument("--experts", type=int, default=30)
    parser.add_argument("--drain", type=float, default=150.0)
    parser.add_argument("--quick", action="store_true", help="short run for the smoke test")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    if args.quick:
        args.seconds, args.gap, args.rate, args.experts = 16.0, 4.0, 2.0, 6
    database_url = own_database(bench_urls()[0])
    with tempfile.TemporaryDirectory(prefix="bench-faults-") as tmp:
        redis = RedisServer(free_port(), Path(tmp))
        redis.start()
        try:
            result = asyncio.run(run(args, database_url, redis, Path(tmp)))
            result["jobs"] = lost_jobs(redis.url)
            result["unscored"] = unscored_answers(database_url, redis.url, result["record"])
        finally:
            redis.stop()
    return report(result, database_url, args.json)


def own_database(url: str) -> str:
    """The fault harness's database: never the one other benchmarks use."""
    parsed = sa.engine.make_url(url)
    return parsed.set(database=f"{parsed.database}_faults").render_as_string(hide_password=False)


async def run(
    args: argparse.Namespace, database_url: str, redis: RedisServer, tmp: Path
) -> dict[str, Any]:
    """Seed, start the stack on our Redis, run the load with the faults, stop."""
    keys, tokens = offers.prepare(database_url, redis.url, args.experts)
    stack = await asyncio.to_thread(ProdStack.start, database_url, redis.url, tmp / "run")
    try:
        result = await soak.run_load(
            stack, database_url, tokens, keys[0], args.rate, args.seconds, args.drain,
            lambda record: faults(stack, redis, args.experts, record, args.gap),
        )  # fmt: skip
    finally:
        await asyncio.to_thread(stack.stop)
    result["offers"] = offers_state(database_url)
    return result


def report(result: dict[str, Any], database_url: str, json_path: Path | None) -> int:
    """Print the faults, their recovery times and what was lost; 1 if anything was."""
    record, outcome, jobs = result["record"], result["outcome"], result["jobs"]
    # Still queued is slow, not lost: pending rewards are settled by the minutely sweep, and
    # unscored answers whose job is still queued will be scored.
    lost = [p for p in soak.lost_or_stuck(outcome) if "without a settled reward" not in p]
    if result["unscored"]["lost"]:
        lost.append(f"{result['unscored']['lost']} answers unscored with no scoring job left")
    if record.gave_up:
        lost.append(f"{len(record.gave_up)} questions never acknowledged")
    lost += [
        f"RQ {k.replace('_', ' ')}: {v} jobs"
        for k, v in jobs.items()
        if k != "abandoned" and v and "queued" not in k
    ]
    lost += [
        f"RQ job {j['job']} ({j['function']}) abandoned with no retry left"
        for j in jobs["abandoned"]
        if not j["retries_left"] and not j["periodic_every_s"]
    ]
    lost += [f"ledger: {v}" for v in load.ledger_violations(database_url)[:20]]
    waiting = sum(v for k, v in jobs.items() if k != "abandoned" and "failed" not in k)
    backlog = {"answers_being_scored": result["unscored"]["backlog"],
               "rewards_pending": outcome["rewards"].get("pending", 0),
               "jobs_queued_or_running": waiting}  # fmt: skip
    document = {
        "faults": result["during"],
        "posted": len(record.posted),
        "post_attempts_failed_and_retried": len(record.failures),
        "answers": record.answers,
        "outcome": outcome,
        "offers": result["offers"],
        "jobs": jobs,
        "backlog_at_the_end": backlog,
        "lost": lost,
    }
    print(json.dumps(document, indent=2, default=str))
    if json_path:
        json_path.write_text(json.dumps(document, indent=2, default=str))
    for job in jobs["abandoned"]:
        if job["retries_left"] or job["periodic_every_s"]:
            print(f"abandoned by the killed worker, runs again (a retry or its next period): {job}")
    for problem in lost:
        print(f"LOST: {problem}")
    print("faults: something was lost" if lost else "faults: nothing lost")
    return 1 if lost else 0


if __name__ == "__main__":
    raise SystemExit(main())
