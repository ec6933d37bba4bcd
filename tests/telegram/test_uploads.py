"""What an admin reads after an upload: why a file was refused, replaced or kept, in Chinese and
with what they can do about it in Telegram; corrections, warnings and how to force a replacement."""

from __future__ import annotations

import logging
import re
import string
from collections.abc import Callable
from pathlib import Path

import pytest

from bot.telegram.handlers.uploads import ingest_summary
from bot.telegram.texts import reason_words, sentence, texts
from ingest.pipeline import FileOutcome, ingest_file
from ingest.reasons import PARAMETERS, Code, Reason
from tests.support import FIXTURES, write_report

CAPTION_HINT = sentence("ingest_caption_hint")
REPLACE_HINT = sentence("ingest_replace_hint")
# File formats and sizes an official knows by these letters; any other ASCII word in a reply,
# file names apart, is English the bot should not have said.
FORMAT_WORDS = {"pdf", "docx", "word", "excel", "html", "txt", "md", "mb"}
TITLE = "东城县民政局2020年政府信息公开工作年度报告"


def english_words(line: str, names: list[str]) -> list[str]:
    """The ASCII words of a line, leaving out the file names it quotes and the format names."""
    for name in sorted(names, key=len, reverse=True):
        line = line.replace(name, " ")
    return [w for w in re.findall(r"[A-Za-z]+", line) if w.lower() not in FORMAT_WORDS]


def _fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


# -- every code has words, and a reason without any is still said -----------------------------


def test_every_reason_code_has_chinese_words_its_values_fill() -> None:
    phrasings, clauses = texts()["reason"], texts()["reason_clause"]
    missing = [str(code) for code in Code if code not in phrasings]
    assert not missing, f"reason codes without words in telegram.toml [reason]: {missing}"
    assert set(phrasings) <= set(Code), "[reason] has words for codes ingest no longer has"
    for code in Code:
        values = set(PARAMETERS.get(code, ()))
        assert _fields(phrasings[code]) <= values, (code, values)
        words = reason_words(Reason(code, "English", dict.fromkeys(values, 1234)))
        assert words != "English" and re.search("[\u4e00-\u9fff]", words), code
        assert english_words(words, []) == [], (code, words)
    for name, clause in clauses.items():
        assert name in _fields(clause)
        assert any(name in names for names in PARAMETERS.values()), name


def test_a_reason_without_chinese_words_is_said_in_english_not_dropped(
    caplog: pytest.LogCaptureFixture,
) -> None:
    retired = Reason("retired_code", "a reason the bot has no words for", {})
    assert reason_words(retired) == "a reason the bot has no words for"
    unfilled = Reason(Code.TOO_LARGE, "file too large", {})  # values its words need are missing
    with caplog.at_level(logging.WARNING):
        assert reason_words(unfilled) == "file too large"
    assert "too_large" in caplog.text
    outcome = FileOutcome(Path("r.txt"), "refused", why=retired)
    assert ingest_summary(outcome, "r.txt") == ["无法收录 r.txt：a reason the bot has no words for"]


# -- real refusals, in Chinese ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("fixture", "code", "words"),
    [
        ("encrypted.pdf", Code.PDF_ENCRYPTED, "PDF 文件已加密（需要密码）"),
        ("scanned.pdf", Code.PDF_NO_TEXT, "没有文字层（可能是扫描件）"),
        ("truncated.docx", Code.DOCX_TRUNCATED, "已损坏或不完整"),
        ("not-a-zip.docx", Code.DOCX_NOT_ZIP, "不是真正的 DOCX 文件"),
        ("no-body.docx", Code.DOCX_NOT_WORD, "不是 Word 文档"),
        ("bomb-ratio.docx", Code.ZIP_BOMB_RATIO, "超过 100 倍的上限，疑似恶意文件"),
        ("bomb-claims.docx", Code.ZIP_BOMB_SIZE, "超过 209,715,200 字节的上限，疑似恶意文件"),
        ("empty.txt", Code.EMPTY, "文件是空的"),
        ("whitespace.txt", Code.ONLY_WHITESPACE, "只有空白"),
        ("junk.txt", Code.BINARY, "二进制数据"),
        ("image.txt", Code.IMAGE, "图片"),
        ("archive.txt", Code.ARCHIVE, "压缩包"),
    ],
)
def test_a_refused_file_is_told_in_chinese(fresh_db, fixture: str, code: Code, words: str) -> None:
    outcome = ingest_file(fresh_db, FIXTURES / fixture)
    assert outcome.status == "refused" and outcome.why is not None
    assert outcome.why.code == code
    lines = ingest_summary(outcome, fixture)
    assert len(lines) == 1  # nothing to do about it from Telegram: no hint
    assert lines[0].startswith(f"无法收录 {fixture}：") and words in lines[0]
    assert english_words(lines[0], [fixture]) == [], lines[0]


Case = Callable[[object, Path], FileOutcome]


def _no_unit_or_year(db, folder: Path) -> FileOutcome:
    return ingest_file(db, write_report(folder, "report.txt", "政府信息公开工作年度报告"))


def _only_a_pronoun(db, folder: Path) -> FileOutcome:
    return ingest_file(db, write_report(folder, "report.txt", "我乡2018年政府信息公开工作年度报告"))


def _caption_unit_not_a_name(db, folder: Path) -> FileOutcome:
    path = write_report(folder, "report.txt", "政府信息公开工作年度报告")
    return ingest_file(db, path, unit="我乡", year=2018)


def _caption_year_out_of_range(db, folder: Path) -> FileOutcome:
    path = write_report(folder, "report.txt", "政府信息公开工作年度报告")
    return ingest_file(db, path, unit="南湖镇", year=3000)


def _less_complete(db, folder: Path) -> FileOutcome:
    ingest_file(db, write_report(folder, "good.txt", TITLE, extra="三、补充\n培训3次。\n"))
    return ingest_file(db, write_report(folder, "worse.txt", TITLE))


def _same_report(db, folder: Path) -> FileOutcome:
    ingest_file(db, write_report(folder, "first.txt", TITLE))
    return ingest_file(db, write_report(folder, "again.txt", TITLE))


def _other_form_kept(db, folder: Path) -> FileOutcome:
    ingest_file(db, write_report(folder, "page.txt", TITLE, extra="三、补充\n培训3次。\n"))
    return ingest_file(db, write_report(folder, "copy.md", TITLE))


def _replaces(db, folder: Path) -> FileOutcome:
    ingest_file(db, write_report(folder, "worse.txt", TITLE))
    return ingest_file(db, write_report(folder, "good.txt", TITLE, extra="三、补充\n培训3次。\n"))


def _replaces_as_asked(db, folder: Path) -> FileOutcome:
    ingest_file(db, write_report(folder, "good.txt", TITLE, extra="三、补充\n培训3次。\n"))
    return ingest_file(db, write_report(folder, "worse.txt", TITLE), replace_older=True)


def _year_overridden(db, folder: Path) -> FileOutcome:
    return ingest_file(db, write_report(folder, "report.txt", TITLE), year=2019)


def _corrected(db, folder: Path) -> FileOutcome:
    path = write_report(folder, "report.txt", TITLE)
    ingest_file(db, path)
    return ingest_file(db, path, unit="东城县财政局")


@pytest.mark.parametrize(
    ("case", "status", "code", "words", "hints"),
    [
        (
            _no_unit_or_year,
            "refused",
            Code.MISSING_UNIT_AND_YEAR,
            "找不到发布单位和报告年份",
            [CAPTION_HINT],
        ),
        (
            _only_a_pronoun,
            "refused",
            Code.MISSING_UNIT,
            "找不到发布单位（文中只写了“我乡”",
            [CAPTION_HINT],
        ),
        (
            _caption_unit_not_a_name,
            "refused",
            Code.UNIT_NOT_ORGANISATION,
            "“我乡”不像机构名称",
            [CAPTION_HINT],
        ),
        (
            _caption_year_out_of_range,
            "refused",
            Code.YEAR_INVALID,
            "1990 到 2100 之间",
            [CAPTION_HINT],
        ),
        (_less_complete, "refused", Code.LESS_COMPLETE, "没有它完整", [REPLACE_HINT]),
        (_same_report, "duplicate", Code.SAME_REPORT, "与已收录的 first.txt 内容相同", []),
        (_other_form_kept, "duplicate", Code.OTHER_FORM_KEPT, "保留了 page.txt", [REPLACE_HINT]),
        (_replaces, "updated", Code.REPLACES, "替换了原来的报告 worse.txt", []),
        (
            _replaces_as_asked,
            "updated",
            Code.REPLACES_AS_ASKED,
            "按要求替换了原来的报告 good.txt",
            [],
        ),
        (
            _year_overridden,
            "added",
            None,
            "注意：报告写的是 2020 年的情况，已按给出的 2019 年收录",
            [],
        ),
        (_corrected, "corrected", Code.CORRECTED, "（原为 东城县民政局 2020）", []),
    ],
    ids=lambda value: value.__name__.strip("_") if callable(value) else None,
)
def test_what_became_of_a_file_is_told_in_chinese_with_what_to_do(
    fresh_db,
    tmp_path: Path,
    case: Case,
    status: str,
    code: Code | None,
    words: str,
    hints: list[str],
) -> None:
    outcome = case(fresh_db, tmp_path)
    assert outcome.status == status, outcome.reason
    assert (outcome.why.code if outcome.why else None) == code
    lines = ingest_summary(outcome, outcome.path.name)
    assert any(words in line for line in lines), lines
    assert [line for line in lines if line in (CAPTION_HINT, REPLACE_HINT)] == hints
    names = [p.name for p in tmp_path.iterdir()]
    for line in lines:
        if line not in hints:
            assert english_words(line, names) == [], line


# -- the summary's other parts ----------------------------------------------------------------


def _outcome(**fields) -> FileOutcome:
    base = {"path": Path("r.txt"), "unit": "东湖镇", "year": 2020, "template": "national2021"}
    return FileOutcome(**{**base, **fields})


def test_a_corrected_report_says_so_warns_and_invites_questions() -> None:
    named = Reason.of(
        Code.UNIT_OVERRIDDEN,
        "the text names the unit {named}, used {unit} as given",
        named="西湖镇",
        unit="东湖镇",
    )
    lines = ingest_summary(
        _outcome(
            status="corrected",
            why=Reason.of(Code.CORRECTED, "was {unit} {year}", unit="西湖镇", year=2019),
            previous="西湖镇 2019",
            warnings=[named],
        ),
        "r.txt",
    )
    assert lines[0].startswith("已更正：这份报告现在是 东湖镇 2020 年报告（原为 西湖镇 2019）")
    assert "注意：报告里写的单位是 西湖镇，已按给出的 东湖镇 收录" in lines
    assert lines[-1].startswith("现在就可以提问了")


def test_the_template_is_named_in_words() -> None:
    line = ingest_summary(_outcome(status="added"), "r.txt")[0]
    assert "2021 版全国模板" in line and "national2021" not in line


def test_the_hints_say_the_chinese_caption_first() -> None:
    assert "单位=南湖镇 年份=2018" in CAPTION_HINT and "替换" in REPLACE_HINT
    for hint in (CAPTION_HINT, REPLACE_HINT, sentence("caption_unclear_hint")):
        chinese = hint.split("（也可以写")[0]
        assert english_words(chinese, []) == [], hint
