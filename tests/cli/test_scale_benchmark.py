"""The scale benchmark: its corpus generator keeps each report's arithmetic, and the whole
benchmark runs end to end at a tiny size (so it cannot rot while the product changes)."""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks import scale
from benchmarks.scale_corpus import _Unit, load_sources, number_tokens, render


@pytest.mark.parametrize(
    ("text", "number", "role"),
    [
        ("新增信息654条，全文电子化率达100%", "654", "figure"),
        ("新增信息654条，全文电子化率达100%", "100", "keep"),
        ("主动公开政府信息数量：2043 件。", "2043", "figure"),
        ("截止到2018年12月31日", "2018", "year"),
        ("截止到2018年12月31日", "12", "keep"),
        ("电话：010-61576445，邮箱：xjdzb@126.com", "61576445", "keep"),
        ("电话：010-61576445，邮箱：xjdzb@126.com", "126", "keep"),
        ("按照《条例》第33条规定", "33", "keep"),
        ("\n1.主动公开政府信息数量", "1", "keep"),
        ("（臨政辦〔2018〕84號）", "2018", "year"),
        ("（臨政辦〔2018〕84號）", "84", "keep"),
        ("（不同渠道和方式公开相同信息计1条）", "1", "keep"),
        ("共计5件", "5", "figure"),
        ("\t条\n\t　654\n", "654", "cell"),
        ("行政许可4500其他对外管理服务事项000", "4500", "cell"),
        ("本年新收政府信息公开申请数量230000023二、", "230000023", "long"),
        ("时间：2014-01-10 00:00 微信", "00", "keep"),
    ],
)
def test_number_roles(text: str, number: str, role: str) -> None:
    roles = {t.text: t.role for t in number_tokens(text)}
    assert roles[number] == role


def _years(text: str) -> list[int]:
    return [int(t.text) for t in number_tokens(text) if t.role == "year"]


def _figures(text: str) -> list[float]:
    return [float(t.text) for t in number_tokens(text) if t.role in ("figure", "cell")]


@pytest.mark.parametrize("source", [s for s in load_sources() if s.scalable], ids=lambda s: s.slug)
def test_rendered_report_scales_every_figure_and_renames_its_unit(source) -> None:
    unit = {
        "town": _Unit("town", "青禾镇", "镇", "白鹭县", "白鹭", "青禾", ""),
        "area": _Unit("area", "白鹭县青禾片区管理局", "片区", "白鹭县", "白鹭", "青禾", ""),
        "department": _Unit("department", "白鹭县审计局", "部门", "白鹭县", "白鹭", "", "审计局"),
        "government": _Unit("government", "白鹭县", "县", "白鹭县", "白鹭", "", ""),
    }[source.kind]
    text, _ = render(source, unit, source.year - 3, 7)
    assert [v * 7 for v in _figures(source.text)] == _figures(text)
    assert unit.name in text and source.own not in text
    assert [y - 3 for y in _years(source.text)] == _years(text)
    assert str(source.year - 3) in text


def test_benchmark_runs_end_to_end_at_a_tiny_size(tmp_path: Path, capsys) -> None:
    results = scale.main(
        [
            "--sizes",
            "20",
            "--workdir",
            str(tmp_path),
            "--per-kind",
            "1",
            "--fresh",
            "1",
            "--help-runs",
            "1",
        ]
    )
    out = capsys.readouterr().out
    assert "| ingest throughput | " in out and "bot start → polling" in out
    r = results[0]
    assert r.ingest_s and r.ingest_s > 0 and "added 20" in r.ingest_summary
    assert {"number", "passage", "none"} <= set(r.warm_ms)
    assert r.expected["number"][0] == r.expected["number"][1] == 1
    assert r.add_one_answered, "the added report was not answered"
    assert r.bot_start_s and r.bot_rss_mb and r.bot_rss_mb > 10
    assert r.fresh_s and r.help_s and r.db_mb > 0
    assert not (tmp_path / "n20").exists()  # removed without --keep
