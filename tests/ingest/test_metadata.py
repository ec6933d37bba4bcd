from __future__ import annotations

import pytest

from ingest.metadata import chinese_year, detect_metadata, split_region

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
        ("北京市财政局2020年政府信息公开工作年度报告\n", "北京市财政局", 2020, None, "部门"),
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
        ("北京市财政局", (None, "北京市财政局")),
    ],
)
def test_split_region(name: str, expected: tuple) -> None:
    assert split_region(name) == expected


def test_chinese_year() -> None:
    assert chinese_year("二〇一八") == 2018
    assert chinese_year("二零二一") == 2021
