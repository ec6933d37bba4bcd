from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ingest.metadata import (
    chinese_year,
    detect_metadata,
    organisation_problem,
    same_unit_names,
    same_unit_needles,
    split_region,
)
from ingest.readers import read_report
from ingest.text import fold
from tests.support import CORPUS

EXPECTED = {
    "wuzhen-2018.txt": ("乌镇镇", "乌镇镇人民政府", 2018, None, "镇", None),
    "xiji-2018.txt": ("西集镇", "西集镇人民政府", 2018, None, "镇", None),
    "xitang-2018.md": ("西塘镇", "西塘镇人民政府", 2018, "2019-01-14", "镇", "嘉善县"),
    "yijiu-2018.txt": ("宜就镇", "宜就镇人民政府", 2018, "2018-12-30", "镇", None),
    "yuqian-2018.txt": ("於潜镇", "於潜镇人民政府", 2018, "2019-01-20", "镇", None),
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_sample_metadata(name: str, sample_texts: dict[str, str]) -> None:
    meta = detect_metadata(sample_texts[name])
    unit, unit_full, year, published, level, parent = EXPECTED[name]
    assert (meta.unit, meta.unit_full, meta.year, meta.published, meta.level, meta.parent) == (
        unit,
        unit_full,
        year,
        published,
        level,
        parent,
    )
    assert meta.title and "报告" in meta.title


@pytest.mark.parametrize(
    ("text", "unit", "year", "parent", "level"),
    [
        (
            "杭州市临安区人民政府2019年政府信息公开工作年度报告\n一、总体情况\n",
            "临安区",
            2019,
            "杭州市",
            "区",
        ),
        ("北京市财政局2020年政府信息公开工作年度报告\n", "北京市财政局", 2020, "北京市", "部门"),
        ("二〇二一年度新城街道办事处政府信息公开工作年度报告\n", "新城街道", 2021, None, "街道"),
        ("關於2019年度台北縣某某鄉政府資訊公開年報\n", None, 2019, None, None),
    ],
)
def test_titles(
    text: str, unit: str | None, year: int, parent: str | None, level: str | None
) -> None:
    meta = detect_metadata(text)
    assert meta.year == year
    if unit is not None:
        assert (meta.unit, meta.parent, meta.level) == (unit, parent, level)


def test_year_from_statistics_period_when_title_has_none() -> None:
    text = (
        "某某镇政府信息公开工作年度报告\n"
        "本报告所列数据的统计期限自2020年1月1日起至2020年12月31日止。\n"
    )
    assert detect_metadata(text).year == 2020


def test_nothing_found() -> None:
    meta = detect_metadata("这是一段与年报无关的文字。")
    assert meta.unit is None and meta.year is None


def test_signature_gives_unit_when_title_does_not() -> None:
    text = (
        "2020年度政府信息公开工作年度报告\n一、总体情况\n本年度……\n\n"
        "东坝镇人民政府\n2021年1月20日\n"
    )
    meta = detect_metadata(text)
    assert (meta.unit, meta.unit_full, meta.published) == ("东坝镇", "东坝镇人民政府", "2021-01-20")


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("嘉善县西塘镇", ("嘉善县", "西塘镇")),
        ("西塘镇", (None, "西塘镇")),
        ("杭州市临安区於潜镇", ("杭州市临安区", "於潜镇")),
        ("北京市财政局", ("北京市", "北京市财政局")),
        ("财政局", (None, "财政局")),
        ("某某市高新区东片区管理局", ("某某市高新区", "某某市高新区东片区管理局")),
    ],
)
def test_split_region(name: str, expected: tuple) -> None:
    assert split_region(name) == expected


def test_chinese_year() -> None:
    assert chinese_year("二〇一八") == 2018
    assert chinese_year("二零二一") == 2021


def _sources() -> list[dict]:
    lines = (CORPUS / "sources.jsonl").read_text("utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def _corpus_files() -> list[tuple[Path, dict]]:
    files = []
    for source in _sources():
        files.append((CORPUS / source["text"], source))
        if source.get("html"):
            files.append((CORPUS / source["html"], source))
    return files


@pytest.mark.parametrize(("path", "source"), _corpus_files(), ids=lambda v: getattr(v, "name", ""))
def test_corpus_reports_are_identified(path: Path, source: dict) -> None:
    """Every real report, as copied text or saved page, gets the unit and year it is about."""
    meta = detect_metadata(read_report(path).text)
    found, expected = fold(meta.unit or ""), fold(source["unit"])
    assert found and (found in expected or expected in found), (meta.unit, source["unit"])
    assert meta.year == source["year"]


def test_corpus_has_all_files() -> None:
    files = _corpus_files()
    assert sum(p.suffix == ".txt" for p, _ in files) == 46
    assert sum(p.suffix == ".html" for p, _ in files) == 3


WEB = (
    "当前位置： 首页政务公开年报 东湖区农业局2019年度政府信息公开工作年度报告 "
    "来源：东湖区人民政府 时间：2020-01-15 10:00 --> 微信 微博 QQ空间 全真版 文字版 相关链接： "
    "东湖区农业局2019年度 政府信息公开工作年度报告 根据《条例》要求，现公布本报告。"
    "一、总体情况 2019年，我局主动公开信息12条。 东湖区农业局 2020年1月10日 附件下载"
)


@pytest.mark.parametrize(
    ("text", "unit", "year", "published", "matched"),
    [
        (WEB, "东湖区农业局", 2019, "2020-01-10", "title"),
        (
            "北山管理局关于报送2020年度政府信息公开工作年度报告的函 区办公室：根据要求，现报送如下。",
            "北山管理局",
            2020,
            None,
            "title",
        ),
        (
            "根据《条例》，现将南川市水利局2022年度政府信息公开工作的有关情况报告如下。"
            "本报告统计期限为2022年1月1日至2022年12月31日。我局全年公开信息5条。",
            "南川市水利局",
            2022,
            None,
            "sentence",
        ),
        (
            "本报告由总体情况等部分组成，统计期限自2021年1月1日起至2021年12月31日止。"
            "我局全年公开信息5条。 东城县交通运输局 2022年1月20日",
            "东城县交通运输局",
            2021,
            "2022-01-20",
            "signature",
        ),
        (
            "交通局2009年度政府信息公开工作年度报告\n为做好工作，东城县交通局成立了领导小组。"
            "东城县交通局全年公开信息5条。",
            "东城县交通局",
            2009,
            None,
            "title",
        ),
        (
            "根据要求编制本报告。一、总体情况 2023年，东山片区管理局坚持依法公开。"
            "统计期限为2023年1月1日至2023年12月31日。",
            "东山片区管理局",
            2023,
            None,
            "subject",
        ),
        (
            "根据要求编制本报告，统计期限为2023年1月1日至2023年12月31日。"
            "如有疑问请联系北湖区民政局办公室。我局全年公开信息5条。",
            "北湖区民政局",
            2023,
            None,
            "contact",
        ),
    ],
)
def test_units_from_real_layouts(
    text: str, unit: str, year: int, published: str | None, matched: str
) -> None:
    meta = detect_metadata(text)
    assert (meta.unit, meta.year, meta.matched) == (unit, year, matched)
    if published:
        assert meta.published == published


def test_publication_date_is_not_the_year() -> None:
    text = "东湖镇2019年度政府信息公开工作年度报告 来源：东湖镇 时间：2020-02-01 09:00 正文一句。"
    meta = detect_metadata(text)
    assert (meta.year, meta.published) == (2019, "2020-02-01")


def test_cited_document_titles_are_not_the_report() -> None:
    text = (
        "根据《东城区政府办公室关于做好2019年政府信息公开工作年度报告的通知》要求，"
        "我镇编制了本报告。统计期限自2019年1月1日起至2019年12月31日止。"
    )
    meta = detect_metadata(text)
    assert meta.unit is None and meta.year == 2019


@pytest.mark.parametrize(
    "text",
    [
        "2018年度政府信息公开工作年度报告\n今年以来，我乡扎实推进政府信息公开工作。",
        "本镇2018年政府信息公开年度报告\n一、概述\n本年度本镇公开信息3条。",
        "一、概述\n为扎实推进2018年度政府信息公开工作年度报告编制工作，我局认真落实。",
    ],
)
def test_pronouns_and_fragments_are_never_units(text: str) -> None:
    meta = detect_metadata(text)
    assert meta.unit is None
    assert meta.year == 2018


def test_refusals_say_why() -> None:
    meta = detect_metadata("我乡2018年政府信息公开工作年度报告\n一、概述\n")
    assert meta.unit is None
    assert any("我乡" in r and "pronoun" in r for r in meta.refused)


@pytest.mark.parametrize(
    ("name", "ok"),
    [
        ("东湖镇", True),
        ("东湖镇人民政府", True),
        ("某某市发展和改革局", True),
        ("东山片区管理局", True),
        ("我乡", False),
        ("本镇", False),
        ("实推进", False),
        ("局", False),
        ("政府", False),
        ("西集镇政府积极落实区委", False),
        ("各有关单位", False),
    ],
)
def test_organisation_names(name: str, ok: bool) -> None:
    assert (organisation_problem(name) is None) is ok


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        ("公安局", "东城县公安局", True),
        ("东湖镇", "东湖镇人民政府", True),
        ("东城县公安局", "西城县公安局", False),
        ("东城县", "东城县公安局", False),
        ("东山片区管理局", "东城区东山片区管理局", True),
    ],
)
def test_same_unit_names(a: str, b: str, same: bool) -> None:
    assert same_unit_names(a, b) is same


_REGIONS = ["东城县", "嘉兴市", "南湖区", "青川县", "东山片区", "湖"]
_PLACES = ["东湖", "南湖", "湖东", "东", "新城", "公安", "东城县公安"]
_LEVELS = ["镇", "乡", "街道", "局", "县", "区", "委员会", ""]
_ENDINGS = ["", "人民政府", "街道办事处", "办事处", "管委会", "政府"]
unit_name = st.builds(
    lambda regions, place, level, ending: "".join(regions) + place + level + ending,
    st.lists(st.sampled_from(_REGIONS), max_size=2),
    st.sampled_from(_PLACES),
    st.sampled_from(_LEVELS),
    st.sampled_from(_ENDINGS),
)


@given(unit_name, unit_name)
def test_every_name_of_the_same_unit_holds_a_needle(a: str, b: str) -> None:
    needles = same_unit_needles(b)
    if same_unit_names(a, b) and needles is not None:
        assert any(n in a for n in needles)


@given(st.text(max_size=600))
def test_any_text_gives_metadata_or_none(text: str) -> None:
    meta = detect_metadata(text)
    if meta.unit is not None:
        assert organisation_problem(meta.unit) is None or meta.unit.endswith(("镇", "乡", "街道"))
    if meta.year is not None:
        assert 1900 <= meta.year <= 2100


# Report titles and sentences with their variations, among other words, run together: the
# title patterns are tried only near their trigger words, and must find exactly what a scan
# of every character finds.
_TITLE_WORDS = st.sampled_from(
    [
        *("南湖镇", "某某县民政局", "人民政府", "关于", "年", "度", "的", "公开", "工作"),
        *("报告", "《", "》", "。", "情况", "9", "〇", "现将", " ", "\n", "本机关坚持依法行政"),
    ]
)
_TITLES = st.tuples(
    st.sampled_from(["", "南湖镇", "某某县民政局", "某某县人民政府办公室关于报送", "现将"]),
    st.sampled_from(["", " "]),
    st.sampled_from(["2019", "二〇一九", "2020"]),
    st.sampled_from(["年", "年度", " 年度 ", "年度的", "年"]),
    st.sampled_from(["", "政府", "政务"]),
    st.sampled_from(["信息公开", "资讯公开"]),
    st.sampled_from(["", "工作", "工作年度", "年度工作"]),
    st.sampled_from(["报告", "年报", "报告的函", "有关情况", ""]),
).map("".join)
_TITLE_PIECES = st.one_of(_TITLE_WORDS, _TITLES)


@given(st.lists(_TITLE_PIECES, max_size=30).map("".join))
def test_title_patterns_tried_near_triggers_find_what_a_full_scan_finds(text: str) -> None:
    from ingest import metadata as m

    pairs = [
        (m._TITLE_UNIT_FIRST, m._TITLE_TRIGGER),
        (m._TITLE_YEAR_FIRST, m._TITLE_TRIGGER),
        (m._TITLE_NO_YEAR, m._TITLE_TRIGGER),
        (m._REPORT_SENTENCE, m._SENTENCE_TRIGGER),
    ]
    for pattern, trigger in pairs:
        near = [(x.span(), x.groupdict()) for x in m._near_trigger(pattern, trigger, text)]
        scan = [(x.span(), x.groupdict()) for x in pattern.finditer(text)]
        assert near == scan


def test_a_title_far_into_a_long_line_is_found() -> None:
    filler = "本机关坚持依法行政，" * 300
    meta = detect_metadata(filler + "南湖镇2019年政府信息公开工作年度报告。" + filler)
    assert (meta.unit, meta.year) == ("南湖镇", 2019)


_PLACE_PIECES = st.sampled_from(
    ["嘉兴市", "嘉善县", "南湖区", "西塘镇", "南湖镇", "地址", "：", " ", "\n", "市场", "局", "的"]
)


@given(st.lists(_PLACE_PIECES, max_size=20).map("".join), st.sampled_from(["南湖镇", "西塘镇"]))
def test_parent_in_text_finds_what_a_pattern_built_for_the_unit_finds(text: str, unit: str) -> None:
    import re

    from ingest import metadata as m
    from ingest.text import CJK

    region = m._patterns()["region"].pattern
    built = re.search(rf"(?:^|[^{CJK}])((?:{region}){{1,3}}){re.escape(unit)}", text)
    assert m._parent_in_text(unit, text) == (built.group(1) if built else None)
