"""Settings: command-line option, then environment variable, then config file, then default."""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import platformdirs

APP = "nianbao"
CONFIG_ENV = "NIANBAO_CONFIG"


class SettingsError(Exception):
    """A config file or variable that cannot be used; the message says which and why."""


@dataclass(frozen=True)
class Settings:
    db: Path
    db_is_default: bool
    reports_dir: Path | None
    max_file_mb: float
    telegram_token: str | None = None
    telegram_base_url: str = "https://api.telegram.org/bot"
    telegram_admins: tuple[int, ...] = field(default_factory=tuple)
    config_file: Path | None = None


def default_db() -> Path:
    return Path(platformdirs.user_data_dir(APP)) / "nianbao.db"


def config_candidates() -> list[Path]:
    """Where a config file is looked for, first hit wins."""
    if env := os.environ.get(CONFIG_ENV):
        return [Path(env).expanduser()]
    return [Path("nianbao.toml"), Path(platformdirs.user_config_dir(APP)) / "config.toml"]


def _read_config() -> tuple[dict, Path | None]:
    for path in config_candidates():
        if path.is_file():
            try:
                return tomllib.loads(path.read_text("utf-8")), path
            except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
                raise SettingsError(f"config file {path} is not valid TOML: {exc}") from exc
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


def load_settings(db: str | Path | None = None, max_file_mb: float | None = None) -> Settings:
    """Resolve every setting once, for one command."""
    config, config_file = _read_config()
    db_value = _pick(db, "NIANBAO_DB", config, "database", "path")
    reports = _pick(None, "NIANBAO_REPORTS_DIR", config, "ingest", "reports_dir")
    max_mb = _pick(max_file_mb, "NIANBAO_MAX_FILE_MB", config, "ingest", "max_file_mb")
    admins = _pick(None, "NIANBAO_TELEGRAM_ADMINS", config, "telegram", "admins") or ()
    if isinstance(admins, str):
        admins = [a for a in admins.replace(" ", "").split(",") if a]
    try:
        max_mb_value = float(max_mb) if max_mb is not None else 50.0
        admin_ids = tuple(int(a) for a in admins)
    except ValueError as exc:
        raise SettingsError(f"bad setting value: {exc}") from exc
    return Settings(
        db=Path(str(db_value)).expanduser() if db_value else default_db(),
        db_is_default=db_value is None,
        reports_dir=Path(str(reports)).expanduser() if reports else None,
        max_file_mb=max_mb_value,
        telegram_token=_pick(None, "NIANBAO_TELEGRAM_TOKEN", config, "telegram", "token"),
        telegram_base_url=str(
            _pick(None, "NIANBAO_TELEGRAM_BASE_URL", config, "telegram", "base_url")
            or "https://api.telegram.org/bot"
        ),
        telegram_admins=admin_ids,
        config_file=config_file,
    )
