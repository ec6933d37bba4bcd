"""Settings: command-line option, then environment variable, then config file, then default."""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import platformdirs

APP = "nianbao"
CONFIG_ENV = "NIANBAO_CONFIG"
PUBLIC_API = "https://api.telegram.org/bot"
PUBLIC_FILE_API = "https://api.telegram.org/file/bot"


class SettingsError(Exception):
    """A config file or variable that cannot be used; the message says which and why."""


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
    mode: str = "polling"
    webhook_listen: str = "0.0.0.0"
    webhook_port: int = 8443
    webhook_url: str | None = None
    webhook_path: str = ""
    webhook_secret: str | None = None
    webhook_cert: str | None = None
    webhook_key: str | None = None


@dataclass(frozen=True)
class Settings:
    db: Path
    db_is_default: bool
    reports_dir: Path | None
    max_file_mb: float
    telegram: TelegramSettings = field(default_factory=TelegramSettings)
    config_file: Path | None = None


def default_db() -> Path:
    return Path(platformdirs.user_data_dir(APP)) / "nianbao.db"


def config_candidates(explicit: Path | None = None) -> list[Path]:
    """Where a config file is looked for, first hit wins."""
    if explicit is not None:
        return [Path(explicit).expanduser()]
    if env := os.environ.get(CONFIG_ENV):
        return [Path(env).expanduser()]
    return [Path("nianbao.toml"), Path(platformdirs.user_config_dir(APP)) / "config.toml"]


def _read_config(explicit: Path | None) -> tuple[dict, Path | None]:
    for path in config_candidates(explicit):
        if path.is_file():
            try:
                return tomllib.loads(path.read_text("utf-8")), path
            except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
                raise SettingsError(f"config file {path} is not valid TOML: {exc}") from exc
        if explicit is not None:
            raise SettingsError(f"config file {path} does not exist")
        if os.environ.get(CONFIG_ENV):
            raise SettingsError(f"{CONFIG_ENV} points at {path}, which does not exist")
    return {}, None


def _pick(option: object, env: str, config: dict, section: str, key: str) -> object:
    if option not in (None, ""):
        return option
    if os.environ.get(env):
        return os.environ[env]
    value = config.get(section, {}).get(key)
    return None if value in (None, "") else value


def _ids(value: object, name: str) -> tuple[int, ...]:
    """A list of Telegram ids from TOML (list) or an environment variable ("1, 2")."""
    items = value or ()
    if isinstance(items, str):
        items = [a for a in items.replace(" ", "").split(",") if a]
    if isinstance(items, int):
        items = [items]
    try:
        return tuple(int(a) for a in items)  # type: ignore[union-attr]
    except (TypeError, ValueError) as exc:
        raise SettingsError(f"{name} must list numeric Telegram ids, got {value!r}") from exc


def _number(value: object, name: str, default: float, kind: type = float) -> float:
    if value is None:
        return kind(default)
    try:
        number = kind(value)
    except (TypeError, ValueError) as exc:
        raise SettingsError(f"{name} must be a number, got {value!r}") from exc
    if number < 0:
        raise SettingsError(f"{name} must not be negative, got {value!r}")
    return number


def _flag(value: object, name: str) -> bool:
    if value is None or isinstance(value, bool):
        return bool(value)
    text = str(value).strip().lower()
    if text in ("1", "true", "yes", "on"):
        return True
    if text in ("0", "false", "no", "off"):
        return False
    raise SettingsError(f"{name} must be true or false, got {value!r}")


def _telegram(config: dict) -> TelegramSettings:
    def pick(key: str) -> object:
        return _pick(None, f"NIANBAO_TELEGRAM_{key.upper()}", config, "telegram", key)

    default = TelegramSettings()

    def number(key: str, kind: type = float) -> float:
        return _number(pick(key), f"telegram.{key}", getattr(default, key), kind)

    def text(key: str) -> str | None:
        value = pick(key)
        return str(value) if value else None

    mode = str(pick("mode") or default.mode).lower()
    if mode not in ("polling", "webhook"):
        raise SettingsError(f"telegram.mode must be 'polling' or 'webhook', got {mode!r}")
    fonts = pick("chart_fonts") or ()
    if isinstance(fonts, str):
        fonts = [f for f in fonts.split(os.pathsep) if f]
    return TelegramSettings(
        token=text("token"),
        base_url=text("base_url") or default.base_url,
        base_file_url=text("base_file_url") or default.base_file_url,
        local_mode=_flag(pick("local_mode"), "telegram.local_mode"),
        admins=_ids(pick("admins"), "telegram.admins"),
        allowed_chats=_ids(pick("allowed_chats"), "telegram.allowed_chats"),
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
    )


def load_settings(
    db: str | Path | None = None,
    max_file_mb: float | None = None,
    config: str | Path | None = None,
) -> Settings:
    """Resolve every setting once, for one command."""
    values, config_file = _read_config(Path(config) if config else None)
    db_value = _pick(db, "NIANBAO_DB", values, "database", "path")
    reports = _pick(None, "NIANBAO_REPORTS_DIR", values, "ingest", "reports_dir")
    max_mb = _pick(max_file_mb, "NIANBAO_MAX_FILE_MB", values, "ingest", "max_file_mb")
    return Settings(
        db=Path(str(db_value)).expanduser() if db_value else default_db(),
        db_is_default=db_value is None,
        reports_dir=Path(str(reports)).expanduser() if reports else None,
        max_file_mb=_number(max_mb, "ingest.max_file_mb", 50.0),
        telegram=_telegram(values),
        config_file=config_file,
    )
