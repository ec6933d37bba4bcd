"""/review, /compare and the review in an upload's reply, end to end against the fake Bot API
server: valid Telegram HTML, evidence in expandable blockquotes, the picture and the XLSX whose
values are the database's."""

from __future__ import annotations

import io
import sqlite3
from pathlib import Path

import pytest
from openpyxl import load_workbook
from PIL import Image

from bot.telegram.table_image import TableRows, render_table
from tests.support import NATIONAL
from tests.support.fake_bot_api import FakeBotApi
from tests.support.telegram import (
    ADMIN,
    GROUP,
    OFFICIAL,
    PRIVATE,
    RunningBot,
    check_html,
    copy_corpus,
    settings_for,
    visible,
)


def test_review_lists_findings_with_evidence_folded(api: FakeBotApi, bot: RunningBot) -> None:
    reply = bot.ask(GROUP, OFFICIAL, "/review 西集镇")
    text = reply["text"]
    check_html(text)
    shown = visible(text)
    assert "西集镇 各年报告的审查结果（1 份报告）：错误 1 · 警告 2 · 疑问 0" in shown
    assert "<blockquote expandable>（三）申请答复数 件 6" in text
    assert text.index("❗ 错误") < text.index("⚠ 警告")
    assert "原文 /source_" in text


@pytest.mark.parametrize(
    ("command", "words"),
    [
        ("/review 西集镇 2030", "没有 2030 年的报告。已有年份：2018。"),
        ("/review 西吉镇", "语料中没有「西吉镇」这个单位。您是不是要找：西集镇、"),
        ("/review", "请写上单位，例如：/review"),
        ("/review 乌镇镇 2018", "乌镇镇 2018 年报告没有发现问题（审查了 1 份报告）。"),
        ("/compare 行政诉X", "没有叫「行政诉X」的统计项。您是不是要找：行政诉讼"),
        ("/compare 行政许可 2018", "2018 年没有单位给出「行政许可处理决定数量」的数字"),
        ("/compare", "请写上统计项，例如：/compare"),
    ],
)
def test_what_cannot_be_answered_says_why(
    api: FakeBotApi, bot: RunningBot, command: str, words: str
) -> None:
    reply = bot.ask(PRIVATE, OFFICIAL, command)
    assert words in visible(check_html(reply["text"]) and reply["text"])


def test_compare_sends_a_picture_and_a_workbook_of_the_database_figures(
    api: FakeBotApi, bot: RunningBot, sample_db_path: Path
) -> None:
    update = api.send_text(GROUP, OFFICIAL, "/compare 主动公开、行政诉讼 2018")
    photo = bot.reply_to(update["message"], method="sendPhoto")
    caption = photo["caption"]
    check_html(caption)
    assert "主动公开政府信息数、行政诉讼数量 · 2018 年" in visible(caption)
    assert "5 个单位" in visible(caption)
    with Image.open(io.BytesIO(photo["photo"])) as image:
        assert image.format == "PNG" and image.size[0] == 1200
    document = bot.reply_to(update["message"], method="sendDocument")
    assert document["document"][:2] == b"PK"
    upload = next(u for u in reversed(api.uploads) if u.method == "sendDocument")
    assert upload.filename.endswith(".xlsx")
    book = load_workbook(io.BytesIO(document["document"]))
    rows = list(book["比较"].iter_rows(values_only=True))
    assert rows[0][4:] == ("主动公开政府信息数（条）", "行政诉讼数量（件）")
    with sqlite3.connect(sample_db_path) as conn:
        for unit, _year, _level, _region, proactive, lawsuits in rows[1:-2]:
            for key, value in (("proactive", proactive), ("lawsuits", lawsuits)):
                stored = conn.execute(
                    "SELECT s.value FROM statistics s JOIN reports r ON r.id = s.report_id "
                    "WHERE r.unit = ? AND s.key = ? AND s.official = 1",
                    [unit, key],
                ).fetchone()
                assert value == (stored[0] if stored else None)
    sources = list(book["sources"].iter_rows(values_only=True))
    assert len(sources) - 1 == sum(v is not None for r in rows[1:-2] for v in r[4:])
    assert all(row[7] for row in sources[1:])  # every figure has its passage


def test_an_upload_reply_gives_the_review(tmp_path: Path, sample_db_path: Path) -> None:
    db = copy_corpus(sample_db_path, tmp_path / "upload.db")
    report = (NATIONAL / "donghu-2021.md").read_text("utf-8")
    planted = report.replace(
        "| （七）总计 | 15 | 2 | 0 | 0 | 0 | 1 | 18 |",
        "| （七）总计 | 15 | 2 | 0 | 0 | 0 | 1 | 19 |",
    )
    assert planted != report
    admin_chat = FakeBotApi.private_chat(42)
    with FakeBotApi() as own_api, RunningBot(own_api, db, settings_for(own_api)):
        own_api.send_document(
            admin_chat, ADMIN, "donghu-2021.md", planted.encode(), "text/markdown"
        )
        reply = own_api.wait_for("sendMessage", lambda p: "已收录：" in p["text"], timeout=60)[0]
    text = reply["text"]
    check_html(text)
    shown = visible(text)
    assert "审查发现 2 个问题：错误 2 · 警告 0 · 疑问 0" in shown
    assert "「本年度办理结果总计」总计栏为 19，各类申请人相加却是 18" in shown
    assert (
        "<blockquote expandable>| （七）总计 | 15 | 2 | 0 | 0 | 0 | 1 | 19 |</blockquote>" in text
    )
    assert "全部问题：/review 东湖街道 2021" in shown


def test_the_table_picture_numbers_names_without_a_chinese_font() -> None:
    table = TableRows(
        "行政诉讼数量（件）",
        ["单位", "年份", "行政诉讼"],
        [["东湖街道", "2021", "3"]],
        ["合计", "", "3（1）"],
    )
    image = render_table(table, force_no_cjk=True)
    assert image.legend == ["1 东湖街道"]
    assert image.png.startswith(b"\x89PNG")
    with pytest.raises(ValueError, match="different widths"):
        TableRows("t", ["a", "b"], [["x"]], ["y", "z"])
