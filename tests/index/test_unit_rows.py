"""A question about one unit reads that unit's rows, grouped once per segment, instead of
comparing the unit of every passage; segments written before the grouping was kept search
the same."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from index.search import PassageIndex, index_dir, refresh, rows_by_unit
from ingest.store import open_db
from tests.index.test_search import add_report


@given(st.lists(st.integers(0, 6), max_size=60))
def test_rows_by_unit_are_each_units_rows_ascending(codes: list[int]) -> None:
    unit_code = np.asarray(codes, dtype=np.int32)
    unit_rows, unit_start = rows_by_unit(unit_code, 7)
    for code in range(7):
        got = unit_rows[unit_start[code] : unit_start[code + 1]]
        assert got.tolist() == np.flatnonzero(unit_code == code).tolist()


def _search_all(db_path: Path) -> list[list[int]]:
    index = PassageIndex.open(db_path, warm=False)
    return [
        [h.passage_id for h in index.search("信息公开 申请", unit=unit, year=year, k=20)]
        for unit in ("东湖镇", "南山街道", "北岭乡")
        for year in (None, 2019, 2020, 2022)
    ]


def test_a_segment_without_grouped_rows_filters_the_same(tmp_path: Path) -> None:
    db_path = tmp_path / "c.db"
    db = open_db(db_path)
    for n, unit in enumerate(["东湖镇", "南山街道", "东湖镇", "北岭乡", "南山街道"]):
        year = 2018 + n
        rows = [("paragraph", "", f"{unit}收到信息公开申请{n + k}件") for k in range(3)]
        add_report(db, unit, year, rows)
    db.close()
    refresh(db_path)
    grouped = _search_all(db_path)
    assert any(grouped)
    for path in index_dir(db_path).glob("*/unit_rows.npy"):
        path.unlink()
    assert _search_all(db_path) == grouped
