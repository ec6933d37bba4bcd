"""Starting the bot: settings, the token's secrecy, webhook mode, the ``nianbao bot`` command."""

from __future__ import annotations

import json
import logging
import socket
import urllib.error
import urllib.request
from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.cli import main
from bot.settings import load_settings
from bot.telegram import app as bot_app
from bot.telegram.app import BotConfigError, check_settings, install_redaction, webhook_options
from bot.telegram.settings import TelegramSettings, telegram_settings
from tests.support import EXAMPLE_CONFIG
from tests.support.fake_bot_api import FakeBotApi
from tests.support.telegram import RunningBot, settings_for

OFFICIAL = FakeBotApi.user(1001, "Official")


@pytest.fixture(autouse=True)
def _no_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    for name in list(__import__("os").environ):
        if name.startswith("NIANBAO_"):
            monkeypatch.delenv(name)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_example_config_documents_and_loads_every_bot_setting() -> None:
    settings = telegram_settings(load_settings(config=EXAMPLE_CONFIG))
    text = EXAMPLE_CONFIG.read_text("utf-8")
    for name in TelegramSettings.__dataclass_fields__:
        assert f"\n{name} = " in text, name
        assert f"NIANBAO_TELEGRAM_{name.upper()}" in text or name.startswith("webhook_"), name
    assert settings.questions_per_minute == 20 and settings.mode == "polling"


def test_environment_overrides_the_config_file(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NIANBAO_TELEGRAM_TOKEN", "42:from-env")
    monkeypatch.setenv("NIANBAO_TELEGRAM_ALLOWED_CHATS", "-100, 7")
    monkeypatch.setenv("NIANBAO_TELEGRAM_QUESTIONS_PER_MINUTE", "5")
    monkeypatch.setenv("NIANBAO_TELEGRAM_LOCAL_MODE", "yes")
    settings = telegram_settings(load_settings(config=EXAMPLE_CONFIG))
    assert settings.token == "42:from-env"
    assert settings.allowed_chats == (-100, 7)
    assert settings.questions_per_minute == 5
    assert settings.local_mode is True


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("NIANBAO_TELEGRAM_ADMINS", "alice", "numeric Telegram ids"),
        ("NIANBAO_TELEGRAM_QUESTIONS_PER_MINUTE", "many", "must be a number"),
        ("NIANBAO_TELEGRAM_MODE", "carrier-pigeon", "'polling' or 'webhook'"),
        ("NIANBAO_TELEGRAM_LOCAL_MODE", "perhaps", "true or false"),
    ],
)
def test_bad_settings_say_what_is_wrong(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str, message: str
) -> None:
    from bot.settings import SettingsError

    monkeypatch.setenv(variable, value)
    with pytest.raises(SettingsError, match=message):
        telegram_settings(load_settings())


def test_missing_or_malformed_token_and_webhook_url_are_refused() -> None:
    with pytest.raises(BotConfigError, match="@BotFather"):
        check_settings(TelegramSettings())
    with pytest.raises(BotConfigError, match="does not look like"):
        check_settings(TelegramSettings(token="not-a-token"))
    with pytest.raises(BotConfigError, match="webhook_url"):
        check_settings(TelegramSettings(token="1:a", mode="webhook"))
    with pytest.raises(BotConfigError, match="go together"):
        check_settings(TelegramSettings(token="1:a", webhook_cert="cert.pem"))


def test_cli_bot_without_token_fails_with_a_hint(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["bot", "--db", str(tmp_path / "x.db")])
    assert result.exit_code == 1
    assert "NIANBAO_TELEGRAM_TOKEN" in result.output and "Traceback" not in result.output
    missing = CliRunner().invoke(main, ["bot", "--config", str(tmp_path / "nowhere.toml")])
    assert missing.exit_code == 1 and "does not exist" in missing.output


def test_cli_bot_runs_polling_with_the_configured_settings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, sample_db_path: Path
) -> None:
    config = tmp_path / "bot.toml"
    config.write_text(
        f'[database]\npath = "{sample_db_path}"\n'
        '[telegram]\ntoken = "123:secret-token"\nadmins = [42]\n',
        "utf-8",
    )
    seen: dict = {}

    def fake_run_polling(self, **kwargs) -> None:
        seen["handlers"] = sum(len(h) for h in self.handlers.values())
        seen["kwargs"] = kwargs
        seen["admins"] = self.bot_data["nianbao"].settings.admins

    monkeypatch.setattr("telegram.ext.Application.run_polling", fake_run_polling)
    result = CliRunner().invoke(main, ["bot", "--config", str(config)])
    assert result.exit_code == 0, result.output
    assert seen["admins"] == (42,) and seen["handlers"] >= 10
    assert "secret-token" not in result.output


def test_token_is_scrubbed_from_logs() -> None:
    import io

    token = "123456:VERY-SECRET"
    written = io.StringIO()
    handler = logging.StreamHandler(written)
    handler.setFormatter(logging.Formatter("%(name)s %(message)s"))
    install_redaction(token, [handler])
    logger = logging.getLogger("nianbao-redaction-test")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        logger.warning("POST https://api.telegram.org/bot%s/getMe", token)
        try:
            raise RuntimeError(f"failed at /bot{token}/sendMessage")
        except RuntimeError:
            logger.exception("send failed")
        logger.warning("here", stack_info=True, extra={"token": token})
    finally:
        logger.removeHandler(handler)
    text = written.getvalue()
    assert token not in text
    assert text.count("<token>") == 2 and "RuntimeError" in text


def test_a_running_bot_never_logs_its_token(
    caplog: pytest.LogCaptureFixture, sample_db_path: Path
) -> None:
    caplog.set_level(logging.DEBUG)
    with FakeBotApi(token="987654:SHOULD-NOT-APPEAR") as api:
        install_redaction(api.token, [caplog.handler])
        with RunningBot(api, sample_db_path, settings_for(api)) as running:
            running.ask(FakeBotApi.private_chat(1001), OFFICIAL, "西集镇有多少行政诉讼？")
    assert "SHOULD-NOT-APPEAR" not in caplog.text
    assert "getUpdates" in caplog.text or "sendMessage" in caplog.text


def test_webhook_mode_answers_posted_updates_and_checks_the_secret(sample_db_path: Path) -> None:
    port = _free_port()
    with FakeBotApi() as api:
        settings = replace(
            settings_for(api),
            mode="webhook",
            webhook_listen="127.0.0.1",
            webhook_port=port,
            webhook_url="https://bot.example.org/nianbao/hook",
            webhook_secret="s3cret-token_1",
        )
        assert webhook_options(settings)["url_path"] == "nianbao/hook"
        with RunningBot(api, sample_db_path, settings) as running:
            registered = api.wait_for("setWebhook")[0]
            assert registered["url"] == "https://bot.example.org/nianbao/hook"
            assert registered["secret_token"] == "s3cret-token_1"
            update = {
                "update_id": 1,
                "message": {
                    "message_id": 5,
                    "date": 0,
                    "chat": FakeBotApi.private_chat(1001),
                    "from": OFFICIAL,
                    "text": "西集镇有多少行政诉讼？",
                },
            }
            url = f"http://127.0.0.1:{port}/nianbao/hook"

            def post(secret: str) -> int:
                request = urllib.request.Request(
                    url,
                    data=json.dumps(update, ensure_ascii=False).encode(),
                    headers={
                        "Content-Type": "application/json",
                        "X-Telegram-Bot-Api-Secret-Token": secret,
                    },
                )
                try:
                    with urllib.request.urlopen(request, timeout=10) as response:
                        return response.status
                except urllib.error.HTTPError as exc:
                    return exc.code

            assert post("wrong") == 403
            assert post("s3cret-token_1") == 200
            reply = running.reply_to(update["message"])
            assert "<b>6</b>" in reply["text"]


def test_run_uses_webhook_options(monkeypatch: pytest.MonkeyPatch, sample_db_path: Path) -> None:
    seen: dict = {}
    monkeypatch.setattr(
        "telegram.ext.Application.run_webhook", lambda self, **kwargs: seen.update(kwargs)
    )
    settings = load_settings(db=sample_db_path)
    telegram = replace(
        telegram_settings(settings),
        token="1:abc",
        mode="webhook",
        webhook_url="https://bot.example.org/hook",
        webhook_secret="abc",
    )
    bot_app.serve(settings.db, telegram)
    assert seen["url_path"] == "hook" and seen["secret_token"] == "abc"
    assert seen["cert"] is None and seen["key"] is None
    assert seen["webhook_url"] == "https://bot.example.org/hook"


def test_group_limit_queues_messages_but_not_chat_actions() -> None:
    import asyncio

    from bot.telegram.app import MessageRateLimiter

    async def scenario() -> tuple[int, bool]:
        limiter = MessageRateLimiter(group_max_rate=1, group_time_period=60)
        await limiter.initialize()
        sent = 0

        async def send(*_args, **_kwargs) -> bool:
            nonlocal sent
            sent += 1
            return True

        group = {"chat_id": -100}
        for _ in range(5):
            await limiter.process_request(send, (), {}, "sendChatAction", group, None)
        await limiter.process_request(send, (), {}, "sendMessage", group, None)
        try:
            second = limiter.process_request(send, (), {}, "sendMessage", group, None)
            await asyncio.wait_for(second, 0.3)
            queued = False
        except TimeoutError:
            queued = True
        return sent, queued

    sent, queued = asyncio.run(scenario())
    assert sent == 6 and queued
