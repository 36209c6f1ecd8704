"""The matching engine of one web process: drains the queue when kicked and fires deadlines.

Each web process runs one engine as a Socket.IO background task (a thread, or a greenlet under
gevent). A kick (question posted, expert online, offer declined, capacity freed) drains the
queue at once; deadlines are polled every 50 ms, so an offer moves on within ~100 ms of expiry.
Every 5 s the engine marks its connections alive, at start and every 10 s it sweeps connections
of dead processes, at exit it removes its own, and each second it queues the periodic jobs that
are due (`marketplace/schedule.py`: the reconciler every 30 s, and the other chores on their own
clocks).
"""

from __future__ import annotations

import atexit
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
DRAIN_BUDGET_SECONDS = 0.2  # a drain yields to due deadlines after this long


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
        self._forgotten = False
        self._lock = threading.Lock()
        self.late_ms: list[float] = []  # how late deadlines fired (for the benchmark)
        self._roster: Any = None
        self._candidates_at = 0.0
        self._roster_ttl = CANDIDATES_TTL
        self.periodic = PeriodicRunner()

    def ensure_started(self) -> None:
        """Start the background task once per process (not at app creation)."""
        with self._lock:
            if self._started or not self.app.config.get("MATCHING_ENGINE_AUTOSTART", True):
                return
            self._started = True
        from marketplace.extensions import socketio

        log.info("matching engine %s starting", self.server_id)
        # Gunicorn's SIGTERM runs the shutdown hooks (marketplace/ops/gunicorn_conf.py): the loop
        # stops and this process's connections are forgotten at once, so its experts re-route.
        # atexit covers the other ways a process ends cleanly.
        lifecycle.on_shutdown(self.shutdown)
        atexit.register(self.shutdown)
        socketio.start_background_task(self._run)

    def kick(self) -> None:
        """Ask for a drain soon."""
        self._kicked.set()

    def stop(self) -> None:
        """Let the loop end (graceful shutdown)."""
        self._stopping = True
        self._kicked.set()

    def shutdown(self) -> None:
        """Stop, and remove this process's connections so they do not linger as "online"."""
        self.stop()
        if self._forgotten:
            return
        self._forgotten = True
        from marketplace.experts import presence

        try:
            with self.app.app_context():
                presence.forget_server(self.server_id)
        except Exception:  # shutting down: the other processes' stale sweep is the fallback
            log.exception("could not forget the connections of %s", self.server_id)

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
            started = time.monotonic()
            services.drain(roster_of=self.roster, budget_seconds=DRAIN_BUDGET_SECONDS)
            if time.monotonic() - started >= DRAIN_BUDGET_SECONDS:
                self._kicked.set()  # cut short: fire what fell due, then go on draining
        monotonic = time.monotonic()
        self._every(timers, "refresh", REFRESH_SECONDS, monotonic, self._refresh)
        self._every(timers, "sweep", SWEEP_SECONDS, monotonic, self._sweep)
        self._every(timers, "schedule", SCHEDULE_SECONDS, monotonic, self._schedule)

    def roster(self, now: Any) -> Any:
        """Available experts (indexed), reloaded at most every CANDIDATES_TTL seconds, and at
        most a fifth of the time: with many experts a reload is not free.

        Offers made by this process update the cached loads at once; other processes' offers
        show after the next reload. A stale load can only over-offer: the claim re-checks
        capacity atomically.
        """
        from marketplace.matching.candidates import Roster, available_experts

        started = time.monotonic()
        if self._roster is None or started - self._candidates_at > self._roster_ttl:
            self._roster = Roster(available_experts(now))
            self._candidates_at = time.monotonic()
            self._roster_ttl = max(CANDIDATES_TTL, 4 * (self._candidates_at - started))
        return self._roster

    def forget_candidates(self) -> None:
        """Reload the available experts at the next drain (presence changed here)."""
        self._candidates_at = 0.0

    def fire_due(self) -> int:
        """Handle every due deadline; returns how many fired."""
        now = time.time()
        from marketplace.extensions import socketio

        due = self.deadlines.pop_due(now)
        for key, at in due:
            self._fire(key)
            metrics.observe_deadline(key, time.time() - at)
            socketio.sleep(0)  # let requests run between deadlines (gevent)
            if key.startswith("offer:"):
                self._note_lateness((time.time() - at) * 1000)
        return len(due)

    def _note_lateness(self, late_ms: float) -> None:
        """Keep how late offer deadlines fired; the benchmark collects them from every process
        through a Redis list when MATCHING_LATENESS_KEY is set."""
        self.late_ms = [*self.late_ms[-999:], late_ms]
        key = self.app.config.get("MATCHING_LATENESS_KEY")
        if key and isinstance(self.deadlines, RedisDeadlines):
            try:
                self.deadlines.client.rpush(key, f"{late_ms:.3f}")
            except Exception:  # a measurement must never break matching
                log.exception("could not record deadline lateness")

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

        presence.sweep_stale(self.server_id)

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
