"""The ``[telegram]`` settings: read from the config file and NIANBAO_TELEGRAM_* variables,
checked only when the bot is started, so other commands never trip over them."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from bot.settings import (
    Settings,
    SettingsError,
    flag_setting,
    id_list,
    number_setting,
    pick,
)

PUBLIC_API = "https://api.telegram.org/bot"
PUBLIC_FILE_API = "https://api.telegram.org/file/bot"
Mode = Literal["polling", "webhook"]
_MODES: dict[str, Mode] = {"polling": "polling", "webhook": "webhook"}


@dataclass(frozen=True)
class TelegramSettings:
    """What ``nianbao bot`` needs; every field is documented in ``config.example.toml``."""

    token: str | None = None
    base_url: str = PUBLIC_API
    base_file_url: str = PUBLIC_FILE_API
    local_mode: bool = False
    admins: tuple[int, ...] = ()
    allowed_chats: tuple[int, ...] = ()
    questions_per_minute: int = 20
    group_messages_per_minute: int = 20
    max_upload_mb: float = 20.0
    button_ttl_minutes: float = 60.0
    chart_fonts: tuple[str, ...] = ()
    mode: Mode = "polling"
    webhook_listen: str = "0.0.0.0"
    webhook_port: int = 8443
    webhook_url: str | None = None
    webhook_path: str = ""
    webhook_secret: str | None = None
    webhook_cert: str | None = None
    webhook_key: str | None = None
    group_uploads: bool = True  # an admin's report file sent in a group is ingested there


def telegram_settings(settings: Settings) -> TelegramSettings:
    """The ``[telegram]`` settings, checked; raises ``SettingsError`` naming the bad one."""
    config = settings.config

    def value_of(key: str) -> object:
        return pick(None, f"NIANBAO_TELEGRAM_{key.upper()}", config, "telegram", key)

    default = TelegramSettings()

    def number(key: str, kind: type = float) -> float:
        return number_setting(value_of(key), f"telegram.{key}", getattr(default, key), kind)

    def text(key: str) -> str | None:
        value = value_of(key)
        return str(value) if value else None

    asked = str(value_of("mode") or default.mode).lower()
    mode = _MODES.get(asked)
    if mode is None:
        raise SettingsError(f"telegram.mode must be 'polling' or 'webhook', got {asked!r}")
    given = value_of("chart_fonts") or ()
    if isinstance(given, str):
        fonts: list[object] = [f for f in given.split(os.pathsep) if f]
    else:
        fonts = list(given) if isinstance(given, list | tuple) else [given]
    return TelegramSettings(
        token=text("token"),
        base_url=text("base_url") or default.base_url,
        base_file_url=text("base_file_url") or default.base_file_url,
        local_mode=flag_setting(value_of("local_mode"), "telegram.local_mode"),
        admins=id_list(value_of("admins"), "telegram.admins"),
        allowed_chats=id_list(value_of("allowed_chats"), "telegram.allowed_chats"),
        questions_per_minute=int(number("questions_per_minute", int)),
        group_messages_per_minute=int(number("group_messages_per_minute", int)),
        max_upload_mb=number("max_upload_mb"),
        button_ttl_minutes=number("button_ttl_minutes"),
        chart_fonts=tuple(str(Path(str(f)).expanduser()) for f in fonts),
        mode=mode,
        webhook_listen=text("webhook_listen") or default.webhook_listen,
        webhook_port=int(number("webhook_port", int)),
        webhook_url=text("webhook_url"),
        webhook_path=text("webhook_path") or "",
        webhook_secret=text("webhook_secret"),
        webhook_cert=text("webhook_cert"),
        webhook_key=text("webhook_key"),
        group_uploads=flag_setting(
            value_of("group_uploads") if value_of("group_uploads") is not None else True,
            "telegram.group_uploads",
        ),
    )
