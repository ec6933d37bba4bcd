"""Every answer phrase exists in both languages, is used by the engine, and fills in."""

from __future__ import annotations

import ast
import string
from pathlib import Path

import pytest

from bot.qa.model import Figure, Line, Quote
from bot.qa.wording import Phrasebook, phrases
from tests.support import ROOT

LANGS = ("zh", "en")


def _string_constants(folder: Path) -> set[str]:
    found: set[str] = set()
    for path in folder.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                found.add(node.value)
    return found


def test_both_languages_have_the_same_phrases() -> None:
    assert set(phrases()["zh"]) == set(phrases()["en"])


def test_every_phrase_key_is_used_by_the_engine() -> None:
    used = _string_constants(ROOT / "bot" / "qa")
    unused = sorted(k for k in phrases()["zh"] if k not in used)
    assert not unused, f"phrases.toml keys no code uses: {unused}"
    templates = set(phrases()["templates"]) - {"unknown"}
    assert templates, "template names are listed"


@pytest.mark.parametrize("lang", LANGS)
def test_every_phrase_fills_with_its_own_fields(lang: str) -> None:
    book = Phrasebook(lang)  # type: ignore[arg-type]
    for key, template in phrases()[lang].items():
        fields = {name: f"<{name}>" for _, name, _, _ in string.Formatter().parse(template) if name}
        assert book.text(key, **fields) == template.format(**fields), key


def test_marked_fields_keep_their_kind_and_read_as_text() -> None:
    book = Phrasebook("zh")
    line = book.line("source_table", title="某镇报告", evidence=Quote("五、行政诉讼数量 | 件 | 6"))
    assert line.text == "来源：《某镇报告》统计表：「五、行政诉讼数量 | 件 | 6」"
    assert Quote("五、行政诉讼数量 | 件 | 6") in line.segments
    part = book.line("part", name="东湖镇 2018", value=Line.of(Figure("6"), "件"))
    assert part.text == "东湖镇 2018 6件" and Figure("6") in part.segments


@pytest.mark.parametrize(
    ("text", "quoted"),
    [
        ("七、依申请公开信息收取的费用 | 万元 | 0 |", "七、依申请公开信息收取的费用 万元 0"),
        ("| 索引号 | 0025/2019 | 公开形式 | 主动公开 |", "索引号 0025/2019 公开形式 主动公开"),
        ("电子邮件：[bs@example.cn](mailto:bs@example.cn)。", "电子邮件：bs@example.cn。"),
        ("详见[年报全文](https://x.cn/a(1).html)", "详见年报全文"),
        ("**主动公开**情况![图](a.png)", "主动公开情况"),
        ("行政\n诉讼   3件", "行政诉讼 3件"),
        ("一、收到申请数\t件\t6", "一、收到申请数 件 6"),
    ],
)
def test_quotes_drop_markup_and_table_pipes(text: str, quoted: str) -> None:
    from bot.qa.wording import one_line

    assert one_line(text) == quoted


def test_chinese_phrases_carry_no_internal_codes() -> None:
    """A Chinese answer never shows a template code or an English word (pre2020 is named)."""
    import re

    for key, template in phrases()["zh"].items():
        words = re.sub(r"\{[^}]*\}", "", template)
        assert not re.search(r"[A-Za-z]{2,}", words), key
    assert not any(re.search("[A-Za-z]", t["zh"]) for t in phrases()["templates"].values())
