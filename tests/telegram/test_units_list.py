"""/units at deployment size: at most a page of units, and a search by words of the name."""

from __future__ import annotations

from bot.qa.overview import CorpusOverview
from bot.telegram.render import units_blocks


def _overview(n: int) -> CorpusOverview:
    units = {f"第{i:04d}镇": [2020, 2021] for i in range(n)}
    units["青溪县教育局"] = [2021]
    return CorpusOverview(units, len(units) * 2, 0, 0, 0, 0, None)


def test_a_long_list_is_cut_with_a_hint() -> None:
    blocks = units_blocks(_overview(500), shown=50)
    assert "已收录 501 个单位" in blocks[0]
    assert len(blocks) == 1 + 50 + 1
    assert "还有 451 个单位" in blocks[-1] and "/units" in blocks[-1]


def test_words_find_units_by_name() -> None:
    blocks = units_blocks(_overview(500), "教育", shown=50)
    assert "名字含「教育」的单位 1 个" in blocks[0]
    assert blocks[1:] == ["青溪县教育局：2021"]


def test_no_unit_has_the_words() -> None:
    assert "没有名字含「水利」的单位" in units_blocks(_overview(3), "水利")[0]


def test_a_short_list_is_whole() -> None:
    blocks = units_blocks(_overview(3))
    assert len(blocks) == 1 + 4 and not any("还有" in b for b in blocks)
