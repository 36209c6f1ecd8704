"""Shared pieces of the benchmarks: a dedicated database, percentiles, tables, the live stack."""

from __future__ import annotations

import os
import socket
import statistics
import sys
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

DEFAULT_DATABASE = "postgresql+psycopg://marketplace:marketplace@127.0.0.1:5432/bench"
DEFAULT_REDIS = "redis://127.0.0.1:6379/9"


def bench_urls() -> tuple[str, str]:
    """BENCH_DATABASE_URL / BENCH_REDIS_URL, defaulting to a `bench` database and Redis db 9."""
    return (
        os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE),
        os.environ.get("BENCH_REDIS_URL", DEFAULT_REDIS),
    )


def fresh_database(url: str) -> None:
    """Create the bench database if needed and empty it (the benchmarks own it)."""
    admin_url = sa.engine.make_url(url).set(database="postgres")
    name = sa.engine.make_url(url).database
    admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        exists = connection.execute(
            sa.text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}
        ).scalar()
        if not exists:
            connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    admin.dispose()
    engine = sa.create_engine(url)
    with engine.begin() as connection:
        connection.exec_driver_sql("DROP SCHEMA IF EXISTS public CASCADE")
        connection.exec_driver_sql("CREATE SCHEMA public")
    engine.dispose()


def analyze(url: str) -> None:
    """Refresh the planner's statistics of a freshly seeded database.

    A production database keeps them through autovacuum; a server with autovacuum off (the
    shared development one is) plans the roster queries for empty tables, and with 1,000
    experts online a nested loop then costs ~100 ms of database CPU per roster query instead
    of ~5 ms."""
    engine = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.exec_driver_sql("ANALYZE")
    engine.dispose()


def percentiles(values: list[float]) -> dict[str, float]:
    """p50/p95/p99 (and n) of a list of milliseconds."""
    if not values:
        return {"n": 0, "p50": float("nan"), "p95": float("nan"), "p99": float("nan")}
    ordered = sorted(values)
    pick = lambda q: ordered[min(len(ordered) - 1, int(q * len(ordered)))]  # noqa: E731
    return {
        "n": len(values),
        "p50": pick(0.50),
        "p95": pick(0.95),
        "p99": pick(0.99),
        "mean": statistics.fmean(values),
    }


def print_table(title: str, rows: list[tuple[str, dict[str, float]]]) -> None:
    """A fixed-width table of latency rows in milliseconds."""
    print(f"\n{title}")
    print(f"{'measure':52} {'n':>6} {'p50 ms':>9} {'p95 ms':>9} {'p99 ms':>9}")
    for name, stats in rows:
        print(
            f"{name:52} {stats['n']:>6} {stats['p50']:>9.2f} {stats['p95']:>9.2f} "
            f"{stats['p99']:>9.2f}"
        )


def ratio(figure: float, baseline: float) -> float:
    """How many times the baseline a figure is (nan when the baseline is zero or missing)."""
    if not baseline or baseline != baseline:
        return float("nan")
    return figure / baseline


def free_ports(count: int) -> int:
    """The first of `count` consecutive free TCP ports (nginx, then one per web process)."""
    from tests.live import free_port

    for _ in range(50):
        base = free_port()
        if base + count < 65000 and all(_port_free(base + i) for i in range(1, count)):
            return base
    raise RuntimeError("no run of free ports")


def _port_free(port: int) -> bool:
    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def rss_bytes(process_groups: list[int]) -> int:
    """Resident memory of every process in these process groups (a gunicorn master and its
    worker, an RQ worker and its work horse), read from /proc."""
    total = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            # Fields after the command (which may contain spaces): state, ppid, pgrp, ...
            pgrp = int(stat.rsplit(")", 1)[1].split()[2])
            if pgrp in process_groups:
                status = (entry / "status").read_text()
                kib = next(line for line in status.splitlines() if line.startswith("VmRSS"))
                total += int(kib.split()[1]) * 1024
        except (OSError, StopIteration, ValueError, IndexError):
            continue  # the process ended while we looked
    return total


def rss_of_processes(pids: list[int]) -> int:
    """Resident bytes of these processes and their direct children (a gunicorn master's
    worker), for processes that share our process group."""
    total = 0
    for pid in pids:
        try:
            children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        except OSError:
            children = []
        for process in [pid, *map(int, children)]:
            try:
                status = Path(f"/proc/{process}/status").read_text().splitlines()
                total += int(next(s for s in status if s.startswith("VmRSS")).split()[1]) * 1024
            except (OSError, StopIteration):
                continue  # gone meanwhile
    return total


def bench_app_config(database_url: str, redis_url: str | None) -> dict[str, object]:
    """An app of our own on the bench database, for seeding and checks (no engine)."""
    return {
        "SQLALCHEMY_DATABASE_URI": database_url,
        "REDIS_URL": redis_url,
        "SECRET_KEY": "bench-secret",
        "MATCHING_ENGINE_AUTOSTART": False,
    }
