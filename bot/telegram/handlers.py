"""The conversation: which updates are questions, commands or uploads, and what goes back.

Answers come from the same ``Answerer`` as ``nianbao ask``; this module only decides when to
answer and renders through ``bot.telegram.html``.  Questions are answered on the event loop
(a few milliseconds each, and the SQLite connection belongs to this thread); ingest and chart
drawing run in worker threads with their own resources.
"""

from __future__ import annotations

import asyncio
import logging
import re
import secrets
import shutil
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from telegram import (
    BotCommand,
    BotCommandScopeChat,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    MessageEntity,
    Update,
)
from telegram.constants import ChatAction, ChatType
from telegram.error import TelegramError
from telegram.ext import (
    Application,
    ApplicationHandlerStop,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot.answer import Answer, Answerer
from bot.chart import ChartSeries, render_chart
from bot.chart_data import ChartRequest, chart_request
from bot.corpus import ingest_and_index
from bot.lookup import conflict_rows, corpus_overview, passage_context
from bot.settings import PUBLIC_API, TelegramSettings
from bot.telegram.html import (
    answer_blocks,
    esc,
    passage_blocks,
    say,
    source_blocks,
    split_messages,
    stats_blocks,
    texts,
    units_blocks,
)
from bot.telegram.state import ExpiringStore, RateLimiter
from bot.wording import number_text
from ingest.pipeline import FileOutcome
from ingest.readers import DEFAULT_MAX_BYTES, FORMATS

log = logging.getLogger(__name__)

PUBLIC_DOWNLOAD_LIMIT_MB = 20
CAPTION_LIMIT = 1024
MORE_STEP = 3
_SOURCE_LINK = re.compile(r"^/source_(\d+)(?:@(\w+))?\s*$")
_BARE_COMMAND = re.compile(r"^/([a-z]+)(?:@(\w+))?(?:\s+(.*))?$", re.DOTALL)
_CAPTION_UNIT = re.compile(r"(?:unit|单位)\s*[=:：]\s*(\S+)", re.IGNORECASE)
_CAPTION_YEAR = re.compile(r"(?:year|年份|年度)\s*[=:：]\s*(\d{4})", re.IGNORECASE)
_CAPTION_REPLACE = re.compile(r"(?<![a-z])replace(?![a-z=])|替换", re.IGNORECASE)


Command = Callable[[Update, ContextTypes.DEFAULT_TYPE], Awaitable[None]]


@dataclass(frozen=True)
class MoreState:
    """What a "more results" button needs: the question and how many passages were shown."""

    question: str
    offset: int


class NianbaoBot:
    """The bot's handlers over one database."""

    def __init__(self, db_path: Path, settings: TelegramSettings, today: date | None = None):
        self.db_path = Path(db_path)
        self.settings = settings
        self.today = today
        self._answerer: Answerer | None = None
        self.buttons: ExpiringStore[MoreState] = ExpiringStore(settings.button_ttl_minutes * 60)
        self.limiter = RateLimiter(settings.questions_per_minute)
        self.ingesting = asyncio.Lock()  # one upload at a time: ingest and index refresh write
        self.bot_id: int | None = None
        self.username: str = ""
        self._commands: dict[str, Command] = {}

    @property
    def answerer(self) -> Answerer:
        """Opened on first use, on the event loop's thread that then owns its connection."""
        if self._answerer is None:
            self._answerer = Answerer(self.db_path, today=self.today)
        return self._answerer

    # -- wiring ----------------------------------------------------------------------------

    def register(self, app: Application) -> None:
        app.add_handler(TypeHandler(Update, self.gate), group=-1)
        commands: dict[str, Command] = {
            "start": self.on_start,
            "help": self.on_help,
            "ask": self.on_ask,
            "units": self.on_units,
            "stats": self.on_stats,
            "source": self.on_source,
            "chart": self.on_chart,
            "reload": self.on_reload,
        }
        for name, callback in commands.items():
            app.add_handler(CommandHandler(name, callback, filters=filters.UpdateType.MESSAGE))
        self._commands = commands
        app.add_handler(
            MessageHandler(
                filters.UpdateType.MESSAGE & filters.Regex(_BARE_COMMAND) & ~filters.COMMAND,
                self.on_bare_command,
            )
        )
        app.add_handler(
            MessageHandler(filters.UpdateType.MESSAGE & filters.Regex(_SOURCE_LINK), self.on_link)
        )
        app.add_handler(
            MessageHandler(filters.UpdateType.MESSAGE & filters.Document.ALL, self.on_document)
        )
        text = filters.UpdateType.MESSAGE & filters.TEXT & ~filters.COMMAND
        app.add_handler(MessageHandler(text & filters.ChatType.PRIVATE, self.on_private_text))
        app.add_handler(MessageHandler(text & filters.ChatType.GROUPS, self.on_group_text))
        app.add_handler(CallbackQueryHandler(self.on_button))
        app.add_error_handler(self.on_error)

    async def post_init(self, app: Application) -> None:
        """Learn the bot's own name, publish the command menu, warm the tokenizer."""
        me = await app.bot.get_me()
        self.bot_id, self.username = me.id, me.username or ""
        menu = [BotCommand(name, text) for name, text in texts()["commands"].items()]
        admin_menu = menu + [
            BotCommand(name, text) for name, text in texts()["admin_commands"].items()
        ]
        try:
            await app.bot.set_my_commands(menu)
            for admin in self.settings.admins:
                await app.bot.set_my_commands(admin_menu, scope=BotCommandScopeChat(admin))
        except TelegramError as exc:
            log.warning("could not publish the command menu (%s); commands still work", exc)
        for question in self.examples()[:1]:
            self.answerer.ask(question)

    # -- filters ---------------------------------------------------------------------------

    async def gate(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Drop updates from chats outside the allow-list before any handler sees them."""
        chat, user = update.effective_chat, update.effective_user
        allowed = self.settings.allowed_chats
        if not allowed or chat is None or chat.id in allowed:
            return
        if chat.type == ChatType.PRIVATE and user is not None and self.is_admin(user.id):
            return
        log.info("update %s from chat %s ignored: not in allowed_chats", update.update_id, chat.id)
        raise ApplicationHandlerStop

    def _meant_for_me(self, target: str | None) -> bool:
        """A command with no @bot, or with this bot's name (groups may hold several bots)."""
        return not target or target.lower() == self.username.lower()

    def is_admin(self, user_id: int | None) -> bool:
        return user_id is not None and user_id in self.settings.admins

    def _addressed(self, message: Message) -> str | None:
        """The question in a group message meant for the bot (mention or reply), else None."""
        text = message.text or ""
        mentioned = False
        for entity, value in message.parse_entities([MessageEntity.TEXT_MENTION]).items():
            if entity.user is not None and entity.user.id == self.bot_id:
                mentioned = True
                text = text.replace(value, " ")
        handle = re.compile(rf"@{re.escape(self.username)}(?!\w)", re.IGNORECASE)
        if self.username and handle.search(text):
            mentioned = True
            text = handle.sub(" ", text)
        replied = message.reply_to_message
        to_bot = (
            replied is not None
            and replied.from_user is not None
            and (replied.from_user.id == self.bot_id)
        )
        return text.strip() if mentioned or to_bot else None

    async def on_bare_command(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A command sent without its bot_command entity (some clients and test servers):
        handled like the command, when it is ours and meant for this bot."""
        message = update.effective_message
        match = _BARE_COMMAND.match(message.text or "") if message else None
        if match is None:
            return
        name, target, rest = match.groups()
        callback = self._commands.get(name)
        if callback is None or not self._meant_for_me(target):
            return
        context.args = (rest or "").split()
        await callback(update, context)

    # -- questions -------------------------------------------------------------------------

    async def on_private_text(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.effective_message
        if message is not None and message.text:
            await self.answer(update, context, message.text)

    async def on_group_text(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.effective_message
        if message is None:
            return
        question = self._addressed(message)
        if question is not None:
            await self.answer(update, context, question)

    async def on_ask(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        question = " ".join(context.args or []).strip()
        message = update.effective_message
        if not question and message is not None:
            usage = say("ask_usage", example=(self.examples() or ["…"])[0])
            await message.reply_text(esc(usage))
            return
        await self.answer(update, context, question)

    def _allowed(self, update: Update) -> tuple[bool, str]:
        """The rate limit: whether to answer, and the notice to send when not.

        Admins are not limited: they load the reports and check the answers in bulk.
        """
        user = update.effective_user
        if user is not None and self.is_admin(user.id):
            return True, ""
        verdict = self.limiter.check(user.id if user else 0)
        if verdict.allowed:
            return True, ""
        notice = ""
        if verdict.notify:
            limit = self.settings.questions_per_minute
            notice = say("rate_limited", limit=limit, wait=verdict.wait_seconds)
        return False, notice

    async def _limited(self, update: Update) -> bool:
        """True when the user is over the rate limit (and has been told so once)."""
        allowed, notice = self._allowed(update)
        if allowed:
            return False
        if update.callback_query is not None:
            await update.callback_query.answer(notice or None, show_alert=bool(notice))
        elif notice and update.effective_message is not None:
            await update.effective_message.reply_text(esc(notice))
        return True

    async def answer(self, update: Update, context: ContextTypes.DEFAULT_TYPE, text: str) -> None:
        message = update.effective_message
        if message is None or await self._limited(update):
            return
        await _show_action(message, ChatAction.TYPING)
        answer = self.answerer.ask(text)
        await self._send(message, answer_blocks(answer), self._keyboard(answer, text))

    def _keyboard(self, answer: Answer, question: str) -> InlineKeyboardMarkup | None:
        """Source buttons for the quoted passages, and "more results" with its state stored."""
        if answer.kind == "passage":
            return self._passage_keyboard(answer.passages, question, 0)
        if answer.kind == "number" and answer.facts:
            row = []
            if answer.facts[0].get("passage_id") is not None:
                row.append(
                    _button(say("button_source_one"), f"src:{answer.facts[0]['passage_id']}")
                )
            token = self.buttons.put(MoreState(question, len(answer.passages)))
            row.append(_button(say("button_related"), f"more:{token}"))
            return InlineKeyboardMarkup([row])
        return None

    def _passage_keyboard(
        self, passages: list[dict], question: str, shown_before: int
    ) -> InlineKeyboardMarkup:
        first = shown_before + 1
        rows = [
            [
                _button(say("button_source", n=n), f"src:{p['passage_id']}")
                for n, p in enumerate(passages, first)
            ]
        ]
        if len(passages) >= MORE_STEP:
            token = self.buttons.put(MoreState(question, shown_before + len(passages)))
            rows.append([_button(say("button_more"), f"more:{token}")])
        return InlineKeyboardMarkup(rows)

    async def _send(
        self,
        message: Message,
        blocks: list[str],
        keyboard: InlineKeyboardMarkup | None = None,
    ) -> None:
        """Reply with the blocks, split under Telegram's limit; buttons on the last part."""
        parts = split_messages(blocks)
        for i, part in enumerate(parts):
            markup = keyboard if i == len(parts) - 1 else None
            await message.reply_text(part, reply_markup=markup, do_quote=i == 0)

    # -- buttons and sources ---------------------------------------------------------------

    async def on_button(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        if query is None or not query.data:
            return
        kind, _, value = query.data.partition(":")
        message = query.message if isinstance(query.message, Message) else None
        if await self._limited(update):
            return
        if kind == "src" and value.isdigit() and message is not None:
            await query.answer()
            await self._send_source(message, int(value))
            return
        state = self.buttons.get(value) if kind == "more" else None
        if state is None or message is None:
            await query.answer(say("button_expired"), show_alert=True)
            return
        await query.answer()
        await _show_action(message, ChatAction.TYPING)
        passages = self.answerer.more_passages(state.question, state.offset, MORE_STEP)
        if not passages:
            await message.reply_text(esc(say("more_none")))
            return
        first = state.offset + 1
        head = say("more_head", first=first, last=state.offset + len(passages))
        keyboard = self._passage_keyboard(passages, state.question, state.offset)
        await self._send(message, passage_blocks(head, passages, first), keyboard)

    async def on_source(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.effective_message
        if message is None:
            return
        arg = (context.args or [""])[0].lstrip("#")
        if not arg.isdigit():
            await message.reply_text(esc(say("source_usage", example=self._example_source())))
            return
        if not await self._limited(update):
            await self._send_source(message, int(arg))

    async def on_link(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """``/source_123`` as written under every quote (tappable in Telegram)."""
        message = update.effective_message
        match = _SOURCE_LINK.match(message.text or "") if message else None
        if message is None or match is None or not self._meant_for_me(match.group(2)):
            return
        if not await self._limited(update):
            await self._send_source(message, int(match.group(1)))

    async def _send_source(self, message: Message, passage_id: int) -> None:
        context = passage_context(self.answerer.db, passage_id)
        if context is None:
            await message.reply_text(esc(say("source_unknown", id=passage_id)))
            return
        await self._send(message, source_blocks(context))

    def _example_source(self) -> str:
        row = next(iter(self.answerer.db.query("SELECT min(id) AS id FROM passages")), None)
        return str(row["id"]) if row and row["id"] is not None else "1"

    # -- corpus commands -------------------------------------------------------------------

    def _example_fields(self) -> dict[str, str] | None:
        """A loaded unit and the top-level statistic most reports give a figure for."""
        db = self.answerer.db
        unit_row = next(
            iter(db.query("SELECT unit FROM reports ORDER BY year DESC, unit LIMIT 1")), None
        )
        key_rows = db.query(
            """SELECT key, count(*) AS n FROM statistics WHERE value IS NOT NULL AND official = 1
               GROUP BY key ORDER BY n DESC, key"""
        )
        metrics = self.answerer.catalogue.metrics
        metric = next(
            (
                metrics[r["key"]]
                for r in key_rows
                if r["key"] in metrics and metrics[r["key"]].parent is None
            ),
            None,
        )
        if unit_row is None or metric is None:
            return None
        return {
            "unit": unit_row["unit"],
            "label": metric.aliases[0] if metric.aliases else metric.label,
            "label_en": metric.aliases_en[0] if metric.aliases_en else metric.label_en,
        }

    def examples(self) -> list[str]:
        """Example questions over what is loaded; [] when nothing is."""
        fields = self._example_fields()
        if fields is None:
            return []
        return [q.format(**fields) for q in texts()["examples"]["questions"]]

    def _chart_example(self) -> str:
        fields = self._example_fields()
        return texts()["examples"]["chart"].format(**fields) if fields else "…"

    async def on_start(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await self.on_help(update, context, intro=say("start"))

    async def on_help(
        self, update: Update, context: ContextTypes.DEFAULT_TYPE, intro: str = ""
    ) -> None:
        message = update.effective_message
        if message is None:
            return
        examples = self.examples()
        blocks = [esc(intro)] if intro else []
        if examples:
            blocks.append(esc(say("help_intro")))
            blocks += [f"• <code>{esc(q)}</code>" for q in examples]
        else:
            blocks.append(esc(say("help_empty")))
        blocks.append(esc(say("help_commands")))
        user = update.effective_user
        if self.is_admin(user.id if user else None):
            blocks.append(esc(say("help_admin")))
        await self._send(message, blocks)

    async def on_units(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.effective_message
        if message is not None:
            await self._send(message, units_blocks(corpus_overview(self.answerer.db)))

    async def on_stats(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.effective_message
        if message is None:
            return
        db = self.answerer.db
        labels = {k: m.label for k, m in self.answerer.catalogue.metrics.items()}
        blocks = stats_blocks(corpus_overview(db), conflict_rows(db), labels)
        await self._send(message, blocks)

    async def on_reload(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.effective_message
        user = update.effective_user
        if message is None:
            return
        if not self.is_admin(user.id if user else None):
            await message.reply_text(esc(say("not_admin")))
            return
        self._answerer = Answerer(self.db_path, today=self.today)
        overview = corpus_overview(self.answerer.db)
        text = say("reloaded", reports=overview.reports, units=len(overview.units))
        await message.reply_text(esc(text))

    # -- charts ----------------------------------------------------------------------------

    async def on_chart(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.effective_message
        if message is None:
            return
        text = " ".join(context.args or []).strip()
        if not text:
            await message.reply_text(esc(say("chart_usage", example=self._chart_example())))
            return
        if await self._limited(update):
            return
        request = chart_request(self.answerer, text)
        if request.error:
            await message.reply_text(esc(self._chart_error(request)))
            return
        await _show_action(message, ChatAction.UPLOAD_PHOTO)
        series = ChartSeries(
            title=say("chart_caption", label=request.label, measure=request.measure),
            kind=request.kind,
            labels=request.labels,
            values=request.values,
            measure=request.measure,
            note=say("chart_note"),
        )
        caption = [f"<b>{esc(series.title)}</b>", *self._figure_lines(request)]
        if request.missing:
            caption.append(esc(say("chart_missing", units="、".join(request.missing))))
        try:
            image = await asyncio.to_thread(render_chart, series, self.settings.chart_fonts)
        except Exception:
            log.exception("chart for %r failed", text)
            await self._send(message, [esc(say("chart_failed")), *caption])
            return
        if image.legend:
            caption.append(esc(say("chart_legend") + " " + " · ".join(image.legend)))
        parts = split_messages(caption, CAPTION_LIMIT)
        await message.reply_photo(image.png, caption=parts[0])
        if len(parts) > 1:
            await self._send(message, parts[1:])

    def _figure_lines(self, request: ChartRequest) -> list[str]:
        """Each charted figure with its report and source link: no number without a source."""
        return [
            esc(
                say(
                    "chart_figure",
                    unit=f.report.unit,
                    year=f.report.year,
                    value=number_text(f.value),
                    measure=request.measure,
                    source=say("figure_from_prose" if f.source == "prose" else "figure_from_table"),
                    id=f.passage_id if f.passage_id is not None else "—",
                )
            )
            for f in request.facts
        ]

    def _chart_error(self, request: ChartRequest) -> str:
        if request.error == "unknown_unit":
            return say("chart_unknown_unit", names="、".join(request.missing))
        if request.error == "no_data":
            return say("chart_no_data", label=request.label)
        return say("chart_no_metric", example=self._chart_example())

    # -- admin uploads ---------------------------------------------------------------------

    async def on_document(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.effective_message
        user = update.effective_user
        if message is None or message.document is None:
            return
        if message.chat.type != ChatType.PRIVATE:
            return
        if not self.is_admin(user.id if user else None):
            await message.reply_text(esc(say("not_admin")))
            return
        refusal = self._upload_refusal(message)
        if refusal:
            await message.reply_text(esc(refusal))
            return
        document = message.document
        name = Path(document.file_name or "report").name
        await message.reply_text(esc(say("ingest_start", name=name)))
        await _show_action(message, ChatAction.TYPING)
        folder = self.db_path.with_name(self.db_path.name + ".uploads") / secrets.token_hex(6)
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / name
        try:
            telegram_file = await document.get_file()
            await telegram_file.download_to_drive(path)
        except Exception:
            shutil.rmtree(folder, ignore_errors=True)
            raise
        caption = message.caption or ""
        unit = _CAPTION_UNIT.search(caption)
        year = _CAPTION_YEAR.search(caption)
        async with self.ingesting:
            outcomes = await asyncio.to_thread(
                ingest_and_index,
                self.db_path,
                [path],
                unit=unit.group(1) if unit else None,
                year=int(year.group(1)) if year else None,
                max_bytes=max(DEFAULT_MAX_BYTES, int(self.settings.max_upload_mb * 1024 * 1024)),
                replace_older=bool(_CAPTION_REPLACE.search(caption)),
            )
        outcome = outcomes[0]
        if outcome.status in ("refused", "unchanged", "duplicate"):
            shutil.rmtree(folder, ignore_errors=True)  # nothing in the database points at it
        await self._send(message, [esc(line) for line in self._ingest_summary(outcome, name)])

    def _upload_refusal(self, message: Message) -> str:
        """Why an upload is refused before downloading it; '' when it may be downloaded."""
        document = message.document
        assert document is not None
        name = document.file_name or "?"
        if Path(name).suffix.lower() not in FORMATS:
            return say("file_type", name=name)
        size_mb = (document.file_size or 0) / 1024 / 1024
        limit = self.settings.max_upload_mb
        if limit and size_mb > limit:
            return say("file_too_big", name=name, size=f"{size_mb:.1f}", limit=f"{limit:g}")
        public = self.settings.base_url.rstrip("/") == PUBLIC_API.rstrip("/")
        if public and size_mb > PUBLIC_DOWNLOAD_LIMIT_MB:
            return say("file_too_big_public")
        return ""

    def _ingest_summary(self, outcome: FileOutcome, name: str) -> list[str]:
        if outcome.status == "refused":
            lines = [say("ingest_refused", name=name, reason=outcome.reason)]
            if "--unit" in outcome.reason or "--year" in outcome.reason:
                lines.append(say("ingest_caption_hint"))
            if "--replace" in outcome.reason:
                lines.append(say("ingest_replace_hint"))
            return lines
        fields = {
            "unit": outcome.unit,
            "year": outcome.year,
            "template": outcome.template or "—",
            "passages": outcome.passages,
            "statistics": outcome.statistics,
            "conflicts": outcome.conflicts,
            "checks": outcome.failed_checks,
            "reason": outcome.reason,
        }
        lines = [say(f"ingest_{outcome.status}", **fields)]
        if outcome.status == "updated" and outcome.reason:
            lines.append(say("ingest_replaced", reason=outcome.reason))
        lines.extend(say("ingest_warning", warning=w) for w in outcome.warnings)
        if outcome.status in ("added", "updated", "corrected"):
            example = texts()["examples"]["after_ingest"].format(unit=outcome.unit)
            lines.append(say("ingest_ready", example=example))
        return lines

    # -- errors ----------------------------------------------------------------------------

    async def on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Log the failure with its update id; tell the user in one friendly sentence."""
        update_id = update.update_id if isinstance(update, Update) else None
        log.error("update %s failed", update_id, exc_info=context.error)
        if isinstance(update, Update) and update.effective_message is not None:
            try:
                text = say("error", update_id=update_id)
                await update.effective_message.reply_text(esc(text))
            except Exception:
                log.exception("could not tell the user about the failure of update %s", update_id)


def _button(label: str, data: str) -> InlineKeyboardButton:
    return InlineKeyboardButton(label, callback_data=data)


async def _show_action(message: Message, action: str) -> None:
    """ "typing…" while the bot works; a chat action that fails must not stop the answer."""
    try:
        await message.chat.send_action(action)
    except TelegramError as exc:
        log.info("chat action %s failed: %s", action, exc)
