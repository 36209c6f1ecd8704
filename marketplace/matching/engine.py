"""The matching engine of one web process: drains the queue when kicked and fires deadlines.

Each web process runs one engine as a Socket.IO background task (a thread, or a greenlet under
gevent). A kick (question posted, expert online, offer declined, capacity freed) drains the
queue at once; deadlines are polled every 50 ms, so an offer moves on within ~100 ms of expiry.
Every 5 s the engine marks its connections alive, every 10 s it sweeps connections of dead
processes, and each second it queues the periodic jobs that are due (`marketplace/schedule.py`:
the reconciler every 30 s, and the other chores on their own clocks).
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
import uuid
from collections.abc import Callable
from typing import Any

from flask import Flask, current_app, has_app_context

from marketplace import lifecycle
from marketplace.matching.deadlines import DeadlineStore, MemoryDeadlines, RedisDeadlines
from marketplace.ops import metrics
from marketplace.schedule import PeriodicRunner

log = logging.getLogger(__name__)
POLL_SECONDS = 0.05
CANDIDATES_TTL = 0.25  # how stale the cached set of available experts may get
REFRESH_SECONDS = 5.0
SWEEP_SECONDS = 10.0
SCHEDULE_SECONDS = 1.0


class MatchingEngine:
    """Per-process engine; `kick()` is cheap and safe from any thread."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.server_id = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        redis_url = app.config.get("REDIS_URL")
        self.deadlines: DeadlineStore = (
            RedisDeadlines(redis_url) if redis_url else MemoryDeadlines()
        )
        self._kicked = threading.Event()
        self._started = False
        self._stopping = False
        self._lock = threading.Lock()
        self.late_ms: list[float] = []  # how late deadlines fired (for the benchmark)
        self._candidates: dict[uuid.UUID, Any] = {}
        self._candidates_at = 0.0
        self.periodic = PeriodicRunner()

    def ensure_started(self) -> None:
        """Start the background task once per process (not at app creation)."""
        with self._lock:
            if self._started or not self.app.config.get("MATCHING_ENGINE_AUTOSTART", True):
                return
            self._started = True
        from marketplace.extensions import socketio

        log.info("matching engine %s starting", self.server_id)
        lifecycle.on_shutdown(self.stop)
        socketio.start_background_task(self._run)

    def kick(self) -> None:
        """Ask for a drain soon."""
        self._kicked.set()

    def stop(self) -> None:
        """Let the loop end (graceful shutdown)."""
        self._stopping = True
        self._kicked.set()

    def _run(self) -> None:
        timers = {"refresh": 0.0, "sweep": 0.0, "schedule": 0.0}
        while not self._stopping:
            kicked = self._kicked.wait(POLL_SECONDS)
            self._kicked.clear()
            try:
                with self.app.app_context():
                    self.tick(kicked, timers)
            except Exception:  # the loop must survive a bad tick; the next one retries
                log.exception("matching engine tick failed")
                time.sleep(POLL_SECONDS)

    def tick(self, kicked: bool, timers: dict[str, float]) -> None:
        """One round: fire due deadlines, drain if kicked, run the periodic chores."""
        from marketplace.matching import services

        if self.fire_due() or kicked:
            services.drain(experts=self.available_experts)
        monotonic = time.monotonic()
        self._every(timers, "refresh", REFRESH_SECONDS, monotonic, self._refresh)
        self._every(timers, "sweep", SWEEP_SECONDS, monotonic, self._sweep)
        self._every(timers, "schedule", SCHEDULE_SECONDS, monotonic, self._schedule)

    def available_experts(self, now: Any) -> dict[uuid.UUID, Any]:
        """Available experts, reloaded at most every CANDIDATES_TTL seconds.

        Offers made by this process update the cached loads at once; other processes' offers
        show after the next reload. A stale load can only over-offer: the claim re-checks
        capacity atomically.
        """
        from marketplace.matching.candidates import available_experts

        if time.monotonic() - self._candidates_at > CANDIDATES_TTL:
            self._candidates = available_experts(now)
            self._candidates_at = time.monotonic()
        return self._candidates

    def forget_candidates(self) -> None:
        """Reload the available experts at the next drain (presence changed here)."""
        self._candidates_at = 0.0

    def fire_due(self) -> int:
        """Handle every due deadline; returns how many fired."""
        now = time.time()
        due = self.deadlines.pop_due(now)
        for key, at in due:
            self._fire(key)
            metrics.observe_deadline(key, time.time() - at)
            if key.startswith("offer:"):
                self.late_ms = [*self.late_ms[-999:], (time.time() - at) * 1000]
        return len(due)

    def _fire(self, key: str) -> None:
        kind, _, raw_id = key.partition(":")
        handler = _handlers().get(kind)
        if handler is None:
            log.warning("unknown deadline %s", key)
            return
        try:
            handler(uuid.UUID(raw_id))
        except Exception:
            log.exception("deadline %s failed; the reconciler will retry it", key)
            from marketplace.extensions import db

            db.session.rollback()

    @staticmethod
    def _every(
        timers: dict[str, float], name: str, period: float, now: float, chore: Callable[[], Any]
    ) -> None:
        if now - timers[name] >= period:
            timers[name] = now
            chore()

    def _refresh(self) -> None:
        from marketplace.experts import presence

        presence.refresh(self.server_id)

    def _sweep(self) -> None:
        from marketplace.experts import presence

        presence.sweep_stale()

    def _schedule(self) -> None:
        self.periodic.run_due(time.time())


def _handlers() -> dict[str, Callable[[uuid.UUID], Any]]:
    from marketplace.experts import presence
    from marketplace.matching import claims, escalation

    return {
        "offer": claims.expire_offer,
        "assignment": claims.expire_assignment,
        "ring": escalation.ring_due,
        "return": escalation.return_due,
        "sla": escalation.sla_due,
        "grace": presence.grace_over,
    }


def init_app(app: Flask) -> MatchingEngine:
    """Attach an engine to the app (it starts on first use, not here)."""
    engine = MatchingEngine(app)
    app.extensions["matching_engine"] = engine
    return engine


def current_engine() -> MatchingEngine | None:
    """This process's engine, if there is an app."""
    return current_app.extensions.get("matching_engine") if has_app_context() else None


def kick(reload_experts: bool = False) -> None:
    """Drain soon (starting the engine if it is not running yet)."""
    engine = current_engine()
    if engine is not None:
        if reload_experts:
            engine.forget_candidates()
        engine.ensure_started()
        engine.kick()


def deadline_store() -> DeadlineStore:
    """Where deadlines are armed."""
    return current_app.extensions["matching_engine"].deadlines
