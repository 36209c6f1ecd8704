"""The production set-up of this machine, started for a benchmark: `flask prod serve` (nginx,
N gunicorn + gevent web processes, M RQ workers under the supervisor) as a subprocess, read
through its state file (docs/operations.md, "State for harnesses")."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.common import ROOT, free_ports, rss_bytes
from marketplace.ops.supervisor import read_state
from tests.live import wait_for

LATENESS_KEY = "bench:offer-deadline-late-ms"


def stack_env(database_url: str, redis_url: str, **extra: str) -> dict[str, str]:
    """The environment of `prod serve` in a benchmark: production mode, quiet logs, and an API
    rate limit far above the load (one bench company posts hundreds of questions a second)."""
    env = dict(os.environ)
    env.update(
        {
            "DATABASE_URL": database_url,
            "REDIS_URL": redis_url,
            "SECRET_KEY": "bench-secret",
            "MARKETPLACE_ENV": "production",
            "FLASK_APP": "wsgi",
            "LOG_LEVEL": os.environ.get("BENCH_LOG_LEVEL", "WARNING"),
            "REQUEST_LOG": "0",
            "API_RATE_LIMIT": "1000000 per minute",
            "MATCHING_LATENESS_KEY": LATENESS_KEY,
            "PYTHONPATH": str(ROOT),
        }
    )
    env.update(extra)
    return env


@dataclass
class ProdStack:
    """A running `flask prod serve` and the ways to reach and measure its children."""

    process: subprocess.Popen
    run_dir: Path
    url: str  # nginx
    env: dict[str, str]

    @classmethod
    def start(
        cls,
        database_url: str,
        redis_url: str,
        run_dir: Path,
        *,
        web: int = 2,
        workers: int = 2,
        graceful_timeout: int = 10,
        **extra: str,
    ) -> ProdStack:
        """Start the supervisor and wait until every child is running and nginx answers."""
        run_dir.mkdir(parents=True, exist_ok=True)
        (run_dir / "state.json").unlink(missing_ok=True)
        port = free_ports(web + 1)
        env = stack_env(database_url, redis_url, **extra)
        command = [sys.executable, "-m", "flask", "prod", "serve", "--web", str(web)]
        command += ["--workers", str(workers), "--port", str(port), "--run-dir", str(run_dir)]
        command += ["--graceful-timeout", str(graceful_timeout), "--no-access-log"]
        # Appending: nginx reopens stdout, and a truncating redirect would overwrite lines.
        with (run_dir / "serve.log").open("ab") as log:
            process = subprocess.Popen(
                command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
            )
        stack = cls(process, run_dir, f"http://127.0.0.1:{port}", env)
        try:
            stack.wait_running(timeout=120)
            wait_for(stack.url + "/readyz", timeout=60)
        except BaseException:
            stack.stop()
            raise
        return stack

    def state(self) -> dict[str, Any]:
        """The supervisor's state file."""
        return read_state(self.run_dir / "state.json")

    def wait_running(self, timeout: float) -> None:
        """Until the supervisor reports running (it raises if the supervisor died)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"prod serve exited; see {self.run_dir / 'serve.log'}")
            with contextlib.suppress(OSError, ValueError):
                if self.state()["status"] == "running":
                    return
            time.sleep(0.2)
        raise TimeoutError(f"prod serve not running after {timeout}s")

    def children(self, role: str) -> list[dict[str, Any]]:
        """The state of every child of a role ("web", "worker", "proxy")."""
        return [c for c in self.state()["children"] if c["role"] == role]

    @property
    def web_urls(self) -> list[str]:
        """Each web process directly, bypassing nginx."""
        return [f"http://127.0.0.1:{c['port']}" for c in self.children("web")]

    def rss(self, role: str) -> int:
        """Resident bytes of every process of a role (gunicorn workers and work horses too)."""
        return rss_bytes([c["pid"] for c in self.children(role) if c["pid"]])

    def stop(self) -> None:
        """SIGTERM the supervisor (the graceful sequence), then kill whatever is left."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(120)
            except subprocess.TimeoutExpired:
                self.process.kill()
        with contextlib.suppress(OSError, ValueError):
            for child in self.state()["children"]:
                if child["pid"]:
                    with contextlib.suppress(ProcessLookupError, PermissionError):
                        os.killpg(child["pid"], signal.SIGKILL)
