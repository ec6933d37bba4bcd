"""From report files to rows in the database, one report per transaction.

``prepare`` does all the reading and parsing without touching the database;
``store`` writes one prepared report atomically.  A bad file becomes a
``refused`` outcome with a reason and never stops the files after it.
"""

from __future__ import annotations

import bisect
import hashlib
import json
import tomllib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path

import sqlite_utils

from ingest.metadata import ReportMeta, detect_metadata, split_region, unit_level
from ingest.normalise import fold
from ingest.passages import PassageDraft, section_spans, split_passages
from ingest.readers import DEFAULT_MAX_BYTES, RawReport, RefusedFile, read_report
from ingest.statistics import Extraction, extract_statistics
from ingest.store import delete_report
from ingest.tables import find_tables
from ingest.template import detect_template

SIDECAR_SUFFIX = ".meta.toml"
SIDECAR_FIELDS = ("unit", "unit_full", "year", "published", "level", "parent", "title")


@dataclass
class FileOutcome:
    """What happened to one file; the summary and the exit status are built from these."""

    path: Path
    status: str  # added, updated, unchanged, duplicate, refused
    reason: str = ""
    report_id: int | None = None
    unit: str | None = None
    year: int | None = None
    template: str = ""
    passages: int = 0
    statistics: int = 0
    conflicts: int = 0
    failed_checks: int = 0
    skipped: int = 0
    ambiguous: int = 0


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
    warnings: list[str] = field(default_factory=list)


class MissingMetadata(RefusedFile):
    """The text does not say which unit or year the report is for."""


def discover(paths: Iterable[Path]) -> Iterator[Path]:
    """Files under the given paths (folders recursively, sorted); sidecars and hidden skipped."""
    for path in paths:
        if path.is_dir():
            for child in sorted(path.rglob("*")):
                relative = child.relative_to(path)
                hidden = any(p.startswith(".") for p in relative.parts)
                if child.is_file() and not hidden and not child.name.endswith(SIDECAR_SUFFIX):
                    yield child
        else:
            yield path


def _sidecar(path: Path) -> dict:
    sidecar = path.with_name(path.name + SIDECAR_SUFFIX)
    if not sidecar.is_file():
        return {}
    try:
        data = tomllib.loads(sidecar.read_text("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise RefusedFile(f"sidecar {sidecar.name} is not valid TOML: {exc}") from exc
    return {k: v for k, v in data.items() if k in SIDECAR_FIELDS}


def _apply_overrides(meta: ReportMeta, supplied: dict) -> ReportMeta:
    if not supplied:
        return meta
    meta = replace(meta, **supplied)
    if "unit" in supplied:
        parent, unit = split_region(str(supplied["unit"]))
        meta = replace(
            meta,
            unit=unit,
            parent=supplied.get("parent", parent or meta.parent),
            level=supplied.get("level", unit_level(unit)),
        )
    if "year" in supplied:
        meta = replace(meta, year=int(supplied["year"]))
    return meta


def prepare(
    path: Path,
    unit: str | None = None,
    year: int | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> PreparedReport:
    """Read and parse one file; raises RefusedFile (with a reason) for anything unusable."""
    raw = read_report(path, max_bytes=max_bytes)
    supplied = _sidecar(path)
    if unit:
        supplied["unit"] = unit
    if year:
        supplied["year"] = year
    meta = _apply_overrides(detect_metadata(raw.text), supplied)
    missing = [name for name in ("unit", "year") if getattr(meta, name) is None]
    if missing:
        hints = {"unit": "发布单位 (--unit NAME)", "year": "report year (--year YYYY)"}
        raise MissingMetadata(
            "could not find the "
            + " and the ".join(hints[m] for m in missing)
            + f" in the text; pass the option or write {path.name}{SIDECAR_SUFFIX} "
            + 'next to it, e.g. unit = "南湖镇" and year = 2018'
        )
    template = detect_template(raw.text, meta.year)
    tables = find_tables(raw.text)
    passages = split_passages(raw.text, tables)
    extraction = extract_statistics(raw.text, template, section_spans(passages), tables=tables)
    return PreparedReport(
        path=path,
        raw=raw,
        meta=meta,
        template=template,
        sha256=hashlib.sha256(path.read_bytes()).hexdigest(),
        content_hash=hashlib.sha256(fold(raw.text).encode("utf-8")).hexdigest(),
        passages=passages,
        extraction=extraction,
    )


def _first_char(evidence: str, start: int) -> int:
    """Offset of the evidence's first visible character: a table row's cells start with tabs
    and line ends that belong to the gap before its passage, not to the passage before."""
    return start + len(evidence) - len(evidence.lstrip())


def _passage_for(starts: list[int], ids: list[int], offset: int) -> int | None:
    i = bisect.bisect_right(starts, offset) - 1
    return ids[i] if i >= 0 else None


def store(db: sqlite_utils.Database, report: PreparedReport, replaces: int | None = None) -> int:
    """Write one report (replacing an older one if given) in a single transaction."""
    meta = report.meta
    with db.atomic():
        if replaces is not None:
            delete_report(db, replaces)
        report_id = (
            db["reports"]
            .insert(
                {
                    "unit": meta.unit,
                    "unit_full": meta.unit_full,
                    "year": meta.year,
                    "published": meta.published,
                    "level": meta.level,
                    "parent": meta.parent,
                    "title": meta.title,
                    "source_file": report.path.name,
                    "source_path": str(report.path.resolve()),
                    "sha256": report.sha256,
                    "content_hash": report.content_hash,
                    "encoding": report.raw.encoding,
                    "format": report.raw.format,
                    "template": report.template,
                    "text": report.raw.text,
                    "ingested_at": datetime.now(UTC).isoformat(timespec="seconds"),
                }
            )
            .last_pk
        )
        passage_ids: list[int] = []
        for p in report.passages:
            row = {
                "report_id": report_id,
                **{
                    k: getattr(p, k)
                    for k in ("ord", "kind", "section", "text", "norm", "start", "end")
                },
            }
            passage_ids.append(db["passages"].insert(row).last_pk)
        starts = [p.start for p in report.passages]
        stat_ids: list[int] = []
        for s in report.extraction.statistics:
            row = {
                "report_id": report_id,
                "key": s.key,
                "value": s.value,
                "measure": s.measure,
                "source": s.source,
                "label": s.label,
                "evidence": s.evidence,
                "passage_id": _passage_for(starts, passage_ids, _first_char(s.evidence, s.start)),
                "rule": s.rule,
                "official": int(s.official),
            }
            stat_ids.append(db["statistics"].insert(row).last_pk)
        db["conflicts"].insert_all(
            {
                "report_id": report_id,
                "key": report.extraction.statistics[a].key,
                "official_id": stat_ids[a],
                "other_id": stat_ids[b],
            }
            for a, b in report.extraction.conflicts
        )
        db["checks"].insert_all(
            {
                "report_id": report_id,
                "name": c.name,
                "expected": c.expected,
                "actual": c.actual,
                "detail": c.detail,
            }
            for c in report.extraction.checks
        )
        db["row_problems"].insert_all(
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
        )
    return int(report_id)


def _existing(db: sqlite_utils.Database, sql: str, params: list) -> dict | None:
    rows = list(db.query(sql, params))
    return rows[0] if rows else None


def ingest_file(
    db: sqlite_utils.Database,
    path: Path,
    unit: str | None = None,
    year: int | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> FileOutcome:
    """Ingest one file; every failure becomes a refused outcome, never an exception."""
    try:
        report = prepare(path, unit=unit, year=year, max_bytes=max_bytes)
    except RefusedFile as exc:
        return FileOutcome(path, "refused", reason=str(exc))
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
        ambiguous=sum(1 for p in report.extraction.problems if p.kind == "ambiguous"),
    )
    source_path = str(path.resolve())
    same = _existing(
        db,
        "SELECT id, source_path, source_file FROM reports WHERE sha256 = ? OR content_hash = ?",
        [report.sha256, report.content_hash],
    )
    if same:
        outcome.report_id = same["id"]
        if same["source_path"] == source_path:
            outcome.status = "unchanged"
        else:
            outcome.status = "duplicate"
            outcome.reason = f"same report as {same['source_file']}"
        return outcome
    older = _existing(
        db,
        "SELECT id, source_file FROM reports WHERE source_path = ? OR (unit = ? AND year = ?)",
        [source_path, report.meta.unit, report.meta.year],
    )
    if older:
        outcome.status = "updated"
        outcome.reason = f"replaces {older['source_file']}"
    outcome.report_id = store(db, report, replaces=older["id"] if older else None)
    return outcome


def ingest_paths(
    db: sqlite_utils.Database,
    paths: Iterable[Path],
    unit: str | None = None,
    year: int | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    progress: Callable[[Path], None] | None = None,
) -> list[FileOutcome]:
    """Ingest every file under the given paths, in order; returns one outcome per file."""
    outcomes = []
    for path in discover(paths):
        if not path.exists():
            outcomes.append(FileOutcome(path, "refused", reason="no such file or folder"))
        else:
            outcomes.append(ingest_file(db, path, unit=unit, year=year, max_bytes=max_bytes))
        if progress:
            progress(path)
    return outcomes
