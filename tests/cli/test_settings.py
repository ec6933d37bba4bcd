from __future__ import annotations

from pathlib import Path

import pytest

from bot.settings import SettingsError, load_settings
from bot.telegram.settings import TelegramSettings, telegram_settings
from tests.support import EXAMPLE_CONFIG


@pytest.fixture(autouse=True)
def _isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    for name in (
        "NIANBAO_DB",
        "NIANBAO_CONFIG",
        "NIANBAO_MAX_FILE_MB",
        "NIANBAO_REPORTS_DIR",
        "NIANBAO_TELEGRAM_TOKEN",
        "NIANBAO_TELEGRAM_ADMINS",
        "NIANBAO_TELEGRAM_BASE_URL",
    ):
        monkeypatch.delenv(name, raising=False)


def test_default_is_user_data_dir(tmp_path: Path) -> None:
    settings = load_settings()
    assert settings.db == tmp_path / "data" / "nianbao" / "nianbao.db"
    assert settings.db_is_default
    assert settings.max_file_mb == 50


def test_order_option_env_config_default(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "nianbao.toml").write_text(
        '[database]\npath = "from-config.db"\n[ingest]\nmax_file_mb = 7\n'
        "[telegram]\nadmins = [1, 2]\n",
        "utf-8",
    )
    assert load_settings().db == Path("from-config.db")
    assert load_settings().max_file_mb == 7
    assert telegram_settings(load_settings()).admins == (1, 2)
    monkeypatch.setenv("NIANBAO_DB", "from-env.db")
    monkeypatch.setenv("NIANBAO_TELEGRAM_ADMINS", "5, 6")
    assert load_settings().db == Path("from-env.db")
    assert telegram_settings(load_settings()).admins == (5, 6)
    assert load_settings(db="from-option.db").db == Path("from-option.db")
    assert not load_settings(db="from-option.db").db_is_default


def test_config_env_points_at_missing_file(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NIANBAO_CONFIG", "nowhere.toml")
    with pytest.raises(SettingsError, match="does not exist"):
        load_settings()


def test_bad_toml_is_reported(tmp_path: Path) -> None:
    (tmp_path / "nianbao.toml").write_text("[database\n", "utf-8")
    with pytest.raises(SettingsError, match="not valid TOML"):
        load_settings()


def test_example_config_documents_every_setting() -> None:
    import tomllib

    example = EXAMPLE_CONFIG
    data = tomllib.loads(example.read_text("utf-8"))
    assert set(data) == {"database", "ingest", "display", "review", "telegram"}
    assert set(data["review"]) == {"jump_factor"}
    assert set(data["database"]) == {"path"}
    assert set(data["ingest"]) == {"reports_dir", "max_file_mb", "file_seconds", "file_memory_mb"}
    assert set(data["display"]) == {"time_zone"}
    assert set(data["telegram"]) == set(TelegramSettings.__dataclass_fields__)
