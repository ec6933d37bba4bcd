"""A unit that is not loaded: with many units loaded the answer counts them and names those
named alike, instead of listing every one (bot.qa.unit_suggestions, compose)."""

from __future__ import annotations

import pytest

from bot.qa.unit_suggestions import UnitNameIndex

TOWNS = [f"{a}{b}镇" for a in "东南西北中" for b in "山水湖河林"]


def test_names_sharing_telling_characters_come_first() -> None:
    index = UnitNameIndex(sorted([*TOWNS, "青溪镇", "青山县", "白溪乡", "青溪区档案局"]))
    assert index.similar("青溪街道", 4) == ["青溪镇", "青溪区档案局", "白溪乡", "青山县"]


def test_a_character_in_most_names_tells_nothing() -> None:
    index = UnitNameIndex(TOWNS)  # 镇 is in every name
    assert index.similar("乌镇", 5) == []


def test_unknown_unit_among_many_is_counted_not_listed(
    answerer, monkeypatch: pytest.MonkeyPatch
) -> None:
    import bot.qa.compose as compose

    monkeypatch.setattr(compose, "LISTED", 2)
    answer = answerer.ask("西集乡有多少行政诉讼")
    assert "已收录 5 个单位" in answer.headline.text
    assert "西集镇" in answer.headline.text and "宜就镇" not in answer.headline.text


def test_unknown_unit_among_few_lists_them_all(answerer) -> None:
    answer = answerer.ask("西集乡有多少行政诉讼")
    assert all(
        u in answer.headline.text for u in ("乌镇镇", "西集镇", "西塘镇", "宜就镇", "於潜镇")
    )


def test_unit_list_is_cut_when_long(answerer, monkeypatch: pytest.MonkeyPatch) -> None:
    import bot.qa.compose.listing as listing

    monkeypatch.setattr(listing, "LISTED", 2)
    answer = answerer.ask("有哪些单位")
    assert answer.headline.text.startswith("已收录 5 个单位，前 2 个：")
    assert answer.headline.text.count("、") == 1
