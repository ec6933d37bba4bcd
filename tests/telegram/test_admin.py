"""What an admin meets in daily use, end to end against the fake Bot API server: uploads in
groups, the admins' menus, quiet logs (one line per update, one per outage), edited questions,
questions in captions, and one count and local time in /stats, the ingest summary and
``nianbao reports``."""

from __future__ import annotations

import logging
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from tests.support import NATIONAL, SAMPLES
from tests.support.fake_bot_api import ApiError, FakeBotApi
from tests.support.telegram import (
    ADMIN,
    GROUP,
    OFFICIAL,
    PRIVATE,
    RunningBot,
    copy_corpus,
    replied_to,
    settings_for,
    visible,
)

OTHER_ADMIN = FakeBotApi.user(43, "Deputy")
REPORT = (NATIONAL / "donghu-2021.md").read_bytes()


@pytest.fixture
def live_db(tmp_path: Path, sample_db_path: Path) -> Path:
    return copy_corpus(sample_db_path, tmp_path / "live.db")


def _quoting(api: FakeBotApi, message: dict, since: int = 0) -> list[dict]:
    return [
        p for p in api.sent("sendMessage", since=since) if replied_to(p) == message["message_id"]
    ]


# -- uploads in groups ------------------------------------------------------------------------


def test_an_admins_file_in_a_group_is_ingested_and_answered_there(live_db: Path) -> None:
    with FakeBotApi() as api, RunningBot(api, live_db, settings_for(api)) as running:
        update = api.send_document(GROUP, ADMIN, "donghu-2021.md", REPORT, "text/markdown")
        summary = api.wait_for(
            "sendMessage", lambda p: "已收录：东湖街道 2021" in p["text"], timeout=90
        )[0]
        assert str(summary["chat_id"]) == str(GROUP["id"])
        assert replied_to(summary) == update["message"]["message_id"]
        reply = running.ask(GROUP, OFFICIAL, "/ask 东湖街道2021年有多少行政诉讼")
        assert "<b>" in reply["text"] and "东湖街道" in reply["text"]


def test_group_uploads_off_asks_for_a_private_message(live_db: Path) -> None:
    with FakeBotApi() as api:
        settings = settings_for(api, group_uploads=False)
        with RunningBot(api, live_db, settings) as running:
            mark = api.mark()
            update = api.send_document(GROUP, ADMIN, "donghu-2021.md", REPORT, "text/markdown")
            hint = running.reply_to(update["message"])
            assert "私聊" in hint["text"] and "\n" not in visible(hint["text"])
            assert api.sent("getFile", since=mark) == []


def test_others_files_in_a_group_are_ignored_unless_the_caption_asks_the_bot(
    live_db: Path,
) -> None:
    with FakeBotApi() as api, RunningBot(api, live_db, settings_for(api)) as running:
        mark = api.mark()
        chatter = api.send_document(GROUP, OFFICIAL, "会议纪要.docx", b"PK\x03\x04", "x/y")
        table = api.send_document(GROUP, ADMIN, "统计.xlsx", b"PK\x03\x04", "x/y")
        asked = api.send_document(
            GROUP,
            OFFICIAL,
            "材料.pdf",
            b"%PDF-1.4",
            "application/pdf",
            caption=f"@{api.bot_user['username']} 西集镇有多少行政诉讼",
        )
        answer = running.reply_to(asked["message"])
        assert "<b>6</b>" in answer["text"]
        after = running.ask(GROUP, OFFICIAL, "/ask 西塘镇有多少行政诉讼")
        assert "<b>1</b>" in after["text"]
        assert not _quoting(api, chatter["message"], mark)
        assert not _quoting(api, table["message"], mark)
        assert api.sent("getFile", since=mark) == []


# -- questions in captions and edited questions -----------------------------------------------


def test_questions_in_photo_captions(live_db: Path) -> None:
    with FakeBotApi() as api, RunningBot(api, live_db, settings_for(api)) as running:
        private = api.send_photo(PRIVATE, OFFICIAL, caption="西集镇有多少行政诉讼？")
        assert "<b>6</b>" in running.reply_to(private["message"])["text"]
        mention = f"@{api.bot_user['username']} 西塘镇有多少行政诉讼"
        in_group = api.send_photo(GROUP, OFFICIAL, caption=mention)
        assert "<b>1</b>" in running.reply_to(in_group["message"])["text"]
        mark = api.mark()
        ignored = api.send_photo(GROUP, OFFICIAL, caption="会场照片")
        running.ask(GROUP, OFFICIAL, "/units")
        assert not _quoting(api, ignored["message"], mark)


def test_an_edited_question_edits_its_answer(live_db: Path) -> None:
    with FakeBotApi() as api, RunningBot(api, live_db, settings_for(api)) as running:
        update = api.send_text(PRIVATE, OFFICIAL, "西集镇有多少行政诉讼？")
        first = running.reply_to(update["message"])
        assert "<b>6</b>" in first["text"]
        answer_id = next(
            m["message_id"] for m in api.messages_sent() if m.get("text") == first["text"]
        )
        mark = api.mark()
        api.edit_text(update["message"], "西塘镇有多少行政诉讼？")
        edited = api.wait_for("editMessageText", lambda p: p["message_id"] == answer_id)[0]
        assert "<b>1</b>" in edited["text"] and "西塘镇" in edited["text"]
        assert not _quoting(api, update["message"], mark)  # edited in place, no second answer
        group_q = api.send_text(GROUP, OFFICIAL, "/ask 西集镇有多少行政诉讼")
        group_answer = running.reply_to(group_q["message"])
        group_id = next(
            m["message_id"]
            for m in api.messages_sent()
            if m["chat"]["id"] == GROUP["id"] and m.get("text") == group_answer["text"]
        )
        api.edit_text(group_q["message"], "/ask 乌镇镇有多少行政诉讼")
        regrouped = api.wait_for("editMessageText", lambda p: p["message_id"] == group_id)[0]
        assert "乌镇镇" in regrouped["text"]


def test_an_edit_after_the_answer_expired_gets_a_new_answer(live_db: Path) -> None:
    with FakeBotApi() as api:
        settings = settings_for(api, button_ttl_minutes=0.002)  # 0.12 s
        with RunningBot(api, live_db, settings) as running:
            update = api.send_text(PRIVATE, OFFICIAL, "西集镇有多少行政诉讼？")
            running.reply_to(update["message"])
            time.sleep(0.3)
            mark = api.mark()
            api.edit_text(update["message"], "西塘镇有多少行政诉讼？")
            again = api.wait_for(
                "sendMessage", lambda p: replied_to(p) == update["message"]["message_id"],
                since=mark,
            )[0]  # fmt: skip
            assert "<b>1</b>" in again["text"]
            assert api.sent("editMessageText", since=mark) == []


# -- the admins' menus ------------------------------------------------------------------------


def test_each_admins_menu_is_published_on_its_own_and_retried_when_they_write(
    live_db: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="bot.telegram.handlers.routing")
    written: set[int] = set()

    def set_my_commands(params: dict) -> bool:
        scope = params.get("scope") or {}
        if scope.get("type") == "chat" and scope.get("chat_id") not in written:
            raise ApiError(400, "Bad Request: chat not found")
        return True

    with FakeBotApi() as api:
        api.override("setMyCommands", set_my_commands)
        settings = settings_for(api, admins=(42, 43))
        with RunningBot(api, live_db, settings) as running:
            tried = [p.get("scope", {}).get("chat_id") for p in api.sent("setMyCommands")]
            assert tried == [None, 42, 43]  # one failure does not skip the next admin
            lines = [r for r in caplog.records if "admin menu" in r.getMessage()]
            assert len(lines) == 2 and all(r.levelno == logging.WARNING for r in lines)
            assert all(r.exc_info is None for r in lines)
            written.add(42)
            mark = api.mark()
            running.ask(FakeBotApi.private_chat(42), ADMIN, "/help")
            retried = api.sent("setMyCommands", since=mark)
            assert [p["scope"]["chat_id"] for p in retried] == [42]
            assert [c["command"] for c in retried[0]["commands"]][-1] == "reload"
            assert any(r.getMessage() == "admin menu published for 42" for r in caplog.records)
            mark = api.mark()
            running.ask(FakeBotApi.private_chat(42), ADMIN, "/help")
            assert api.sent("setMyCommands", since=mark) == []  # published once is enough


# -- logging ----------------------------------------------------------------------------------


def test_one_line_per_update_without_private_words_unless_debug(
    live_db: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="bot.telegram.updates")
    logging.getLogger("bot.telegram.updates").setLevel(logging.INFO)
    secret = "西集镇有多少行政诉讼？"
    try:
        with FakeBotApi() as api, RunningBot(api, live_db, settings_for(api)) as running:
            update = api.send_text(PRIVATE, OFFICIAL, secret)
            running.reply_to(update["message"])
            time.sleep(0.2)
            lines = [r.getMessage() for r in caplog.records if r.name == "bot.telegram.updates"]
            mine = [line for line in lines if f"update {update['update_id']}:" in line]
            assert len(mine) == 1, lines
            assert re.search(
                rf"chat 1001 \(private\) user 1001 text, question {len(secret)} chars "
                r"→ number in \d+ ms",
                mine[0],
            ), mine[0]
            assert all(secret not in r.getMessage() for r in caplog.records)
            logging.getLogger("bot.telegram.updates").setLevel(logging.DEBUG)
            caplog.set_level(logging.DEBUG, logger="bot.telegram.updates")
            again = api.send_text(PRIVATE, OFFICIAL, secret)
            running.reply_to(again["message"])
            time.sleep(0.2)
            assert any(secret in r.getMessage() for r in caplog.records if r.levelno == 10)
    finally:
        logging.getLogger("bot.telegram.updates").setLevel(logging.NOTSET)


def test_an_outage_is_one_warning_then_one_info_and_no_traceback(
    live_db: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    with FakeBotApi() as api, RunningBot(api, live_db, settings_for(api)) as running:
        running.ask(PRIVATE, OFFICIAL, "西集镇有多少行政诉讼？")
        mark = len(caplog.records)
        api.unreachable = True
        time.sleep(3)
        api.unreachable = False
        reply = running.ask(PRIVATE, OFFICIAL, "西塘镇有多少行政诉讼？")
        assert "<b>1</b>" in reply["text"]
        time.sleep(0.3)
        during = [r for r in caplog.records[mark:] if r.name.startswith(("bot", "telegram"))]
        warnings = [r for r in during if r.levelno >= logging.WARNING]
        assert [r.getMessage().split(" since ")[0] for r in warnings] == ["Telegram unreachable"], [
            r.getMessage() for r in warnings
        ]
        assert "retrying" in warnings[0].getMessage()
        back = [r for r in during if "reachable again" in r.getMessage()]
        assert len(back) == 1 and back[0].levelno == logging.INFO
        assert all(r.exc_info is None and r.levelno < logging.ERROR for r in during)


@pytest.fixture
def bot_process(live_db: Path, tmp_path: Path) -> Iterator[tuple[FakeBotApi, subprocess.Popen]]:
    """``nianbao bot -v`` as its own process, polling the fake server."""
    with FakeBotApi() as api:
        config = tmp_path / "bot.toml"
        config.write_text(
            f'[database]\npath = "{live_db}"\n[display]\ntime_zone = "UTC"\n'
            f'[telegram]\ntoken = "{api.token}"\nbase_url = "{api.base_url}"\n'
            f'base_file_url = "{api.base_file_url}"\nadmins = [42]\n',
            "utf-8",
        )
        process = subprocess.Popen(
            [sys.executable, "-m", "bot.cli", "bot", "-v", "--config", str(config)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            api.wait_for("getUpdates", timeout=120)
            yield api, process
        finally:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                process.kill()


def test_the_bot_process_logs_updates_and_an_outage_in_a_few_lines(
    bot_process: tuple[FakeBotApi, subprocess.Popen],
) -> None:
    api, process = bot_process
    update = api.send_text(PRIVATE, OFFICIAL, "西集镇有多少行政诉讼？")
    api.wait_for(
        "sendMessage", lambda p: replied_to(p) == update["message"]["message_id"], timeout=60
    )
    api.unreachable = True
    time.sleep(5)
    api.unreachable = False
    later = api.send_text(PRIVATE, OFFICIAL, "/stats")
    stats = api.wait_for(
        "sendMessage", lambda p: replied_to(p) == later["message"]["message_id"], timeout=60
    )[0]
    assert "UTC" in visible(stats["text"])
    time.sleep(0.5)
    process.send_signal(signal.SIGINT)
    _, log = process.communicate(timeout=30)
    assert "Traceback" not in log and " ERROR " not in log, log[-3000:]
    assert log.count("Telegram unreachable since") == 1 and log.count("reachable again") == 1
    assert re.search(rf"update {update['update_id']}: chat 1001 \(private\) .*→ number", log)
    assert "西集镇有多少行政诉讼" not in log
    assert len(log.splitlines()) < 20, log


# -- one count and local time -----------------------------------------------------------------


def test_stats_ingest_summary_and_reports_count_alike_in_local_time(tmp_path: Path) -> None:
    db = tmp_path / "count.db"
    env = {**os.environ, "NIANBAO_TIME_ZONE": "Asia/Shanghai", "TZ": "UTC"}

    def cli(*args: str) -> str:
        done = subprocess.run(
            [sys.executable, "-m", "bot.cli", *args, "--db", str(db)],
            capture_output=True,
            text=True,
            env=env,
            timeout=300,
        )
        assert done.returncode == 0, done.stderr
        return done.stdout

    summary = cli("ingest", str(SAMPLES))
    listing = cli("reports")
    total = listing.splitlines()[-1]
    counted = re.search(r"(\d+) reports, (\d+) units, (\d+) passages, (\d+) statistics", total)
    assert counted is not None
    assert f"{counted.group(1)} reports, {counted.group(2)} units" in summary
    stored = re.search(r"this run stored passages (\d+), statistics (\d+)", summary)
    assert stored is not None and stored.groups() == counted.groups()[2:]  # into an empty db
    per_report = sum(int(n) for n in re.findall(r"\t(\d+) statistics\t", listing))
    assert per_report == int(counted.group(4))
    local = re.search(r"last ingest (\d{4}-\d\d-\d\d \d\d:\d\d) Asia/Shanghai", total)
    assert local is not None
    with (
        FakeBotApi() as api,
        RunningBot(api, db, settings_for(api), time_zone=ZoneInfo("Asia/Shanghai")) as running,
    ):
        stats = visible(running.ask(PRIVATE, OFFICIAL, "/stats")["text"])
    assert f"统计数字 {counted.group(4)} 个" in stats
    assert f"报告 {counted.group(1)} 份" in stats and f"段落 {counted.group(3)} 个" in stats
    assert f"最近一次收录：{local.group(1)} Asia/Shanghai" in stats
