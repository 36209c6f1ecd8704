"""Deadlines of offers, assignments, escalation rings and presence grace periods.

Kept in a Redis sorted set when REDIS_URL is set (every web process sweeps it; a Lua script
hands each due key to exactly one of them), in memory otherwise. The database holds the same
deadlines, so the reconciler can re-arm them after Redis loses its data.
"""

from __future__ import annotations

import heapq
import threading
import time
from typing import Any, Protocol

ZSET_KEY = "marketplace:deadlines"

# Pops due members atomically, so two web processes never handle the same deadline.
POP_DUE = """
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'WITHSCORES', 'LIMIT', 0, ARGV[2])
for i = 1, #due, 2 do redis.call('ZREM', KEYS[1], due[i]) end
return due
"""


class DeadlineStore(Protocol):
    """Keys such as 'offer:<id>' that fall due at a Unix time."""

    def add(self, key: str, at: float) -> None: ...
    def discard(self, key: str) -> None: ...
    def pop_due(self, now: float, limit: int = 200) -> list[tuple[str, float]]: ...


class MemoryDeadlines:
    """The in-process store (embedded mode): a heap plus the latest time per key."""

    def __init__(self) -> None:
        self._heap: list[tuple[float, str]] = []
        self._due: dict[str, float] = {}
        self._lock = threading.Lock()

    def add(self, key: str, at: float) -> None:
        """Arm (or move) a deadline."""
        with self._lock:
            self._due[key] = at
            heapq.heappush(self._heap, (at, key))

    def discard(self, key: str) -> None:
        """Disarm a deadline."""
        with self._lock:
            self._due.pop(key, None)

    def pop_due(self, now: float, limit: int = 200) -> list[tuple[str, float]]:
        """Take the keys due by `now` (each once), with the time they were due."""
        due: list[tuple[str, float]] = []
        with self._lock:
            while self._heap and self._heap[0][0] <= now and len(due) < limit:
                at, key = heapq.heappop(self._heap)
                if self._due.get(key) == at:  # skip entries that were moved or discarded
                    del self._due[key]
                    due.append((key, at))
        return due


class RedisDeadlines:
    """The shared store: one sorted set scored by Unix time."""

    def __init__(self, redis_url: str, key: str = ZSET_KEY) -> None:
        self.redis_url = redis_url
        self.key = key
        self._client: Any = None
        self._pop: Any = None

    @property
    def client(self) -> Any:
        """The Redis client, connected on first use."""
        if self._client is None:
            from redis import Redis

            self._client = Redis.from_url(self.redis_url)
            self._pop = self._client.register_script(POP_DUE)
        return self._client

    def add(self, key: str, at: float) -> None:
        """Arm (or move) a deadline."""
        self.client.zadd(self.key, {key: at})

    def discard(self, key: str) -> None:
        """Disarm a deadline."""
        self.client.zrem(self.key, key)

    def pop_due(self, now: float, limit: int = 200) -> list[tuple[str, float]]:
        """Take the keys due by `now`, with their due times; each goes to exactly one caller."""
        self.client  # noqa: B018 - make sure the script is registered
        flat = self._pop(keys=[self.key], args=[now, limit])
        return [(flat[i].decode(), float(flat[i + 1])) for i in range(0, len(flat), 2)]


def now() -> float:
    """Unix time, the scale of every deadline score."""
    return time.time()
