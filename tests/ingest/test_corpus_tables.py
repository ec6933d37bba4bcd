"""The real corpus: template cells read from every new-format report, and the saved web pages
against their copied-text forms."""

from __future__ import annotations

import json
import time

import pytest
from click.testing import CliRunner

from bot.cli import main as cli
from ingest.passages import section_spans, split_passages
from ingest.readers import RefusedFile, read_report
from ingest.readers.from_html import read_html
from ingest.statistics import extract_statistics
from ingest.tables import find_tables
from ingest.template import detect_template
from tests.support import CORPUS, FIXTURES

SOURCES = [json.loads(line) for line in (CORPUS / "sources.jsonl").read_text("utf-8").splitlines()]
NEW_FORMAT = [s for s in SOURCES if s["format"] == "new"]
WITH_HTML = [s for s in SOURCES if s["html"]]
# Template cells each report's text holds, counted by hand from the text: table 二 (3 + 3 + 1
# + 1 + 1 + 1 in the 2021 edition; 3 × 6 + 2 + 2 in 2019), table 三 (25 rows of 7 in 2021, 23
# where （六）其他处理 is one row), table 四 (15).  pingtan-htp-2023 has no 规章 row and the
# one-row （六）; pingtan-jjp-2022's 结转下年度 row prints 6 digits for its 7 cells.
HAND_COUNTS = {
    "pingtan-zone-2021": 200,
    "pingtan-zrz-2024": 200,
    "pingtan-htp-2023": 183,
    "pingtan-zone-2019": 198,
    "pingtan-jjp-2022": 200,
}


def extract(text: str, year: int):
    template = detect_template(text, year)
    tables = find_tables(text)
    sections = section_spans(split_passages(text, tables))
    return extract_statistics(text, template, sections, tables=tables)


def cell_counts(extraction) -> tuple[int, int]:
    """(cells read, cells the report's template rows hold)."""
    read = sum(1 for s in extraction.statistics if s.rule.startswith("table-"))
    unread = sum(len(p.keys) if p.kind == "ambiguous" else p.columns for p in extraction.problems)
    return read, read + unread


@pytest.mark.parametrize("source", NEW_FORMAT, ids=[s["slug"] for s in NEW_FORMAT])
def test_new_format_report_yields_its_template_cells(source):
    extraction = extract((CORPUS / source["text"]).read_text("utf-8"), source["year"])
    read, held = cell_counts(extraction)
    print(f"{source['slug']}: {read} of {held} template cells read")
    if source["slug"] in HAND_COUNTS:
        assert held == HAND_COUNTS[source["slug"]]
    assert held >= 180
    assert read >= 0.9 * held


@pytest.mark.parametrize("source", WITH_HTML, ids=[s["slug"] for s in WITH_HTML])
def test_saved_page_gives_what_its_copied_text_gives(source):
    page = extract(read_report(CORPUS / source["html"]).text, source["year"])
    text = extract((CORPUS / source["text"]).read_text("utf-8"), source["year"])
    from_page = {s.key: s.value for s in page.statistics if s.official}
    from_text = {s.key: s.value for s in text.statistics if s.official}
    ambiguous = {k for p in text.problems for k in p.keys}
    assert set(from_text) <= set(from_page)
    assert {k: (v, from_page[k]) for k, v in from_text.items() if from_page[k] != v} == {}
    assert not page.problems
    assert len(from_page) >= len(from_text) + len(ambiguous & set(from_page))


def test_saved_page_reads_cells_the_text_ran_together():
    source = next(s for s in WITH_HTML if s["year"] >= 2021)
    page = extract(read_report(CORPUS / source["html"]).text, source["year"])
    values = {s.key: s.value for s in page.statistics if s.official}
    text = extract((CORPUS / source["text"]).read_text("utf-8"), source["year"])
    (row,) = [p for p in text.problems if p.kind == "ambiguous"]
    reading = tuple(values[k] for k in row.keys)
    assert reading in row.readings  # the page settles what the text left open


def test_saved_page_keeps_the_article_not_the_site():
    source = WITH_HTML[-1]
    text = read_report(CORPUS / source["html"]).text
    assert "当前位置" not in text and "版权所有" not in text and "友情链接" not in text
    assert text.splitlines()[0].endswith("年度报告")


def test_old_county_page_reads_like_a_modern_one():
    report = read_report(FIXTURES / "old-county-2012.gb2312.html")
    lines = report.text.splitlines()
    assert report.encoding == "gb18030"
    assert lines[0] == "青山县教育局2012年政府信息公开工作年度报告"
    assert lines[1].startswith("根据《中华人民共和国政府信息公开条例》")
    for chrome in ("当前位置", "通知公告", "版权所有", "网站地图", "点击数", "document.write"):
        assert chrome not in report.text
    assert "| 主动公开信息数 | 条 | 128 | 1046 |" in lines
    values = {s.key: s.value for s in extract(report.text, 2012).statistics if s.official}
    assert values["proactive"] == 128 and values["proactive.cumulative"] == 1046
    assert values["channels.gazette"] == 8 and values.get("channels.gazette.cumulative") is None
    assert values["reconsiderations.cumulative"] == 1


@pytest.mark.parametrize(
    ("page", "reason"),
    [
        (b"<html><body>" + b"<table><tr><td>" * 100_000 + b"x</body></html>", "tags"),
        (b"<html><body>" + b"<table><tr><td>" * 40 + b"x</body></html>", "nests tables"),
        (b"<html><body>" + b"<p>" + "报告正文".encode() * 2_700_000 + b"</body></html>", "MB"),
        (b"<html><body>" + b"<div>" * 99_000 + b"x</body></html>", None),
    ],
    ids=["100k-nested-tables", "deep-tables", "30MB", "deep-divs"],
)
def test_hostile_pages_are_refused_in_bounded_time(page, reason):
    started = time.perf_counter()
    if reason is None:
        read_html(page)  # parsed within the limits: libxml2 caps the depth
    else:
        with pytest.raises(RefusedFile, match=reason) as refused:
            read_html(page)
        assert "\n" not in str(refused.value)
    assert time.perf_counter() - started < 20


def test_check_lists_ambiguous_and_skipped_rows(tmp_path):
    source = next(s for s in NEW_FORMAT if s["slug"] == "pingtan-jjp-2022")
    folder = tmp_path / "reports"
    folder.mkdir()
    (folder / "r.txt").write_text((CORPUS / source["text"]).read_text("utf-8"), "utf-8")
    (folder / "r.txt.meta.toml").write_text('unit = "某局"\nyear = 2022\n', "utf-8")
    db = tmp_path / "c.db"
    runner = CliRunner()
    assert runner.invoke(cli, ["ingest", str(folder), "--db", str(db)]).exit_code == 0
    out = runner.invoke(cli, ["check", "--db", str(db)]).output
    assert "too_few   某局 2022 「结转下年度继续办理 0 00000」" in out
    assert "2 values for 7 columns: row skipped, nothing stored" in out
    assert out.strip().endswith("0 ambiguous rows, 1 skipped rows")
