"""Settings: command-line option, then environment variable, then config file, then default.

These are the settings every command needs (database, reports folder, ingest limits, time zone).
The config
file may hold sections for one command only (``[telegram]`` for ``nianbao bot``); they are kept
raw in ``Settings.config`` and checked by that command, so a bad bot setting never stops
``nianbao ask``. The helpers below (``pick``, ``number_setting`` …) read such sections alike.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import platformdirs

APP = "nianbao"
CONFIG_ENV = "NIANBAO_CONFIG"


class SettingsError(Exception):
    """A config file or variable that cannot be used; the message says which and why."""


DEFAULT_TIME_ZONE = "Asia/Shanghai"


@dataclass(frozen=True)
class Settings:
    """The settings of one command run."""

    db: Path
    db_is_default: bool
    reports_dir: Path | None
    max_file_mb: float
    config: dict[str, Any] = field(default_factory=dict)  # the whole config file, as read
    config_file: Path | None = None
    workers: int | None = None  # ingest worker processes; None: one per core, 0: in-process
    file_seconds: float = 60.0  # per-file time limit of ingest
    file_memory_mb: float = 1024.0  # per-file memory limit of ingest
    time_zone: ZoneInfo = field(default_factory=lambda: ZoneInfo(DEFAULT_TIME_ZONE))


def default_db() -> Path:
    return Path(platformdirs.user_data_dir(APP)) / "nianbao.db"


def config_candidates(explicit: Path | None = None) -> list[Path]:
    """Where a config file is looked for, first hit wins."""
    if explicit is not None:
        return [Path(explicit).expanduser()]
    if env := os.environ.get(CONFIG_ENV):
        return [Path(env).expanduser()]
    return [Path("nianbao.toml"), Path(platformdirs.user_config_dir(APP)) / "config.toml"]


def _read_config(explicit: Path | None) -> tuple[dict[str, Any], Path | None]:
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


def pick(option: object, env: str, config: dict[str, Any], section: str, key: str) -> object:
    """The command-line value, else the environment variable, else the config file's."""
    if option not in (None, ""):
        return option
    if os.environ.get(env):
        return os.environ[env]
    value = config.get(section, {}).get(key)
    return None if value in (None, "") else value


def id_list(value: object, name: str) -> tuple[int, ...]:
    """A list of Telegram ids from TOML (list) or an environment variable ("1, 2")."""
    items: list[object]
    if isinstance(value, str):
        items = [a for a in value.replace(" ", "").split(",") if a]
    elif isinstance(value, int):
        items = [value]
    elif isinstance(value, list | tuple):
        items = list(value)
    elif not value:
        items = []
    else:
        raise SettingsError(f"{name} must list numeric Telegram ids, got {value!r}")
    try:
        return tuple(_whole_number(a) for a in items)
    except (TypeError, ValueError) as exc:
        raise SettingsError(f"{name} must list numeric Telegram ids, got {value!r}") from exc


def _whole_number(value: object) -> int:
    if isinstance(value, int | float | str):
        return int(value)
    raise TypeError(f"not a number: {value!r}")


def number_setting(value: object, name: str, default: float, kind: type = float) -> float:
    """A non-negative number, or ``default`` when unset."""
    if value is None:
        return kind(default)
    try:
        number = kind(value)
    except (TypeError, ValueError) as exc:
        raise SettingsError(f"{name} must be a number, got {value!r}") from exc
    if number < 0:
        raise SettingsError(f"{name} must not be negative, got {value!r}")
    return number


def flag_setting(value: object, name: str) -> bool:
    """true/false, also as 1/0, yes/no, on/off from an environment variable."""
    if value is None or isinstance(value, bool):
        return bool(value)
    text = str(value).strip().lower()
    if text in ("1", "true", "yes", "on"):
        return True
    if text in ("0", "false", "no", "off"):
        return False
    raise SettingsError(f"{name} must be true or false, got {value!r}")


def time_zone_setting(value: object, name: str) -> ZoneInfo:
    """An IANA time zone name such as Asia/Shanghai."""
    text = str(value or DEFAULT_TIME_ZONE).strip()
    try:
        return ZoneInfo(text)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise SettingsError(
            f"{name} must be a time zone name such as {DEFAULT_TIME_ZONE} or UTC, got {text!r}"
        ) from exc


def load_settings(
    db: str | Path | None = None,
    max_file_mb: float | None = None,
    config: str | Path | None = None,
) -> Settings:
    """Resolve the core settings once, for one command."""
    values, config_file = _read_config(Path(config) if config else None)
    db_value = pick(db, "NIANBAO_DB", values, "database", "path")
    reports = pick(None, "NIANBAO_REPORTS_DIR", values, "ingest", "reports_dir")
    max_mb = pick(max_file_mb, "NIANBAO_MAX_FILE_MB", values, "ingest", "max_file_mb")
    workers = pick(None, "NIANBAO_WORKERS", values, "ingest", "workers")
    seconds = pick(None, "NIANBAO_FILE_SECONDS", values, "ingest", "file_seconds")
    memory = pick(None, "NIANBAO_FILE_MEMORY_MB", values, "ingest", "file_memory_mb")
    zone = pick(None, "NIANBAO_TIME_ZONE", values, "display", "time_zone")
    return Settings(
        db=Path(str(db_value)).expanduser() if db_value else default_db(),
        db_is_default=db_value is None,
        reports_dir=Path(str(reports)).expanduser() if reports else None,
        max_file_mb=number_setting(max_mb, "ingest.max_file_mb", 50.0),
        config=values,
        config_file=config_file,
        workers=None if workers is None else int(number_setting(workers, "ingest.workers", 0, int)),
        file_seconds=number_setting(seconds, "ingest.file_seconds", 60.0),
        file_memory_mb=number_setting(memory, "ingest.file_memory_mb", 1024.0),
        time_zone=time_zone_setting(zone, "display.time_zone"),
    )
