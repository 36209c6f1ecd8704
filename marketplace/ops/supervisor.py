"""Supervise the processes of one machine: start them in groups, restart any that dies (with
backoff), and stop them all gracefully on SIGTERM or SIGINT.

Plain Python (no Flask): `marketplace/ops/production.py` says which processes to run. Each
child runs in its own session, so a Ctrl+C reaches only the supervisor, which then stops the
children in order, and so a dead child's own children (a gunicorn worker whose master was
killed) can be cleaned up with its process group. The current children, their pids, roles
and ports are kept in a JSON state file for harnesses; killing a child's pid is the way to
restart it (SIGTERM: gracefully; SIGKILL: a crash) — the supervisor starts a new one.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import signal
import subprocess
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)
POLL_SECONDS = 0.1


@dataclass(frozen=True)
class ProcessSpec:
    """One process to keep running."""

    name: str  # unique: "web-1", "worker-2", "nginx"
    role: str  # "web", "worker", "proxy"
    argv: list[str]
    env: dict[str, str]
    cwd: str
    port: int | None = None
    ready_url: str | None = None  # answers 200 once the process can take traffic
    stop_signal: int = signal.SIGTERM
    stop_timeout: float = 30.0  # then SIGKILL to its process group


@dataclass
class Child:
    """A spec and the process currently running it."""

    spec: ProcessSpec
    process: subprocess.Popen[bytes] | None = None
    started_at: float = 0.0  # Unix time
    started_monotonic: float = 0.0
    restarts: int = 0
    backoff: float = 0.0
    restart_at: float | None = None  # monotonic time of a scheduled restart
    last_exit: int | None = None

    @property
    def pid(self) -> int | None:
        """The running process's pid (also its process group id)."""
        return self.process.pid if self.process is not None else None

    def state(self) -> dict[str, Any]:
        """What the state file says about this child."""
        running = self.process is not None and self.process.poll() is None
        return {
            "name": self.spec.name,
            "role": self.spec.role,
            "pid": self.pid,
            "port": self.spec.port,
            "status": "running" if running else ("restarting" if self.restart_at else "exited"),
            "started_at": self.started_at,
            "restarts": self.restarts,
            "last_exit": self.last_exit,
        }


@dataclass
class Backoff:
    """Restart delays: doubling from `initial` to `maximum`; reset after a stable run."""

    initial: float = 0.5
    maximum: float = 30.0
    stable_seconds: float = 30.0

    def next(self, previous: float, ran_for: float) -> float:
        """The delay before the next start, given the last delay and how long the child ran."""
        if previous <= 0 or ran_for >= self.stable_seconds:
            return self.initial
        return min(self.maximum, previous * 2)


@dataclass
class Supervisor:
    """Runs groups of processes: each group starts once the previous one is ready; on stop,
    every child is signalled, last group first, then each is waited for."""

    groups: list[list[ProcessSpec]]
    state_path: Path
    backoff: Backoff = field(default_factory=Backoff)
    ready_timeout: float = 60.0
    on_child_exit: Callable[[Child], None] | None = None
    extra_state: dict[str, Any] = field(default_factory=dict)
    children: list[Child] = field(default_factory=list)
    status: str = "starting"
    _stop_requested: bool = False
    _force: bool = False

    def run(self) -> int:
        """Start everything, supervise until SIGTERM/SIGINT, stop gracefully; returns 0."""
        self._install_signals()
        try:
            for group in self.groups:
                started = [self._add(spec) for spec in group]
                self._wait_ready(started)
                if self._stop_requested:
                    break
            if not self._stop_requested:
                self._set_status("running")
                log.info("supervisor running", extra={"children": self._children_state()})
            while not self._stop_requested:
                self._check_children()
                time.sleep(POLL_SECONDS)
        finally:
            self.stop()
        return 0

    def request_stop(self, signum: int = signal.SIGTERM, frame: Any = None) -> None:
        """First signal: graceful stop. A second one: kill everything now."""
        if self._stop_requested:
            self._force = True
            log.warning("second stop signal: killing every child now")
            self._kill_all()
            return
        log.info("stop requested (%s)", signal.Signals(signum).name)
        self._stop_requested = True

    def _install_signals(self) -> None:
        signal.signal(signal.SIGTERM, self.request_stop)
        signal.signal(signal.SIGINT, self.request_stop)

    def _add(self, spec: ProcessSpec) -> Child:
        child = Child(spec)
        self.children.append(child)
        self._start(child)
        return child

    def _start(self, child: Child) -> None:
        spec = child.spec
        child.process = subprocess.Popen(  # noqa: S603 - our own argv
            spec.argv, cwd=spec.cwd, env=spec.env, start_new_session=True
        )
        child.started_at, child.started_monotonic = time.time(), time.monotonic()
        child.restart_at = None
        log.info(
            "started %s (pid %s)",
            spec.name,
            child.pid,
            extra={"child": spec.name, "role": spec.role, "pid": child.pid, "port": spec.port},
        )
        self._write_state()

    def _wait_ready(self, children: list[Child]) -> None:
        deadline = time.monotonic() + self.ready_timeout
        waiting = [c for c in children if c.spec.ready_url]
        while waiting and not self._stop_requested:
            self._check_children()
            waiting = [c for c in waiting if not _answers(c.spec.ready_url)]
            if waiting and time.monotonic() > deadline:
                names = ", ".join(c.spec.name for c in waiting)
                log.error(
                    "not ready after %.0f s: %s (still supervising)", self.ready_timeout, names
                )
                return
            time.sleep(POLL_SECONDS)

    def _check_children(self) -> None:
        now = time.monotonic()
        for child in self.children:
            if child.restart_at is not None:
                if now >= child.restart_at and not self._stop_requested:
                    child.restarts += 1
                    self._start(child)
                continue
            if child.process is None or child.process.poll() is None:
                continue
            self._exited(child, now)

    def _exited(self, child: Child, now: float) -> None:
        assert child.process is not None
        code = child.process.returncode
        child.last_exit = code
        _kill_group(child.process.pid, signal.SIGKILL)  # orphans of the dead process
        ran_for = now - child.started_monotonic
        child.backoff = self.backoff.next(child.backoff, ran_for)
        child.restart_at = now + child.backoff
        how = f"signal {signal.Signals(-code).name}" if code < 0 else f"exit code {code}"
        log.warning(
            "%s (pid %s) exited with %s after %.1f s; restarting in %.1f s",
            child.spec.name,
            child.process.pid,
            how,
            ran_for,
            child.backoff,
            extra={"child": child.spec.name, "role": child.spec.role, "exit": code},
        )
        if self.on_child_exit is not None:
            self.on_child_exit(child)
        self._write_state()

    def stop(self) -> None:
        """Signal every child (last group first), wait for each, SIGKILL the laggards."""
        self._set_status("stopping")
        for child in reversed(self.children):
            child.restart_at = None
            if child.process is not None and child.process.poll() is None:
                log.info("stopping %s (pid %s)", child.spec.name, child.pid)
                _signal(child.process, child.spec.stop_signal)
        for child in reversed(self.children):
            self._wait_stopped(child)
        self._set_status("stopped")
        log.info("supervisor stopped: every child has exited")

    def _wait_stopped(self, child: Child) -> None:
        if child.process is None:
            return
        started = time.monotonic()
        while child.process.poll() is None and not self._force:
            if time.monotonic() - started > child.spec.stop_timeout:
                log.warning(
                    "%s did not stop in %.0f s: killing it",
                    child.spec.name,
                    child.spec.stop_timeout,
                )
                break
            time.sleep(POLL_SECONDS)
        _kill_group(child.process.pid, signal.SIGKILL)
        child.process.wait()
        child.last_exit = child.process.returncode
        if self.on_child_exit is not None:
            self.on_child_exit(child)

    def _kill_all(self) -> None:
        for child in self.children:
            if child.process is not None:
                _kill_group(child.process.pid, signal.SIGKILL)

    def _set_status(self, status: str) -> None:
        self.status = status
        self._write_state()

    def _children_state(self) -> list[dict[str, Any]]:
        return [child.state() for child in self.children]

    def _write_state(self) -> None:
        document = {
            "supervisor_pid": os.getpid(),
            "status": self.status,
            "updated_at": time.time(),
            **self.extra_state,
            "children": self._children_state(),
        }
        temporary = self.state_path.with_suffix(".tmp")
        temporary.write_text(json.dumps(document, indent=2))
        temporary.replace(self.state_path)  # atomic: readers never see half a file


def _signal(process: subprocess.Popen[bytes], signum: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        process.send_signal(signum)


def _kill_group(pgid: int, signum: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, signum)


def _answers(url: str | None) -> bool:
    if url is None:
        return True
    try:
        with urllib.request.urlopen(url, timeout=1) as response:  # noqa: S310 - our own URL
            return response.status == 200
    except OSError:
        return False


def read_state(path: Path) -> dict[str, Any]:
    """The state file as written by a running (or stopped) supervisor."""
    return json.loads(path.read_text())
