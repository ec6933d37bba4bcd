"""Building and running the Telegram application: polling or webhook, public or own API server.

The token is a secret: it is never logged (``TokenRedaction`` scrubs it from every record,
including the request URLs that httpx logs) and never appears in a message.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlparse
from zoneinfo import ZoneInfo

from telegram import LinkPreviewOptions, Update
from telegram.constants import ParseMode
from telegram.ext import AIORateLimiter, Application, ApplicationBuilder, Defaults

from bot.settings import Settings
from bot.telegram.conversation import NianbaoBot
from bot.telegram.handlers import routing
from bot.telegram.observe import ObservedRequest
from bot.telegram.settings import TelegramSettings

log = logging.getLogger(__name__)

RETRIES_AFTER_FLOOD = 3  # RetryAfter answers waited out before a send gives up
CONNECTIONS = 256  # python-telegram-bot's own default for a bot answering concurrently


class MessageRateLimiter(AIORateLimiter):
    """Telegram's flood limits count messages; "typing…" and button answers are not messages,
    so they skip the per-group queue instead of doubling the wait for every answer."""

    UNTHROTTLED = frozenset({"sendChatAction", "answerCallbackQuery"})

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, Any]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> Any:
        if endpoint in self.UNTHROTTLED:
            return await callback(*args, **kwargs)
        return await super().process_request(
            callback, args, kwargs, endpoint, data, rate_limit_args
        )


class BotConfigError(Exception):
    """The bot cannot start with these settings; the message says what to set."""


class TokenRedaction(logging.Filter):
    """Replaces the bot token in log records with a placeholder."""

    def __init__(self, token: str) -> None:
        super().__init__()
        self.token = token

    def filter(self, record: logging.LogRecord) -> bool:
        if not self.token:
            return True
        message = record.getMessage()
        if self.token in message:
            record.msg = message.replace(self.token, "<token>")
            record.args = None
        if record.exc_info and not record.exc_text:
            # Formatters reuse exc_text when set, so the traceback is written redacted.
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text and self.token in record.exc_text:
            record.exc_text = record.exc_text.replace(self.token, "<token>")
        if record.stack_info and self.token in record.stack_info:
            record.stack_info = record.stack_info.replace(self.token, "<token>")
        return True


def install_redaction(token: str, handlers: list[logging.Handler] | None = None) -> TokenRedaction:
    """Scrub the token from everything the given (default: the root logger's) handlers write."""
    redaction = TokenRedaction(token)
    for handler in handlers if handlers is not None else logging.getLogger().handlers:
        handler.addFilter(redaction)
    return redaction


def check_settings(settings: TelegramSettings) -> None:
    if not settings.token:
        raise BotConfigError(
            "no Telegram bot token. Create a bot with @BotFather, then set "
            "NIANBAO_TELEGRAM_TOKEN or [telegram] token in the config file."
        )
    if ":" not in settings.token:
        raise BotConfigError(
            "the Telegram bot token does not look like one (expected '123456:ABC…' "
            "as @BotFather gives it); check NIANBAO_TELEGRAM_TOKEN or [telegram] token."
        )
    if bool(settings.webhook_cert) != bool(settings.webhook_key):
        raise BotConfigError(
            "webhook_cert and webhook_key go together: set both (TLS served by the bot) "
            "or neither (TLS served by a reverse proxy in front of it)."
        )
    if settings.mode == "webhook" and not settings.webhook_url:
        raise BotConfigError(
            "webhook mode needs [telegram] webhook_url, the public HTTPS address Telegram "
            'posts updates to (or set mode = "polling").'
        )


def build_application(
    db_path: Path,
    settings: TelegramSettings,
    today: date | None = None,
    time_zone: ZoneInfo | None = None,
    file_limits: tuple[float, float] | None = None,
) -> Application:
    """The python-telegram-bot application with nianbao's handlers, not yet started.

    ``time_zone`` and ``file_limits`` (seconds and memory MB per file of an upload's ingest)
    come from the core settings."""
    check_settings(settings)
    bot = NianbaoBot(db_path, settings, today=today, time_zone=time_zone, file_limits=file_limits)
    defaults = Defaults(
        parse_mode=ParseMode.HTML,
        do_quote=True,
        allow_sending_without_reply=True,
        link_preview_options=LinkPreviewOptions(is_disabled=True),
    )
    app = (
        ApplicationBuilder()
        .token(settings.token or "")
        .base_url(settings.base_url)
        .base_file_url(settings.base_file_url)
        .local_mode(settings.local_mode)
        .request(ObservedRequest(bot.connectivity, connection_pool_size=CONNECTIONS))
        .get_updates_request(
            ObservedRequest(bot.connectivity, sent=bot.polling, connection_pool_size=1)
        )
        .defaults(defaults)
        .rate_limiter(
            MessageRateLimiter(
                group_max_rate=settings.group_messages_per_minute,
                max_retries=RETRIES_AFTER_FLOOD,
            )
        )
        .concurrent_updates(True)  # a long upload must not hold up everyone's questions
        .post_init(routing.post_init)
        .build()
    )
    app.bot_data["nianbao"] = bot
    routing.register(app)
    return app


def webhook_options(settings: TelegramSettings) -> dict:
    """Arguments of ``run_webhook``/``start_webhook``: where to listen, what to tell Telegram."""
    url_path = settings.webhook_path or urlparse(settings.webhook_url or "").path
    return {
        "listen": settings.webhook_listen,
        "port": settings.webhook_port,
        "url_path": url_path.strip("/"),
        "webhook_url": settings.webhook_url,
        "secret_token": settings.webhook_secret,
        "cert": settings.webhook_cert,
        "key": settings.webhook_key,
        "allowed_updates": Update.ALL_TYPES,
    }


def serve(db_path: Path, tg: TelegramSettings, core: Settings | None = None) -> None:
    """Serve until interrupted: long polling, or a webhook when configured."""
    from bot.corpus import ensure_corpus

    check_settings(tg)
    install_redaction(tg.token or "")
    logging.getLogger("httpx").setLevel(logging.WARNING)  # a line per request otherwise
    ensure_corpus(db_path, notify=log.warning).close()
    zone = core.time_zone if core else None
    limits = (core.file_seconds, core.file_memory_mb) if core else None
    app = build_application(db_path, tg, time_zone=zone, file_limits=limits)
    if tg.mode == "webhook":
        options = webhook_options(tg)
        log.info("webhook on %s:%s/%s", options["listen"], options["port"], options["url_path"])
        app.run_webhook(**options)
    else:
        log.info("long polling %s", urlparse(tg.base_url).netloc)
        app.run_polling(allowed_updates=Update.ALL_TYPES)
