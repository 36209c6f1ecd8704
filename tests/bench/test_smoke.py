"""Benchmarks are not timed tests: CI runs a tiny version of each and checks it completes."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def run_bench(module: str, *args: str) -> str:
    if not (os.environ.get("TEST_DATABASE_URL") and os.environ.get("TEST_REDIS_URL")):
        pytest.skip("benchmarks run on PostgreSQL and Redis (TEST_DATABASE_URL, TEST_REDIS_URL)")
    result = subprocess.run(
        [sys.executable, "-m", module, *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return result.stdout


def test_offers_benchmark_smoke():
    output = run_bench("bench.offers", "--smoke")
    assert "post -> offer received by the expert" in output
    assert "baseline: raw Socket.IO echo round trip" in output


def test_scoring_benchmark_smoke():
    output = run_bench("bench.scoring", "--smoke")
    assert "answers per second" in output and "recompute all" in output
