"""Which updates reach which handler: the allow-list gate, commands (also when sent without
their entity), questions, buttons, uploads; plus start-up and the error handler."""

from __future__ import annotations

import asyncio
import logging
import re

from telegram import BotCommand, BotCommandScopeChat, Update
from telegram.constants import ChatType
from telegram.error import TelegramError
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
from bot.telegram.texts import escape_html, sentence, texts

log = logging.getLogger(__name__)

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
    text = message & filters.TEXT & ~filters.COMMAND
    app.add_handler(MessageHandler(text & filters.ChatType.PRIVATE, questions.on_private_text))
    app.add_handler(MessageHandler(text & filters.ChatType.GROUPS, questions.on_group_text))
    app.add_handler(CallbackQueryHandler(questions.on_button))
    app.add_error_handler(on_error)


async def post_init(app: Application) -> None:
    """Learn the bot's own name, publish the command menu, warm up once running."""
    bot: NianbaoBot = app.bot_data["nianbao"]
    me = await app.bot.get_me()
    bot.bot_id, bot.username = me.id, me.username or ""
    menu = [BotCommand(name, text) for name, text in texts()["commands"].items()]
    admin_menu = menu + [BotCommand(name, text) for name, text in texts()["admin_commands"].items()]
    try:
        await app.bot.set_my_commands(menu)
        for admin in bot.settings.admins:
            await app.bot.set_my_commands(admin_menu, scope=BotCommandScopeChat(admin))
    except TelegramError as exc:
        log.warning("could not publish the command menu (%s); commands still work", exc)
    task = asyncio.create_task(_warm_up(app), name="nianbao-warm-up")
    _warming.add(task)
    task.add_done_callback(_warming.discard)


async def _warm_up(app: Application) -> None:
    """Answer one example question once the bot is running (polling or on its webhook).

    Loading the engine (database, names, jieba) takes seconds at a large corpus; done here,
    the bot is reachable at once and the first real question still finds everything loaded.
    """
    waited = 0.0
    while not app.running and waited < WARM_UP_WAIT_S:
        await asyncio.sleep(0.05)
        waited += 0.05
    await asyncio.sleep(0.2)  # the first getUpdates goes out before the loop is busy
    bot: NianbaoBot = app.bot_data["nianbao"]
    async with bot.ingesting:  # opening the database may write: not while an upload does
        try:
            for question in bot.examples()[:1]:
                bot.answerer.ask(question)
        except Exception:
            log.exception("warming up failed; questions are still answered")


async def gate(update: Update, context: Context) -> None:
    """Drop updates from chats outside the allow-list before any handler sees them."""
    bot = nianbao(context)
    chat, user = update.effective_chat, update.effective_user
    allowed = bot.settings.allowed_chats
    if not allowed or chat is None or chat.id in allowed:
        return
    if chat.type == ChatType.PRIVATE and user is not None and bot.is_admin(user.id):
        return
    log.info("update %s from chat %s ignored: not in allowed_chats", update.update_id, chat.id)
    raise ApplicationHandlerStop


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
    """Log the failure with its update id; tell the user in one friendly sentence."""
    update_id = update.update_id if isinstance(update, Update) else None
    log.error("update %s failed", update_id, exc_info=context.error)
    if isinstance(update, Update) and update.effective_message is not None:
        try:
            text = sentence("error", update_id=update_id)
            await update.effective_message.reply_text(escape_html(text))
        except Exception:
            log.exception("could not tell the user about the failure of update %s", update_id)
