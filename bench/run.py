"""Every benchmark on the production set-up of this machine, in one command, each figure beside
its raw baseline measured in the same run; writes bench/results/<date>.json, .md and .png.

    bench/run                 # full size: 1,000 and 5,000 experts at 50 and 200 questions/s
    bench/run --size medium   # 200 and 1,000 experts at 10 and 50 questions/s
    bench/run --quick         # seconds; what the smoke test runs

Each offer configuration gets a fresh database and a fresh `flask prod serve` (nginx, 2 web
processes, 2 RQ workers), so questions left by one never load the next. Uses
BENCH_DATABASE_URL (default: database `bench`, created and wiped) and BENCH_REDIS_URL (db 9,
flushed). Needs the `bench` extra (matplotlib) for the plot.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import subprocess
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import aiohttp
import socketio

from bench import load, offers, report, settlement
from bench.common import bench_app_config, bench_urls, percentiles, rss_of_processes
from bench.faults import unscored_answers
from bench.report import Figure
from bench.stack import ProdStack

SIZES: dict[str, dict[str, Any]] = {
    "quick": {"experts": (8,), "rates": (4,), "seconds": 2, "expiry_wait": 1,
              "e2e_experts": 4, "e2e_rate": 2, "e2e_seconds": 3, "batches": 2, "batch": 20,
              "rounds": 30, "settlement": settlement.SMOKE | {"workers": 1}},
    "medium": {"experts": (200, 1000), "rates": (10, 50), "seconds": 10, "expiry_wait": 13,
               "e2e_experts": 20, "e2e_rate": 5, "e2e_seconds": 20, "batches": 10, "batch": 200,
               "rounds": 300, "settlement": settlement.SMOKE | {"rewards": 5000, "per_reward": 100,
                                                               "noops": 300, "inserts": 2000}},
    "full": {"experts": (1000, 5000), "rates": (50, 200), "seconds": 20, "expiry_wait": 13,
             "e2e_experts": 50, "e2e_rate": 10, "e2e_seconds": 30, "batches": 20, "batch": 500,
             "rounds": 500, "settlement": settlement.FULL},
}  # fmt: skip


def main() -> None:
    """Parse the size, run everything, write and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", choices=list(SIZES), default="full")
    parser.add_argument("--quick", action="store_const", const="quick", dest="size")
    parser.add_argument("--out", type=Path, default=report.RESULTS, help="results directory")
    args = parser.parse_args()
    size = SIZES[args.size]
    database_url, redis_url = bench_urls()
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="bench-run-") as run_dir:
        figures, details = asyncio.run(run(size, database_url, redis_url, Path(run_dir)))
    date = datetime.now(UTC).strftime("%Y-%m-%d")
    details["config"] = {"size": args.size, **{k: v for k, v in size.items() if k != "settlement"}}
    details["config"]["settlement"] = size["settlement"]
    details["seconds"] = round(time.monotonic() - started, 1)
    paths = report.write(date, figures, details, args.out)
    print(paths["md"].read_text())
    print(" ".join(str(p) for p in paths.values()))


async def run(
    size: dict[str, Any], database_url: str, redis_url: str, run_dir: Path
) -> tuple[list[Figure], dict[str, Any]]:
    """Every measurement in turn; the figures and everything measured."""
    figures: list[Figure] = []
    details: dict[str, Any] = {"offers": [], "baselines": {}}
    for experts in size["experts"]:
        for rate in size["rates"]:
            result = await offer_latency(size, experts, rate, database_url, redis_url, run_dir)
            details["offers"].append(result)
            figures += offer_figures(result)
    details["baselines"] = result["baselines"]  # the last stack's; each run is in "offers"
    figures += memory_figures(details["offers"][-1])
    system = await system_and_ingestion(size, database_url, redis_url, run_dir)
    details["end_to_end"] = system
    figures += system_figures(system)
    rows, ledger_ok = settlement.measure(database_url, redis_url, size["settlement"])
    details["settlement"] = {"rows": rows, "ledger_ok": ledger_ok}
    figures += settlement_figures(rows)
    return figures, details


@contextlib.contextmanager
def production(database_url: str, redis_url: str, run_dir: Path, workers: int = 2):
    """`flask prod serve` (2 web processes) and the bare echo server (`.url`, `.processes`),
    stopped on leaving."""
    stack = ProdStack.start(database_url, redis_url, run_dir, web=2, workers=workers)
    echo = SimpleNamespace(processes=[])  # what offers.start_echo_server appends to
    try:
        echo.url = offers.start_echo_server(echo)
        yield stack, echo
    finally:
        try:
            for process in echo.processes:
                process.terminate()
            for process in echo.processes:
                try:
                    process.wait(15)
                except subprocess.TimeoutExpired:
                    process.kill()
        finally:
            stack.stop()


async def offer_latency(
    size: dict[str, Any],
    experts: int,
    rate: float,
    database_url: str,
    redis_url: str,
    run_dir: Path,
) -> dict[str, Any]:
    """bench.offers on a fresh database and stack, through nginx, with its baselines and the
    web processes' memory before and after the experts connected."""
    keys, tokens = offers.prepare(database_url, redis_url, experts)
    with production(database_url, redis_url, run_dir) as (stack, echo):
        baselines = await measure_baselines(stack, echo, redis_url, size["rounds"], experts)
        result = await offers.measure(
            [stack.url], [stack.url], keys, tokens, rate, size["seconds"], database_url,
            redis_url, expiry_wait=size["expiry_wait"], decision_samples=min(100, experts),
            memory=lambda: stack.rss("web"),
        )  # fmt: skip
    result["baselines"] = baselines
    print(
        f"offers: {experts} experts, {rate}/s: sent -> offer p50 "
        f"{result['sent_to_offer_ms']['p50']:.1f} ms, p99 {result['sent_to_offer_ms']['p99']:.1f}"
    )
    return result


async def measure_baselines(
    stack: ProdStack, echo: SimpleNamespace, redis_url: str, rounds: int, connections: int
) -> dict[str, Any]:
    """Socket.IO echo and Redis PING round trips, an RQ no-op job's round trip on the stack's
    workers, and the echo server's memory per bare connection."""
    round_trips = await offers.echo_baseline(echo.url, rounds)
    pings = offers.redis_baseline(redis_url, rounds)
    jobs = await asyncio.to_thread(noop_round_trips, stack, max(5, rounds // 10))
    return {
        "socketio_echo_ms": percentiles(round_trips),
        "redis_ping_ms": percentiles(pings),
        "rq_noop_round_trip_ms": percentiles(jobs),
        "echo_bytes_per_connection": await echo_memory(echo, connections),
    }


def noop_round_trips(stack: ProdStack, count: int) -> list[float]:
    """Milliseconds from enqueueing workers.maintenance.noop to RQ reporting it finished."""
    from rq.job import Job

    from marketplace import create_app
    from marketplace.queue import enqueue

    app = create_app(bench_app_config(stack.env["DATABASE_URL"], stack.env["REDIS_URL"]))
    samples = []
    with app.app_context():
        connection = app.extensions["job_queue"].connection
        for n in range(count):
            job_id = f"bench-noop-{time.monotonic_ns()}-{n}"
            started = time.perf_counter()
            enqueue("workers.maintenance.noop", job_id=job_id)
            while Job.fetch(job_id, connection=connection).get_status() != "finished":
                time.sleep(0.002)
            samples.append((time.perf_counter() - started) * 1000)
    return samples


async def echo_memory(echo: SimpleNamespace, connections: int) -> float:
    """Resident bytes the bare echo server adds per open Socket.IO connection."""
    pids = [p.pid for p in echo.processes]  # in our own process group: counted by pid
    before = rss_of_processes(pids)
    clients = [socketio.AsyncClient(reconnection=False) for _ in range(connections)]
    for start in range(0, connections, 50):
        await asyncio.gather(
            *(c.connect(echo.url, transports=["websocket"]) for c in clients[start : start + 50])
        )
    after = rss_of_processes(pids)
    await asyncio.gather(*(c.disconnect() for c in clients))
    return (after - before) / connections


async def system_and_ingestion(
    size: dict[str, Any], database_url: str, redis_url: str, run_dir: Path
) -> dict[str, Any]:
    """Question posted -> reward settled with experts answering at once; then ingestion through
    POST /questions/batch (experts gone, so the batch measures ingestion); plain row inserts."""
    keys, tokens = offers.prepare(database_url, redis_url, size["e2e_experts"])
    record = load.LoadRecord()
    with production(database_url, redis_url, run_dir) as (stack, echo):
        baselines = await measure_baselines(stack, echo, redis_url, size["rounds"], 1)
        crowd = await load.connect_crowd(stack.url, tokens, record)
        await load.post_questions(stack.url, keys[0], size["e2e_rate"], size["e2e_seconds"], record)
        ids = list(record.posted.values())
        outcome = await asyncio.to_thread(load.wait_for_outcomes, database_url, ids, 90)
        # An answer still unscored after the drain: is its scoring job waiting (for a retry)?
        outcome["unscored"] = unscored_answers(database_url, redis_url, record)
        await load.disconnect_crowd(crowd)
        ingested, seconds, refused = await ingest(
            stack.url, keys[0], size["batches"], size["batch"]
        )
    rows = await asyncio.to_thread(row_inserts, database_url, size["batches"] * size["batch"])
    return {
        "system_ms": percentiles(load.system_times(database_url, ids)),
        "outcome": outcome,
        "post_failures": len(record.failures),
        "ingested": ingested,
        "ingest_seconds": seconds,
        "ingest_refused": refused,
        "row_inserts": rows,
        "baselines": baselines,
    }


async def ingest(url: str, key: str, batches: int, per_batch: int) -> tuple[int, float, int]:
    """POST /api/v1/questions/batch `batches` times, two at a time (one per web process);
    (questions created, seconds, items refused)."""
    headers = {"Authorization": f"Bearer {key}"}
    created = refused = 0
    semaphore = asyncio.Semaphore(2)
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=300)) as session:

        async def post(n: int) -> None:
            nonlocal created, refused
            items = [load.question_body(f"ingest-{n}-{i}") for i in range(per_batch)]
            async with (
                semaphore,
                session.post(
                    url + "/api/v1/questions/batch", json={"items": items}, headers=headers
                ) as response,
            ):
                results = (await response.json())["results"]
                created += sum(r["status"] == 201 for r in results)
                refused += sum(r["status"] >= 400 for r in results)

        started = time.perf_counter()
        await asyncio.gather(*(post(n) for n in range(batches)))
    return created, time.perf_counter() - started, refused


def row_inserts(database_url: str, count: int) -> dict[str, float]:
    """Plain rows per second into a scratch table: a transaction each, and one executemany."""
    from marketplace import create_app

    app = create_app(bench_app_config(database_url, None))
    with app.app_context():
        rows = settlement.insert_rates(count)
    return {label: n / seconds for label, n, seconds in rows}


def offer_figures(result: dict[str, Any]) -> list[Figure]:
    """Offer latency p50 and p99 beside the Socket.IO echo round trip of the same stack."""
    config, base = result["config"], result["baselines"]
    label = f"offer latency, {config['experts']:,} experts, {config['rate']:g} q/s"
    return [
        Figure(f"{label}, {q}", result["sent_to_offer_ms"][q], "ms",
               f"Socket.IO echo round trip {q}", base["socketio_echo_ms"][q])
        for q in ("p50", "p99")
    ]  # fmt: skip


def memory_figures(result: dict[str, Any]) -> list[Figure]:
    """Web RSS per connected expert beside the bare echo server's per connection."""
    experts = result["config"]["experts"] - result["connect_errors"]  # those connected
    per_expert = (result["rss_after"] - result["rss_before"]) / max(1, experts) / 1024
    baseline = result["baselines"]["echo_bytes_per_connection"] / 1024
    return [
        Figure(f"memory per connected expert ({experts:,}, web RSS)", per_expert, "KiB",
               "bare Socket.IO echo server, per connection", baseline)
    ]  # fmt: skip


def system_figures(system: dict[str, Any]) -> list[Figure]:
    """End-to-end system time beside RQ and Redis round trips; ingestion beside row inserts."""
    base = system["baselines"]
    figures = [
        Figure(f"question posted -> reward settled, {q}", system["system_ms"][q], "ms",
               f"RQ no-op job round trip {q}", base["rq_noop_round_trip_ms"][q])
        for q in ("p50", "p99")
    ] + [
        Figure("question posted -> reward settled, p50", system["system_ms"]["p50"], "ms",
               "Redis PING round trip p50", base["redis_ping_ms"]["p50"])
    ]  # fmt: skip
    rate = system["ingested"] / system["ingest_seconds"]
    for label, baseline in system["row_inserts"].items():
        figures.append(Figure("ingestion, POST /questions/batch", rate, "/s", label, baseline))
    return figures


def settlement_figures(rows: list[tuple[str, int, float]]) -> list[Figure]:
    """Settled rewards per second beside RQ no-op jobs and rows committed one by one."""
    rates = {label: count / seconds for label, count, seconds in rows}
    batched = next(v for k, v in rates.items() if k.startswith("rewards, batched"))
    return [
        Figure("settled rewards", batched, "/s", "RQ no-op jobs", rates["RQ no-op jobs"]),
        Figure("settled rewards", batched, "/s", "row inserts, a transaction each",
               rates["row inserts, a transaction each"]),
    ]  # fmt: skip


if __name__ == "__main__":
    main()
