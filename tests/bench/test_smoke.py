"""Benchmarks are not timed tests: CI runs a tiny version of each and checks what it measured."""

from __future__ import annotations

import json
import os
import shutil
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


def run_bench(module: str, *args: str | Path) -> str:
    result = subprocess.run(
        [sys.executable, "-m", module, *map(str, args)],
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
    assert results["post_errors"] == {} and results["connect_errors"] == 0
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


def needs_production_tools() -> None:
    """bench.run, soak and faults start `flask prod serve`, which needs nginx."""
    from marketplace.ops.nginx import find_nginx

    if find_nginx() is None:
        pytest.skip("nginx is not installed (`make nginx` installs Debian's)")


def test_bench_run_quick_writes_every_figure_beside_its_baseline(tmp_path):
    needs_production_tools()
    pytest.importorskip("matplotlib", reason="the `bench` extra draws the plot")
    output = run_bench("bench.run", "--quick", "--out", str(tmp_path))
    [document] = tmp_path.glob("*.json")
    assert document.with_suffix(".md").exists() and document.with_suffix(".png").exists()
    assert document.with_suffix(".png").read_bytes()[:4] == b"\x89PNG"
    results = json.loads(document.read_text())
    measures = {figure["measure"] for figure in results["figures"]}
    for kind in ("offer latency", "memory per connected expert", "question posted -> reward",
                 "ingestion", "settled rewards"):  # fmt: skip
        assert any(m.startswith(kind) for m in measures), f"no {kind} figure"
    for figure in results["figures"]:
        assert figure["value"] == figure["value"], f"{figure['measure']}: not measured"
        assert figure["baseline_value"] > 0, f"{figure['measure']}: no baseline"
        assert figure["measure"] in output  # the table is printed too
    details = results["details"]
    for run in details["offers"]:
        assert run["post_errors"] == {} and run["connect_errors"] == 0
        assert run["invariants"]["max_live_assignments_per_question"] <= 1
    outcome = details["end_to_end"]["outcome"]
    assert outcome["statuses"] == {"answered": outcome["questions"]}  # every one answered...
    assert outcome["rewards"] == {"settled": outcome["questions"]}  # ...and paid once
    assert outcome["unscored"] == {"backlog": 0, "lost": 0}
    assert details["settlement"]["ledger_ok"]


def test_soak_for_a_few_seconds_passes_its_checks(tmp_path):
    needs_production_tools()
    summary = tmp_path / "soak.json"
    run_bench("bench.soak", "--seconds", "6", "--experts", "4", "--rate", "2", "--json", summary)
    figures = json.loads(summary.read_text())
    assert figures["violations"] == []
    assert figures["posted"] == figures["answers"] == figures["outcome"]["questions"] > 0
    assert figures["web_rss_mib"] and figures["worker_rss_mib"]


def test_faults_quick_loses_nothing(tmp_path):
    needs_production_tools()
    if shutil.which("redis-server") is None:
        pytest.skip("the fault harness starts its own redis-server, which is not installed")
    summary = tmp_path / "faults.json"
    run_bench("bench.faults", "--quick", "--json", str(summary))
    document = json.loads(summary.read_text())
    assert [f["fault"].split()[0] for f in document["faults"]] == ["kill", "restart", "SIGTERM"]
    assert all("recovered_in_s" in f for f in document["faults"])
    assert document["lost"] == []
    assert document["outcome"]["questions"] == document["posted"] > 0
