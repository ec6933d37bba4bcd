"""Charts: valid PNGs, readable Chinese with a CJK font, a clean numbered fallback without."""

from __future__ import annotations

import io
import shutil
import subprocess
import warnings
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from bot.telegram.chart import ChartImage, ChartSeries, _ascii, _clean, find_cjk_font, render_chart

UNITS = ["东湖镇", "南湖镇", "西山街道办事处", "经济技术开发区管理委员会", "市教育局"]
BAR = ChartSeries(
    title="行政诉讼 (件)",
    kind="bar",
    labels=UNITS,
    values=[42, 35, 20, 7, 0],
    measure="件",
    note="来源: 各单位2018年报告",
)
LINE = ChartSeries(
    title="东湖镇 政府信息公开申请 (条)",
    kind="line",
    labels=["2016", "2017", "2018", "2019"],
    values=[12, 18.5, 30, 22],
    measure="条",
    note="来源: 东湖镇各年报告",
)


def zh_font_files() -> list[str]:
    """Font files fontconfig says cover Chinese; [] when there are none or no fontconfig."""
    if shutil.which("fc-list") is None:
        return []
    listed = subprocess.run(
        ["fc-list", ":lang=zh", "file"], capture_output=True, text=True, check=False
    ).stdout
    return sorted({line.split(":")[0].strip() for line in listed.splitlines() if line.strip()})


needs_cjk = pytest.mark.skipif(
    not zh_font_files(),
    reason="no CJK font installed (fc-list :lang=zh is empty); "
    "apt-get install fonts-wqy-microhei to test the Chinese path",
)


def rendered(render: Callable[[], ChartImage]) -> tuple[ChartImage, list[str]]:
    """The chart and the missing-glyph warnings drawing it raised."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        image = render()
    missing = [str(w.message) for w in caught if "missing from font" in str(w.message)]
    return image, missing


def assert_png(png: bytes) -> None:
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    with Image.open(io.BytesIO(png)) as image:
        image.verify()
    with Image.open(io.BytesIO(png)) as image:
        width, height = image.size
    assert (width, height) == (1200, 675)


@pytest.mark.parametrize("series", [BAR, LINE], ids=["bar", "line"])
@pytest.mark.parametrize("force_no_cjk", [False, True], ids=["any-font", "no-cjk"])
def test_renders_a_png(series: ChartSeries, force_no_cjk: bool) -> None:
    image = render_chart(series, force_no_cjk=force_no_cjk)
    assert_png(image.png)


def test_fallback_numbers_chinese_labels_and_names_them_in_the_legend() -> None:
    image, missing = rendered(lambda: render_chart(BAR, force_no_cjk=True))
    assert image.font is None
    assert image.legend == [f"{n} {unit}" for n, unit in enumerate(UNITS, 1)]
    assert missing == []


def test_fallback_keeps_ascii_labels() -> None:
    image, missing = rendered(lambda: render_chart(LINE, force_no_cjk=True))
    assert image.font is None
    assert image.legend == []
    assert missing == []


def test_fallback_numbers_only_the_labels_it_cannot_show() -> None:
    series = ChartSeries("Mixed", "bar", ["Alpha", "东湖镇", "Gamma"], [3, 2, 1])
    image, missing = rendered(lambda: render_chart(series, force_no_cjk=True))
    assert image.legend == ["2 东湖镇"]
    assert missing == []


@pytest.mark.parametrize(
    ("title", "shown"),
    [
        ("行政诉讼 (件)", ""),
        ("Lawsuits (件)", "Lawsuits"),
        ("2018年 Appeals: 行政复议", "2018 Appeals"),
        ("", ""),
    ],
)
def test_fallback_title_keeps_the_ascii_part(title: str, shown: str) -> None:
    assert _clean(title, _ascii) == shown


@needs_cjk
def test_finds_an_installed_cjk_font_and_draws_chinese_without_missing_glyphs() -> None:
    family = find_cjk_font()
    assert family
    for series in (BAR, LINE):
        image, missing = rendered(lambda s=series: render_chart(s))
        assert image.font == family
        assert image.legend == []
        assert missing == []
        assert_png(image.png)


@needs_cjk
def test_a_configured_font_file_is_registered_and_used(tmp_path: Path) -> None:
    copy = tmp_path / ("chart-font" + Path(zh_font_files()[0]).suffix)
    shutil.copyfile(zh_font_files()[0], copy)
    family = find_cjk_font([copy])
    assert family
    image, missing = rendered(lambda: render_chart(BAR, font_paths=[copy]))
    assert image.font == family
    assert missing == []


def test_a_configured_path_that_is_not_a_font_is_skipped(tmp_path: Path) -> None:
    bogus = tmp_path / "not-a-font.ttf"
    bogus.write_text("not a font", "utf-8")
    assert find_cjk_font([bogus, tmp_path / "missing.ttc"]) == find_cjk_font()


def test_an_empty_series_is_refused() -> None:
    with pytest.raises(ValueError, match="no figures to draw"):
        ChartSeries("行政诉讼", "bar", [], [])


def test_labels_and_values_must_pair_up() -> None:
    with pytest.raises(ValueError, match="2 labels but 1 values"):
        ChartSeries("行政诉讼", "bar", ["东湖镇", "南湖镇"], [1])


def test_unknown_kind_and_non_finite_values_are_refused() -> None:
    with pytest.raises(ValueError, match="kind"):
        ChartSeries("行政诉讼", "pie", ["东湖镇"], [1])
    with pytest.raises(ValueError, match="not finite"):
        ChartSeries("行政诉讼", "bar", ["东湖镇"], [float("nan")])


@settings(max_examples=25, deadline=None)
@given(
    title=st.text(max_size=40),
    kind=st.sampled_from(["bar", "line"]),
    points=st.lists(
        st.tuples(
            st.text(max_size=30),
            st.floats(min_value=0, max_value=1e12, allow_nan=False, allow_infinity=False),
        ),
        min_size=1,
        max_size=15,
    ),
    measure=st.text(max_size=4),
    force_no_cjk=st.booleans(),
)
def test_any_labels_and_values_give_a_png(
    title: str,
    kind: str,
    points: list[tuple[str, float]],
    measure: str,
    force_no_cjk: bool,
) -> None:
    labels = [label for label, _ in points]
    series = ChartSeries(title, kind, labels, [value for _, value in points], measure)
    image, missing = rendered(lambda: render_chart(series, force_no_cjk=force_no_cjk))
    assert image.png.startswith(b"\x89PNG")
    assert missing == []
    assert len(image.legend) <= len(labels)
