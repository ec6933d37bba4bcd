"""English unit names are looked up through a word index, with the same results as checking
every unit: the index only skips units that could not be covered by the question's words."""

from __future__ import annotations

import pytest

from bot.qa.english_names import EnglishNames

UNITS = [
    "东湖镇",
    "西山镇",
    "北岭乡",
    "南湖街道",
    "青川县",
    "青川县教育局",
    "青川县公安局",
    "青川县市场监督管理局",
    "白石区",
    "白石区财政局",
    "白石区东湖镇",
    "长林县人民政府办公室",
]


class EveryUnit(EnglishNames):
    """The same matcher, checking every unit for every question."""

    def _candidates(self, words: list[str]) -> list[str]:
        return sorted(self.parts)


@pytest.mark.parametrize(
    "question",
    [
        "how many lawsuits did donghu town have in 2020",
        "dong hu town applications",
        "qingchuan county education bureau requests",
        "Qingchuan public security bureau",
        "market supervision bureau of qingchuan county",
        "baishi district finance bureau 2019",
        "donghu town of baishi district",
        "beiling township and xishan town",
        "nanhu subdistrict",
        "changlin county government office",
        "how many requests did fuzhou city get",
        "the government of qingchuan county",
    ],
)
def test_index_finds_what_a_full_scan_finds(question: str) -> None:
    text = question.lower()
    assert EnglishNames(UNITS).find(text) == EveryUnit(UNITS).find(text)


def test_index_finds_units() -> None:
    """Not vacuous: the questions above do name units."""
    names = EnglishNames(UNITS)
    found = [u for _, _, units in names.find("donghu town of baishi district") for u in units]
    assert "白石区东湖镇" in found
    assert names.find("qingchuan county education bureau requests")
