"""What the bot writes to its log, and only that.

- One line per update at ``-v`` (logger ``bot.telegram.updates`` at INFO): chat, user, kind,
  question length, answer kind, milliseconds.  The words of a message only at ``-vv`` (DEBUG),
  so a private question never reaches the log by default.
- One WARNING when Telegram becomes unreachable ("since …, retrying") and one INFO when it
  answers again, whatever the number of failed requests in between: every request of the bot
  goes through ``ObservedRequest``, which tells ``Connectivity``.
- Real failures of a handler stay ERROR with a traceback (``routing.on_error``).
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from telegram import Update
from telegram.error import NetworkError
from telegram.request import HTTPXRequest

UPDATES = logging.getLogger("bot.telegram.updates")
log = logging.getLogger(__name__)

FIRST_SERVER_ERROR = 500  # Telegram's own 5xx (Bad Gateway while it restarts) is an outage


class Connectivity:
    """Whether Telegram answers; says so once when it stops and once when it is back."""

    def __init__(self, zone: ZoneInfo) -> None:
        self.zone = zone
        self.down_since: float | None = None

    def lost(self, cause: object) -> None:
        if self.down_since is not None:
            return
        self.down_since = time.monotonic()
        since = datetime.now(self.zone).strftime("%H:%M:%S")
        log.warning("Telegram unreachable since %s (%s), retrying", since, _short(cause))

    def ok(self, started: float) -> None:
        """A request that began at ``started`` (monotonic) was answered.  One begun before the
        outage was noticed (a long poll already open) proves nothing about now: counting it
        would log a recovery and, at the next failure, a second outage."""
        if self.down_since is None or started < self.down_since:
            return
        seconds = time.monotonic() - self.down_since
        self.down_since = None
        log.info("Telegram reachable again after %.0f s", seconds)


def _short(cause: object) -> str:
    text = " ".join(str(cause).split()) or type(cause).__name__
    return text[:160]


class ObservedRequest(HTTPXRequest):
    """The HTTP transport of python-telegram-bot, telling ``Connectivity`` how each request
    went: a transport error or a 5xx is an outage, any other answer means Telegram is there."""

    def __init__(
        self, connectivity: Connectivity, sent: asyncio.Event | None = None, **options: Any
    ) -> None:
        """``sent`` is set once a first request is on its way (the first getUpdates)."""
        super().__init__(**options)
        self.connectivity = connectivity
        self.sent = sent

    async def do_request(self, *args: Any, **kwargs: Any) -> tuple[int, bytes]:
        started = time.monotonic()
        if self.sent is not None:
            self.sent.set()
        try:
            code, payload = await super().do_request(*args, **kwargs)
        except NetworkError as exc:
            self.connectivity.lost(exc)
            raise
        if code >= FIRST_SERVER_ERROR:
            self.connectivity.lost(f"HTTP {code}")
        else:
            self.connectivity.ok(started)
        return code, payload


@dataclass
class Activity:
    """What one update was and what the bot made of it, for its log line."""

    update_id: int
    kind: str
    chat: str
    user: str
    started: float = field(default_factory=time.perf_counter)
    question: str | None = None
    answer: str = "—"

    def line(self) -> str:
        asked = f", question {len(self.question)} chars" if self.question is not None else ""
        ms = (time.perf_counter() - self.started) * 1000
        return (
            f"update {self.update_id}: chat {self.chat} user {self.user} {self.kind}{asked}"
            f" → {self.answer} in {ms:.0f} ms"
        )


def update_kind(update: Update) -> str:
    """text, command, document, photo, edited, button or other."""
    if update.callback_query is not None:
        return "button"
    if update.edited_message is not None:
        return "edited"
    message = update.message
    if message is None:
        return "other"
    if message.document is not None:
        return "document"
    if message.photo:
        return "photo"
    if (message.text or "").startswith("/"):
        return "command"
    return "text" if message.text else "other"


def begin(update: Update) -> Activity:
    chat, user = update.effective_chat, update.effective_user
    return Activity(
        update_id=update.update_id,
        kind=update_kind(update),
        chat=f"{chat.id} ({chat.type})" if chat else "—",
        user=str(user.id) if user else "—",
    )


def finish(activity: Activity) -> None:
    """The update's log line (INFO), and at DEBUG the words asked."""
    UPDATES.info(activity.line())
    if activity.question is not None:
        UPDATES.debug("update %s text: %r", activity.update_id, activity.question)
