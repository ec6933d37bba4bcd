"""The database: the contract between ingest/, index/ and bot/.

One SQLite file, written with sqlite-utils.  Tables:

- ``reports``: one row per report (unit, year, template, provenance of the file).
- ``passages``: quotable pieces of each report, with section path and offsets
  into the report's original text.
- ``statistics``: one row per figure found, with the words it came from.
- ``conflicts``: pairs of statistics rows for the same key that disagree.
- ``checks``: arithmetic checks of the templates that failed.
- ``units`` and ``unit_aliases``: one row per unit and the names people use for it
  (``ingest/units.py``).
- ``report_history``: reports that were replaced or removed, with their file and counts.
- ``row_problems``: table rows whose cells were not all read: run-together digits with several
  readings (the candidates are listed), or more/fewer values than the row has columns.
- ``findings``: the review of each report (``ingest/review.py``): what is wrong or odd, with its
  severity and the evidence quoted; findings across years point at the other year's report.
- ``db_state``: ``generation``, a number every change of ``reports`` raises (triggers), so
  the passage index can tell whether it was built from the database as it is now, and
  ``database_id``, drawn at random when the database is made, so an index left behind by a
  deleted database of the same name is never taken for this one's.
- ``year_figures``: each report's official figure of each key, filed by key, year, level and
  template, so a total or ranking over a year's thousands of reports reads one range of it,
  never each report's rows.  A new report waits in ``year_figures_pending`` until the writer
  files the waiting ones together (``file_pending_figures``, every few hundred reports and at
  the end of an ingest): filed one report at a time, each report's figures touched a page of
  the table per key, which slowed ingest by a third.  Changes to filed reports are kept by
  triggers; answers read the table only when nothing waits.
- ``year_summary``: what a total or ranking needs of each (key, year, level, template) range
  of ``year_figures``, kept at filing (``ingest/year_summary.py``).

Every report is written in one transaction (``writing``), so a failure halfway, or a kill -9,
leaves the previous state intact.  WAL mode lets ``ask`` and a running bot read the last
committed state while ingest writes.  Commands that only read open the file read-only
(``open_reader``): they work on a read-only file or a full disk and never change the schema.
"""

from __future__ import annotations

import contextlib
import secrets
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import sqlite_utils

from ingest.year_summary import (
    YEAR_SUMMARY_TRIGGERS,
    add_to_summary,
    ensure_year_summary,
    rank_year_summary,
    settle_year_summary,
)

SCHEMA_VERSION = 9
# 2: statistics point at the passage that holds their evidence
# 3: units, unit_aliases and report_history tables; reports.matched and reports.names
# 4: findings table (the review of every report), filled for the reports already loaded
# 5: db_state with the generation of the reports, raised by triggers
# 6: indexes for the answers' look-ups (a report's figures of a key with their values, the
#    conflicts of a figure, the failed checks of a report)
# 7: year_figures, each report's official figure of each key by (key, year, level, template),
#    kept by triggers on statistics and reports; built for the reports already loaded; and
#    db_state's database_id; indexes on the child side of every foreign key
# 8: no index on statistics.key alone (year_figures answers by key; the index made each
#    report's commit write a hundred scattered pages)
# 9: year_summary and year_summary_stale, built from year_figures
READABLE_SINCE = 3  # readers work on databases this old (they never upgrade them)
BUSY_TIMEOUT_MS = 30_000  # how long a statement waits for another process's write

REPORT_COLUMNS = {
    "id": int,
    "unit": str,  # short unit name used for matching and display, e.g. 南湖镇
    "unit_full": str,  # official name when stated, e.g. 南湖镇人民政府
    "year": int,  # the year the figures cover
    "published": str,  # ISO date of signature / 发文日期, when stated
    "level": str,  # 镇/乡/街道/县/区/市/省/部门
    "parent": str,  # parent region when stated, e.g. 嘉兴县
    "title": str,
    "source_file": str,  # file name as given
    "source_path": str,  # absolute path at ingest time
    "sha256": str,  # hash of the file's bytes
    "content_hash": str,  # hash of the normalised text: same report under another name
    "encoding": str,
    "format": str,  # txt, md, html, docx, pdf
    "template": str,  # pre2020, national2019, national2021, unknown
    "text": str,  # the original text, exactly as read
    "ingested_at": str,
    "matched": str,  # where the unit was read: title, signature, sentence, … option, sidecar
    "names": str,  # JSON list of the other names the text uses for the unit
}

HISTORY_COLUMNS = {
    "id": int,
    "unit": str,
    "year": int,
    "source_file": str,
    "source_path": str,
    "sha256": str,
    "format": str,
    "passages": int,
    "statistics": int,
    "ingested_at": str,  # when the replaced version had been loaded
    "ended_at": str,  # when it was replaced or removed
    "reason": str,  # replaced by FILE, removed, …
}

PASSAGE_COLUMNS = {
    "id": int,
    "report_id": int,
    "ord": int,  # order within the report
    "kind": str,  # heading, paragraph, table_row
    "section": str,  # section path, outermost first, joined by " / "
    "text": str,  # original text: report.text[start:end]
    "norm": str,  # normalised text for matching and tokenising
    "start": int,
    "end": int,
}

STATISTIC_COLUMNS = {
    "id": int,
    "report_id": int,
    "key": str,  # catalogue key, e.g. lawsuits.upheld
    "value": float,  # NULL when the cell says "not given" (blank, /, -, —)
    "measure": str,  # 条/件/次/个/人/人次/篇/万元
    "source": str,  # table, prose or derived
    "label": str,  # the row label or phrase as written
    "evidence": str,  # exact original text the value came from
    "passage_id": int,
    "rule": str,  # the extraction rule that fired
    "official": int,  # 1 for the value an answer uses (table over prose)
}

CONFLICT_COLUMNS = {
    "id": int,
    "report_id": int,
    "key": str,
    "official_id": int,  # statistics row used for answers (the table's)
    "other_id": int,  # statistics row that disagrees (usually prose)
}

CHECK_COLUMNS = {
    "id": int,
    "report_id": int,
    "name": str,  # e.g. requests.closed = on_time + extended
    "expected": float,
    "actual": float,
    "detail": str,  # the keys and values involved, for an admin
}

ROW_PROBLEM_COLUMNS = {
    "id": int,
    "report_id": int,
    "kind": str,  # ambiguous, too_many, too_few, unreadable
    "table_name": str,  # template table: table2_2021, table3, table4, pre2020 …
    "label": str,  # the row label as written
    "evidence": str,  # the row exactly as written (label and numbers)
    "start": int,  # offsets into reports.text
    "end": int,
    "columns": int,  # cells the row has
    "found": int,  # value tokens written in the row
    "keys": str,  # JSON list of the statistic keys left without a value
    "readings": str,  # JSON list of candidate readings (lists of numbers, null = not given)
}

FINDING_COLUMNS = {
    "id": int,
    "report_id": int,
    "unit": str,  # the report's unit and year, for browsing
    "year": int,
    "kind": str,  # failed_check, conflict, ambiguous_row, … (ingest/review.py KINDS)
    "severity": str,  # error, warning, question
    "statistic": str,  # catalogue key the finding is about, when one
    "message": str,  # what is wrong, in words an official reads
    "evidence": str,  # the report's words that show it, one quote a line
    "passage_id": int,  # the passage holding the evidence
    "other_report_id": int,  # the other year's report of a finding across years
    "value": float,  # the figure in question, when one
    "other_value": float,  # the figure it was compared with
    "rule": str,  # the check or relation that found it
}


class DatabaseUnreadable(Exception):
    """The database cannot be read as it is; the message says why and what to run."""


def open_db(path: Path | str) -> sqlite_utils.Database:
    """Open for writing (creating if needed) in WAL mode, with the schema brought up to date."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    db = sqlite_utils.Database(path)
    db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    if db.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
        db.enable_wal()
    # In WAL mode NORMAL loses no committed report when a process dies (kill -9); only a
    # power cut may undo the last ones, never corrupt the file.  FULL syncs every report.
    db.execute("PRAGMA synchronous = NORMAL")
    db.execute("PRAGMA foreign_keys = ON")
    ensure_schema(db)
    return db


def connect_reader(path: Path | str, check_same_thread: bool = True) -> sqlite3.Connection:
    """A read-only connection that never writes the file, its folder or the schema.

    A WAL database is read through its shared-memory file; where that cannot be made (a
    read-only folder, a full disk) the file is read as immutable, as of its last checkpoint.
    """
    path = Path(path).resolve()
    if not path.is_file():
        raise DatabaseUnreadable(f"no database at {path}")
    last: sqlite3.Error | None = None
    for mode in ("mode=ro", "mode=ro&immutable=1"):
        conn = sqlite3.connect(
            f"file:{quote(str(path))}?{mode}", uri=True, check_same_thread=check_same_thread
        )
        try:
            conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
            return conn
        except sqlite3.Error as exc:
            conn.close()
            last = exc
    raise DatabaseUnreadable(f"cannot read the database at {path} ({last})")


def open_reader(path: Path | str) -> sqlite_utils.Database:
    """The database for commands that only read; refuses one too old or not a database."""
    conn = connect_reader(path)
    try:
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
    except sqlite3.DatabaseError as exc:
        conn.close()
        raise DatabaseUnreadable(f"{path} is not a nianbao database ({exc})") from exc
    if version < READABLE_SINCE or "reports" not in tables:
        conn.close()
        raise DatabaseUnreadable(
            f"the database at {path} was written by an older nianbao (schema {version}); "
            f"bring it up to date by loading reports into it once: nianbao ingest PATH --db {path}"
        )
    return sqlite_utils.Database(conn)


def schema_version(db: sqlite_utils.Database) -> int:
    return int(db.execute("PRAGMA user_version").fetchone()[0])


def generation(db: sqlite_utils.Database | sqlite3.Connection) -> int | None:
    """How many times the reports changed; None on a database from before version 4."""
    return _state_value(db.conn if isinstance(db, sqlite_utils.Database) else db, "generation")


def _state_value(conn: sqlite3.Connection, key: str) -> int | None:
    """One number of ``db_state``; None when the database is too old to keep it."""
    try:
        row = conn.execute("SELECT value FROM db_state WHERE key = ?", [key]).fetchone()
    except sqlite3.OperationalError:
        return None
    return int(row[0]) if row else None


@contextlib.contextmanager
def writing(db: sqlite_utils.Database) -> Iterator[sqlite_utils.Database]:
    """One write transaction that holds the write lock from its start (BEGIN IMMEDIATE):
    what it reads to decide cannot change before it writes, whatever other processes do.
    Inside another transaction it is a savepoint of that one."""
    if db.conn.in_transaction:
        with db.atomic():
            yield db
        return
    db.conn.execute("BEGIN IMMEDIATE")
    try:
        yield db
    except BaseException:
        if db.conn.in_transaction:
            db.conn.rollback()
        raise
    try:
        db.conn.execute("COMMIT")
    except BaseException:
        if db.conn.in_transaction:
            db.conn.rollback()
        raise


def ensure_schema(db: sqlite_utils.Database) -> None:
    """Create the tables and indexes if missing; writes nothing on an up-to-date database."""
    version = schema_version(db)
    if version == SCHEMA_VERSION:
        return
    if 0 < version < 2 and "statistics" in db.table_names():
        _relink_statistics(db)
    if "reports" not in db.table_names():
        db.table("reports").create(REPORT_COLUMNS, pk="id", not_null={"unit", "year", "sha256"})
        db.table("reports").create_index(["sha256"], unique=True)
        db.table("reports").create_index(["content_hash"])
        db.table("reports").create_index(["source_path"])
        db.table("reports").create_index(["unit", "year"])
    if "passages" not in db.table_names():
        db.table("passages").create(
            PASSAGE_COLUMNS, pk="id", foreign_keys=[("report_id", "reports", "id")]
        )
        db.table("passages").create_index(["report_id", "ord"])
    if "statistics" not in db.table_names():
        db.table("statistics").create(
            STATISTIC_COLUMNS,
            pk="id",
            foreign_keys=[("report_id", "reports", "id"), ("passage_id", "passages", "id")],
        )
    if "conflicts" not in db.table_names():
        db.table("conflicts").create(
            CONFLICT_COLUMNS,
            pk="id",
            foreign_keys=[
                ("report_id", "reports", "id"),
                ("official_id", "statistics", "id"),
                ("other_id", "statistics", "id"),
            ],
        )
    if "checks" not in db.table_names():
        db.table("checks").create(
            CHECK_COLUMNS, pk="id", foreign_keys=[("report_id", "reports", "id")]
        )
    if "row_problems" not in db.table_names():
        db.table("row_problems").create(
            ROW_PROBLEM_COLUMNS, pk="id", foreign_keys=[("report_id", "reports", "id")]
        )
        db.table("row_problems").create_index(["report_id"])
    _ensure_identity(db, version)
    _ensure_findings(db, version)
    _ensure_generation(db)
    _ensure_lookup_indexes(db)
    _ensure_year_figures(db)
    # summed again when an older version wrote the database (it files without the summary)
    ensure_year_summary(db, rebuild=0 < version < 9)
    db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")


# What an answer looks up by, so that no question reads a whole table: a report's figure of
# a key with what picks and shows its official value (a total over a year's thousands of
# reports then reads this index alone, never their rows), the figures that disagree with the
# one shown, and a report's failed checks of one total.
LOOKUP_INDEXES = (
    ("statistics", ("report_id", "key", "official", "id", "value", "source", "measure")),
    ("conflicts", ("official_id",)),
    ("checks", ("report_id", "name")),
)
# The child side of the foreign keys no other index leads with: removing a report (a file
# replaced, ``nianbao remove``) has SQLite look up each removed row's children by these,
# where it would scan the whole child table once per row removed (minutes at 100,000).
FOREIGN_KEY_INDEXES = (
    ("statistics", ("passage_id",)),
    ("findings", ("passage_id",)),
    ("conflicts", ("report_id",)),
    ("conflicts", ("other_id",)),
)
# Indexes dropped: one the look-up indexes make redundant (a prefix of one of them), and the
# one on the key alone. Each report adds a row of a hundred keys, each on its own page of
# that index: it doubled the writer's time per report, and what answers look up by key
# (totals and rankings over a year) reads ``year_figures``.
_REPLACED_INDEXES = ("idx_statistics_report_id_key", "idx_statistics_key")


def _ensure_lookup_indexes(db: sqlite_utils.Database) -> None:
    """Version 6: the answers' look-up indexes, on new and older databases alike; version 7:
    the foreign keys' indexes; version 8: the key index dropped."""
    for table, columns in (*LOOKUP_INDEXES, *FOREIGN_KEY_INDEXES):
        db.table(table).create_index(list(columns), if_not_exists=True)
    for name in _REPLACED_INDEXES:
        db.execute(f"DROP INDEX IF EXISTS {name}")


# Each report's official figure of each key (the row ``ORDER BY official DESC, id`` puts first,
# as answers pick it; its value may be NULL, "not given"), filed so that one year's figures of
# a key at a level are one range of the primary key.  Level and template are never NULL here
# ('' and 'unknown'), so a scope names them with "=".
YEAR_FIGURES_SQL = """CREATE TABLE IF NOT EXISTS year_figures (
    key TEXT NOT NULL,
    year INTEGER NOT NULL,
    level TEXT NOT NULL,
    template TEXT NOT NULL,
    report_id INTEGER NOT NULL,
    unit TEXT NOT NULL,
    value REAL,
    measure TEXT,
    PRIMARY KEY (key, year, level, template, report_id)
) WITHOUT ROWID"""

# The official row of each key of the reports chosen by {where} (over statistics s), with its
# report's filing columns: what year_figures holds for them.
_OFFICIAL_ROWS = """SELECT s.key, r.year, coalesce(r.level, ''), coalesce(r.template, 'unknown'),
                           r.id, r.unit, s.value, s.measure
                    FROM statistics s JOIN reports r ON r.id = s.report_id
                    WHERE {where} AND s.id = (
                        SELECT o.id FROM statistics o WHERE o.report_id = s.report_id
                        AND o.key = s.key ORDER BY o.official DESC, o.id LIMIT 1)"""


YEAR_FIGURES_PENDING_SQL = (
    "CREATE TABLE IF NOT EXISTS year_figures_pending (report_id INTEGER PRIMARY KEY)"
)


def _filed_already(report_id: str) -> str:
    """SQL that holds when a report's figures are filed (it is not waiting)."""
    return f"NOT EXISTS (SELECT 1 FROM year_figures_pending WHERE report_id = {report_id})"


def _filed(report: str, key: str) -> str:
    """The year_figures rows of one report's key (``key`` None: of all its keys), by their
    primary key as the report's row ``report`` (NEW or OLD) files them."""
    keys = (
        f"key = {key}"
        if key
        else f"key IN (SELECT key FROM statistics WHERE report_id = {report}.id)"
    )
    return (
        f"DELETE FROM year_figures WHERE {keys} AND year = {report}.year "
        f"AND level = coalesce({report}.level, '') "
        f"AND template = coalesce({report}.template, 'unknown') AND report_id = {report}.id "
        f"AND {_filed_already(report + '.id')};"
    )


def _refile(report_id: str, key: str) -> str:
    """Statements that file again the official figure of one report's key (of a report
    filed already: a waiting one is filed whole later)."""
    filed = _filed_already(report_id)
    by_pk = (
        f"DELETE FROM year_figures WHERE key = {key} AND report_id = {report_id} AND "
        "(year, level, template) = (SELECT year, coalesce(level, ''), "
        f"coalesce(template, 'unknown') FROM reports WHERE id = {report_id}) AND {filed};"
    )
    where = f"s.report_id = {report_id} AND s.key = {key} AND {filed}"
    return by_pk + " INSERT INTO year_figures " + _OFFICIAL_ROWS.format(where=where) + ";"


YEAR_FIGURES_TRIGGERS = {
    # A new report waits to be filed with others (``file_pending_figures``).
    "year_figures_report_insert": "AFTER INSERT ON reports BEGIN "
    "INSERT OR IGNORE INTO year_figures_pending (report_id) VALUES (NEW.id); END",
    # A row inserted into a filed report that goes before the key's other rows (as answers
    # order them) is the official one now, filed under the same primary key; one that goes
    # after changes nothing.
    "year_figures_statistic_insert": "AFTER INSERT ON statistics WHEN "
    + _filed_already("NEW.report_id")
    + " AND NOT EXISTS ("
    "SELECT 1 FROM statistics o WHERE o.report_id = NEW.report_id AND o.key = NEW.key "
    "AND o.id <> NEW.id AND (coalesce(o.official, -1) > coalesce(NEW.official, -1) OR "
    "(coalesce(o.official, -1) = coalesce(NEW.official, -1) AND o.id < NEW.id))) BEGIN "
    "INSERT OR REPLACE INTO year_figures SELECT NEW.key, r.year, coalesce(r.level, ''), "
    "coalesce(r.template, 'unknown'), r.id, r.unit, NEW.value, NEW.measure FROM reports r "
    "WHERE r.id = NEW.report_id; END",
    "year_figures_statistic_delete": "AFTER DELETE ON statistics BEGIN "
    + _refile("OLD.report_id", "OLD.key")
    + " END",
    "year_figures_statistic_update": "AFTER UPDATE OF report_id, key, value, measure, official "
    "ON statistics BEGIN "
    + _refile("OLD.report_id", "OLD.key")
    + " "
    + _refile("NEW.report_id", "NEW.key")
    + " END",
    "year_figures_report_delete": "BEFORE DELETE ON reports BEGIN "
    + _filed("OLD", "")
    + " DELETE FROM year_figures_pending WHERE report_id = OLD.id; END",
    "year_figures_report_update": "AFTER UPDATE OF unit, year, level, template ON reports "
    "WHEN OLD.unit IS NOT NEW.unit OR OLD.year IS NOT NEW.year OR OLD.level IS NOT NEW.level "
    "OR OLD.template IS NOT NEW.template BEGIN "
    + _filed("OLD", "")
    + " INSERT INTO year_figures "
    + _OFFICIAL_ROWS.format(where="s.report_id = NEW.id AND " + _filed_already("NEW.id"))
    + "; END",
}


def _ensure_year_figures(db: sqlite_utils.Database) -> None:
    """Version 7: the year_figures table and its triggers; the figures of the reports already
    loaded are filed on upgrade (one pass over the statistics)."""
    fresh = "year_figures" not in db.table_names()
    db.execute(YEAR_FIGURES_SQL)
    db.execute(YEAR_FIGURES_PENDING_SQL)
    for name, body in YEAR_FIGURES_TRIGGERS.items():
        db.execute(f"CREATE TRIGGER IF NOT EXISTS {name} {body}")
    if fresh:
        rebuild_year_figures(db)


def rebuild_year_figures(db: sqlite_utils.Database) -> None:
    """File every report's official figures again, from the statistics (on upgrade, or after
    a bulk copy that bypassed the triggers): one pass over the statistics' look-up index,
    sorted once into the table's order.  The summary is summed again after it, without its
    triggers marking each row removed (millions at 100,000 reports)."""
    summarised = "year_summary" in db.table_names()
    for name in YEAR_SUMMARY_TRIGGERS:
        db.execute(f"DROP TRIGGER IF EXISTS {name}")
    db.execute("DELETE FROM year_figures")
    db.execute("DELETE FROM year_figures_pending")
    db.execute(
        f"""INSERT INTO year_figures {_FILED_ROWS.format(where="")} ORDER BY 1, 2, 3, 4, 5"""
    )
    if summarised:
        ensure_year_summary(db, rebuild=True)


# The official row of each key of the reports chosen by {where} (a clause on statistics, or
# nothing for all reports), in one pass: what year_figures holds for them.
_FILED_ROWS = """SELECT f.key AS key, r.year AS year, coalesce(r.level, '') AS level,
                          coalesce(r.template, 'unknown') AS template, r.id AS report_id,
                          r.unit AS unit, f.value AS value, f.measure AS measure
                   FROM (SELECT report_id, key, value, measure, row_number() OVER (
                             PARTITION BY report_id, key ORDER BY official DESC, id) AS place
                         FROM statistics {where}) AS f
                   JOIN reports r ON r.id = f.report_id
                   WHERE f.place = 1"""


def file_pending_figures(db: sqlite_utils.Database, rank: bool = True) -> int:
    """File the figures of the reports waiting in ``year_figures_pending``, in one
    transaction, sorted into the table's order: each page of the table is written once for
    them all, not once per report.  Their figures are added to ``year_summary``, the ranges
    marked stale since are summed again, and (``rank``, at the end of an ingest) the ranges
    changed are ranked again.  Returns how many reports were filed."""
    with writing(db):
        summarised = "year_summary" in db.table_names()
        waiting = db.execute("SELECT count(*) FROM year_figures_pending").fetchone()[0]
        if waiting:
            where = "WHERE report_id IN (SELECT report_id FROM year_figures_pending)"
            db.execute("DROP TABLE IF EXISTS temp.filing")
            db.execute(f"CREATE TEMP TABLE filing AS {_FILED_ROWS.format(where=where)}")
            db.execute(
                "CREATE INDEX temp.filing_range ON filing (key, year, level, template, value)"
            )
            db.execute(
                "INSERT OR REPLACE INTO year_figures SELECT * FROM filing ORDER BY 1, 2, 3, 4, 5"
            )
            if summarised:
                add_to_summary(db, "temp.filing")
            db.execute("DROP TABLE temp.filing")
            db.execute("DELETE FROM year_figures_pending")
        if summarised:
            settle_year_summary(db)
            if rank:
                rank_year_summary(db)
    return int(waiting)


def figures_waiting(conn: sqlite3.Connection) -> bool:
    """Whether some report's figures are not filed in ``year_figures`` yet (a database
    without the waiting list files each report as it is written)."""
    try:
        # the largest key is one look-up; any row would be a scan, small as the table is
        row = conn.execute("SELECT max(report_id) FROM year_figures_pending").fetchone()
    except sqlite3.OperationalError:
        return False
    return row[0] is not None


def _ensure_findings(db: sqlite_utils.Database, version: int) -> None:
    """Version 4: the findings table; the reports already loaded are reviewed on upgrade."""
    if "findings" in db.table_names():
        return
    db.table("findings").create(
        FINDING_COLUMNS,
        pk="id",
        foreign_keys=[
            ("report_id", "reports", "id"),
            ("other_report_id", "reports", "id"),
            ("passage_id", "passages", "id"),
        ],
    )
    db.table("findings").create_index(["report_id"])
    db.table("findings").create_index(["other_report_id"])
    db.table("findings").create_index(["unit", "year"])
    if 0 < version < 4:
        from ingest.review import refresh_all

        refresh_all(db)


def _ensure_generation(db: sqlite_utils.Database) -> None:
    """Version 5: the generation counter and the triggers that raise it."""
    db.execute("CREATE TABLE IF NOT EXISTS db_state (key TEXT PRIMARY KEY, value INTEGER)")
    db.execute("INSERT OR IGNORE INTO db_state (key, value) VALUES ('generation', 1)")
    db.execute(
        "INSERT OR IGNORE INTO db_state (key, value) VALUES ('database_id', ?)",
        [secrets.randbits(62)],
    )
    for event in ("INSERT", "UPDATE", "DELETE"):
        db.execute(
            f"CREATE TRIGGER IF NOT EXISTS reports_generation_{event.lower()} "
            f"AFTER {event} ON reports BEGIN "
            "UPDATE db_state SET value = value + 1 WHERE key = 'generation'; END"
        )


def database_id(conn: sqlite3.Connection) -> int | None:
    """The number drawn when this database was made (None: from before version 7)."""
    return _state_value(conn, "database_id")


def _ensure_identity(db: sqlite_utils.Database, version: int) -> None:
    """Version 3: the identity columns and tables; old databases get their units built."""
    from ingest.units import ensure_tables, rebuild_units

    columns = db.table("reports").columns_dict
    for name in ("matched", "names"):
        if name not in columns:
            db.table("reports").add_column(name, str)
    if "report_history" not in db.table_names():
        db.table("report_history").create(HISTORY_COLUMNS, pk="id")
    ensure_tables(db)
    if 0 < version < 3:
        rebuild_units(db)


def _relink_statistics(db: sqlite_utils.Database) -> None:
    """Version 1 linked a table row's statistics to the passage before the row (the row's
    leading tab sat in the gap between passages): point each at the nearest passage of its
    report from there on that holds the first line of its evidence."""
    rows = list(
        db.query(
            "SELECT s.id, s.report_id, s.passage_id, s.evidence, p.ord FROM statistics s "
            "JOIN passages p ON p.id = s.passage_id"
        )
    )
    with db.atomic():
        for row in rows:
            lines = (row["evidence"] or "").strip().splitlines()
            if not lines:
                continue
            better = next(
                iter(
                    db.query(
                        "SELECT id FROM passages WHERE report_id = ? AND ord >= ? "
                        "AND instr(text, ?) > 0 ORDER BY ord LIMIT 1",
                        [row["report_id"], row["ord"], lines[0].strip()],
                    )
                ),
                None,
            )
            if better and better["id"] != row["passage_id"]:
                db.execute(
                    "UPDATE statistics SET passage_id = ? WHERE id = ?", [better["id"], row["id"]]
                )


def delete_report(db: sqlite_utils.Database, report_id: int, reason: str = "") -> None:
    """Remove a report and everything that hangs off it (call inside ``db.atomic()``).

    With a ``reason`` the report's file and counts are kept in ``report_history``.
    """
    if reason:
        _remember(db, report_id, reason)
    db.execute(
        "DELETE FROM findings WHERE report_id = ? OR other_report_id = ?", [report_id, report_id]
    )
    for table in ("conflicts", "checks", "row_problems", "statistics", "passages"):
        db.execute(f"DELETE FROM {table} WHERE report_id = ?", [report_id])
    db.execute("DELETE FROM reports WHERE id = ?", [report_id])


def _remember(db: sqlite_utils.Database, report_id: int, reason: str) -> None:
    from datetime import UTC, datetime

    row = next(
        iter(
            db.query(
                """SELECT unit, year, source_file, source_path, sha256, format, ingested_at,
                          (SELECT count(*) FROM passages p WHERE p.report_id = r.id) AS passages,
                          (SELECT count(*) FROM statistics s WHERE s.report_id = r.id)
                          AS statistics
                   FROM reports r WHERE id = ?""",
                [report_id],
            )
        ),
        None,
    )
    if row is not None:
        row["ended_at"] = datetime.now(UTC).isoformat(timespec="seconds")
        row["reason"] = reason
        db.table("report_history").insert(row)


# What the corpus holds, counted one way for /stats, the ingest summary and `nianbao reports`:
# every statistics row counts, "not given" cells too (the report states them).
COUNTS_SQL = """SELECT (SELECT count(*) FROM reports) AS reports,
                       (SELECT count(DISTINCT unit) FROM reports) AS units,
                       (SELECT count(*) FROM passages) AS passages,
                       (SELECT count(*) FROM statistics) AS statistics,
                       (SELECT count(*) FROM conflicts) AS conflicts,
                       (SELECT count(*) FROM checks) AS failed_checks,
                       (SELECT max(ingested_at) FROM reports) AS last_ingest"""


def corpus_counts(db: sqlite_utils.Database) -> dict:
    """Reports, units, passages, statistics, conflicts, failed checks and the last ingest."""
    return dict(next(iter(db.query(COUNTS_SQL))))


# What the corpus holds, as far as an index counts it in milliseconds at any size: the end
# of an ingest (which states what it stored itself) must not scan millions of passages and
# statistics, nor every report for the latest ingest time, to add one report.
TOTALS_SQL = """SELECT (SELECT count(*) FROM reports) AS reports,
                       (SELECT count(DISTINCT unit) FROM reports) AS units,
                       (SELECT count(*) FROM conflicts) AS conflicts,
                       (SELECT count(*) FROM checks) AS failed_checks"""


def corpus_totals(db: sqlite_utils.Database) -> dict:
    """Reports, units, conflicts and failed checks, counted exactly as ``corpus_counts``."""
    return dict(next(iter(db.query(TOTALS_SQL))))
