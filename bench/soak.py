"""Soak: the production set-up under steady load for a given time, then the checks.

Experts on real sockets (through nginx) accept every offer and answer at once; a company posts
questions at a steady rate. At the end (after a drain of up to --drain seconds) it checks:
  - no request failed (every POST acknowledged first time, every answer acknowledged);
  - no question lost or stuck: each one acknowledged is in the database, answered, with its
    reward settled, and no offer of a closed question is still pending;
  - memory did not keep growing: the RSS of the web processes, and of the workers, over the
    second half of the run rises by less than --memory-tolerance (default 10 %) of its mean;
  - the ledger checks out (`flask ledger check`'s service function).
Exit code 1 and one line per violation if any fails.

    bench/soak                  # 10 minutes (= python -m bench.soak --minutes 10)
    bench/soak --seconds 20     # what the smoke test runs, with --experts 6 --rate 2
Uses BENCH_DATABASE_URL (default: database `bench`, wiped) and BENCH_REDIS_URL (flushed).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from bench import load, offers
from bench.common import bench_urls
from bench.stack import ProdStack

MiB = 1024 * 1024


async def run_load(
    stack: ProdStack,
    database_url: str,
    tokens: list[str],
    key: str,
    rate: float,
    seconds: float,
    drain: float,
    during: Callable[[load.LoadRecord], Awaitable[Any]] | None = None,
) -> dict[str, Any]:
    """Connect the experts, post for `seconds` while sampling memory (and running
    `during(record)`, e.g. the faults), wait for every question to finish; what happened."""
    record = load.LoadRecord()
    crowd = await load.connect_crowd(stack.url, tokens, record)
    samples: list[tuple[float, int, int]] = []
    sampler = asyncio.create_task(sample_memory(stack, samples, period=max(1.0, seconds / 60)))
    posting = asyncio.create_task(load.post_questions(stack.url, key, rate, seconds, record))
    side = await during(record) if during else None
    await posting
    sampler.cancel()
    ids = list(record.posted.values())
    outcome = await asyncio.to_thread(load.wait_for_outcomes, database_url, ids, drain)
    await load.disconnect_crowd(crowd)
    return {"record": record, "outcome": outcome, "memory": samples, "during": side}


async def sample_memory(stack: ProdStack, samples: list, period: float) -> None:
    """(seconds since start, web RSS, worker RSS) every `period` seconds until cancelled."""
    started = time.monotonic()
    while True:
        web, workers = await asyncio.to_thread(lambda: (stack.rss("web"), stack.rss("worker")))
        samples.append((time.monotonic() - started, web, workers))
        await asyncio.sleep(period)


def growth(samples: list[tuple[float, int]]) -> tuple[float, float] | None:
    """Least-squares rise over the second half of the samples, and their mean; None with
    fewer than four samples there (too short to judge)."""
    half = samples[len(samples) // 2 :]
    if len(half) < 4:
        return None
    n = len(half)
    mean_t = sum(t for t, _ in half) / n
    mean_v = sum(v for _, v in half) / n
    spread = sum((t - mean_t) ** 2 for t, _ in half) or 1e-9
    slope = sum((t - mean_t) * (v - mean_v) for t, v in half) / spread
    return slope * (half[-1][0] - half[0][0]), mean_v


def violations(result: dict[str, Any], ledger: list[str], tolerance: float) -> list[str]:
    """Every broken promise of the soak, one line each."""
    record, outcome, problems = result["record"], result["outcome"], []
    if record.failures:
        kinds = sorted({what for _, what in record.failures})
        problems.append(f"{len(record.failures)} POST attempts failed ({', '.join(kinds)})")
    if record.gave_up:
        problems.append(f"{len(record.gave_up)} questions never acknowledged")
    if record.answer_errors:
        problems.append(f"{len(record.answer_errors)} answers refused: {record.answer_errors[0]}")
    problems += lost_or_stuck(outcome)
    for index, role in ((1, "web"), (2, "worker")):
        rise = growth([(s[0], s[index]) for s in result["memory"]])
        if rise and rise[0] > tolerance * rise[1]:
            problems.append(
                f"{role} memory kept growing: +{rise[0] / MiB:.1f} MiB over the second half "
                f"(mean {rise[1] / MiB:.0f} MiB, tolerance {tolerance:.0%})"
            )
    problems += [f"ledger: {v}" for v in ledger[:20]]
    return problems


def lost_or_stuck(outcome: dict[str, Any]) -> list[str]:
    """Questions acknowledged but missing, unfinished or unpaid; offers left pending."""
    problems = []
    if outcome["missing"]:
        problems.append(f"{outcome['missing']} acknowledged questions are not in the database")
    if outcome["not_terminal"]:
        problems.append(f"{outcome['not_terminal']} questions stuck: {outcome['statuses']}")
    if outcome["statuses"].keys() - {"answered"}:
        problems.append(f"questions not answered: {outcome['statuses']}")
    if outcome["answered_without_settled_reward"]:
        unpaid = outcome["answered_without_settled_reward"]
        problems.append(f"{unpaid} answered questions without a settled reward")
    if outcome["pending_offers_of_closed_questions"]:
        problems.append(f"{outcome['pending_offers_of_closed_questions']} offers left pending")
    return problems


def summary(result: dict[str, Any], seconds: float) -> dict[str, Any]:
    """The figures worth printing (and writing with --json)."""
    record, memory = result["record"], result["memory"]
    return {
        "seconds": seconds,
        "posted": len(record.posted),
        "post_failures": len(record.failures),
        "answers": record.answers,
        "rewards_credited_events": record.credited,
        "socket_connects": record.connects,  # the first connects, then every reconnect
        "socket_disconnects": record.disconnects,
        "outcome": result["outcome"],
        "web_rss_mib": [round(s[1] / MiB, 1) for s in memory],
        "worker_rss_mib": [round(s[2] / MiB, 1) for s in memory],
    }


def main() -> int:
    """Run the soak; exit 1 on any violation."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--seconds", type=float, help="instead of --minutes (short runs)")
    parser.add_argument("--rate", type=float, default=5.0, help="questions per second")
    parser.add_argument("--experts", type=int, default=50)
    parser.add_argument("--web", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--drain", type=float, default=120.0, help="seconds to wait at the end")
    parser.add_argument("--memory-tolerance", type=float, default=0.10)
    parser.add_argument("--json", type=Path, help="also write the summary here")
    parser.add_argument(
        "--keep-logs", type=Path, help="keep the set-up's logs (serve.log and more) in this folder"
    )
    args = parser.parse_args()
    seconds = args.seconds or args.minutes * 60
    database_url, redis_url = bench_urls()
    keys, tokens = offers.prepare(database_url, redis_url, args.experts)
    with contextlib.ExitStack() as cleanup:
        run_dir = args.keep_logs or cleanup.enter_context(
            tempfile.TemporaryDirectory(prefix="bench-soak-")
        )
        stack = ProdStack.start(
            database_url, redis_url, Path(run_dir), web=args.web, workers=args.workers
        )
        try:
            result = asyncio.run(
                run_load(stack, database_url, tokens, keys[0], args.rate, seconds, args.drain)
            )
        finally:
            stack.stop()
    problems = violations(result, load.ledger_violations(database_url), args.memory_tolerance)
    figures = summary(result, seconds) | {"violations": problems}
    print(json.dumps({k: v for k, v in figures.items() if not k.endswith("rss_mib")}, indent=2))
    print(f"web RSS MiB over time: {figures['web_rss_mib']}")
    print(f"worker RSS MiB over time: {figures['worker_rss_mib']}")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2))
    for problem in problems:
        print(f"VIOLATION: {problem}")
    print("soak: FAILED" if problems else "soak: every check passed")
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
