"""The settlement benchmark's smoke run completes and leaves a sound ledger (not a timing test)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def test_the_benchmark_smoke_run_settles_everything_once(app, money, redis_url):
    if money.engine.dialect.name != "postgresql":
        pytest.skip("the benchmark measures PostgreSQL and Redis")
    env = os.environ | {
        "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
        "REDIS_URL": redis_url,
        "LOG_LEVEL": "WARNING",
    }
    result = subprocess.run(
        [sys.executable, "bench/settlement.py", "--smoke"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    assert "pending rewards left: 0; ledger check: 0 violations" in result.stdout
    assert "rewards, batched job" in result.stdout and "RQ no-op jobs" in result.stdout
