"""`flask prod serve` for real: nginx, two gunicorn+gevent web processes and an RQ worker on
PostgreSQL and Redis, driven through nginx with real Socket.IO clients. The tests run in
order on one stack; the last one stops it."""

from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families
from redis import Redis
from rq import Queue

from marketplace.companies.models import OfferMode
from marketplace.ops.nginx import find_nginx
from marketplace.ops.supervisor import read_state
from tests.conftest import clear_tables
from tests.factories import default_pool, make_pool_expert, question_payload
from tests.live import ROOT, ExpertClient, LiveStack, free_port, wait_for
from tests.live_tests.test_live_matching import http, pool_settings

GRACEFUL = 10  # seconds a web process may take to stop


@dataclass
class Prod:
    """The running `flask prod serve` and what the tests need to reach it."""

    process: subprocess.Popen
    run_dir: Path
    url: str
    env: dict[str, str]
    redis_url: str
    log: Path

    def state(self) -> dict:
        return read_state(self.run_dir / "state.json")

    def child(self, name: str) -> dict:
        return next(c for c in self.state()["children"] if c["name"] == name)

    def flask(self, *args: str) -> str:
        result = subprocess.run(
            [sys.executable, "-m", "flask", *args],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert result.returncode == 0, result.stderr[-2000:]
        return result.stdout


def _consecutive_free_ports(count: int) -> int:
    for _ in range(50):
        base = free_port()
        if base + count < 65000 and all(_free(base + i) for i in range(1, count)):
            return base
    raise RuntimeError("no run of free ports")


def _free(port: int) -> bool:
    import socket

    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _wait(predicate, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    raise TimeoutError(f"{what} within {timeout}s")


@pytest.fixture(scope="module")
def prod(_migrated_app, tmp_path_factory):
    """The production set-up on the test PostgreSQL and Redis (skipped without them or nginx)."""
    uri = _migrated_app.config["SQLALCHEMY_DATABASE_URI"]
    if not uri.startswith("postgresql"):
        pytest.skip("the production set-up runs on PostgreSQL (this is the SQLite run)")
    redis_url = os.environ.get("TEST_REDIS_URL")
    if not redis_url:
        pytest.skip("TEST_REDIS_URL is not set: the production set-up needs Redis")
    if find_nginx() is None:
        pytest.skip("nginx is not installed (`make serve-prod` or `make test` installs Debian's)")
    Redis.from_url(redis_url).flushdb()
    run_dir = tmp_path_factory.mktemp("prod")
    port = _consecutive_free_ports(3)
    env = LiveStack(uri, redis_url).env(LOG_LEVEL="INFO", MARKETPLACE_ENV="production")
    log = run_dir / "serve.log"
    # Appending: nginx reopens stdout for its access log, and must not be overwritten.
    command = [sys.executable, "-m", "flask", "prod", "serve", "--web", "2", "--workers", "1"]
    command += ["--port", str(port), "--run-dir", str(run_dir), "--graceful-timeout", str(GRACEFUL)]
    with log.open("ab") as out:
        process = subprocess.Popen(
            command,
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    stack = Prod(process, run_dir, f"http://127.0.0.1:{port}", env, redis_url, log)
    try:
        _wait(
            lambda: (run_dir / "state.json").exists() and stack.state()["status"] == "running",
            90,
            "the supervisor did not report running",
        )
        wait_for(stack.url + "/readyz", timeout=30)
        yield stack
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(60)
            except subprocess.TimeoutExpired:
                process.kill()
        for child in stack.state()["children"] if (run_dir / "state.json").exists() else []:
            if child["pid"]:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(child["pid"], signal.SIGKILL)
        with _migrated_app.app_context():
            clear_tables()
        Redis.from_url(redis_url).flushdb()


def _metrics(url: str) -> dict[tuple[str, tuple], float]:
    with urllib.request.urlopen(url + "/metrics", timeout=10) as response:
        text = response.read().decode()
    samples = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            samples[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return samples


def _company(prod: Prod) -> tuple[str, str]:
    name = f"Prod Test 生产 {time.monotonic_ns()}"
    out = prod.flask("company", "create", name, "--budget", "500.00")
    company_id = re.search(r"^company (\S+)$", out, re.M).group(1)
    key = re.search(r"api key \(shown once\): (\S+)", out).group(1)
    return company_id, key


def test_through_nginx_experts_on_both_transports_get_offers_and_metrics_add_up(
    prod, _migrated_app
):
    import uuid

    app = _migrated_app
    response = urllib.request.urlopen(prod.url + "/readyz", timeout=5)
    assert response.status == 200 and response.headers["X-Request-ID"]
    company_id, key = _company(prod)
    pool = default_pool(app, uuid.UUID(company_id))
    with app.app_context():
        from marketplace.extensions import db

        pool_settings(db, pool, OfferMode.BROADCAST, broadcast_k=2)
    experts = [make_pool_expert(app, pool, online=False) for _ in range(2)]
    phones = [
        ExpertClient(prod.url, experts[0].token, transports=("websocket",)),
        # Polling is many requests; through two web processes it works only when sticky.
        ExpertClient(prod.url, experts[1].token, transports=("polling",)),
    ]
    try:
        for phone in phones:
            assert phone.call("availability.set", {"availability": "online"})["status"] == 200
        status, question = http("POST", prod.url + "/api/v1/questions", key, question_payload())
        assert status == 201, question
        for phone in phones:
            [offer] = phone.wait("offer.created", timeout=20)
            assert offer["question"]["id"] == question["id"]
        samples = _metrics(prod.url)
        assert samples[("marketplace_offer_latency_seconds_count", ())] >= 1
        expert_sockets = ("marketplace_socketio_connections", (("namespace", "/expert"),))
        assert samples[expert_sockets] == 2
        queued = ("marketplace_rq_jobs", (("queue", "live-default"), ("state", "queued")))
        assert queued in samples
        # The worker counts the jobs it ran (the reconciler is queued by the engines at once).
        reconciled = (
            "marketplace_jobs_total",
            (("job", "workers.reconcile.reconcile"), ("outcome", "finished")),
        )
        _wait(lambda: _metrics(prod.url).get(reconciled, 0) >= 1, 40, "no job was counted")
    finally:
        for phone in phones:
            phone.close()


def test_a_killed_web_process_is_restarted_and_ready_again(prod):
    before = prod.child("web-1")
    os.kill(before["pid"], signal.SIGKILL)
    after = _wait(
        lambda: (c := prod.child("web-1"))["restarts"] == 1 and c["status"] == "running" and c,
        30,
        "web-1 was not restarted",
    )
    assert after["pid"] != before["pid"] and after["last_exit"] == -signal.SIGKILL
    wait_for(f"http://127.0.0.1:{after['port']}/readyz", timeout=30)
    # Its gunicorn worker, orphaned by the kill, went with it (the port is the new one's).
    _wait(lambda: not _group_alive(before["pid"]), 10, "the old process group is still alive")
    for _ in range(6):
        assert urllib.request.urlopen(prod.url + "/readyz", timeout=5).status == 200


def test_a_web_process_stopped_gracefully_hands_its_experts_and_offers_over(prod, _migrated_app):
    import uuid

    app = _migrated_app
    company_id, key = _company(prod)
    pool = default_pool(app, uuid.UUID(company_id))
    with app.app_context():
        from marketplace.extensions import db

        pool_settings(db, pool, offer_timeout_seconds=120)
    expert = make_pool_expert(app, pool, online=False)
    phone = ExpertClient(prod.url, expert.token, reconnection=True)
    try:
        assert phone.call("availability.set", {"availability": "online"})["status"] == 200
        assert http("POST", prod.url + "/api/v1/questions", key, question_payload())[0] == 201
        [offer] = phone.wait("offer.created", timeout=20)
        # A rolling restart: whichever process holds the phone's socket drops it on the way.
        for name in ("web-1", "web-2"):
            before = prod.child(name)
            os.kill(before["pid"], signal.SIGTERM)
            stopping = time.time()
            after = _wait(
                lambda n=name, b=before: (
                    (c := prod.child(n))["restarts"] == b["restarts"] + 1
                    and c["status"] == "running"
                    and c
                ),
                30,
                f"{name} was not restarted",
            )
            assert after["last_exit"] == 0  # it stopped gracefully, not by a kill
            # Well within the graceful timeout: it closed its sockets rather than wait on them.
            assert after["started_at"] - stopping < GRACEFUL * 0.6  # stop, backoff and start
            wait_for(f"http://127.0.0.1:{after['port']}/readyz", timeout=30)
        restored = phone.wait("session.restored", count=2, timeout=20)[-1]
        assert [o["id"] for o in restored["offers"]] == [offer["id"]]
        accepted = phone.call("offer.accept", {"offer_id": offer["id"]})
        assert accepted["status"] == 200, accepted
    finally:
        phone.close()


def test_sigterm_stops_every_child_and_the_job_in_progress_finishes(prod):
    redis = Redis.from_url(prod.redis_url)
    queue = Queue("live-default", connection=redis)
    slow = queue.enqueue("tests.workers.jobs_for_tests.slow_marker", prod.redis_url, "slow", 3)
    waiting = queue.enqueue("tests.workers.jobs_for_tests.write_marker", prod.redis_url, "later")
    _wait(lambda: redis.get("slow:started"), 30, "the slow job did not start")
    children = prod.state()["children"]
    prod.process.send_signal(signal.SIGTERM)
    assert prod.process.wait(60) == 0
    assert redis.get("slow:done") == b"1"
    assert slow.get_status(refresh=True) == "finished"
    # The job still waiting when the worker stopped is in the queue, not lost.
    assert waiting.get_status(refresh=True) == "queued" and queue.count == 1
    assert prod.state()["status"] == "stopped"
    for child in children:
        assert not _group_alive(child["pid"]), f"{child['name']} left processes behind"


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True
