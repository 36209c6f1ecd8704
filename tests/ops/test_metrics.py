"""Prometheus metrics: who may scrape, and that each metric moves when its event happens."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time
import uuid

import pytest
from prometheus_client import REGISTRY

from marketplace.extensions import socketio
from marketplace.matching import services
from marketplace.matching.engine import MatchingEngine
from marketplace.ops import metrics
from tests.factories import default_pool, make_company, make_pool_expert, post_question


def value(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


@pytest.mark.parametrize(
    ("remote", "header", "token", "allowed"),
    [
        ("127.0.0.1", None, None, True),
        ("::1", None, None, True),
        ("10.1.2.3", None, None, False),
        ("10.1.2.3", "Bearer s3cret", "s3cret", True),
        ("127.0.0.1", None, "s3cret", False),  # with a token even loopback must present it
        ("10.1.2.3", "Bearer wrong", "s3cret", False),
        ("10.1.2.3", "Basic s3cret", "s3cret", False),
    ],
)
def test_who_may_scrape(make_ops_app, remote, header, token, allowed):
    app = make_ops_app(METRICS_TOKEN=token)
    response = app.test_client().get(
        "/metrics",
        environ_base={"REMOTE_ADDR": remote},
        headers={"Authorization": header} if header else {},
    )
    assert response.status_code == (200 if allowed else 403)
    if allowed:
        assert response.content_type.startswith("text/plain; version=")
        assert b"marketplace_http_requests_total" in response.data
    else:
        assert response.mimetype == "application/problem+json"


def test_the_client_address_behind_a_trusted_proxy_is_the_forwarded_one(make_ops_app):
    app = make_ops_app(TRUSTED_PROXIES=1)
    forwarded = {"X-Forwarded-For": "203.0.113.9"}
    assert app.test_client().get("/metrics", headers=forwarded).status_code == 403
    untrusting = make_ops_app()  # without TRUSTED_PROXIES the header is ignored
    assert untrusting.test_client().get("/metrics", headers=forwarded).status_code == 200


def test_requests_are_counted_by_route_and_status(client):
    before = value("marketplace_http_requests_total", method="GET", route="/healthz", status="200")
    missing = value(
        "marketplace_http_requests_total", method="GET", route="unmatched", status="404"
    )
    client.get("/healthz")
    client.get("/healthz")
    client.get("/no/such/page")
    labels = {"method": "GET", "route": "/healthz", "status": "200"}
    assert value("marketplace_http_requests_total", **labels) == before + 2
    assert (
        value("marketplace_http_requests_total", method="GET", route="unmatched", status="404")
        == missing + 1
    )


def test_an_offer_observes_the_latency_since_the_question_was_queued(app, db):
    company = make_company(app)
    pool = default_pool(app, company.id)
    make_pool_expert(app, pool)
    before = value("marketplace_offer_latency_seconds_count")
    post_question(app, company)
    time.sleep(0.05)
    assert services.drain() == 1
    assert value("marketplace_offer_latency_seconds_count") == before + 1
    slow = value("marketplace_offer_latency_seconds_bucket", le="0.025")
    fast_enough = value("marketplace_offer_latency_seconds_bucket", le="60.0")
    assert slow < fast_enough  # it took at least the 50 ms slept, and far less than a minute


def test_a_fired_deadline_observes_how_late_it_was(app):
    engine = MatchingEngine(app)
    before = value("marketplace_deadline_lateness_seconds_count", kind="grace")
    late = value("marketplace_deadline_lateness_seconds_bucket", kind="grace", le="1.0")
    engine.deadlines.add(f"grace:{uuid.uuid4()}", time.time() - 2)
    with app.app_context():
        assert engine.fire_due() == 1
    assert value("marketplace_deadline_lateness_seconds_count", kind="grace") == before + 1
    # Two seconds late: counted above the 1 s bucket.
    assert value("marketplace_deadline_lateness_seconds_bucket", kind="grace", le="1.0") == late


def test_socket_connections_go_up_and_down_and_refusals_do_not_count(app):
    company = make_company(app)
    expert = make_pool_expert(app, default_pool(app, company.id), online=False)
    gauge = "marketplace_socketio_connections"
    before = value(gauge, namespace="/expert")
    refused = socketio.test_client(app, namespace="/expert", auth={"token": "nope"})
    assert not refused.is_connected("/expert")
    phone = socketio.test_client(app, namespace="/expert", auth={"token": expert.token})
    dashboard = socketio.test_client(app, namespace="/company", auth={"api_key": company.api_key})
    assert value(gauge, namespace="/expert") == before + 1
    assert value(gauge, namespace="/company") >= 1
    phone.disconnect(namespace="/expert")
    dashboard.disconnect(namespace="/company")
    assert value(gauge, namespace="/expert") == before


def test_queue_depths_are_read_from_redis_at_scrape_time(make_ops_app, redis_url):
    app = make_ops_app(REDIS_URL=redis_url, JOB_QUEUE_PREFIX="m-")
    backend = app.extensions["job_queue"]
    for _ in range(2):
        backend.rq_queue("default").enqueue("tests.workers.jobs_for_tests.fails", "x")
    text = app.test_client().get("/metrics").data.decode()
    assert 'marketplace_rq_jobs{queue="m-default",state="queued"} 2.0' in text
    assert 'marketplace_rq_jobs{queue="m-high",state="queued"} 0.0' in text
    assert 'marketplace_rq_jobs{queue="m-default",state="failed"} 0.0' in text


def test_workers_count_jobs_by_name_and_outcome(redis_url):
    from redis import Redis
    from rq import Queue, Retry

    from workers.runner import MeteredWorker

    queue = Queue("m-jobs", connection=Redis.from_url(redis_url))
    name = "tests.workers.jobs_for_tests"
    queue.enqueue(f"{name}.slow_marker", redis_url, "metered", 0)
    queue.enqueue(f"{name}.fails", "once")
    queue.enqueue(f"{name}.fails", "again", retry=Retry(max=1, interval=60))
    finished = value("marketplace_jobs_total", job=f"{name}.slow_marker", outcome="finished")
    failed = value("marketplace_jobs_total", job=f"{name}.fails", outcome="failed")
    retried = value("marketplace_jobs_total", job=f"{name}.fails", outcome="retried")
    MeteredWorker([queue], connection=queue.connection).work(burst=True)
    assert value("marketplace_jobs_total", job=f"{name}.slow_marker", outcome="finished") == (
        finished + 1
    )
    assert value("marketplace_jobs_total", job=f"{name}.fails", outcome="failed") == failed + 1
    assert value("marketplace_jobs_total", job=f"{name}.fails", outcome="retried") == retried + 1
    assert value("marketplace_job_duration_seconds_count", job=f"{name}.fails") >= 2


HORSES = textwrap.dedent(
    """
    import os
    from marketplace.ops import metrics
    metrics.observe_offer_latency(None)  # nothing observed without a time
    metrics.OFFER_LATENCY.observe(1)     # the worker itself
    for _ in range(3):                   # three work horses, one after another
        pid = os.fork()
        if pid == 0:
            metrics.become_work_horse(os.getppid())
            metrics.OFFER_LATENCY.observe(1)
            os._exit(0)
        os.waitpid(pid, 0)
    print(os.getpid())
    """
)


def test_work_horses_share_their_workers_metric_files(tmp_path):
    env = dict(os.environ, PROMETHEUS_MULTIPROC_DIR=str(tmp_path))
    out = subprocess.run(
        [sys.executable, "-c", HORSES], env=env, capture_output=True, text=True, check=True
    )
    pid = out.stdout.strip()
    assert sorted(os.listdir(tmp_path)) == [f"histogram_{pid}.db", f"histogram_{pid}h.db"]
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(tmp_path)
    try:
        text, _ = metrics.render()
    finally:
        del os.environ["PROMETHEUS_MULTIPROC_DIR"]
    assert b"marketplace_offer_latency_seconds_count 4.0" in text  # none lost between horses


def test_live_gauges_of_dead_processes_are_dropped(tmp_path):
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    dead_pid = int(dead.stdout)
    for pid in (dead_pid, os.getpid()):
        (tmp_path / f"gauge_livesum_{pid}.db").write_bytes(b"")
    (tmp_path / f"counter_{dead_pid}.db").write_bytes(b"")  # totals stay
    assert metrics.forget_dead_processes(str(tmp_path)) == [dead_pid]
    assert sorted(os.listdir(tmp_path)) == [
        f"counter_{dead_pid}.db",
        f"gauge_livesum_{os.getpid()}.db",
    ]
