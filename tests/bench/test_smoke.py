"""Benchmarks are not timed tests: CI runs a tiny version of each and checks what it measured."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[2]


def bench_env() -> dict[str, str]:
    """The benchmarks get their own database next to the test one (never the shared `bench`)."""
    database, redis = os.environ.get("TEST_DATABASE_URL"), os.environ.get("TEST_REDIS_URL")
    if not (database and redis):
        pytest.skip("benchmarks run on PostgreSQL and Redis (TEST_DATABASE_URL, TEST_REDIS_URL)")
    url = sa.engine.make_url(database)
    own = url.set(database=f"{url.database}_bench").render_as_string(hide_password=False)
    return dict(os.environ, BENCH_DATABASE_URL=own, BENCH_REDIS_URL=redis)


def run_bench(module: str, *args: str) -> str:
    result = subprocess.run(
        [sys.executable, "-m", module, *args],
        cwd=ROOT,
        env=bench_env(),
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return result.stdout


def test_offers_benchmark_smoke(tmp_path):
    from bench.offers import ROWS

    figures = tmp_path / "offers.json"
    output = run_bench("bench.offers", "--smoke", "--json", str(figures))
    results = json.loads(figures.read_text())
    for label, name in ROWS:
        assert label in output
        assert results[name]["n"] > 0, f"{label}: no samples"
    assert results["decision_ms"]["n"] == results["config"]["decision_samples"]
    assert results["decisions_without_candidates"] == 0  # the experts were connected
    assert results["post_errors"] == {}
    checks = results["invariants"]
    assert checks["max_live_assignments_per_question"] == 1  # exactly one expert per question
    assert checks["assignments"] == checks["offers_accepted"] == results["accepted"] > 0


def test_scoring_benchmark_smoke():
    output = run_bench("bench.scoring", "--smoke")
    assert "answers per second" in output and "recompute all" in output


def test_profile_paths_smoke():
    output = run_bench("bench.profile_paths", "--experts", "50", "--iterations", "10")
    rows = {line[:48].strip(): line[48:].split() for line in output.splitlines()}
    post = rows["POST /api/v1/questions"]
    offer = rows["offer one queued question (drain step)"]
    assert post[0] == "10" and float(post[1]) > 0  # runs, statements per POST
    assert int(offer[0]) >= 10 and float(offer[1]) > 0  # every posted question was offered
    assert "warning" not in output
