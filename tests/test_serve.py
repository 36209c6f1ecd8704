"""The `make run` path on a real server: migrate, seed, issue a demo key, serve, post, read."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def flask(env: dict[str, str], *args: str) -> str:
    result = subprocess.run(
        [sys.executable, "-m", "flask", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout


def request(url: str, key: str, body: dict | None = None) -> tuple[int, dict]:
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(
        url,
        data=data,
        headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(req, timeout=10) as response:
        return response.status, json.loads(response.read())


@pytest.fixture
def embedded_env(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    env |= {
        "FLASK_APP": "wsgi",
        "DATABASE_URL": f"sqlite:///{tmp_path}/run.db",
        "LOG_LEVEL": "WARNING",
    }
    return env


def test_the_embedded_server_serves_the_seeded_demo(embedded_env):
    flask(embedded_env, "db", "upgrade")
    assert "seeded" in flask(embedded_env, "demo", "seed", "--if-empty")
    key = flask(embedded_env, "demo", "key").strip().splitlines()[-1]
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "flask", "serve", "--port", str(port)],
        cwd=ROOT,
        env=embedded_env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(base + "/", timeout=1)
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise
                time.sleep(0.2)
        status, created = request(
            base + "/api/v1/questions",
            key,
            {
                "external_id": "curl-1",
                "channel": "wechat",
                "subject": "退货运费谁出？",
                "body": "我想退货，运费由谁承担？",
                "language": "zh",
                "reward": {"amount": 800, "currency": "CNY"},
            },
        )
        assert status == 201
        status, fetched = request(f"{base}/api/v1/questions/{created['id']}", key)
        assert status == 200 and fetched["subject"] == "退货运费谁出？"
        status, page = request(base + "/api/v1/questions?limit=5", key)
        assert status == 200 and len(page["items"]) == 5 and page["next_cursor"]
    finally:
        server.terminate()
        server.wait(timeout=10)
