"""A names file brought up to date after a change equals the gazetteer built afresh.

``gazetteer_cache.update`` (run by ``nianbao ingest``) reads again only the units whose
reports or aliases changed since the file's stamp, into a copy of the file; after any sequence
of added, replaced, removed and corrected reports, renamed units and added or removed aliases,
the file it leaves gives the forms, levels, parents, default unit and longest name of
``Gazetteer.from_db`` at the same stamp.
"""

from __future__ import annotations

import itertools
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import sqlite_utils
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.qa import gazetteer_cache
from bot.qa.gazetteer import Gazetteer
from bot.qa.report_table import corpus_stamp
from ingest.store import delete_report, open_db, open_reader
from ingest.units import AliasError, add_alias, refresh_unit, remove_alias, rename_unit

# unit → the (unit_full, parent, level) its reports may give: a region's government, its
# towns and a department, a town of another region, one named without its region
UNITS = {
    "东岭县": [("东岭县人民政府", "", "县"), ("", "", "县")],
    "东岭青石镇": [("东岭县青石镇人民政府", "东岭县", "镇"), ("", "东岭县", "镇")],
    "东岭白沙镇": [("", "东岭县", "镇"), ("东岭白沙镇人民政府", "", "镇")],
    "东岭县教育局": [("", "东岭县", "部门"), ("东岭县教育局", "东岭县", "部门")],
    "西川县财政局": [("", "西川县", "部门")],
    "红桥乡": [("红桥乡人民政府", "", "乡"), ("", "西川县", "乡")],
}
RENAMES = {"东岭白沙镇": "东岭县白沙镇", "红桥乡": "西川县红桥乡"}
ALIASES = ["青石", "教育局", "东岭政府", "白沙街", "红桥", "青石片区"]
YEARS = (2019, 2020, 2021)

sha = itertools.count(1)

add = st.tuples(
    st.just("add"), st.sampled_from(sorted(UNITS)), st.sampled_from(YEARS), st.integers(0, 1)
)
replace = st.tuples(st.just("replace"), st.integers(0, 20), st.integers(0, 1))
remove = st.tuples(st.just("remove"), st.integers(0, 20))
correct = st.tuples(st.just("correct"), st.integers(0, 20), st.integers(0, 1))
rename = st.tuples(st.just("rename"), st.sampled_from(sorted(RENAMES)), st.sampled_from(YEARS))
alias = st.tuples(st.just("alias"), st.sampled_from(sorted(UNITS)), st.sampled_from(ALIASES))
unalias = st.tuples(st.just("unalias"), st.sampled_from(ALIASES))
step = st.one_of(add, add, replace, remove, correct, rename, alias, alias, unalias)
ADDING = {"add", "alias"}  # steps after which the file is updated, not built again


@contextmanager
def private_cache(monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    with tempfile.TemporaryDirectory() as folder, monkeypatch.context() as patch:
        patch.setenv("NIANBAO_CACHE_DIR", str(Path(folder) / "cache"))
        yield Path(folder)


def _variant(unit: str, variant: int) -> tuple[str, str, str]:
    """One of the spellings a unit's reports give (a renamed unit: those of its old name)."""
    variants = UNITS.get(unit) or UNITS[_renamed_from(unit)]
    return variants[variant % len(variants)]


def _insert(db: sqlite_utils.Database, unit: str, year: int, variant: int) -> None:
    full, parent, level = _variant(unit, variant)
    db["reports"].insert(
        {
            "unit": unit,
            "unit_full": full,
            "parent": parent,
            "level": level,
            "year": year,
            "title": f"{unit}{year}年政府信息公开工作年度报告",
            "source_file": f"{unit}-{year}.txt",
            "sha256": f"sha-{next(sha)}",
            "names": "[]",
        }
    )


def _renamed_from(unit: str) -> str:
    return next(old for old, new in RENAMES.items() if new == unit)


def _reports(db: sqlite_utils.Database) -> list[dict]:
    return list(db.query("SELECT id, unit, year FROM reports ORDER BY id"))


def apply(db: sqlite_utils.Database, change: tuple) -> bool:
    """Make one change as ingest and ``nianbao alias`` make it; whether it only added."""
    kind = change[0]
    loaded = _reports(db)
    with db.atomic():
        if kind == "add":
            _, unit, year, variant = change
            unit = next((r["unit"] for r in loaded if r["unit"] == RENAMES.get(unit)), unit)
            if any(r["unit"] == unit and r["year"] == year for r in loaded):
                return False
            _insert(db, unit, year, variant)
            refresh_unit(db, unit)
        elif kind in ("replace", "remove", "correct") and loaded:
            row = loaded[change[1] % len(loaded)]
            if kind == "correct":
                full, parent, level = _variant(row["unit"], change[2])
                db["reports"].update(
                    row["id"], {"unit_full": full, "parent": parent, "level": level}
                )
            else:
                delete_report(db, row["id"], reason=kind)
                if kind == "replace":
                    _insert(db, row["unit"], row["year"], change[2])
            refresh_unit(db, row["unit"])
        elif kind == "rename":
            _, old, year = change
            new = RENAMES[old]
            if not any(r["unit"] == old for r in loaded) or any(
                r["unit"] == new and r["year"] == year for r in loaded
            ):
                return False
            rename_unit(db, old, new)
            _insert(db, new, year, 0)
            refresh_unit(db, new)
        elif kind == "alias":
            _, unit, name = change
            try:
                add_alias(db, RENAMES.get(unit, unit) if unit not in _units(db) else unit, name)
            except AliasError:
                return False
        elif kind == "unalias":
            remove_alias(db, change[1])
            return False
    return kind in ADDING


def _units(db: sqlite_utils.Database) -> set[str]:
    return {r["unit"] for r in db.query("SELECT DISTINCT unit FROM reports")}


def _orphans(db: sqlite_utils.Database) -> set[str]:
    """Units with alias rows (an admin's) and no report."""
    sql = "SELECT unit FROM unit_aliases WHERE unit NOT IN (SELECT unit FROM reports)"
    return {row[0] for row in db.execute(sql)}


def state(g: Gazetteer) -> tuple:
    forms, levels, parents = g.names()
    return forms, levels, parents, g.default_unit, g._longest, set(g.folded_parents), g.units


def assert_up_to_date(db_path: Path) -> None:
    reader = open_reader(db_path)
    try:
        stored = gazetteer_cache.load(db_path, corpus_stamp(reader))
        assert stored is not None
        assert state(stored) == state(Gazetteer.from_db(reader))
    finally:
        reader.close()


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(batches=st.lists(st.lists(step, min_size=1, max_size=4), min_size=1, max_size=5))
def test_an_updated_names_file_is_the_one_built_afresh(
    monkeypatch: pytest.MonkeyPatch, batches: list[list[tuple]]
) -> None:
    """Changes come in batches (a few commands between two ingests); after each batch the
    file is brought up to date, after additions without building it again (unless a unit
    without reports kept an admin's alias: the names do not count those rows).  A running
    process that saw every batch holds the same names and reports as fresh ones."""
    from bot.qa.answerer import Answerer
    from bot.qa.report_table import CorpusWatch, ReportTable
    from tests.qa.test_scale_lookups import table_state

    with private_cache(monkeypatch) as folder:
        db_path = folder / "corpus.db"
        db = open_db(db_path)
        try:
            apply(db, ("add", "东岭县", 2020, 0))
            assert gazetteer_cache.update(db_path) == "built"
            running = Answerer(db_path, warm=False)
            table = running._context.figures.table
            for batch in batches:
                orphans = _orphans(db)
                only_added = all([apply(db, change) for change in batch])
                how = gazetteer_cache.update(db_path)
                if only_added and not orphans:
                    assert how == "updated", batch
                assert how in ("updated", "built", "current")
                assert_up_to_date(db_path)
                assert state(running.gazetteer()) == state(Gazetteer.from_db(running.db))
                assert table_state(table) == table_state(ReportTable(CorpusWatch(running.db)))
                if running.cache_writer is not None:  # its names, written behind
                    running.cache_writer.join()
        finally:
            db.close()


def test_after_additions_only_the_changed_units_are_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NIANBAO_CACHE_DIR", str(tmp_path / "cache"))
    db_path = tmp_path / "corpus.db"
    db = open_db(db_path)
    for unit in ("东岭县", "东岭青石镇", "东岭县教育局"):
        apply(db, ("add", unit, 2020, 0))
    assert gazetteer_cache.update(db_path) == "built"
    read: list[list[str]] = []
    of_units = Gazetteer.of_units.__func__  # type: ignore[attr-defined]

    def counted(cls: type[Gazetteer], db: sqlite_utils.Database, units: set[str]) -> Gazetteer:
        read.append(sorted(units))
        return of_units(cls, db, units)

    monkeypatch.setattr(Gazetteer, "of_units", classmethod(counted))
    monkeypatch.setattr(Gazetteer, "from_db", classmethod(_refuse))
    apply(db, ("add", "东岭白沙镇", 2020, 0))
    apply(db, ("add", "东岭青石镇", 2021, 1))
    assert gazetteer_cache.update(db_path) == "updated"
    assert read == [["东岭白沙镇", "东岭青石镇"]]
    assert gazetteer_cache.update(db_path) == "current"
    db.close()
    monkeypatch.undo()
    monkeypatch.setenv("NIANBAO_CACHE_DIR", str(tmp_path / "cache"))
    assert_up_to_date(db_path)


def _refuse(cls: type[Gazetteer], db: sqlite_utils.Database) -> Gazetteer:
    raise AssertionError("the names were built again")


@pytest.mark.parametrize(
    "change",
    [
        ("replace", 2, 1),  # 东岭青石镇 2020, by a copy that spells the unit otherwise
        ("remove", 3),  # 东岭县教育局's only report: the unit goes
        ("remove", 1),  # 东岭青石镇 2021: the unit stays
    ],
)
def test_replaced_and_removed_reports_are_taken_in_without_building_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, change: tuple
) -> None:
    """Every report replaced or removed is written down in report_history with its unit:
    only those units are read again."""
    monkeypatch.setenv("NIANBAO_CACHE_DIR", str(tmp_path / "cache"))
    db_path = tmp_path / "corpus.db"
    db = open_db(db_path)
    for unit, year in [
        ("东岭县", 2020),
        ("东岭青石镇", 2021),
        ("东岭青石镇", 2020),
        ("东岭县教育局", 2020),
        ("红桥乡", 2020),
    ]:
        apply(db, ("add", unit, year, 0))
    assert gazetteer_cache.update(db_path) == "built"
    apply(db, change)
    with monkeypatch.context() as patch:
        patch.setattr(Gazetteer, "from_db", classmethod(_refuse))
        assert gazetteer_cache.update(db_path) == "updated"
    assert_up_to_date(db_path)
    db.close()


def test_a_process_reading_the_old_file_keeps_its_names(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The updated file is a new file renamed into place: a process that looks names up in
    the old one (lazily, name by name) still finds the names of its own stamp."""
    monkeypatch.setenv("NIANBAO_CACHE_DIR", str(tmp_path / "cache"))
    db_path = tmp_path / "corpus.db"
    db = open_db(db_path)
    for unit in ("东岭县", "东岭青石镇"):
        apply(db, ("add", unit, 2020, 0))
    gazetteer_cache.update(db_path)
    reader = open_reader(db_path)
    running = gazetteer_cache.load(db_path, corpus_stamp(reader))
    assert running is not None
    apply(db, ("add", "东岭白沙镇", 2020, 0))
    apply(db, ("alias", "东岭青石镇", "青石片区"))
    assert gazetteer_cache.update(db_path) == "updated"
    assert "东岭白沙镇" not in links(running, "东岭白沙镇2020年收到几件申请")
    assert links(running, "青石片区2020年收到几件申请") == []
    assert links(running, "青石镇2020年收到几件申请") == ["东岭青石镇"]
    db.close()
    reader.close()
    reader = open_reader(db_path)
    fresh = gazetteer_cache.load(db_path, corpus_stamp(reader))
    assert fresh is not None
    assert links(fresh, "东岭白沙镇2020年收到几件申请") == ["东岭白沙镇"]
    assert links(fresh, "青石片区2020年收到几件申请") == ["东岭青石镇"]
    reader.close()


def links(gazetteer: Gazetteer, question: str) -> list[str]:
    return [ref.unit for ref in gazetteer.link(question)[0]]


def test_nothing_is_built_for_a_cache_that_cannot_be_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("NIANBAO_CACHE_DIR", str(blocker))
    db_path = tmp_path / "corpus.db"
    db = open_db(db_path)
    apply(db, ("add", "东岭县", 2020, 0))
    db.close()
    monkeypatch.setattr(Gazetteer, "from_db", classmethod(_refuse))
    assert gazetteer_cache.update(db_path) == ""


def test_a_damaged_file_is_built_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NIANBAO_CACHE_DIR", str(tmp_path / "cache"))
    db_path = tmp_path / "corpus.db"
    db = open_db(db_path)
    apply(db, ("add", "东岭县", 2020, 0))
    assert gazetteer_cache.update(db_path) == "built"
    (stored,) = (tmp_path / "cache" / "gazetteer").glob("*.sqlite")
    stored.write_bytes(b"not a names file")
    apply(db, ("add", "东岭青石镇", 2020, 0))
    assert gazetteer_cache.update(db_path) == "built"
    assert_up_to_date(db_path)
    assert list((tmp_path / "cache" / "gazetteer").glob("*.part")) == []
    db.close()


ALIASED = [
    ("add", "东岭青石镇", 2020, 0),
    ("add", "东岭县", 2020, 0),
    ("alias", "东岭县", "青石"),
    ("alias", "东岭县", "教育局"),
]


@pytest.mark.parametrize(
    ("before", "changes"),
    [
        # the newest report removed, and its id given to another unit's as many names
        ([("add", "东岭县教育局", 2019, 0)], [("remove", -1), ("add", "东岭青石镇", 2019, 0)]),
        (ALIASED, [("unalias", "青石")]),  # of the unit whose alias rows are the newest
        (ALIASED, [("unalias", "青石"), ("alias", "东岭青石镇", "青石片区")]),
        (ALIASED, [("replace", 0, 1), ("remove", 1)]),  # read again unit by unit
    ],
)
def test_a_running_process_follows_changes_that_leave_the_counts_alike(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, before: list[tuple], changes: list[tuple]
) -> None:
    """Its gazetteer and report table equal fresh ones, though the stamp's counts and last
    ids alone could not tell what changed."""
    from bot.qa.answerer import Answerer
    from bot.qa.report_table import CorpusWatch, ReportTable
    from tests.qa.test_scale_lookups import table_state

    monkeypatch.setenv("NIANBAO_CACHE_DIR", str(tmp_path / "cache"))
    db_path = tmp_path / "corpus.db"
    db = open_db(db_path)
    for change in before:
        apply(db, change)
    answerer = Answerer(db_path, warm=False)
    answerer.gazetteer()
    table = answerer._context.figures.table
    table_state(table)
    for change in changes:
        apply(db, change)
    assert state(answerer.gazetteer()) == state(Gazetteer.from_db(answerer.db))
    assert table_state(table) == table_state(ReportTable(CorpusWatch(answerer.db)))
    db.close()


def test_which_units_changed_between_two_stamps(tmp_path: Path) -> None:
    from bot.qa.report_table import touched_units

    db = open_db(tmp_path / "corpus.db")
    for unit, year in [("东岭县", 2020), ("东岭青石镇", 2020), ("红桥乡", 2020)]:
        apply(db, ("add", unit, year, 0))
    reader = open_reader(tmp_path / "corpus.db")
    first = corpus_stamp(reader)
    apply(db, ("replace", 0, 1))  # 东岭县
    apply(db, ("remove", 0))  # 东岭青石镇, now the oldest
    apply(db, ("add", "东岭白沙镇", 2020, 0))
    second = corpus_stamp(reader)
    assert touched_units(reader, first, second) == {"东岭县", "东岭青石镇", "东岭白沙镇"}
    apply(db, ("remove", -1))  # the newest report, 东岭白沙镇: its id is free again
    assert touched_units(reader, second, corpus_stamp(reader)) == {"东岭白沙镇"}
    apply(db, ("add", "东岭县教育局", 2021, 0))  # and given to this one
    third = corpus_stamp(reader)
    assert third.last_report == second.last_report and third.reports == second.reports
    assert touched_units(reader, second, third) is None  # only reading all again can tell
    with db.atomic():  # a report removed without being written down in report_history
        delete_report(db, _reports(db)[0]["id"])
    assert touched_units(reader, third, corpus_stamp(reader)) is None
    db.close()
    reader.close()


def test_the_report_table_reads_only_the_units_whose_reports_changed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Alias rows do not matter to it: the newest unit's next report, which can leave that
    unit fewer alias rows (its rows the newest, written again at lower ids), is read alone
    (reading every report again takes 1.3 s at 100,000)."""
    from bot.qa.report_table import CorpusWatch, ReportTable
    from tests.qa.test_scale_lookups import table_state

    db = open_db(tmp_path / "corpus.db")
    for unit in ("东岭县", "东岭青石镇"):
        apply(db, ("add", unit, 2020, 0))
    reader = open_reader(tmp_path / "corpus.db")
    table = ReportTable(CorpusWatch(reader))
    table_state(table)
    before = corpus_stamp(reader)
    with db.atomic():  # the newest unit's alias rows come out fewer
        newest = db.execute("SELECT max(rowid) FROM unit_aliases").fetchone()[0]
        db.execute("DELETE FROM unit_aliases WHERE rowid > ?", [newest - 2])
        _insert(db, "东岭青石镇", 2021, 1)
    assert corpus_stamp(reader).last_alias < before.last_alias
    fresh = table_state(ReportTable(CorpusWatch(reader)))
    monkeypatch.setattr(ReportTable, "_load", _refuse_all)
    assert table_state(table) == fresh
    db.close()
    reader.close()


def _refuse_all(self: object) -> None:
    raise AssertionError("every report read again")
