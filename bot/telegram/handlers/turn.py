"""What every handler shares: the update being handled, replies, the rate limit, buttons."""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, MessageEntity, Update
from telegram.error import TelegramError
from telegram.ext import ContextTypes

from bot.telegram.conversation import NianbaoBot
from bot.telegram.messages import split_messages
from bot.telegram.texts import escape_html, sentence

log = logging.getLogger(__name__)

Context = ContextTypes.DEFAULT_TYPE
Handler = Callable[[Update, Context], Coroutine[Any, Any, None]]


def nianbao(context: Context) -> NianbaoBot:
    """The bot's state, kept in ``bot_data`` by ``app.build_application``."""
    return context.bot_data["nianbao"]


async def limited(bot: NianbaoBot, update: Update) -> bool:
    """True when the user is over the rate limit (and has been told so, once per burst)."""
    user = update.effective_user
    verdict = bot.rate(user.id if user else None)
    if verdict.allowed:
        return False
    notice = ""
    if verdict.notify:
        limit = bot.settings.questions_per_minute
        notice = sentence("rate_limited", limit=limit, wait=verdict.wait_seconds)
    if update.callback_query is not None:
        await update.callback_query.answer(notice or None, show_alert=bool(notice))
    elif notice and update.effective_message is not None:
        await update.effective_message.reply_text(escape_html(notice))
    return True


@dataclass
class Turn:
    """One message being handled, with the bot's state."""

    bot: NianbaoBot
    update: Update
    context: Context
    message: Message

    @property
    def is_admin(self) -> bool:
        user = self.update.effective_user
        return self.bot.is_admin(user.id if user else None)

    async def say(self, key: str, /, **fields: object) -> None:
        """Reply with one of the bot's sentences."""
        await self.message.reply_text(escape_html(sentence(key, **fields)))

    async def send(
        self, blocks: list[str], keyboard: InlineKeyboardMarkup | None = None
    ) -> list[Message]:
        """Reply with HTML blocks, split under Telegram's limit; buttons on the last part."""
        return await send_blocks(self.message, blocks, keyboard)

    def note(self, question: str | None = None, answer: str | None = None) -> None:
        """What this update asked and got, for its log line."""
        note(self.bot, self.update, question, answer)

    async def limited(self) -> bool:
        return await limited(self.bot, self.update)

    async def show(self, action: str) -> None:
        await show_action(self.message, action)


def on_message(handle: Callable[[Turn], Awaitable[None]]) -> Handler:
    """A handler of updates that carry a message, as python-telegram-bot calls it."""

    @functools.wraps(handle)
    async def handler(update: Update, context: Context) -> None:
        message = update.effective_message
        if message is not None:
            await handle(Turn(nianbao(context), update, context, message))

    return handler


def note(
    bot: NianbaoBot, update: Update, question: str | None = None, answer: str | None = None
) -> None:
    activity = bot.activity.get(update.update_id)
    if activity is None:
        return
    if question is not None:
        activity.question = question
    if answer is not None:
        activity.answer = answer


async def send_blocks(
    message: Message, blocks: list[str], keyboard: InlineKeyboardMarkup | None = None
) -> list[Message]:
    parts = split_messages(blocks)
    sent = []
    for i, part in enumerate(parts):
        markup = keyboard if i == len(parts) - 1 else None
        sent.append(await message.reply_text(part, reply_markup=markup, do_quote=i == 0))
    return sent


def button(label: str, data: str) -> InlineKeyboardButton:
    return InlineKeyboardButton(label, callback_data=data)


async def show_action(message: Message, action: str) -> None:
    """ "typing…" while the bot works; a chat action that fails must not stop the answer."""
    try:
        await message.chat.send_action(action)
    except TelegramError as exc:
        log.info("chat action %s failed: %s", action, exc)


def addressed(bot: NianbaoBot, message: Message) -> str | None:
    """The question in a group message meant for the bot (mention or reply), else None; the
    caption of a photo or file counts as its text."""
    text = message.text or message.caption or ""
    entities = (
        message.parse_entities([MessageEntity.TEXT_MENTION])
        if message.text
        else message.parse_caption_entities([MessageEntity.TEXT_MENTION])
    )
    mentioned = False
    for entity, value in entities.items():
        if entity.user is not None and entity.user.id == bot.bot_id:
            mentioned = True
            text = text.replace(value, " ")
    handle = re.compile(rf"@{re.escape(bot.username)}(?!\w)", re.IGNORECASE)
    if bot.username and handle.search(text):
        mentioned = True
        text = handle.sub(" ", text)
    replied = message.reply_to_message
    to_bot = (
        replied is not None
        and replied.from_user is not None
        and (replied.from_user.id == bot.bot_id)
    )
    return text.strip() if mentioned or to_bot else None
