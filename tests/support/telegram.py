"""Running the real bot against the fake Bot API server, and reading what it sent."""

from __future__ import annotations

import asyncio
import re
import shutil
import sqlite3
import threading
from dataclasses import replace
from html import unescape
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from telegram.error import TelegramError

from bot.telegram.app import build_application, webhook_options
from bot.telegram.conversation import NianbaoBot
from bot.telegram.settings import TelegramSettings
from tests.support import TODAY
from tests.support.fake_bot_api import FakeBotApi

# The tags Telegram's HTML parse mode knows; the bot must send no other.
TELEGRAM_TAGS = {"b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "code", "pre", "a",
                 "blockquote", "tg-spoiler", "span", "tg-emoji"}  # fmt: skip

# The people and chats of the bot tests: an admin, an official, their private chat, a group.
ADMIN = FakeBotApi.user(42, "Admin")
OFFICIAL = FakeBotApi.user(1001, "Official")
PRIVATE = FakeBotApi.private_chat(1001)
GROUP = FakeBotApi.group_chat(-1001, "年报工作群")


def copy_corpus(source: Path, target: Path) -> Path:
    """A private copy of a built database and its passage index, for a test that changes it."""
    target.parent.mkdir(parents=True, exist_ok=True)
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
    index = source.with_name(source.name + ".index")
    shutil.copytree(index, target.with_name(target.name + ".index"))
    return target


def settings_for(api: FakeBotApi, **changes: Any) -> TelegramSettings:
    base = TelegramSettings(
        token=api.token,
        base_url=api.base_url,
        base_file_url=api.base_file_url,
        admins=(42,),
        questions_per_minute=0,
    )
    return replace(base, **changes)


class RunningBot:
    """The bot's ``Application`` polling the fake server from a thread of its own."""

    def __init__(
        self,
        api: FakeBotApi,
        db_path: Path,
        settings: TelegramSettings,
        time_zone: ZoneInfo | None = None,
    ) -> None:
        self.api = api
        self.settings = settings
        self.app = build_application(db_path, settings, today=TODAY, time_zone=time_zone)
        self.nianbao: NianbaoBot = self.app.bot_data["nianbao"]
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._ready = threading.Event()
        self._failure: BaseException | None = None
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> RunningBot:
        self._thread.start()
        if not self._ready.wait(30) or self._failure:
            raise RuntimeError(f"bot did not start: {self._failure!r}")
        self.api.wait_for("setWebhook" if self.settings.mode == "webhook" else "getUpdates")
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self._loop and self._stop:
            self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(30)

    def _run(self) -> None:
        asyncio.run(self._main())

    async def _main(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._stop = asyncio.Event()
        try:
            async with self.app:
                if self.app.post_init:
                    await self.app.post_init(self.app)
                await self.app.start()
                if self.settings.mode == "webhook":
                    await self.app.updater.start_webhook(**webhook_options(self.settings))
                else:

                    def polling_failed(exc: TelegramError) -> None:  # as run_polling does
                        self.app.create_task(self.app.process_error(error=exc, update=None))

                    await self.app.updater.start_polling(
                        poll_interval=0.0, timeout=1, error_callback=polling_failed
                    )
                self._ready.set()
                await self._stop.wait()
                await self.app.updater.stop()
                await self.app.stop()
        except BaseException as exc:
            self._failure = exc
            self._ready.set()
            raise

    def reply_to(self, message: dict, method: str = "sendMessage", timeout: float = 15.0) -> dict:
        """The first message the bot sent quoting an incoming message."""
        chat_id, message_id = message["chat"]["id"], message["message_id"]
        return self.api.wait_for(
            method,
            lambda p: str(p.get("chat_id")) == str(chat_id) and replied_to(p) == message_id,
            timeout=timeout,
        )[0]

    def ask(self, chat: dict, user: dict, text: str) -> dict:
        """Send a message and return the bot's reply to it."""
        update = self.api.send_text(chat, user, text)
        return self.reply_to(update["message"])


def replied_to(params: dict) -> int | None:
    """The message id a send quotes, whichever way the library wrote it."""
    reply = params.get("reply_parameters")
    if isinstance(reply, dict):
        return int(reply.get("message_id", 0))
    if params.get("reply_to_message_id") is not None:
        return int(params["reply_to_message_id"])
    return None


class TagChecker(HTMLParser):
    """Collects tags and checks they nest; Telegram rejects a message that does not parse."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.tags: set[str] = set()
        self.errors: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        self.tags.add(tag)
        self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes {self.stack[-1:] or 'nothing'}")
        else:
            self.stack.pop()

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def check_html(text: str) -> str:
    """Assert the message is valid Telegram HTML; return its visible text."""
    checker = TagChecker()
    checker.feed(text)
    checker.close()
    assert not checker.errors, checker.errors
    assert not checker.stack, f"unclosed tags {checker.stack} in {text[-200:]!r}"
    assert checker.tags <= TELEGRAM_TAGS, checker.tags - TELEGRAM_TAGS
    assert not re.search(r"&(?![a-z]+;|#\d+;)", text), "unescaped & in message"
    return "".join(checker.text)


def visible(html_text: str) -> str:
    """The text a person sees: tags dropped, entities decoded."""
    return unescape(re.sub(r"<[^>]+>", "", html_text))
