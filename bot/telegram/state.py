"""What the bot remembers between updates: button state, which answer replied to which
question (so an edited question edits its answer) and per-user question counts.

All live in memory and forget on their own: button state and answers expire after a
configured time (a pressed button then says so), and the rate limiter only keeps the last
minute.
"""

from __future__ import annotations

import secrets
import time
from collections import OrderedDict, deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")
K = TypeVar("K")


class ExpiringMap(Generic[K, T]):
    """Values under the caller's keys, each forgotten ``ttl`` seconds after it was put; the
    oldest go first past ``capacity``."""

    def __init__(
        self, ttl: float, capacity: int = 10_000, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.ttl = ttl
        self.capacity = capacity
        self.clock = clock
        self._items: OrderedDict[K, tuple[float, T]] = OrderedDict()

    def put(self, key: K, value: T) -> None:
        self._expire()
        self._items.pop(key, None)
        self._items[key] = (self.clock() + self.ttl, value)
        while len(self._items) > self.capacity:
            self._items.popitem(last=False)

    def get(self, key: K) -> T | None:
        self._expire()
        item = self._items.get(key)
        return item[1] if item else None

    def __len__(self) -> int:
        self._expire()
        return len(self._items)

    def _expire(self) -> None:
        now = self.clock()
        while self._items:
            key, (deadline, _) = next(iter(self._items.items()))
            if deadline > now:
                break
            del self._items[key]


class ExpiringStore(Generic[T]):
    """Values behind short random tokens, for callback data (Telegram allows 64 bytes).

    Entries expire after ``ttl`` seconds; the oldest go first past ``capacity``. This is not
    python-telegram-bot's ``arbitrary_callback_data`` because that cache has a size but no
    time-to-live: whether an old button still works would depend on how busy the bot has
    been since, while here a button works for ``button_ttl_minutes`` and then says it expired.
    """

    def __init__(
        self, ttl: float, capacity: int = 10_000, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._map: ExpiringMap[str, T] = ExpiringMap(ttl, capacity, clock)

    def put(self, value: T) -> str:
        token = secrets.token_urlsafe(9)
        self._map.put(token, value)
        return token

    def get(self, token: str) -> T | None:
        return self._map.get(token)

    def __len__(self) -> int:
        return len(self._map)


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    wait_seconds: int = 0
    notify: bool = False  # the first refusal of a burst says so; later ones stay silent


class RateLimiter:
    """At most ``per_minute`` questions per user in any 60-second window; 0 means no limit."""

    WINDOW = 60.0

    def __init__(self, per_minute: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.per_minute = per_minute
        self.clock = clock
        self._seen: dict[int, deque[float]] = {}
        self._notified: dict[int, float] = {}

    def check(self, user_id: int) -> Verdict:
        if self.per_minute <= 0:
            return Verdict(True)
        now = self.clock()
        times = self._seen.setdefault(user_id, deque())
        while times and times[0] <= now - self.WINDOW:
            times.popleft()
        if len(times) < self.per_minute:
            times.append(now)
            self._notified.pop(user_id, None)
            return Verdict(True)
        wait = max(1, int(times[0] + self.WINDOW - now + 0.999))
        first = user_id not in self._notified
        self._notified[user_id] = now
        return Verdict(False, wait_seconds=wait, notify=first)
