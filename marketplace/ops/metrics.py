"""Prometheus metrics (prometheus_client), one scrape covering every process of a machine.

`flask prod serve` gives each child PROMETHEUS_MULTIPROC_DIR, so web processes and workers
write their samples to files there and `/metrics` on any web process merges them all. Without
the variable (embedded mode) the same metrics live in this process's memory. RQ queue depths
are read from Redis at scrape time. docs/operations.md lists every metric.
"""

from __future__ import annotations

import hmac
import ipaddress
import os
import re
import time
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from prometheus_client import values as _values
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector, mark_process_dead

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
_work_horse_of: int | None = None


def _process_identifier() -> str:
    """Whose metric files this process writes: its own pid, or for an RQ work horse its
    worker's pid plus "h". A worker runs one horse at a time, so its horses share one set of
    files (re-read when each horse starts) instead of leaving a new set for every job."""
    return f"{_work_horse_of}h" if _work_horse_of is not None else str(os.getpid())


def become_work_horse(worker_pid: int) -> None:
    """Called first thing in a forked RQ work horse."""
    global _work_horse_of
    _work_horse_of = worker_pid


if os.environ.get(MULTIPROC_ENV):  # before any metric below is built
    _values.ValueClass = _values.MultiProcessValue(process_identifier=_process_identifier)
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300)
LATENESS_BUCKETS = (0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 30)

HTTP_REQUESTS = Counter(
    "marketplace_http_requests_total",
    "HTTP requests answered by the Flask app, by method, route and status.",
    ["method", "route", "status"],
)
HTTP_SECONDS = Histogram(
    "marketplace_http_request_duration_seconds",
    "Time the Flask app took to answer a request.",
    ["method", "route"],
    buckets=LATENCY_BUCKETS,
)
OFFER_LATENCY = Histogram(
    "marketplace_offer_latency_seconds",
    "Seconds from a question becoming routable (posted or put back in the queue) to its "
    "offer.created being emitted.",
    buckets=LATENCY_BUCKETS,
)
DEADLINE_LATENESS = Histogram(
    "marketplace_deadline_lateness_seconds",
    "How late the matching engine handled a deadline (offer, assignment, ring, return, sla, "
    "grace), by kind.",
    ["kind"],
    buckets=LATENESS_BUCKETS,
)
SOCKET_CONNECTIONS = Gauge(
    "marketplace_socketio_connections",
    "Open Socket.IO connections, by namespace (summed over the live web processes).",
    ["namespace"],
    multiprocess_mode="livesum",
)
JOBS = Counter(
    "marketplace_jobs_total",
    "RQ jobs run by workers, by job function and outcome (finished, failed, retried, stopped).",
    ["job", "outcome"],
)
JOB_SECONDS = Histogram(
    "marketplace_job_duration_seconds",
    "Wall time of an RQ job in its work horse, by job function.",
    ["job"],
    buckets=LATENCY_BUCKETS,
)


def observe_offer_latency(routable_since: datetime | None) -> None:
    """An offer was emitted for a question queued since `routable_since` (aware UTC)."""
    if routable_since is not None:
        OFFER_LATENCY.observe(max(0.0, time.time() - routable_since.timestamp()))


def observe_deadline(key: str, lateness_seconds: float) -> None:
    """A deadline such as 'offer:<id>' fired `lateness_seconds` after it was due."""
    DEADLINE_LATENESS.labels(key.partition(":")[0]).observe(max(0.0, lateness_seconds))


def socket_connected(namespace: str) -> None:
    """A Socket.IO client joined a namespace on this process."""
    SOCKET_CONNECTIONS.labels(namespace).inc()


def socket_disconnected(namespace: str) -> None:
    """A Socket.IO client left a namespace on this process."""
    SOCKET_CONNECTIONS.labels(namespace).dec()


def observe_request(method: str, route: str, status: int, seconds: float) -> None:
    """A web request was answered."""
    HTTP_REQUESTS.labels(method, route, str(status)).inc()
    HTTP_SECONDS.labels(method, route).observe(seconds)


def observe_job(job: str, outcome: str, seconds: float) -> None:
    """A worker finished running one job."""
    JOBS.labels(job, outcome).inc()
    JOB_SECONDS.labels(job).observe(seconds)


class QueueCollector:
    """RQ queue depths and registry sizes, read from Redis at scrape time."""

    STATES = ("queued", "started", "scheduled", "deferred", "failed")

    def __init__(self, connection: Any, queue_names: list[str]) -> None:
        self.connection = connection
        self.queue_names = queue_names

    def collect(self) -> Iterator[GaugeMetricFamily]:
        """One gauge family: jobs per queue and state."""
        from rq import Queue

        family = GaugeMetricFamily(
            "marketplace_rq_jobs",
            "RQ jobs per queue and state (queued = waiting; failed = in the failed registry).",
            labels=["queue", "state"],
        )
        for name in self.queue_names:
            queue = Queue(name, connection=self.connection)
            counts = {
                "queued": queue.count,
                "started": queue.started_job_registry.count,
                "scheduled": queue.scheduled_job_registry.count,
                "deferred": queue.deferred_job_registry.count,
                "failed": queue.failed_job_registry.count,
            }
            for state in self.STATES:
                family.add_metric([name, state], counts[state])
        yield family


class _ThisProcess:
    """The metrics of this process's default registry (embedded mode)."""

    def collect(self) -> Iterator[Any]:
        yield from REGISTRY.collect()


def render(queue_collector: QueueCollector | None = None) -> tuple[bytes, str]:
    """The exposition text: every process's samples (multiprocess) or this one's, plus RQ."""
    registry = CollectorRegistry()
    directory = os.environ.get(MULTIPROC_ENV)
    if directory:
        MultiProcessCollector(registry, path=directory)
    else:
        registry.register(_ThisProcess())
    if queue_collector is not None:
        registry.register(queue_collector)
    return generate_latest(registry), CONTENT_TYPE_LATEST


def scrape_allowed(remote_addr: str | None, authorization: str | None, token: str | None) -> bool:
    """With a token configured, the bearer must match; without one, only loopback clients."""
    if token:
        scheme, _, given = (authorization or "").partition(" ")
        return scheme.lower() == "bearer" and hmac.compare_digest(given.encode(), token.encode())
    try:
        return ipaddress.ip_address(remote_addr or "").is_loopback
    except ValueError:
        return False


_LIVE_FILE = re.compile(r"^gauge_live\w*?_(\d+)\.db$")


def forget_dead_processes(directory: str) -> list[int]:
    """Drop the live gauges of processes that are gone (killed, so no hook ran for them)."""
    dead = set()
    for name in os.listdir(directory):
        match = _LIVE_FILE.match(name)
        if match and not _alive(int(match.group(1))):
            dead.add(int(match.group(1)))
    for pid in dead:
        mark_process_dead(pid, directory)
    return sorted(dead)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
