"""Which updates reach which handler: the allow-list gate, commands (also when sent without
their entity), questions (also edited, also in captions), buttons, uploads; plus start-up (the
command menus), the log line of every update and the error handler."""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import logging
import re

from telegram import Bot, BotCommand, BotCommandScopeChat, Update
from telegram.constants import ChatType
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError
from telegram.ext import (
    Application,
    ApplicationHandlerStop,
    CallbackQueryHandler,
    CommandHandler,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot.telegram.conversation import NianbaoBot
from bot.telegram.handlers import charts, corpus, questions, review, uploads
from bot.telegram.handlers.turn import Context, Handler, nianbao
from bot.telegram.observe import begin, finish
from bot.telegram.texts import escape_html, sentence, texts

log = logging.getLogger(__name__)

# What the handlers import on first use, loaded by the warm-up (after the first getUpdates):
# charts and comparisons, the readers of an upload. Drawing libraries stay out until asked.
WARM_MODULES = ("bot.telegram.chart_data", "bot.telegram.review_render", "ingest.workers")
WARM_UP_WAIT_S = 30.0  # longest wait for the application to run before warming up anyway
_warming: set[asyncio.Task] = set()  # referenced until done, as asyncio asks

BARE_COMMAND = re.compile(r"^/([a-z]+)(?:@(\w+))?(?:\s+(.*))?$", re.DOTALL)

COMMANDS: dict[str, Handler] = {
    "start": corpus.on_start,
    "help": corpus.on_help,
    "ask": questions.on_ask,
    "units": corpus.on_units,
    "stats": corpus.on_stats,
    "source": questions.on_source,
    "chart": charts.on_chart,
    "review": review.on_review,
    "compare": review.on_compare,
    "reload": corpus.on_reload,
}


def register(app: Application) -> None:
    """Every handler, in the order python-telegram-bot tries them."""
    app.add_handler(TypeHandler(Update, gate), group=-1)
    for name, callback in COMMANDS.items():
        app.add_handler(CommandHandler(name, callback, filters=filters.UpdateType.MESSAGE))
    message = filters.UpdateType.MESSAGE
    app.add_handler(
        MessageHandler(message & filters.Regex(BARE_COMMAND) & ~filters.COMMAND, on_bare_command)
    )
    app.add_handler(
        MessageHandler(message & filters.Regex(questions.SOURCE_LINK), questions.on_source_link)
    )
    app.add_handler(MessageHandler(message & filters.Document.ALL, uploads.on_document))
    app.add_handler(MessageHandler(message & filters.PHOTO & filters.CAPTION, questions.on_photo))
    text = message & filters.TEXT & ~filters.COMMAND
    app.add_handler(MessageHandler(text & filters.ChatType.PRIVATE, questions.on_private_text))
    app.add_handler(MessageHandler(text & filters.ChatType.GROUPS, questions.on_group_text))
    edited = filters.UpdateType.EDITED_MESSAGE & filters.TEXT
    app.add_handler(MessageHandler(edited, questions.on_edited))
    app.add_handler(CallbackQueryHandler(questions.on_button))
    app.add_handler(TypeHandler(Update, logged), group=1)
    app.add_error_handler(on_error)


def _menus() -> tuple[list[BotCommand], list[BotCommand]]:
    """The command menu everyone sees, and the admins' (the same plus their commands)."""
    menu = [BotCommand(name, text) for name, text in texts()["commands"].items()]
    extra = [BotCommand(name, text) for name, text in texts()["admin_commands"].items()]
    return menu, menu + extra


async def post_init(app: Application) -> None:
    """Learn the bot's own name, publish the command menus, warm up once running."""
    bot: NianbaoBot = app.bot_data["nianbao"]
    me = await app.bot.get_me()
    bot.bot_id, bot.username = me.id, me.username or ""
    menu, _ = _menus()
    try:
        await app.bot.set_my_commands(menu)
    except TelegramError as exc:
        log.warning("could not publish the command menu (%s); commands still work", exc)
    for admin in bot.settings.admins:
        await publish_admin_menu(app.bot, bot, admin, first=True)
    task = asyncio.create_task(_warm_up(app), name="nianbao-warm-up")
    _warming.add(task)
    task.add_done_callback(_warming.discard)


async def _warm_up(app: Application) -> None:
    """Answer one example question once the bot is running (polling or on its webhook).

    Loading the engine (database, names, jieba) takes seconds at a large corpus; done here,
    the bot is reachable at once and the first real question still finds everything loaded.
    """
    bot: NianbaoBot = app.bot_data["nianbao"]
    waited = 0.0
    while not app.running and waited < WARM_UP_WAIT_S:
        await asyncio.sleep(0.05)
        waited += 0.05
    if bot.settings.mode != "webhook":  # polling: not before the first getUpdates is out
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(bot.polling.wait(), WARM_UP_WAIT_S)
    await asyncio.sleep(0.2)  # the request reaches the server before the loop is busy
    async with bot.ingesting:  # opening the database may write: not while an upload does
        try:
            for question in bot.examples()[:1]:
                bot.answerer.ask(question)
            for module in WARM_MODULES:
                importlib.import_module(module)
        except Exception:
            log.exception("warming up failed; questions are still answered")


async def publish_admin_menu(telegram: Bot, bot: NianbaoBot, admin: int, first: bool) -> None:
    """One admin's menu, independently of the others: Telegram knows no private chat with
    an admin who never wrote to the bot ("chat not found"), so it is tried again the first
    time they write.  One log line per admin and try."""
    _, admin_menu = _menus()
    try:
        await telegram.set_my_commands(admin_menu, scope=BotCommandScopeChat(admin))
    except TelegramError as exc:
        bot.menu_pending.add(admin)
        level = logging.WARNING if first else logging.INFO
        log.log(
            level, "admin menu for %s not published yet (%s); retried when they write", admin, exc
        )
        return
    bot.menu_pending.discard(admin)
    log.info("admin menu published for %s", admin)


async def gate(update: Update, context: Context) -> None:
    """Drop updates from chats outside the allow-list before any handler sees them; start
    the update's log line; publish an admin's menu that could not be published before."""
    bot = nianbao(context)
    chat, user = update.effective_chat, update.effective_user
    allowed = bot.settings.allowed_chats
    admin_private = (
        chat is not None
        and chat.type == ChatType.PRIVATE
        and user is not None
        and bot.is_admin(user.id)
    )
    if allowed and chat is not None and chat.id not in allowed and not admin_private:
        log.info("update %s from chat %s ignored: not in allowed_chats", update.update_id, chat.id)
        raise ApplicationHandlerStop
    bot.activity[update.update_id] = begin(update)
    if admin_private and user is not None and user.id in bot.menu_pending:
        await publish_admin_menu(context.bot, bot, user.id, first=False)


async def logged(update: Update, context: Context) -> None:
    """After the handlers: the update's one log line."""
    activity = nianbao(context).activity.pop(update.update_id, None)
    if activity is not None:
        finish(activity)


async def on_bare_command(update: Update, context: Context) -> None:
    """A command sent without its bot_command entity (some clients and test servers):
    handled like the command, when it is ours and meant for this bot."""
    message = update.effective_message
    match = BARE_COMMAND.match(message.text or "") if message else None
    if match is None:
        return
    name, target, rest = match.groups()
    callback = COMMANDS.get(name)
    if callback is None or not nianbao(context).meant_for_me(target):
        return
    context.args = (rest or "").split()
    await callback(update, context)


async def on_error(update: object, context: Context) -> None:
    """A handler that failed: logged with its traceback, and the user told in one friendly
    sentence.  Telegram unreachable (polling or a reply) is no failure of the bot: the outage
    is logged once by ``Connectivity``; a user who blocked the bot, or flood control that
    outlasted the retries, is one line."""
    error = context.error
    bot = nianbao(context)
    update_id = update.update_id if isinstance(update, Update) else None
    if update_id is not None:
        activity = bot.activity.get(update_id)
        if activity is not None:
            activity.answer = f"failed ({type(error).__name__})"
    if isinstance(error, NetworkError) and not isinstance(error, BadRequest):
        bot.connectivity.lost(error)
        return
    if isinstance(error, Forbidden | RetryAfter):
        log.warning("update %s: Telegram refused the reply (%s)", update_id, error)
        return
    log.error("update %s failed", update_id, exc_info=error)
    if isinstance(update, Update) and update.effective_message is not None:
        try:
            text = sentence("error", update_id=update_id)
            await update.effective_message.reply_text(escape_html(text))
        except Exception:
            log.exception("could not tell the user about the failure of update %s", update_id)
