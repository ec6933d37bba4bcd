"""From report files to rows in the database, one report per transaction.

``prepare`` does all the reading and parsing without touching the database;
``store`` writes one prepared report atomically.  A bad file becomes a
``refused`` outcome with a reason and never stops the files after it.
"""

from __future__ import annotations

import bisect
import contextlib
import errno
import hashlib
import json
import sqlite3
import tomllib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Literal

import sqlite_utils

from ingest.chrome import find_chrome
from ingest.discovery import SIDECAR_SUFFIX, discover, storable
from ingest.metadata import (
    ReportMeta,
    detect_metadata,
    organisation_problem,
    same_unit_names,
    split_region,
    strip_official,
    unit_level,
)
from ingest.passages import PassageDraft, section_spans, split_passages
from ingest.readers import DEFAULT_MAX_BYTES, RawReport, RefusedFile, read_report
from ingest.reasons import Code, Reason, Value
from ingest.review import refresh_findings
from ingest.statistics import Extraction, extract_statistics
from ingest.store import delete_report, file_pending_figures, writing
from ingest.tables import find_tables
from ingest.template import detect_template
from ingest.text import fold
from ingest.units import canonical, identify, refresh_unit, rename_unit
from ingest.workers import DEFAULT_LIMITS, Job, Limits, PassageHook, prepared_in_order

MIN_YEAR, MAX_YEAR = 1990, 2100
SIDECAR_FIELDS = ("unit", "unit_full", "year", "published", "level", "parent", "title")
Status = Literal["added", "updated", "corrected", "unchanged", "duplicate", "refused"]


@dataclass
class FileOutcome:
    """What happened to one file; the summary and the exit status are built from these.

    ``why`` is the reason for a refusal, a duplicate, a replacement or a correction, as a code
    with its values for a front end to phrase; ``reason`` is its English line.
    """

    path: Path
    status: Status
    why: Reason | None = None
    report_id: int | None = None
    unit: str | None = None
    year: int | None = None
    template: str = ""
    passages: int = 0
    statistics: int = 0
    conflicts: int = 0
    failed_checks: int = 0
    skipped: int = 0
    warnings: list[Reason] = field(default_factory=list)
    ambiguous: int = 0
    stops_run: bool = False  # the database could not be written: the run ends here
    previous: str = ""  # a corrected report's unit and year before the correction

    @property
    def reason(self) -> str:
        """The reason in English, as the command line prints it ('' when there is none)."""
        return self.why.text if self.why else ""


@dataclass
class PreparedReport:
    """A report fully parsed in memory, ready to be written in one transaction."""

    path: Path
    raw: RawReport
    meta: ReportMeta
    template: str
    sha256: str
    content_hash: str
    passages: list[PassageDraft]
    extraction: Extraction
    warnings: list[Reason] = field(default_factory=list)
    supplied: dict = field(default_factory=dict)  # metadata given by option, caption or sidecar
    extras: object = None  # what a ``PassageHook`` prepared in the worker (passage tokens)


class MissingMetadata(RefusedFile):
    """The text does not say which unit or year the report is for."""


def _sidecar(path: Path) -> dict:
    sidecar = path.with_name(path.name + SIDECAR_SUFFIX)
    if not sidecar.is_file():
        return {}
    try:
        data = tomllib.loads(sidecar.read_text("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise RefusedFile(
            Code.SIDECAR_INVALID,
            "sidecar {sidecar} is not valid TOML: {error}",
            sidecar=sidecar.name,
            error=str(exc),
        ) from exc
    supplied = {k: v for k, v in data.items() if k in SIDECAR_FIELDS}
    problem = _override_problem(supplied, sidecar.name)
    if problem:
        raise RefusedFile(problem)
    return supplied


def _override_problem(supplied: dict, sidecar: str = "") -> Reason | None:
    """Why supplied metadata cannot be used (a year of 2018年, an empty unit), or None;
    ``sidecar`` names the file it came from, '' for an option or a caption."""
    source = "sidecar {sidecar}: " if sidecar else ""
    year = supplied.get("year")
    if year is not None and (
        isinstance(year, bool) or not isinstance(year, int) or not MIN_YEAR <= year <= MAX_YEAR
    ):
        return Reason.of(
            Code.YEAR_INVALID,
            source + "year must be a number from {low} to {high}, e.g. year = 2018 (got {given})",
            given=repr(year),
            low=MIN_YEAR,
            high=MAX_YEAR,
            sidecar=sidecar,
        )
    unit = supplied.get("unit")
    if unit is not None and (not isinstance(unit, str) or not "".join(unit.split())):
        return Reason.of(
            Code.UNIT_INVALID,
            source + 'unit must be a name, e.g. unit = "南湖镇" (got {given})',
            given=repr(unit),
            sidecar=sidecar,
        )
    if isinstance(unit, str) and (why := organisation_problem("".join(unit.split()))):
        return Reason.of(
            Code.UNIT_NOT_ORGANISATION,
            source + "unit must name an organisation, e.g. 南湖镇 or 东城县民政局 "
            "({problem}: {unit!r})",
            unit=unit,
            problem=why,
            sidecar=sidecar,
        )
    for name in ("unit_full", "published", "level", "parent", "title"):
        if name in supplied and not isinstance(supplied[name], str):
            return Reason.of(
                Code.FIELD_NOT_TEXT,
                source + "{field} must be text (got {given})",
                field=name,
                given=repr(supplied[name]),
                sidecar=sidecar,
            )
    return None


def _apply_overrides(meta: ReportMeta, supplied: dict, how: str) -> tuple[ReportMeta, list[Reason]]:
    """The detected metadata with the supplied values in place, and warnings where the text
    says otherwise: an override always wins, but a contradiction is worth a line."""
    if not supplied:
        return meta, []
    warnings = []
    detected = meta
    meta = replace(meta, **supplied)
    if "unit" in supplied:
        given = strip_official("".join(str(supplied["unit"]).split()))
        parent, unit = split_region(given)
        meta = replace(
            meta,
            unit=unit,
            unit_full=supplied.get("unit_full"),
            parent=supplied.get("parent", parent or detected.parent),
            level=supplied.get("level", unit_level(unit)),
            matched=how,
            names=(),
        )
        if detected.unit and not same_unit_names(detected.unit, unit):
            warnings.append(
                Reason.of(
                    Code.UNIT_OVERRIDDEN,
                    "the text names the unit {named}, used {unit} as given",
                    named=detected.unit,
                    unit=unit,
                )
            )
    if "year" in supplied:
        year = int(supplied["year"])
        meta = replace(meta, year=year)
        if detected.year and detected.year != year:
            warnings.append(
                Reason.of(
                    Code.YEAR_OVERRIDDEN,
                    "the text reports on {reported}, used {year} as given",
                    reported=detected.year,
                    year=year,
                )
            )
    return meta, warnings


def prepare(
    path: Path,
    unit: str | None = None,
    year: int | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> PreparedReport:
    """Read and parse one file; raises RefusedFile (with a reason) for anything unusable."""
    raw = read_report(path, max_bytes=max_bytes)
    supplied = _sidecar(path)
    how = "sidecar" if supplied else ""
    if unit:
        supplied["unit"] = unit
        how = "option"
    if year:
        supplied["year"] = year
        how = how or "option"
    problem = _override_problem(supplied)
    if problem:
        raise RefusedFile(problem)
    meta, warnings = _apply_overrides(detect_metadata(raw.text), supplied, how)
    missing = tuple(name for name in ("unit", "year") if getattr(meta, name) is None)
    if missing:
        raise MissingMetadata(_missing(meta, missing, path))
    template = detect_template(raw.text, meta.year)
    chrome = find_chrome(raw.text)
    report_text = chrome.blank(raw.text)
    tables = find_tables(report_text)
    passages = split_passages(raw.text, tables, skip=chrome.spans)
    extraction = extract_statistics(report_text, template, section_spans(passages), tables=tables)
    return PreparedReport(
        path=path,
        raw=raw,
        meta=meta,
        template=template,
        sha256=hashlib.sha256(path.read_bytes()).hexdigest(),
        content_hash=hashlib.sha256(fold(raw.text).encode("utf-8")).hexdigest(),
        passages=passages,
        extraction=extraction,
        warnings=warnings,
        supplied=supplied,
    )


_MISSING = {
    ("unit",): Code.MISSING_UNIT,
    ("year",): Code.MISSING_YEAR,
    ("unit", "year"): Code.MISSING_UNIT_AND_YEAR,
}


def _missing(meta: ReportMeta, missing: tuple[str, ...], path: Path) -> Reason:
    """Which of unit and year the text does not say, with the words it uses in place of a
    unit's name (我乡), and how to supply them."""
    hints = {"unit": "发布单位 (--unit NAME)", "year": "report year (--year YYYY)"}
    english = "could not find the " + " and the ".join(hints[m] for m in missing) + " in the text"
    params: dict[str, Value] = {"file": path.name}
    if "unit" in missing:
        refused = meta.refused[:3]
        params["named"] = "; ".join(refused)
        params["names"] = "、".join(r.split(" (")[0] for r in refused)
        if refused:
            english += " (the text names it only as {named})"
    english += "; pass the option or write {file}" + SIDECAR_SUFFIX + " next to it, "
    english += 'e.g. unit = "南湖镇" and year = 2018'
    return Reason.of(_MISSING[missing], english, **params)


def _first_char(evidence: str, start: int) -> int:
    """Offset of the evidence's first visible character: a table row's cells start with tabs
    and line ends that belong to the gap before its passage, not to the passage before."""
    return start + len(evidence) - len(evidence.lstrip())


def _passage_for(starts: list[int], ids: list[int], offset: int) -> int | None:
    i = bisect.bisect_right(starts, offset) - 1
    return ids[i] if i >= 0 else None


def store(
    db: sqlite_utils.Database,
    report: PreparedReport,
    replaces: int | None = None,
    renames: str | None = None,
    reason: str = "",
    hook: PassageHook | None = None,
) -> int:
    """Write one report in a single transaction.

    ``replaces`` is the id of a report it takes the place of (kept in the history with
    ``reason``); ``renames`` a unit whose reports join this report's unit name (a fuller
    spelling of the same unit).  The unit's identity row is rebuilt in the same transaction,
    and so is what ``hook`` keeps for the passages (their tokens).
    """
    meta = report.meta
    unit = meta.unit
    assert unit is not None, "prepare refuses a report whose unit is not known"
    with db.atomic():
        touched = {unit}
        if replaces is not None:
            touched |= {
                r["unit"] for r in db.query("SELECT unit FROM reports WHERE id = ?", [replaces])
            }
            delete_report(db, replaces, reason=reason or f"replaced by {report.path.name}")
        if renames is not None:
            rename_unit(db, renames, unit)
        report_id = _insert(
            db,
            "reports",
            {
                "unit": meta.unit,
                "unit_full": meta.unit_full,
                "year": meta.year,
                "published": meta.published,
                "level": meta.level,
                "parent": meta.parent,
                "title": meta.title,
                "source_file": storable(report.path.name),
                "source_path": _source_path(report.path),
                "sha256": report.sha256,
                "content_hash": report.content_hash,
                "encoding": report.raw.encoding,
                "format": report.raw.format,
                "template": report.template,
                "text": report.raw.text,
                "ingested_at": datetime.now(UTC).isoformat(timespec="seconds"),
                "matched": meta.matched,
                "names": json.dumps(list(meta.names), ensure_ascii=False),
            },
        )
        passage_ids = [
            _insert(
                db,
                "passages",
                {"report_id": report_id, **{k: getattr(p, k) for k in _PASSAGE_FIELDS}},
            )
            for p in report.passages
        ]
        starts = [p.start for p in report.passages]
        stat_ids = [
            _insert(
                db,
                "statistics",
                {
                    "report_id": report_id,
                    "key": s.key,
                    "value": s.value,
                    "measure": s.measure,
                    "source": s.source,
                    "label": s.label,
                    "evidence": s.evidence,
                    "passage_id": _passage_for(
                        starts, passage_ids, _first_char(s.evidence, s.start)
                    ),
                    "rule": s.rule,
                    "official": int(s.official),
                },
            )
            for s in report.extraction.statistics
        ]
        _insert_many(
            db,
            "conflicts",
            [
                {
                    "report_id": report_id,
                    "key": report.extraction.statistics[a].key,
                    "official_id": stat_ids[a],
                    "other_id": stat_ids[b],
                }
                for a, b in report.extraction.conflicts
            ],
        )
        _insert_many(
            db,
            "checks",
            [
                {
                    "report_id": report_id,
                    "name": c.name,
                    "expected": c.expected,
                    "actual": c.actual,
                    "detail": c.detail,
                }
                for c in report.extraction.checks
            ],
        )
        _insert_many(
            db,
            "row_problems",
            [
                {
                    "report_id": report_id,
                    "kind": p.kind,
                    "table_name": p.table,
                    "label": p.label,
                    "evidence": p.evidence,
                    "start": p.start,
                    "end": p.end,
                    "columns": p.columns,
                    "found": p.found,
                    "keys": json.dumps(list(p.keys), ensure_ascii=False),
                    "readings": json.dumps([list(r) for r in p.readings]),
                }
                for p in report.extraction.problems
            ],
        )
        # A renamed unit's findings carry the old name: review it whole.  Otherwise only
        # this report is new to the units it touches.
        changed = None if renames is not None else {report_id}
        for name in touched:
            refresh_unit(db, name)
            refresh_findings(db, name, changed=changed)
        if hook is not None:
            hook.store(db, report, passage_ids)
    return report_id


def _source_path(path: Path) -> str:
    return storable(str(path.resolve()))


_PASSAGE_FIELDS = ("ord", "kind", "section", "text", "norm", "start", "end")


@lru_cache(maxsize=64)
def _insert_sql(table: str, columns: tuple[str, ...]) -> str:
    names = ", ".join(f'"{c}"' for c in columns)
    marks = ", ".join("?" for _ in columns)
    return f"INSERT INTO {table} ({names}) VALUES ({marks})"


def _insert(db: sqlite_utils.Database, table: str, row: dict) -> int:
    """Insert a row with one plain statement (a report writes thousands); its id."""
    cursor = db.conn.execute(_insert_sql(table, tuple(row)), list(row.values()))
    assert cursor.lastrowid is not None
    return int(cursor.lastrowid)


def _insert_many(db: sqlite_utils.Database, table: str, rows: list[dict]) -> None:
    if rows:
        db.conn.executemany(_insert_sql(table, tuple(rows[0])), [list(r.values()) for r in rows])


def _existing(db: sqlite_utils.Database, sql: str, params: list) -> dict | None:
    rows = list(db.query(sql, params))
    return rows[0] if rows else None


def ingest_file(
    db: sqlite_utils.Database,
    path: Path,
    unit: str | None = None,
    year: int | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    replace_older: bool = False,
) -> FileOutcome:
    """Ingest one file in this process; every failure becomes a refused outcome."""
    _, prepared = next(prepared_in_order([Job(path, unit=unit, year=year, max_bytes=max_bytes)]))
    outcome = commit(db, path, prepared, replace_older=replace_older)
    _file_figures(db)
    return outcome


def commit(
    db: sqlite_utils.Database,
    path: Path,
    prepared: PreparedReport | Reason,
    replace_older: bool = False,
    hook: PassageHook | None = None,
) -> FileOutcome:
    """Store a prepared report (or record why the file was refused); never an exception.

    A file already loaded is unchanged, unless metadata is supplied for it (option, caption
    or sidecar) that differs from what is stored: then the stored report is corrected.  A
    different file for a unit and year already loaded replaces that report only when it is
    at least as complete (statistics and passages) or ``replace_older`` is set; the same
    report in another form (a saved page and its copied text) is kept in the form with more
    statistics.  When the database cannot be written (a full disk) the outcome says so and
    ``stops_run`` is set: the files after it would fail alike.
    """
    if isinstance(prepared, Reason):
        return FileOutcome(path, "refused", why=prepared)
    try:
        with writing(db):
            return _commit(db, path, prepared, replace_older, hook)
    except (sqlite3.Error, OSError) as exc:
        if hook is not None:
            hook.forget()  # what it cached of this transaction was rolled back
        cause, stops = write_failure(exc)
        why = cause.followed_by("; nothing of this file was stored")
        return FileOutcome(path, "refused", why=why, stops_run=stops)


def write_failure(exc: BaseException) -> tuple[Reason, bool]:
    """(what went wrong writing, in a few words; whether the writes after it would fail
    alike, so the run should stop)."""
    text = " ".join(str(exc).split()) or type(exc).__name__
    lowered = text.lower()
    number = getattr(exc, "errno", None)
    if "full" in lowered or number in (errno.ENOSPC, errno.EDQUOT):
        code, english, stops = Code.DISK_FULL, "the disk is full ({error})", True
    elif "readonly" in lowered or "read-only" in lowered or number == errno.EROFS:
        code, english, stops = Code.DB_READ_ONLY, "the database cannot be written ({error})", True
    elif "locked" in lowered or "busy" in lowered:
        english = "the database stayed busy: another process kept writing ({error})"
        code, stops = Code.DB_BUSY, False
    else:
        code, english, stops = Code.DB_WRITE_FAILED, "could not write the database ({error})", True
        text = f"{type(exc).__name__}: {text}"
    return Reason.of(code, english, error=text), stops


def _commit(
    db: sqlite_utils.Database,
    path: Path,
    report: PreparedReport,
    replace_older: bool,
    hook: PassageHook | None,
) -> FileOutcome:
    name, renames = canonical(db, report.meta.unit or "")
    report.meta = replace(report.meta, unit=name)
    outcome = FileOutcome(
        path,
        "added",
        unit=report.meta.unit,
        year=report.meta.year,
        template=report.template,
        passages=len(report.passages),
        statistics=len(report.extraction.statistics),
        conflicts=len(report.extraction.conflicts),
        failed_checks=len(report.extraction.checks),
        skipped=report.extraction.skipped,
        warnings=list(report.warnings),
        ambiguous=sum(1 for p in report.extraction.problems if p.kind == "ambiguous"),
    )
    source_path = _source_path(path)
    same = _existing(
        db,
        "SELECT id, unit, year, source_path, source_file FROM reports "
        "WHERE sha256 = ? OR content_hash = ?",
        [report.sha256, report.content_hash],
    )
    if same:
        outcome.report_id = same["id"]
        if report.supplied and (same["unit"], same["year"]) != (name, report.meta.year):
            return _correct(db, report, same, outcome, renames)
        outcome.unit, outcome.year = same["unit"], same["year"]
        if same["source_path"] == source_path:
            outcome.status = "unchanged"
        else:
            outcome.status = "duplicate"
            outcome.why = Reason.of(
                Code.SAME_REPORT, "same report as {file}", file=same["source_file"]
            )
        return outcome
    older = _existing(
        db,
        "SELECT id, source_file, source_path, format, unit, year, "
        "(SELECT count(*) FROM statistics s WHERE s.report_id = r.id) AS statistics, "
        "(SELECT count(*) FROM passages p WHERE p.report_id = r.id) AS passages "
        "FROM reports r WHERE source_path = ? OR (unit = ? AND year = ?) "
        "ORDER BY source_path = ? DESC",
        [source_path, name, report.meta.year, source_path],
    )
    if older and older["source_path"] != source_path:
        outcome.status, outcome.why = _replacement(report, older, replace_older)
        if outcome.status != "updated":
            outcome.report_id = older["id"]
            return outcome
    elif older:
        outcome.status = "updated"
        outcome.why = Reason.of(
            Code.NEW_VERSION, "new version of {file}", file=older["source_file"]
        )
    outcome.report_id = store(
        db,
        report,
        replaces=older["id"] if older else None,
        renames=renames,
        reason=f"replaced by {storable(path.name)}" if older else "",
        hook=hook,
    )
    return outcome


# The loaded report and this file, as the reasons for replacing one by the other name them.
_OLD = "{file} ({statistics} statistics, {passages} passages)"
_NEW = "({new_statistics} statistics, {new_passages} passages)"


def _replacement(report: PreparedReport, older: dict, forced: bool) -> tuple[Status, Reason]:
    """(status, reason) for a file that claims a unit and year another file already holds."""
    new_stats, new_passages = len(report.extraction.statistics), len(report.passages)
    old: dict[str, Value] = {
        "file": older["source_file"],
        "statistics": older["statistics"],
        "passages": older["passages"],
    }
    new: dict[str, Value] = {"new_statistics": new_stats, "new_passages": new_passages}
    if report.raw.format != older["format"]:
        form = {"format": report.raw.format}
        if forced or new_stats > older["statistics"]:
            return "updated", Reason.of(
                Code.OTHER_FORM_REPLACES,
                "same report as "
                + _OLD
                + " in another form; this {format} "
                + _NEW
                + " has more statistics and replaces it",
                **old,
                **form,
                **new,
            )
        return "duplicate", Reason.of(
            Code.OTHER_FORM_KEPT,
            "same report as " + _OLD + " in another form, which has at least as many "
            "statistics as this {format} " + _NEW + "; kept {file}",
            **old,
            **form,
            **new,
        )
    if forced:
        return "updated", Reason.of(Code.REPLACES_AS_ASKED, "replaces " + _OLD + " as asked", **old)
    if new_stats >= older["statistics"] and new_passages >= older["passages"]:
        return "updated", Reason.of(Code.REPLACES, "replaces " + _OLD, **old)
    return "refused", Reason.of(
        Code.LESS_COMPLETE,
        "{unit} {year} is already loaded from "
        + _OLD
        + ", and this file is less complete "
        + _NEW
        + "; pass --replace (in the bot: the caption replace) to replace it",
        unit=older["unit"],
        year=older["year"],
        **old,
        **new,
    )


def _correct(
    db: sqlite_utils.Database,
    report: PreparedReport,
    same: dict,
    outcome: FileOutcome,
    renames: str | None,
) -> FileOutcome:
    """Apply supplied metadata to the stored copy of this report, unless that would silently
    take the place of another report."""
    meta = report.meta
    unit, year = meta.unit, meta.year
    assert unit is not None and year is not None, "prepare refuses a report without them"
    clash = _existing(
        db,
        "SELECT source_file FROM reports WHERE unit = ? AND year = ? AND id != ?",
        [unit, year, same["id"]],
    )
    if clash:
        outcome.status = "refused"
        outcome.why = Reason.of(
            Code.CORRECTION_CLASH,
            "{unit} {year} is already loaded from {file}; "
            "remove it first: nianbao remove --unit {unit} --year {year}",
            unit=unit,
            year=year,
            file=clash["source_file"],
        )
        return outcome
    with db.atomic():
        if renames is not None:
            rename_unit(db, renames, unit)
        db.table("reports").update(
            same["id"],
            {
                "unit": meta.unit,
                "unit_full": meta.unit_full,
                "year": meta.year,
                "level": meta.level,
                "parent": meta.parent,
                "matched": meta.matched,
                "names": json.dumps(list(meta.names), ensure_ascii=False),
            },
        )
        for name in {same["unit"], unit}:
            refresh_unit(db, name)
            refresh_findings(db, name)
    outcome.status = "corrected"
    outcome.previous = f"{same['unit']} {same['year']}"
    outcome.why = Reason.of(
        Code.CORRECTED, "was {unit} {year}", unit=same["unit"], year=same["year"]
    )
    return outcome


def remove_reports(
    db: sqlite_utils.Database,
    unit: str | None = None,
    year: int | None = None,
    path: Path | None = None,
) -> list[dict]:
    """Remove the reports of a unit (any of its names; all years or one) or of a file.

    Returns the removed reports (unit, year, source_file); each is kept in the history.
    """
    clauses: list[str] = []
    params: list[str | int] = []
    if unit:
        name = identify(db, unit) or unit
        clauses.append("unit = ?")
        params.append(name)
    if year:
        clauses.append("year = ?")
        params.append(year)
    if path is not None:
        clauses.append("(source_path = ? OR source_file = ?)")
        params.extend([_source_path(path), storable(path.name)])
    if not clauses:
        return []
    rows = list(
        db.query(
            f"SELECT id, unit, year, source_file FROM reports WHERE {' AND '.join(clauses)} "
            "ORDER BY unit, year",
            params,
        )
    )
    with writing(db):
        for row in rows:
            delete_report(db, row["id"], reason="removed")
        for name in {row["unit"] for row in rows}:
            refresh_unit(db, name)
            refresh_findings(db, name)
    if rows:
        _file_figures(db)  # the totals of the years they leave are summed again
    return rows


class Outcomes(list[FileOutcome]):
    """The outcome of every entry of a run, in order; ``stopped`` says why the run ended early
    (the database could not be written), with how many files were not tried; ``notes`` are
    other lines for the end of the run (the index could not be refreshed)."""

    def __init__(self) -> None:
        super().__init__()
        self.stopped = ""
        self.notes: list[Reason] = []


def ingest_paths(
    db: sqlite_utils.Database,
    paths: Iterable[Path],
    unit: str | None = None,
    year: int | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    on_outcome: Callable[[FileOutcome], None] | None = None,
    replace_older: bool = False,
    workers: int = 0,
    limits: Limits = DEFAULT_LIMITS,
    follow_links: bool = False,
    hook: PassageHook | None = None,
) -> Outcomes:
    """Ingest every file under the given paths; one outcome per entry, in order.

    Files are parsed by ``workers`` processes under ``limits`` (0: in this process, no
    limits) and stored here one by one, each report in its own transaction, in the order
    found.  ``on_outcome`` hears of each file as soon as it is stored.
    """
    outcomes = Outcomes()
    entries = list(discover(paths, follow_links=follow_links))
    readable = [e for e in entries if e.refusal is None]
    prepared = prepared_in_order(
        (Job(e.path, unit=unit, year=year, max_bytes=max_bytes) for e in readable),
        workers=min(workers, len(readable)),  # a worker more than files only costs its start
        limits=limits,
        hook=hook,
    )
    try:
        for entry in entries:
            if entry.refusal is not None:
                outcome = FileOutcome(entry.path, "refused", why=entry.refusal)
            else:
                job, result = next(prepared)
                outcome = commit(db, job.path, result, replace_older=replace_older, hook=hook)
                if len(outcomes) % FILE_FIGURES_EVERY == FILE_FIGURES_EVERY - 1:
                    _file_figures(db, rank=False)
            outcomes.append(outcome)
            if on_outcome:
                on_outcome(outcome)
            if outcome.stops_run:
                left = len(entries) - len(outcomes)
                untried = f"; {left} files not tried" if left else ""
                outcomes.stopped = (
                    f"stopped at {storable(entry.path.name)}{untried}: the reports stored before "
                    "it are kept. Fix the cause above and run again"
                )
                break
    finally:
        prepared.close()
        _file_figures(db)
    return outcomes


# Reports stored between filings of their figures for year-wide answers.  A filing writes each
# page of year_figures its rows land on once, whatever their number: at 10,000 reports filing
# every 300 cost 3.3 ms per report, every 1,200 1.3 ms (and 100,000 reports make each page
# costlier).  Meanwhile year-wide answers read the waiting reports one by one.
FILE_FIGURES_EVERY = 2000


def _file_figures(db: sqlite_utils.Database, rank: bool = True) -> None:
    """File the stored reports' figures for year-wide answers (``file_pending_figures``;
    ``rank`` False within a run: rankings are summarised once, at its end); a database that
    cannot be written now leaves them waiting for the next ingest, and answers read the
    reports one by one meanwhile."""
    with contextlib.suppress(sqlite3.Error, OSError):
        file_pending_figures(db, rank=rank)
