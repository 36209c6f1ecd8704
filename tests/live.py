"""Run the production stack for tests: gunicorn + gevent web processes and RQ workers, on
PostgreSQL and Redis, as real subprocesses; plus helpers for real Socket.IO clients."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import socketio

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class LiveStack:
    """Web processes and workers sharing one database and one Redis."""

    database_url: str
    redis_url: str
    env_extra: dict[str, str] = field(default_factory=dict)
    processes: list[subprocess.Popen] = field(default_factory=list)
    ports: list[int] = field(default_factory=list)

    def env(self, **extra: str) -> dict[str, str]:
        """The environment every process of the stack gets."""
        env = dict(os.environ)
        env.update(
            {
                "DATABASE_URL": self.database_url,
                "REDIS_URL": self.redis_url,
                "SECRET_KEY": "test-secret",
                "FLASK_APP": "wsgi",
                "LOG_LEVEL": os.environ.get("LIVE_LOG_LEVEL", "WARNING"),
                "WEBHOOK_ALLOW_PRIVATE": "1",
                "JOB_QUEUE_PREFIX": "live-",
                "PYTHONPATH": str(ROOT),
            }
        )
        env.update(self.env_extra)
        env.update(extra)
        return env

    def start_web(self, **extra: str) -> str:
        """Start one gunicorn gevent web process; returns its base URL once it answers."""
        port = free_port()
        command = [
            str(BIN / "gunicorn"),
            "-k",
            "gevent",
            "-w",
            "1",
            "-b",
            f"127.0.0.1:{port}",
            "--graceful-timeout",
            "5",
            "wsgi:app",
        ]
        self.processes.append(
            subprocess.Popen(command, cwd=ROOT, env=self.env(SOCKETIO_ASYNC_MODE="gevent", **extra))
        )
        self.ports.append(port)
        url = f"http://127.0.0.1:{port}"
        wait_for(url + "/healthz")
        return url

    def start_worker(self, **extra: str) -> subprocess.Popen:
        """Start one RQ worker (with the scheduler) through `flask worker`."""
        process = subprocess.Popen(
            [sys.executable, "-m", "flask", "worker"], cwd=ROOT, env=self.env(**extra)
        )
        self.processes.append(process)
        return process

    def stop(self) -> None:
        """Stop everything (SIGTERM, then SIGKILL)."""
        for process in self.processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()


def wait_for(url: str, timeout: float = 30) -> None:
    """Poll a URL until it answers 200."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=1) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise TimeoutError(f"{url} did not come up")
        time.sleep(0.1)


class ExpertClient:
    """A real python-socketio client on /expert that records every event it receives."""

    def __init__(
        self,
        base_url: str,
        token: str,
        *,
        transports: tuple[str, ...] = ("websocket",),
        reconnection: bool = False,
    ) -> None:
        self.events: dict[str, list[Any]] = defaultdict(list)
        self.arrived = threading.Condition()
        self.client = socketio.Client(reconnection=reconnection, reconnection_delay=0.2)
        self.client.on("*", self._record, namespace="/expert")
        self.client.connect(
            base_url,
            namespaces=["/expert"],
            auth={"token": token},
            transports=list(transports),
            wait_timeout=10,
        )

    def _record(self, event: str, data: Any = None) -> None:
        with self.arrived:
            self.events[event].append(data)
            self.arrived.notify_all()

    def wait(self, event: str, count: int = 1, timeout: float = 10) -> list[Any]:
        """Block until `count` events of this name arrived."""
        with self.arrived:
            if not self.arrived.wait_for(lambda: len(self.events[event]) >= count, timeout):
                raise TimeoutError(f"no {event} within {timeout}s (have {dict(self.events)})")
            return self.events[event]

    def call(self, event: str, data: Any) -> Any:
        """Emit and wait for the acknowledgement."""
        # Generous: CI machines are small and busy; the assertions are about outcomes, not speed.
        return self.client.call(event, data, namespace="/expert", timeout=30)

    def close(self) -> None:
        """Disconnect."""
        self.client.disconnect()
