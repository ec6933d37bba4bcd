"""What the bot keeps between updates: the engine, the settings, button state, rate limits.

One ``NianbaoBot`` lives in ``application.bot_data["nianbao"]``; the handlers in
``bot.telegram.handlers`` read it from there. The database is opened read-only for answers;
an upload writes through its own connection. Questions are answered on the event loop (a few
milliseconds each, and the SQLite connection belongs to this thread); ingest and chart drawing
run in worker threads with their own resources.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from bot.settings import DEFAULT_TIME_ZONE
from bot.telegram.observe import Activity, Connectivity
from bot.telegram.settings import TelegramSettings
from bot.telegram.state import ExpiringMap, ExpiringStore, RateLimiter, Verdict
from bot.telegram.texts import texts

if TYPE_CHECKING:
    from bot.qa.answerer import Answerer
    from ingest.workers import Limits


@dataclass(frozen=True)
class MoreState:
    """What a "more results" button needs: the question and how many passages were shown."""

    question: str
    offset: int


@dataclass(frozen=True)
class SentAnswer:
    """The messages the bot answered a question with, so an edit of the question edits them."""

    chat_id: int
    message_ids: tuple[int, ...]


class NianbaoBot:
    """The bot's state over one database."""

    def __init__(
        self,
        db_path: Path,
        settings: TelegramSettings,
        today: date | None = None,
        time_zone: ZoneInfo | None = None,
        file_limits: tuple[float, float] | None = None,
    ):
        self.db_path = Path(db_path)
        self.settings = settings
        self.today = today
        self.time_zone = time_zone or ZoneInfo(DEFAULT_TIME_ZONE)
        self.file_limits = file_limits  # (seconds, memory MB) per file of an upload's ingest
        self._answerer: Answerer | None = None
        ttl = settings.button_ttl_minutes * 60
        self.buttons: ExpiringStore[MoreState] = ExpiringStore(ttl)
        self.answers: ExpiringMap[tuple[int, int], SentAnswer] = ExpiringMap(ttl)
        # Questions whose answer is being sent: an edit arriving meanwhile waits for it.
        self.answering: dict[tuple[int, int], asyncio.Event] = {}
        self.limiter = RateLimiter(settings.questions_per_minute)
        self.ingesting = asyncio.Lock()  # one upload at a time: ingest and index refresh write
        self.polling = asyncio.Event()  # set when the first getUpdates is on its way
        self.bot_id: int | None = None
        self.username: str = ""
        self.connectivity = Connectivity(self.time_zone)
        self.menu_pending: set[int] = set()  # admins whose command menu is not published yet
        self.activity: dict[int, Activity] = {}  # updates being handled, for their log line

    @property
    def limits(self) -> Limits:
        """The per-file limits of an upload's ingest (ingest.workers, which loads every
        reader, is imported with the first upload, not before the bot polls)."""
        from ingest.workers import DEFAULT_LIMITS, Limits

        return Limits(*self.file_limits) if self.file_limits else DEFAULT_LIMITS

    @property
    def answerer(self) -> Answerer:
        """Opened on first use, on the event loop's thread that then owns its connection
        (the engine is imported then too: the bot starts polling without it)."""
        from bot.qa.answerer import Answerer

        if self._answerer is None:
            self._answerer = Answerer(self.db_path, today=self.today)
        return self._answerer

    def reload(self) -> None:
        """Open the database afresh (after it was changed by another process)."""
        from bot.qa.answerer import Answerer

        self._answerer = Answerer(self.db_path, today=self.today)

    def is_admin(self, user_id: int | None) -> bool:
        return user_id is not None and user_id in self.settings.admins

    def meant_for_me(self, target: str | None) -> bool:
        """A command with no @bot, or with this bot's name (groups may hold several bots)."""
        return not target or target.lower() == self.username.lower()

    def rate(self, user_id: int | None) -> Verdict:
        """Whether this user may ask now. Admins are not limited: they load the reports and
        check the answers in bulk."""
        if self.is_admin(user_id):
            return Verdict(True)
        return self.limiter.check(user_id or 0)

    def examples(self) -> list[str]:
        """Example questions over what is loaded; [] when nothing is."""
        subject = self.answerer.examples()
        if subject is None or subject.statistic is None:
            return []
        fields = {"unit": subject.unit, "label": subject.label, "label_en": subject.label_en}
        return [q.format(**fields) for q in texts()["examples"]["questions"]]

    def chart_example(self) -> str:
        subject = self.answerer.examples()
        if subject is None or subject.statistic is None:
            return "…"
        return texts()["examples"]["chart"].format(label=subject.label)
