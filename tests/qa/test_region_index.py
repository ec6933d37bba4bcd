"""Units in a region: the units whose stated parent region ends with the region's name, or
whose own name starts with it, compared in the question form (folded)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.qa.report_table import RegionIndex
from ingest.text import fold_question

# Characters that fold to themselves, to another (traditional, full-width, upper case), to
# nothing (a space at an end) or to several (㈠).
CHARS = "东東县縣市区镇Ａa A㈠\U0010ffff"
names = st.text(alphabet=CHARS, max_size=4)


def every_folded(parents: dict[str, str], region: str) -> list[str]:
    """The rule written plainly: fold every name and parent."""
    name = fold_question(region)
    found = set()
    for unit, written in parents.items():
        parent = fold_question(written)
        if 2 <= len(name) <= len(parent) and parent.endswith(name):
            found.add(unit)
        if fold_question(unit).startswith(name):
            found.add(unit)
    found.discard(region)
    return sorted(found)


@settings(max_examples=300, deadline=None)
@given(units=st.dictionaries(names, names, max_size=12), region=names)
def test_region_index_finds_what_folding_every_name_finds(
    units: dict[str, str], region: str
) -> None:
    units_of: dict[str, set[str]] = {}
    for unit, parent in units.items():
        if parent:
            units_of.setdefault(parent, set()).add(unit)
    index = RegionIndex(sorted(units), units_of)
    assert index.inside(region) == every_folded(units, region)
