"""The Telegram bot end to end: the real python-telegram-bot against a fake Bot API server.

Every test sends updates through ``getUpdates`` of a server on 127.0.0.1 and reads what the
bot sent back over HTTP; nothing reaches the internet.
"""

from __future__ import annotations

import json
import logging
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bot.qa.wording import one_line
from bot.telegram.messages import MESSAGE_LIMIT
from ingest.text import fold
from tests.support import FIXTURES, NATIONAL, SEED_QUESTIONS
from tests.support.fake_bot_api import FakeBotApi
from tests.support.telegram import (
    ADMIN,
    GROUP,
    OFFICIAL,
    PRIVATE,
    RunningBot,
    check_html,
    copy_corpus,
    replied_to,
    settings_for,
    visible,
)


def folded(text: str) -> str:
    return "".join(fold(text).split())


# -- start-up ---------------------------------------------------------------------------------


def test_start_up_publishes_the_command_menu(api: FakeBotApi, bot: RunningBot) -> None:
    commands = api.wait_for("setMyCommands")[0]["commands"]
    names = [c["command"] for c in commands]
    assert names == [
        "start",
        "help",
        "ask",
        "units",
        "stats",
        "source",
        "chart",
        "review",
        "compare",
    ]
    assert all(c["description"] for c in commands)
    admin_menu = api.wait_for("setMyCommands", lambda p: "scope" in p)[0]
    assert admin_menu["scope"] == {"type": "chat", "chat_id": 42}
    assert [c["command"] for c in admin_menu["commands"]][-1] == "reload"


# -- questions --------------------------------------------------------------------------------


def test_private_question_gets_figure_source_and_quote(api: FakeBotApi, bot: RunningBot) -> None:
    update = api.send_text(PRIVATE, OFFICIAL, "西集镇有多少行政诉讼？")
    reply = bot.reply_to(update["message"])
    text = reply["text"]
    check_html(text)
    assert reply["parse_mode"] == "HTML"
    assert "<b>6</b>" in text
    assert "<blockquote>五、行政诉讼数量 件 6</blockquote>" in text  # no pipes of the table row
    assert text.count("\n") <= 6, text  # a short answer: related passages behind a button
    assert "相关原文" not in text
    assert "西集镇2018年政府信息公开工作年度报告" in text
    assert "发生针对本单位政府信息公开行政诉讼案件0件" in text  # the disagreeing prose
    typing = api.sent("sendChatAction", chat_id=1001)
    assert any(t["action"] == "typing" for t in typing)
    buttons = [b for row in reply["reply_markup"]["inline_keyboard"] for b in row]
    assert [b["callback_data"].split(":")[0] for b in buttons] == ["src", "more"]


def test_group_ask_command(api: FakeBotApi, bot: RunningBot) -> None:
    reply = bot.ask(GROUP, OFFICIAL, "/ask 哪个镇主动公开信息最多")
    text = visible(check_html(reply["text"]) and reply["text"])
    assert text.index("西塘镇") < text.index("西集镇")
    assert "<b>2043</b>" in reply["text"]


def test_group_ask_addressed_to_this_bot(api: FakeBotApi, bot: RunningBot) -> None:
    reply = bot.ask(GROUP, OFFICIAL, f"/ask@{api.bot_user['username']} 西塘镇有多少行政诉讼")
    assert "<b>1</b>" in reply["text"]


def test_commands_without_entities_still_work(api: FakeBotApi, bot: RunningBot) -> None:
    update = api.send_text(GROUP, OFFICIAL, "/ask 西集镇有多少行政诉讼？", entities=[])
    assert "<b>6</b>" in bot.reply_to(update["message"])["text"]
    mark = api.mark()
    other = api.send_text(
        GROUP, OFFICIAL, "/ask@some_other_bot 西集镇有多少行政诉讼？", entities=[]
    )
    after = bot.ask(GROUP, OFFICIAL, "/units")
    assert "西集镇" in after["text"]
    quoted = {replied_to(p) for p in api.sent("sendMessage", since=mark)}
    assert other["message"]["message_id"] not in quoted


def test_group_mention(api: FakeBotApi, bot: RunningBot) -> None:
    reply = bot.ask(GROUP, OFFICIAL, f"@{api.bot_user['username']} 西集镇有多少行政诉讼？")
    assert "<b>6</b>" in reply["text"]


def test_group_mention_without_entities_is_still_seen(api: FakeBotApi, bot: RunningBot) -> None:
    handle = "@" + api.bot_user["username"].upper()
    update = api.send_text(GROUP, OFFICIAL, f"{handle} 西集镇有多少行政诉讼？", entities=[])
    assert "<b>6</b>" in bot.reply_to(update["message"])["text"]


def test_group_reply_to_the_bot_is_a_question(api: FakeBotApi, bot: RunningBot) -> None:
    first = bot.ask(GROUP, OFFICIAL, "/ask 西集镇有多少行政诉讼？")
    bot_message = next(m for m in api.messages_sent() if m["text"] == first["text"])
    update = api.send_text(GROUP, OFFICIAL, "西塘镇有多少行政诉讼", reply_to=bot_message)
    reply = bot.reply_to(update["message"])
    assert "<b>1</b>" in reply["text"]


def test_group_chatter_is_ignored(api: FakeBotApi, bot: RunningBot) -> None:
    chatter = api.send_text(GROUP, OFFICIAL, "今天下午三点开会，西集镇的同志请准时参加")
    other_user = FakeBotApi.user(1002, "Colleague")
    reply_to_person = api.send_text(
        GROUP, other_user, "收到，行政诉讼的材料我带上", reply_to=chatter["message"]
    )
    after = bot.ask(GROUP, OFFICIAL, "/ask 西塘镇有多少行政诉讼")
    assert "<b>1</b>" in after["text"]
    quoted = {replied_to(p) for p in api.sent("sendMessage", chat_id=GROUP["id"])}
    assert chatter["message"]["message_id"] not in quoted
    assert reply_to_person["message"]["message_id"] not in quoted


def test_passage_answer_with_buttons_more_and_source(api: FakeBotApi, bot: RunningBot) -> None:
    reply = bot.ask(PRIVATE, OFFICIAL, "乌镇存在哪些问题")
    text = reply["text"]
    check_html(text)
    assert "政府信息公开的主动意识有待进一步加强" in text
    rows = reply["reply_markup"]["inline_keyboard"]
    sources = [b["callback_data"] for b in rows[0]]
    more = rows[1][0]["callback_data"]
    assert [s.split(":")[0] for s in sources] == ["src"] * 3
    assert more.startswith("more:")
    sent = next(m for m in api.messages_sent() if m.get("reply_markup") == reply["reply_markup"])

    mark = api.mark()
    api.press_button(PRIVATE, OFFICIAL, sent, more)
    api.wait_for("answerCallbackQuery", since=mark)
    more_reply = api.wait_for("sendMessage", lambda p: "第 4–6 条" in p["text"], since=mark)[0]
    check_html(more_reply["text"])
    assert more_reply["text"].count("<blockquote>") == 3
    assert "<b>4.</b>" in more_reply["text"]

    passage_id = int(sources[0].split(":")[1])
    mark = api.mark()
    api.press_button(PRIVATE, OFFICIAL, sent, sources[0])
    source = api.wait_for("sendMessage", lambda p: "位置" in p["text"], since=mark)[0]
    check_html(source["text"])
    assert "政府信息公开的主动意识有待进一步加强" in source["text"]
    assert f"/source_{passage_id + 1}" in source["text"]


def test_expired_button_says_so(api: FakeBotApi, bot: RunningBot) -> None:
    reply = bot.ask(PRIVATE, OFFICIAL, "乌镇存在哪些问题")
    sent = next(m for m in api.messages_sent() if m.get("reply_markup") == reply["reply_markup"])
    mark = api.mark()
    api.press_button(PRIVATE, OFFICIAL, sent, "more:no-such-token")
    answered = api.wait_for("answerCallbackQuery", since=mark)[0]
    assert "过期" in answered["text"]
    assert api.sent("sendMessage", since=mark) == []


def test_source_command_and_link(api: FakeBotApi, bot: RunningBot) -> None:
    number = bot.ask(PRIVATE, OFFICIAL, "西集镇有多少行政诉讼？")
    passage_id = int(number["text"].split("/source_")[1].split()[0].rstrip("<"))
    for command in (f"/source {passage_id}", f"/source_{passage_id}"):
        reply = bot.ask(PRIVATE, OFFICIAL, command)
        check_html(reply["text"])
        assert "<blockquote>五、行政诉讼数量" in reply["text"]
        assert "西集镇2018年政府信息公开工作年度报告" in reply["text"]
    unknown = bot.ask(PRIVATE, OFFICIAL, "/source 99999999")
    assert "99999999" in unknown["text"]
    usage = bot.ask(PRIVATE, OFFICIAL, "/source")
    assert "/source" in usage["text"]


def test_html_in_a_question_is_escaped(api: FakeBotApi, bot: RunningBot) -> None:
    reply = bot.ask(
        PRIVATE, OFFICIAL, "<script>alert(1)</script> 火星镇<b>有多少</b>行政诉讼 & 复议"
    )
    check_html(reply["text"])
    assert "<script>" not in reply["text"]
    unusual = bot.ask(PRIVATE, OFFICIAL, "/ask")
    check_html(unusual["text"])


def test_units_stats_and_help(api: FakeBotApi, bot: RunningBot, answerer) -> None:
    units = bot.ask(PRIVATE, OFFICIAL, "/units")
    for unit in ("西集镇", "西塘镇", "乌镇镇", "宜就镇", "於潜镇"):
        assert unit in units["text"]
    found = bot.ask(PRIVATE, OFFICIAL, "/units 西")["text"]
    assert "西集镇" in found and "西塘镇" in found and "乌镇镇" not in found
    stats = bot.ask(PRIVATE, OFFICIAL, "/stats")
    check_html(stats["text"])
    assert "报告 5 份" in stats["text"]
    assert "不一致 3 处" in stats["text"]
    help_reply = bot.ask(PRIVATE, OFFICIAL, "/help")
    check_html(help_reply["text"])
    examples = [
        line.strip("• ")
        for line in visible(help_reply["text"]).splitlines()
        if line.startswith("• ")
    ]
    assert len(examples) == 4
    for example in examples:
        assert answerer.ask(example).kind != "none", example
    start = bot.ask(PRIVATE, OFFICIAL, "/start")
    assert examples[0] in visible(start["text"])


def test_chart_bar_across_units_and_line_for_one(api: FakeBotApi, bot: RunningBot) -> None:
    for text, expected in (
        ("/chart 主动公开信息", "西塘镇 2018: 2043"),
        ("/chart 行政诉讼 西集镇", "西集镇 2018: 6"),
    ):
        update = api.send_text(PRIVATE, OFFICIAL, text)
        photo = bot.reply_to(update["message"], method="sendPhoto")
        assert photo["photo"][:8] == b"\x89PNG\r\n\x1a\n"
        assert len(photo["photo"]) > 5_000
        check_html(photo["caption"])
        assert expected in visible(photo["caption"])
        assert len(visible(photo["caption"])) <= 1024
    usage = bot.ask(PRIVATE, OFFICIAL, "/chart 天气")
    assert "/chart" in usage["text"]


def test_chart_without_a_chinese_font_numbers_its_labels(
    api: FakeBotApi, bot: RunningBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    import functools

    import bot.telegram.chart as drawing  # the /chart handler imports it when first asked

    no_cjk = functools.partial(drawing.render_chart, force_no_cjk=True)
    monkeypatch.setattr(drawing, "render_chart", no_cjk)
    update = api.send_text(PRIVATE, OFFICIAL, "/chart 主动公开信息")
    photo = bot.reply_to(update["message"], method="sendPhoto")
    assert photo["photo"][:4] == b"\x89PNG"
    caption = visible(photo["caption"])
    assert "图中编号" in caption and "1 西塘镇" in caption and "5 乌镇镇" in caption


def test_non_admin_upload_is_refused_before_download(api: FakeBotApi, bot: RunningBot) -> None:
    mark = api.mark()
    update = api.send_document(PRIVATE, OFFICIAL, "report.txt", b"anything", "text/plain")
    reply = bot.reply_to(update["message"])
    assert "管理员" in reply["text"]
    assert api.sent("getFile", since=mark) == []
    reload_reply = bot.ask(PRIVATE, OFFICIAL, "/reload")
    assert "管理员" in reload_reply["text"]


def test_admin_upload_of_wrong_type_or_size_is_refused(api: FakeBotApi, bot: RunningBot) -> None:
    admin_chat = FakeBotApi.private_chat(42)
    mark = api.mark()
    update = api.send_document(admin_chat, ADMIN, "photo.jpg", b"\xff\xd8\xff", "image/jpeg")
    assert "不支持" in bot.reply_to(update["message"])["text"]
    big = b"x" * (21 * 1024 * 1024)
    update = api.send_document(admin_chat, ADMIN, "huge.pdf", big, "application/pdf")
    assert "太大" in bot.reply_to(update["message"])["text"]
    assert api.sent("getFile", since=mark) == []


def test_errors_become_a_friendly_message(
    api: FakeBotApi, bot: RunningBot, monkeypatch: pytest.MonkeyPatch, caplog
) -> None:
    def broken(text: str):
        raise RuntimeError("database on fire")

    monkeypatch.setattr(bot.nianbao.answerer, "ask", broken)
    caplog.set_level(logging.ERROR, logger="bot.telegram.handlers.routing")
    update = api.send_text(PRIVATE, OFFICIAL, "西集镇有多少行政诉讼？")
    reply = bot.reply_to(update["message"])
    assert "出错" in reply["text"]
    assert "database on fire" not in reply["text"] and "Traceback" not in reply["text"]
    assert str(update["update_id"]) in reply["text"]
    assert any(str(update["update_id"]) in r.getMessage() for r in caplog.records)


@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")
def test_flood_control_retry_after_is_waited_out(api: FakeBotApi, bot: RunningBot) -> None:
    api.fail_next("sendMessage", 429, "Too Many Requests: retry after 1", retry_after=1)
    started = time.monotonic()
    update = api.send_text(PRIVATE, OFFICIAL, "西塘镇有多少行政诉讼")
    message_id = update["message"]["message_id"]
    tries = api.wait_for("sendMessage", lambda p: replied_to(p) == message_id, count=2)
    assert time.monotonic() - started >= 0.9
    assert tries[0] == tries[1]
    assert "<b>1</b>" in tries[1]["text"]


# -- the seed questions, in a group, the same as `nianbao ask` -----------------------------


def _seed_items() -> list[dict]:
    return [json.loads(line) for line in SEED_QUESTIONS.read_text("utf-8").splitlines() if line]


def test_seed_questions_in_a_group_match_nianbao_ask(
    api: FakeBotApi, bot: RunningBot, answerer
) -> None:
    """Each gold question as /ask in a group: the reply carries what `nianbao ask` says.

    Telegram allows a bot 20 messages a minute in one group, so the questions are spread over
    several groups.
    """
    items = _seed_items()
    updates = []
    for i, item in enumerate(items):
        group = FakeBotApi.group_chat(-2000 - i // 8, f"群 {i // 8}")
        updates.append(api.send_text(group, OFFICIAL, f"/ask {item['q']}"))
    for item, update in zip(items, updates, strict=True):
        reply = bot.reply_to(update["message"], timeout=60)
        html_text = reply["text"]
        check_html(html_text)
        seen = folded(visible(html_text))
        expected = answerer.ask(item["q"])
        if expected.kind == "passage":
            assert folded(one_line(expected.passages[0].text))[:40] in seen, item["q"]
        else:
            first_line = expected.text.split("\n")[0]
            assert folded(first_line)[:60] in seen, item["q"]
        if item["kind"] == "number":
            assert (
                f"<b>{item['expect']:g}</b>" in html_text or f"<b>{item['expect']}</b>" in html_text
            )
            # quotes show a table row's cells without the pipes between them
            assert folded(item["evidence"]).replace("|", "") in seen, item["q"]
        elif item["kind"] == "passage" and expected.kind != "passage":
            # a figure answer: the passage is among its related ones, behind the button
            related = [folded(p.text) for p in expected.passages]
            assert any(folded(item["expect_contains"]) in t for t in related), item["q"]
            buttons = [b for row in reply["reply_markup"]["inline_keyboard"] for b in row]
            assert any(b["callback_data"].startswith("more:") for b in buttons)
        elif item["kind"] == "passage":
            assert folded(item["expect_contains"]) in seen, item["q"]
        elif item["kind"] == "ranking":
            assert item["expect_first"] in visible(html_text)


# -- bots of their own: settings that change behaviour ---------------------------------------


def test_bot_starts_even_when_the_command_menu_is_refused(sample_db_path: Path) -> None:
    with FakeBotApi() as own_api:
        own_api.fail_next("setMyCommands", 400, "Bad Request: commands are broken", None)
        with RunningBot(own_api, sample_db_path, settings_for(own_api)) as running:
            reply = running.ask(PRIVATE, OFFICIAL, "西集镇有多少行政诉讼？")
            assert "<b>6</b>" in reply["text"]


def test_more_results_button_expires(sample_db_path: Path) -> None:
    with FakeBotApi() as own_api:
        settings = settings_for(own_api, button_ttl_minutes=0.5 / 60)
        with RunningBot(own_api, sample_db_path, settings) as running:
            reply = running.ask(PRIVATE, OFFICIAL, "乌镇存在哪些问题")
            more = reply["reply_markup"]["inline_keyboard"][1][0]["callback_data"]
            sent = next(m for m in own_api.messages_sent() if m.get("reply_markup"))
            time.sleep(0.6)
            mark = own_api.mark()
            own_api.press_button(PRIVATE, OFFICIAL, sent, more)
            answered = own_api.wait_for("answerCallbackQuery", since=mark)[0]
            assert "过期" in answered["text"]


def test_self_hosted_api_server_in_local_mode_hands_over_file_paths(
    tmp_path: Path, sample_db_path: Path
) -> None:
    """A telegram-bot-api server started with --local gives file paths on its own disk."""
    db = copy_corpus(sample_db_path, tmp_path / "local.db")
    on_server = tmp_path / "server-files" / "donghu-2021.md"
    on_server.parent.mkdir()
    on_server.write_bytes((NATIONAL / "donghu-2021.md").read_bytes())
    admin_chat = FakeBotApi.private_chat(42)
    with FakeBotApi() as own_api:
        own_api.override(
            "getFile",
            lambda params: {
                "file_id": params["file_id"],
                "file_unique_id": "u1",
                "file_size": on_server.stat().st_size,
                "file_path": str(on_server),
            },
        )
        settings = settings_for(own_api, local_mode=True, max_upload_mb=2000)
        with RunningBot(own_api, db, settings) as running:
            content = on_server.read_bytes()
            own_api.send_document(admin_chat, ADMIN, "donghu-2021.md", content, "text/markdown")
            own_api.wait_for(
                "sendMessage", lambda p: "已收录：东湖街道 2021" in p["text"], timeout=60
            )
            reply = running.ask(admin_chat, ADMIN, "东湖街道2021年有多少行政诉讼")
            assert "<b>" in reply["text"]


def test_rate_limit_per_user(api: FakeBotApi, sample_db_path: Path) -> None:
    with (
        FakeBotApi() as own_api,
        RunningBot(
            own_api, sample_db_path, settings_for(own_api, questions_per_minute=3)
        ) as running,
    ):
        updates = [own_api.send_text(PRIVATE, OFFICIAL, "西塘镇有多少行政诉讼") for _ in range(5)]
        notice = running.reply_to(updates[3]["message"])
        assert "每分钟最多 3 个问题" in notice["text"]
        for update in updates[:3]:
            assert "<b>1</b>" in running.reply_to(update["message"])["text"]
        admin_chat = FakeBotApi.private_chat(42)
        admin_updates = [
            own_api.send_text(admin_chat, ADMIN, "西塘镇有多少行政诉讼") for _ in range(5)
        ]
        for update in admin_updates:
            assert "<b>1</b>" in running.reply_to(update["message"])["text"]
        other = FakeBotApi.user(1003, "Other")
        other_reply = running.ask(FakeBotApi.private_chat(1003), other, "西塘镇有多少行政诉讼")
        assert "<b>1</b>" in other_reply["text"]
        quoted = {replied_to(p) for p in own_api.sent("sendMessage")}
        assert updates[4]["message"]["message_id"] not in quoted
        sent = next(m for m in own_api.messages_sent() if m.get("reply_markup"))
        mark = own_api.mark()
        own_api.press_button(
            PRIVATE, OFFICIAL, sent, sent["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
        )
        own_api.wait_for("answerCallbackQuery", since=mark)
        assert own_api.sent("sendMessage", since=mark) == []


def test_chats_outside_the_allow_list_get_no_answer(sample_db_path: Path) -> None:
    with FakeBotApi() as own_api:
        settings = settings_for(own_api, allowed_chats=(GROUP["id"],))
        with RunningBot(own_api, sample_db_path, settings) as running:
            stranger_group = FakeBotApi.group_chat(-999, "别的群")
            ignored = own_api.send_text(stranger_group, OFFICIAL, "/ask 西集镇有多少行政诉讼？")
            ignored_private = own_api.send_text(PRIVATE, OFFICIAL, "西集镇有多少行政诉讼？")
            answered = running.ask(GROUP, OFFICIAL, "/ask 西集镇有多少行政诉讼？")
            assert "<b>6</b>" in answered["text"]
            admin = running.ask(FakeBotApi.private_chat(42), ADMIN, "西集镇有多少行政诉讼？")
            assert "<b>6</b>" in admin["text"]
            chats = {str(p["chat_id"]) for p in own_api.sent("sendMessage")}
            assert str(stranger_group["id"]) not in chats
            assert str(PRIVATE["id"]) not in chats
            quoted = {replied_to(p) for p in own_api.sent("sendMessage")}
            assert ignored["message"]["message_id"] not in quoted
            assert ignored_private["message"]["message_id"] not in quoted


def test_admin_upload_is_answerable_at_once_and_cli_ingest_too(
    tmp_path: Path, sample_db_path: Path
) -> None:
    db = copy_corpus(sample_db_path, tmp_path / "live.db")
    admin_chat = FakeBotApi.private_chat(42)
    with FakeBotApi() as own_api, RunningBot(own_api, db, settings_for(own_api)) as running:
        before = running.ask(admin_chat, ADMIN, "东湖街道有多少行政诉讼")
        assert "没有" in before["text"]
        content = (NATIONAL / "donghu-2021.md").read_bytes()
        update = own_api.send_document(
            admin_chat, ADMIN, "donghu-2021.md", content, "text/markdown"
        )
        own_api.wait_for("getFile")
        summary = own_api.wait_for("sendMessage", lambda p: "已收录：" in p["text"], timeout=60)[0]
        assert "东湖街道 2021" in summary["text"]
        assert "统计数字" in summary["text"]
        assert replied_to(summary) == update["message"]["message_id"]
        after = running.ask(admin_chat, ADMIN, "东湖街道2021年有多少行政诉讼")
        assert "<b>" in after["text"] and "东湖街道" in after["text"]

        command = [sys.executable, "-m", "bot.cli", "ingest", str(NATIONAL / "donghu-2020.md")]
        done = subprocess.run(
            [*command, "--db", str(db)], capture_output=True, text=True, timeout=120
        )
        assert done.returncode == 0 and "added" in done.stdout, done.stdout + done.stderr
        trend = running.ask(admin_chat, ADMIN, "东湖街道2020年有多少行政诉讼")
        assert "2020" in trend["text"] and "<b>" in trend["text"]
        units = running.ask(admin_chat, ADMIN, "/units")
        assert "东湖街道：2020、2021" in units["text"]
        reloaded = running.ask(admin_chat, ADMIN, "/reload")
        assert "7 份报告" in reloaded["text"]


def test_upload_without_unit_or_year_is_refused_then_taken_with_a_caption(
    tmp_path: Path, sample_db_path: Path
) -> None:
    """Refusals are said in Chinese, with what to do about them in Telegram."""
    db = copy_corpus(sample_db_path, tmp_path / "caption.db")
    admin_chat = FakeBotApi.private_chat(42)
    report = "政府信息公开工作年度报告\n\n一、概述\n\n本年度主动公开政府信息12条。\n".encode()
    with FakeBotApi() as own_api, RunningBot(own_api, db, settings_for(own_api)) as running:
        locked = (FIXTURES / "encrypted.pdf").read_bytes()
        own_api.send_document(admin_chat, ADMIN, "年报.pdf", locked, "application/pdf")
        encrypted = own_api.wait_for("sendMessage", lambda p: "无法收录" in p["text"], timeout=60)
        assert visible(encrypted[0]["text"]) == (
            "无法收录 年报.pdf：PDF 文件已加密（需要密码）；请发送未加密的版本"
        )
        mark = own_api.mark()
        own_api.send_document(admin_chat, ADMIN, "report.txt", report, "text/plain")
        refused = own_api.wait_for(
            "sendMessage", lambda p: "无法收录" in p["text"], since=mark, timeout=60
        )
        said = visible(refused[0]["text"])
        assert said.startswith("无法收录 report.txt：报告里找不到发布单位和报告年份\n")
        assert "单位=南湖镇 年份=2018" in said and "could not" not in said
        own_api.send_document(
            admin_chat, ADMIN, "report.txt", report, "text/plain", caption="单位=北岭乡 年份=2018"
        )
        own_api.wait_for("sendMessage", lambda p: "已收录：北岭乡 2018" in p["text"], timeout=60)
        kept = [p for p in db.with_name(db.name + ".uploads").rglob("*") if p.is_file()]
        assert [p.name for p in kept] == ["report.txt"]  # the refused copy was removed
        reply = running.ask(admin_chat, ADMIN, "北岭乡主动公开了多少条信息")
        assert "<b>12</b>" in reply["text"]


def test_upload_with_a_caption_as_chinese_users_write_it(
    tmp_path: Path, sample_db_path: Path
) -> None:
    """单位：…，年度：… gives the unit and year, also after a mention of the bot in a group; a
    caption that cannot be read refuses the file before it is downloaded, saying why."""
    db = copy_corpus(sample_db_path, tmp_path / "natural.db")
    admin_chat = FakeBotApi.private_chat(42)
    report = "政府信息公开工作年度报告\n\n一、概述\n\n本年度主动公开政府信息7条。\n".encode()
    with FakeBotApi() as own_api, RunningBot(own_api, db, settings_for(own_api)) as running:
        mark = own_api.mark()
        own_api.send_document(
            admin_chat, ADMIN, "report.txt", report, "text/plain", caption="单位：，年度：2018"
        )
        refused = own_api.wait_for("sendMessage", lambda p: "无法收录" in p["text"], since=mark)
        assert visible(refused[0]["text"]).startswith(
            "无法收录 report.txt：说明文字里「单位」后面没有写内容\n请重新发送这个文件"
        )
        assert own_api.sent("getFile", since=mark) == []
        own_api.send_document(
            admin_chat,
            ADMIN,
            "report.txt",
            report,
            "text/plain",
            caption="单位：北岭乡，年度：2018",
        )
        own_api.wait_for("sendMessage", lambda p: "已收录：北岭乡 2018" in p["text"], timeout=60)
        reply = running.ask(admin_chat, ADMIN, "北岭乡2018年主动公开了多少条信息")
        assert "<b>7</b>" in reply["text"]
        # in a group, the mention of the bot is no part of the caption
        mention = f"@{own_api.bot_user['username']} 单位 北岭乡 年份 ２０１９年"
        later = report.replace("7条".encode(), "9条".encode())
        own_api.send_document(GROUP, ADMIN, "report.txt", later, "text/plain", caption=mention)
        own_api.wait_for("sendMessage", lambda p: "已收录：北岭乡 2019" in p["text"], timeout=60)


def test_questions_are_answered_while_an_upload_is_ingested(
    tmp_path: Path, sample_db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import threading

    import bot.telegram.handlers.uploads as uploads

    release = threading.Event()
    real_ingest = uploads.ingest_and_index

    def slow_ingest(*args, **kwargs):
        assert release.wait(30)
        return real_ingest(*args, **kwargs)

    monkeypatch.setattr(uploads, "ingest_and_index", slow_ingest)
    db = copy_corpus(sample_db_path, tmp_path / "busy.db")
    admin_chat = FakeBotApi.private_chat(42)
    with FakeBotApi() as own_api, RunningBot(own_api, db, settings_for(own_api)) as running:
        content = (NATIONAL / "donghu-2021.md").read_bytes()
        own_api.send_document(admin_chat, ADMIN, "donghu-2021.md", content, "text/markdown")
        own_api.wait_for("getFile")
        reply = running.ask(PRIVATE, OFFICIAL, "西集镇有多少行政诉讼？")
        assert "<b>6</b>" in reply["text"]
        assert all("已收录：" not in p["text"] for p in own_api.sent("sendMessage", chat_id=42))
        release.set()
        own_api.wait_for("sendMessage", lambda p: "已收录：" in p["text"], timeout=60)


def test_over_long_answer_is_split_between_blocks(
    tmp_path: Path, sample_db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sqlite_utils

    import bot.telegram.render

    monkeypatch.setattr(bot.telegram.render, "UNITS_SHOWN", 1000)  # /units lists them all
    db = copy_corpus(sample_db_path, tmp_path / "many.db")

    rows = [
        {
            "unit": f"第{i:03d}号测试街道办事处",
            "year": 2018,
            "sha256": f"fake-{i}",
            "title": f"t{i}",
        }
        for i in range(400)
    ]
    sqlite_utils.Database(db)["reports"].insert_all(rows)
    with FakeBotApi() as own_api, RunningBot(own_api, db, settings_for(own_api)) as running:
        mark = own_api.mark()
        update = own_api.send_text(PRIVATE, OFFICIAL, "/units")
        running.reply_to(update["message"])
        time.sleep(0.5)
        parts = [p["text"] for p in own_api.sent("sendMessage", since=mark)]
        assert len(parts) >= 2
        assert all(len(p) <= MESSAGE_LIMIT for p in parts)
        for part in parts:
            check_html(part)
        joined = "\n".join(visible(p) for p in parts)
        assert all(f"第{i:03d}号测试街道办事处：2018" in joined for i in range(400))
        assert replied_to(own_api.sent("sendMessage", since=mark)[1]) is None
