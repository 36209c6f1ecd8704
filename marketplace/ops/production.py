"""The production set-up of one machine behind `flask prod serve`: which processes to run,
with which environment, and the checks that refuse to start without PostgreSQL and Redis.

    nginx :PORT  ->  web-1 .. web-N  (gunicorn -k gevent -w 1, 127.0.0.1:PORT+1 ..)
                     worker-1 .. worker-M  (flask worker: rq worker --with-scheduler)

Everything it writes lives in the run directory (instance/prod by default): nginx.conf,
state.json (children, pids, ports) and metrics/ (PROMETHEUS_MULTIPROC_DIR, emptied at start).
"""

from __future__ import annotations

import os
import shutil
import signal
import sys
from dataclasses import dataclass
from pathlib import Path

from marketplace.ops import metrics, nginx
from marketplace.ops.supervisor import Child, ProcessSpec, Supervisor

ROOT = Path(__file__).resolve().parents[2]


class NotConfigured(RuntimeError):
    """The environment lacks what production needs; the message says what."""


@dataclass(frozen=True)
class ServeOptions:
    """How many processes, where, and how long they may take to stop."""

    web: int
    workers: int
    port: int
    host: str
    run_dir: Path
    graceful_timeout: int = 20
    worker_stop_timeout: int = 150  # longer than the longest job timeout (120 s)
    access_log: bool = True

    @property
    def web_ports(self) -> tuple[int, ...]:
        """The web processes listen on the ports after nginx's."""
        return tuple(self.port + i for i in range(1, self.web + 1))


def check_environment(config: dict[str, object]) -> None:
    """Refuse, saying why, without PostgreSQL, Redis or a SECRET_KEY given in the environment."""
    problems = []
    if not str(config.get("SQLALCHEMY_DATABASE_URI", "")).startswith("postgresql"):
        problems.append("DATABASE_URL must point at PostgreSQL (postgresql+psycopg://...)")
    if not config.get("REDIS_URL"):
        problems.append("REDIS_URL must be set (RQ, Socket.IO and rate limits share it)")
    if not os.environ.get("SECRET_KEY"):
        problems.append("SECRET_KEY must be set (every web process must sign sessions alike)")
    if problems:
        raise NotConfigured("; ".join(problems))


def child_env(options: ServeOptions, name: str, **extra: str) -> dict[str, str]:
    """The environment of one child: ours, in production mode, with the shared metrics dir."""
    env = dict(os.environ)
    env.update(
        {
            "MARKETPLACE_ENV": "production",
            "FLASK_APP": "wsgi",
            "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")])),
            metrics.MULTIPROC_ENV: str(options.run_dir / "metrics"),
            "MARKETPLACE_PROCESS_NAME": name,
            "TRUSTED_PROXIES": env.get("TRUSTED_PROXIES") or "1",  # our nginx
        }
    )
    env.update(extra)
    return env


def web_spec(options: ServeOptions, index: int, port: int) -> ProcessSpec:
    """One gunicorn + gevent process (one matching engine)."""
    name = f"web-{index}"
    argv = [
        sys.executable,
        "-m",
        "gunicorn",
        "-c",
        "python:marketplace.ops.gunicorn_conf",
        "-b",
        f"127.0.0.1:{port}",
        "--graceful-timeout",
        str(options.graceful_timeout),
        "wsgi:app",
    ]
    env = child_env(options, name, SOCKETIO_ASYNC_MODE="gevent")
    return ProcessSpec(
        name,
        "web",
        argv,
        env,
        str(ROOT),
        port=port,
        ready_url=f"http://127.0.0.1:{port}/readyz",
        stop_timeout=options.graceful_timeout + 10,
    )


def worker_spec(options: ServeOptions, index: int) -> ProcessSpec:
    """One RQ worker with the scheduler; SIGTERM is its warm shutdown."""
    name = f"worker-{index}"
    # Workers emit through Redis and run no engine; threading needs no monkey patching.
    env = child_env(options, name, SOCKETIO_ASYNC_MODE="threading", MATCHING_ENGINE_AUTOSTART="0")
    argv = [sys.executable, "-m", "flask", "--app", "wsgi", "worker"]
    return ProcessSpec(
        name, "worker", argv, env, str(ROOT), stop_timeout=options.worker_stop_timeout
    )


def proxy_spec(options: ServeOptions, binary: str, metrics_public: bool) -> ProcessSpec:
    """nginx in the foreground; SIGQUIT is its graceful stop (stop accepting, finish)."""
    settings = nginx.ProxySettings(
        host=options.host,
        port=options.port,
        web_ports=options.web_ports,
        run_dir=options.run_dir,
        metrics_public=metrics_public,
        access_log=options.access_log,
    )
    config_path = nginx.write_config(settings)
    return ProcessSpec(
        "nginx",
        "proxy",
        nginx.command(binary, options.run_dir, config_path),
        dict(os.environ),
        str(options.run_dir),
        port=options.port,
        stop_signal=signal.SIGQUIT,
        stop_timeout=options.graceful_timeout + 15,
    )


def build(options: ServeOptions, nginx_binary: str, metrics_public: bool) -> Supervisor:
    """The supervisor of this machine: web processes and workers first, nginx once they
    are ready; an empty metrics directory."""
    options.run_dir.mkdir(parents=True, exist_ok=True)
    metrics_dir = options.run_dir / "metrics"
    shutil.rmtree(metrics_dir, ignore_errors=True)
    metrics_dir.mkdir()
    webs = [web_spec(options, i, port) for i, port in enumerate(options.web_ports, start=1)]
    workers = [worker_spec(options, i) for i in range(1, options.workers + 1)]
    proxy = proxy_spec(options, nginx_binary, metrics_public)

    def forget_dead(child: Child) -> None:
        metrics.forget_dead_processes(str(metrics_dir))

    return Supervisor(
        groups=[webs + workers, [proxy]],
        state_path=options.run_dir / "state.json",
        on_child_exit=forget_dead,
        extra_state={
            "url": f"http://{options.host}:{options.port}",
            "run_dir": str(options.run_dir),
            "metrics_dir": str(metrics_dir),
        },
    )
