"""A large scale-benchmark corpus cloned inside SQLite from a smaller one that was ingested.

    python -m benchmarks.scale_clone SOURCE_DIR OUT_DIR [--reports 100000] [--seed 0]
                                     [--sample 6] [--per-kind 5] [--no-check]
    python -m benchmarks.scale_clone --check-only OUT_DIR

``SOURCE_DIR`` is a corpus folder kept by ``python -m benchmarks.scale --keep`` (corpus.db,
manifest.jsonl, reports/, extra/); it is only read.  ``OUT_DIR`` becomes a folder that
``python -m benchmarks.scale --sizes N --workdir PARENT --reuse`` takes as its ``nN`` corpus.

Why: ``nianbao ingest`` of 100,000 generated reports takes hours on a 2-core machine, which
leaves no time to measure anything else at that size.

What the clone is.  The source's reports followed by copies of them, copy k renaming every
made-up place (each region's and each town's or area bureau's, at every level) to a new
unique name of the same length from the name maker of ``benchmarks.scale_corpus`` (never a
name of the source, never two characters that occur in a template text).  Same years,
templates, figures and structure.  Every copy's report text is the text the generator writes
for the renamed unit (``scale_corpus.render``), written to ``reports/``; in the database every
table that holds a report's data is copied with new ids: reports (text, names, file, hashes),
passages (text and normalised form where a name appears), statistics, conflicts, checks,
row_problems and findings (their words and the unit), the passage tokens of the passages
whose words did not change; the units and their aliases are built by the product's
``ingest.units.refresh_unit`` and the passages that name a unit are tokenised, and the index
built, by the product's ``index.search.refresh`` (what ``nianbao ingest`` runs at its end).
The check (unless ``--no-check``) ingests a sample of cloned files with ``nianbao ingest``
and compares what it stored with the clone's rows, field by field, next to the same
comparison for their source reports; runs ``nianbao check`` and ``nianbao reports``; and asks
the benchmark's question mix about cloned units only.

What it is not.  Ingest throughput is not measured: nothing is parsed, and the clone takes
minutes where ``nianbao ingest`` takes hours.  The texts repeat every source-size reports
with other names (a 10,000-report source cloned to 100,000: each text ten times): the SQL
sees as many distinct units, regions, reports, rows and keys as a generated corpus of that
size (the figures and the per-unit year spans repeat too, which no lookup exploits), but
the passage index sees every passage that names no unit ten times over, so BM25's document
frequencies (idf), posting-list lengths and ties are those of ten identical corpora, not of
100,000 distinct texts.  A held-back ``extra`` report is the source's.  The years are the
source's.  ``report_history`` keeps the source's rows; ``ingested_at`` is the source
report's; the tokens of a passage that names no unit are the source's, cut with the
source's dictionary (``sync`` makes the same assumption: only passages that contain a new
unit name are cut again).
"""

from __future__ import annotations

import argparse
import functools
import hashlib
import json
import random
import resource
import shutil
import sqlite3
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, replace
from pathlib import Path

from benchmarks import scale_corpus
from benchmarks.scale_corpus import (
    PlannedReport,
    Source,
    _Names,
    _Unit,
    load_sources,
    nianbao_command,
    read_manifest,
    render,
)
from benchmarks.scale_questions import KINDS, build

_REPORTS_PER_FOLDER = 1000
CLONE_RECORD = "clone.json"  # what the folder is: source, copies, times of each step
_AREA = "片区管理局"
# Tables besides reports and passages whose rows belong to one report (ids shift per copy).
_COPIED_TABLES = ("statistics", "conflicts", "checks", "row_problems", "findings")


def _log(message: str) -> None:
    print(f"[clone {time.strftime('%H:%M:%S')}] {message}", flush=True)


@contextmanager
def _cached_number_tokens() -> Iterator[None]:
    """``render`` finds the numbers of its source text on every call (4 ms); a copy renders
    each source many times, so they are found once per text while cloning."""
    found = functools.lru_cache(maxsize=256)(scale_corpus.number_tokens)
    original, scale_corpus.number_tokens = scale_corpus.number_tokens, found
    try:
        yield
    finally:
        scale_corpus.number_tokens = original


@contextmanager
def _step(name: str, times: dict[str, float]) -> Iterator[None]:
    started = time.perf_counter()
    yield
    times[name] = time.perf_counter() - started
    _log(f"{name}: {times[name]:.1f} s")


# -- the new names --------------------------------------------------------------------------


def unit_of(report: PlannedReport) -> _Unit:
    """The generator's unit back from a manifest line (regions end in one type character)."""
    place = ""
    if report.kind == "town":
        place = report.unit[: -len(report.level)]
    elif report.kind == "area":
        place = report.unit[len(report.region) : -len(_AREA)]
    department = report.unit[len(report.region) :] if report.kind == "department" else ""
    return _Unit(
        report.kind,
        report.unit,
        report.level,
        report.region,
        report.region[:-1],
        place,
        department,
    )


def renamed(unit: _Unit, places: dict[str, str]) -> _Unit:
    """``unit`` with its region's and its own place replaced."""
    region_place = places[unit.region_place]
    region = region_place + unit.region[-1]
    place = places[unit.place] if unit.place else ""
    name = {
        "government": region,
        "department": region + unit.department,
        "area": f"{region}{place}{_AREA}",
        "town": place + unit.level,
    }[unit.kind]
    return replace(unit, name=name, region=region, region_place=region_place, place=place)


def _bigrams(texts: list[str]) -> set[str]:
    return {text[i : i + 2] for text in texts for i in range(len(text) - 1)}


def new_places(
    units: list[_Unit], copies: int, seed: int, sources: list[Source]
) -> list[dict[str, str]]:
    """For each copy, old place → new place: unique across copies, the same length as the
    old one, never a place of the source corpus and never two characters a template text
    holds (so no new name is found inside an unrelated word)."""
    names = _Names(random.Random(seed + 104729))
    regions = sorted({u.region_place for u in units})
    owns = sorted({u.place for u in units if u.place})
    names.used |= set(regions) | set(owns) | _bigrams([s.text for s in sources])
    maps = []
    for _ in range(copies):
        places = {old: names.take_region() for old in regions}
        places.update({old: names.take() for old in owns})
        short = [old for old, new in places.items() if len(old) != len(new)]
        if short:
            raise SystemExit(f"no new place name of the same length left for {short[:3]}")
        maps.append(places)
    return maps


# -- the database copy ----------------------------------------------------------------------


@dataclass
class _Copy:
    """What the SQL functions of one copy need: per source report id, its old and new text
    and the place names to replace in its other words."""

    old_text: dict[int, str]
    new_text: dict[int, str]
    renames: dict[int, list[tuple[str, str]]]

    def rename(self, report_id: int, value: str | None) -> str | None:
        if value is None:
            return None
        for old, new in self.renames.get(report_id, ()):
            value = value.replace(old, new)
        return value

    def passage_text(self, report_id: int, start: int, end: int, text: str | None) -> str | None:
        """The copy's text at the passage's offsets (names have the same length)."""
        if text is not None and self.old_text[report_id][start:end] == text:
            return self.new_text[report_id][start:end]
        return self.rename(report_id, text)

    def passage_norm(
        self, report_id: int, kind: str, start: int, end: int, norm: str | None
    ) -> str | None:
        """The normalised form: unchanged when the words are; else cut again like ingest
        does (a table row's norm is its cells joined, renamed in place)."""
        from ingest.text import normalise

        old = self.old_text[report_id][start:end]
        new = self.new_text[report_id][start:end]
        if old == new:
            return norm
        if kind != "table_row" and norm == normalise(old):
            return normalise(new)
        return self.rename(report_id, norm)


def _max_ids(conn: sqlite3.Connection) -> dict[str, int]:
    tables = ("reports", "passages", *_COPIED_TABLES)
    return {t: conn.execute(f"SELECT coalesce(max(id), 0) FROM {t}").fetchone()[0] for t in tables}


def _copy_rows(conn: sqlite3.Connection, k: int, top: dict[str, int]) -> None:
    """INSERT … SELECT of every per-report table for copy ``k`` of the chosen reports."""
    r, p, s = (k * top[t] for t in ("reports", "passages", "statistics"))
    chosen = "report_id IN (SELECT id FROM temp.chosen)"
    conn.execute(
        'INSERT INTO passages (id, report_id, ord, kind, section, text, norm, start, "end") '
        f"SELECT id + {p}, report_id + {r}, ord, kind, rn(report_id, section), "
        'ptext(report_id, start, "end", text), pnorm(report_id, kind, start, "end", norm), '
        f'start, "end" FROM passages WHERE {chosen} ORDER BY id'
    )
    conn.execute(
        "INSERT INTO passage_tokens (passage_id, tokens) "
        f"SELECT t.passage_id + {p}, t.tokens FROM passage_tokens t "
        "JOIN passages o ON o.id = t.passage_id "
        f"JOIN passages c ON c.id = t.passage_id + {p} "
        f"WHERE o.{chosen} AND c.norm IS o.norm ORDER BY t.passage_id"
    )
    conn.execute(
        "INSERT INTO statistics (id, report_id, key, value, measure, source, label, evidence, "
        "passage_id, rule, official) "
        f"SELECT id + {s}, report_id + {r}, key, value, measure, source, rn(report_id, label), "
        f"rn(report_id, evidence), passage_id + {p}, rule, official FROM statistics "
        f"WHERE {chosen} ORDER BY id"
    )
    conn.execute(
        "INSERT INTO conflicts (id, report_id, key, official_id, other_id) "
        f"SELECT id + {k * top['conflicts']}, report_id + {r}, key, official_id + {s}, "
        f"other_id + {s} FROM conflicts WHERE {chosen} ORDER BY id"
    )
    conn.execute(
        "INSERT INTO checks (id, report_id, name, expected, actual, detail) "
        f"SELECT id + {k * top['checks']}, report_id + {r}, name, expected, actual, "
        f"rn(report_id, detail) FROM checks WHERE {chosen} ORDER BY id"
    )
    conn.execute(
        "INSERT INTO row_problems (id, report_id, kind, table_name, label, evidence, start, "
        '"end", columns, found, keys, readings) '
        f"SELECT id + {k * top['row_problems']}, report_id + {r}, kind, table_name, "
        'rn(report_id, label), rn(report_id, evidence), start, "end", columns, found, keys, '
        f"readings FROM row_problems WHERE {chosen} ORDER BY id"
    )
    # A finding across years of a partial copy whose other report is not copied is left out.
    conn.execute(
        "INSERT INTO findings (id, report_id, unit, year, kind, severity, statistic, message, "
        "evidence, passage_id, other_report_id, value, other_value, rule) "
        f"SELECT id + {k * top['findings']}, report_id + {r}, rn(report_id, unit), year, kind, "
        "severity, statistic, rn(report_id, message), rn(report_id, evidence), "
        f"passage_id + {p}, other_report_id + {r}, value, other_value, rule FROM findings "
        f"WHERE {chosen} AND (other_report_id IS NULL OR other_report_id IN "
        "(SELECT id FROM temp.chosen)) ORDER BY id"
    )


def _register(conn: sqlite3.Connection, copy: _Copy) -> None:
    conn.create_function("rn", 2, copy.rename, deterministic=True)
    conn.create_function("ptext", 4, copy.passage_text, deterministic=True)
    conn.create_function("pnorm", 5, copy.passage_norm, deterministic=True)


# -- the clone ------------------------------------------------------------------------------


@dataclass
class CloneResult:
    out: Path
    reports: int
    copies: int
    times: dict[str, float]
    manifest: list[PlannedReport]
    first_clone: int  # index in the manifest of the first cloned report
    peak_rss_mb: float
    peak_children_rss_mb: float


def _file_name(index: int, suffix: str) -> str:
    return f"reports/{index // _REPORTS_PER_FOLDER:03d}/r{index:06d}{suffix}"


def _copy_source(source: Path, out: Path) -> None:
    """The source's database (SQLite's backup: the source is only read), files and manifest."""
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    reader = sqlite3.connect(f"file:{source / 'corpus.db'}?mode=ro", uri=True)
    writer = sqlite3.connect(out / "corpus.db")
    reader.backup(writer)
    reader.close()
    writer.close()
    for folder in ("reports", "extra"):
        shutil.copytree(source / folder, out / folder)
    shutil.copy2(source / "manifest.jsonl", out / "manifest.jsonl")


def clone(
    source: Path,
    out: Path,
    n_reports: int,
    seed: int = 0,
    refresh_index: Callable[[Path], object] | None = None,
) -> CloneResult:
    """Write ``out``: the source corpus and copies of it up to ``n_reports`` reports."""
    times: dict[str, float] = {}
    manifest = read_manifest(source)
    corpus, extra = manifest[:-1], manifest[-1]
    base = len(corpus)
    if n_reports < base:
        raise SystemExit(f"{source} holds {base} reports already; ask for more than that")
    copies = -(-n_reports // base) - 1
    sources = {s.slug: s for s in load_sources()}
    units = [unit_of(r) for r in corpus]

    with _step("copy the source database, files and manifest", times):
        _copy_source(source, out)
    db_path = out / "corpus.db"
    conn = sqlite3.connect(db_path)
    conn.execute("PRAGMA journal_mode = OFF")  # a scratch build: a failed run starts again
    conn.execute("PRAGMA synchronous = OFF")
    conn.execute("PRAGMA cache_size = -400000")
    top = _max_ids(conn)
    ids = dict(conn.execute("SELECT source_file, id FROM reports").fetchall())
    report_ids = [ids[Path(r.file).name] for r in corpus]
    old_text = dict(conn.execute("SELECT id, text FROM reports").fetchall())
    columns = [r[1] for r in conn.execute("PRAGMA table_info(reports)")]
    old_root = str(source.resolve()) + "/"
    conn.execute(
        "UPDATE reports SET source_path = ? || substr(source_path, ?) WHERE source_path LIKE ?",
        [str(out.resolve()) + "/", len(old_root) + 1, old_root + "%"],
    )
    conn.commit()

    with _step("new place names", times):
        place_maps = new_places(units, copies, seed, list(sources.values()))
    clones: list[PlannedReport] = []
    index = base + 1  # r{base}: the held-back extra report keeps its file name
    with _cached_number_tokens():
        for k, places in enumerate(place_maps, start=1):
            take = min(base, n_reports - k * base)
            with _step(f"copy {k}/{copies}: {take} reports", times):
                copy = _Copy(old_text, {}, {})
                report_rows = []
                for report, unit, rid in zip(
                    corpus[:take], units[:take], report_ids[:take], strict=True
                ):
                    new_unit = renamed(unit, places)
                    text, figures = render(
                        sources[report.source], new_unit, report.year, report.factor
                    )
                    if len(text) != len(old_text[rid]):
                        raise SystemExit(f"{report.file}: the renamed text changed length")
                    copy.new_text[rid] = text
                    pairs = [(unit.region_place, new_unit.region_place)]
                    if unit.place:
                        pairs.append((unit.place, new_unit.place))
                    copy.renames[rid] = pairs
                    file = _file_name(index, Path(report.file).suffix)
                    index += 1
                    path = out / file
                    path.parent.mkdir(parents=True, exist_ok=True)
                    path.write_text(text, encoding="utf-8")
                    clones.append(
                        replace(
                            report,
                            file=file,
                            unit=new_unit.name,
                            region=new_unit.region,
                            figures=figures,
                        )
                    )
                    report_rows.append((rid, path, text))
                _insert_reports(conn, copy, report_rows, columns, k * top["reports"])
                conn.execute("DROP TABLE IF EXISTS temp.chosen")
                conn.execute("CREATE TEMP TABLE chosen (id INTEGER PRIMARY KEY)")
                conn.executemany(
                    "INSERT INTO temp.chosen VALUES (?)", [(r,) for r, _, _ in report_rows]
                )
                _register(conn, copy)
                _copy_rows(conn, k, top)
                conn.commit()

    with _step("units and aliases (ingest.units.refresh_unit)", times):
        _refresh_units(conn, top["reports"])
    with _step("figures for year-wide answers (ingest.store.file_pending_figures)", times):
        import sqlite_utils

        from ingest.store import file_pending_figures

        file_pending_figures(sqlite_utils.Database(conn))
    conn.execute("PRAGMA journal_mode = WAL")
    conn.close()
    with _step("manifest", times):
        lines = [*corpus, *clones, extra]
        (out / "manifest.jsonl").write_text(
            "".join(json.dumps(asdict(r), ensure_ascii=False) + "\n" for r in lines), "utf-8"
        )
    with _step("passage tokens and index (index.search.refresh)", times):
        shutil.rmtree(out / "corpus.db.index", ignore_errors=True)
        (refresh_index or _refresh)(db_path)
    result = CloneResult(
        out=out,
        reports=base + len(clones),
        copies=copies,
        times=times,
        manifest=lines,
        first_clone=base,
        peak_rss_mb=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        peak_children_rss_mb=resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
    )
    record = {k: v for k, v in asdict(result).items() if k != "manifest"}
    record.update(out=str(out), source=str(source), seed=seed)
    (out / CLONE_RECORD).write_text(json.dumps(record, ensure_ascii=False, indent=1), "utf-8")
    return result


def read_clone(out: Path) -> CloneResult:
    """A clone written before, from its record (for ``--check-only``)."""
    record = json.loads((out / CLONE_RECORD).read_text("utf-8"))
    fields = {k: v for k, v in record.items() if k in CloneResult.__dataclass_fields__}
    fields.update(out=out, manifest=read_manifest(out))
    return CloneResult(**fields)


def _insert_reports(
    conn: sqlite3.Connection,
    copy: _Copy,
    rows: list[tuple[int, Path, str]],
    columns: list[str],
    offset: int,
) -> None:
    """The copy's report rows: new id, words, file, hashes and text (what ingest reads)."""
    from ingest.text import fold

    renamed_columns = {"unit", "unit_full", "parent", "title", "names"}
    placeholders = ", ".join("?" for _ in columns)
    quoted = ", ".join(f'"{c}"' for c in columns)
    out = []
    for rid, path, text in rows:
        row = dict(
            zip(
                columns,
                conn.execute("SELECT * FROM reports WHERE id = ?", [rid]).fetchone(),
                strict=True,
            )
        )
        for column in renamed_columns & row.keys():
            row[column] = copy.rename(rid, row[column])
        row.update(
            id=rid + offset,
            source_file=path.name,
            source_path=str(path.resolve()),
            sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(),
            content_hash=hashlib.sha256(fold(text).encode("utf-8")).hexdigest(),
            text=text,
        )
        out.append([row[c] for c in columns])
    conn.executemany(f"INSERT INTO reports ({quoted}) VALUES ({placeholders})", out)


def _refresh_units(conn: sqlite3.Connection, first_clone_id: int) -> None:
    """The product's unit rows and aliases for every cloned unit; the token store's list of
    the names its tokens were cut with then includes them (the passages that hold a new name
    have no tokens yet: ``refresh`` cuts them with every name in the dictionary)."""
    import sqlite_utils

    from index.token_store import unit_names
    from ingest.units import refresh_unit

    db = sqlite_utils.Database(conn)
    names = [
        r[0]
        for r in conn.execute(
            "SELECT DISTINCT unit FROM reports WHERE id > ? ORDER BY unit", [first_clone_id]
        )
    ]
    with db.atomic():
        for name in names:
            refresh_unit(db, name)
        conn.execute(
            "UPDATE index_state SET value = ? WHERE key = 'units'",
            [json.dumps(list(unit_names(db)), ensure_ascii=False)],
        )


def _refresh(db_path: Path) -> None:
    from index.search import refresh

    stats = refresh(db_path)
    _log(
        f"refresh: tokenised {stats.tokenized:,} passages in {stats.tokenize_seconds:.1f} s, "
        f"index of {stats.passages:,} passages and {stats.terms:,} terms built in "
        f"{stats.build_seconds:.1f} s"
    )


# -- the check ------------------------------------------------------------------------------

_COMPARED = {
    "reports": (
        "unit, unit_full, year, published, level, parent, title, sha256, content_hash, "
        "encoding, format, template, text, matched, names"
    ),
    "passages": 'ord, kind, section, text, norm, start, "end"',
    "statistics": "key, value, measure, source, label, evidence, rule, official",
    "checks": "name, expected, actual, detail",
    "row_problems": 'kind, table_name, label, evidence, start, "end", columns, found, keys, '
    "readings",
    "findings": "kind, severity, statistic, message, evidence, value, other_value, rule",
}


def _rows(conn: sqlite3.Connection, table: str, report_id: int) -> list[tuple]:
    where = "id = ?" if table == "reports" else "report_id = ?"
    if table == "findings":
        where += " AND other_report_id IS NULL"  # across years: needs the other reports
    rows = conn.execute(f"SELECT {_COMPARED[table]} FROM {table} WHERE {where}", [report_id])
    return sorted(rows.fetchall(), key=repr)


def _differences(
    stored: sqlite3.Connection, fresh: sqlite3.Connection, report_id: int, fresh_id: int
) -> set[str]:
    """table.column names whose values differ between two databases' rows of one report."""
    found = set()
    for table, names in _COMPARED.items():
        a, b = _rows(stored, table, report_id), _rows(fresh, table, fresh_id)
        if len(a) != len(b):
            found.add(f"{table}: {len(a)} rows, ingested {len(b)}")
            continue
        columns = [c.strip().strip('"') for c in names.split(",")]
        for row_a, row_b in zip(a, b, strict=True):
            found.update(
                f"{table}.{c}" for c, x, y in zip(columns, row_a, row_b, strict=True) if x != y
            )
    return found


def _sample(result: CloneResult, size: int) -> list[tuple[PlannedReport, PlannedReport]]:
    """(source report, its clone) pairs: one of each unit kind, then one of each template."""
    base = result.first_clone
    pairs = list(zip(result.manifest[:base], result.manifest[base:-1], strict=False))
    chosen: list[tuple[PlannedReport, PlannedReport]] = []
    for key in (lambda r: r.kind, lambda r: r.source):
        seen = {key(p[0]) for p in chosen}
        for pair in pairs:
            if key(pair[0]) not in seen and len(chosen) < size and pair not in chosen:
                seen.add(key(pair[0]))
                chosen.append(pair)
    return chosen


def _ingested(files: list[Path], db: Path) -> sqlite3.Connection:
    subprocess.run(
        [*nianbao_command(), "ingest", *map(str, files), "--db", str(db)],
        capture_output=True,
        check=True,
    )
    return sqlite3.connect(db)


def _report_id(conn: sqlite3.Connection, file: str) -> int:
    row = conn.execute("SELECT id FROM reports WHERE source_file = ?", [Path(file).name]).fetchone()
    return int(row[0])


def check_ingest(result: CloneResult, size: int) -> list[str]:
    """Ingest a sample of cloned files, and their sources, with ``nianbao ingest`` and
    compare what it stored with the clone's rows: lines to print."""
    out, lines = result.out, []
    pairs = _sample(result, size)
    stored = sqlite3.connect(f"file:{out / 'corpus.db'}?mode=ro", uri=True)
    with tempfile.TemporaryDirectory(prefix="nianbao-clone-check-") as tmp:
        sources = _ingested([out / s.file for s, _ in pairs], Path(tmp) / "sources.db")
        clones = _ingested([out / c.file for _, c in pairs], Path(tmp) / "clones.db")
        for source, copy in pairs:
            source_diff = _differences(
                stored, sources, _report_id(stored, source.file), _report_id(sources, source.file)
            )
            clone_diff = _differences(
                stored, clones, _report_id(stored, copy.file), _report_id(clones, copy.file)
            )
            verdict = "as its source" if clone_diff <= source_diff else "MORE than its source"
            lines.append(
                f"{copy.file} ({copy.unit} {copy.year}, {copy.kind}, {copy.source}) vs "
                f"`nianbao ingest` of its file: {sorted(clone_diff) or 'identical'}; "
                f"its source {source.unit}: {sorted(source_diff) or 'identical'} → {verdict}"
            )
        sources.close()
        clones.close()
    stored.close()
    return lines


def check_commands(db: Path) -> list[str]:
    lines = []
    for command in (["reports"], ["check"]):
        started = time.perf_counter()
        done = subprocess.run(
            [*nianbao_command(), *command, "--db", str(db)], capture_output=True, text=True
        )
        elapsed = time.perf_counter() - started
        out = done.stdout.splitlines()
        lines.append(
            f"nianbao {command[0]}: exit {done.returncode}, {len(out):,} lines in "
            f"{elapsed:.1f} s; last: {out[-1] if out else done.stderr.strip()[-200:]}"
        )
    return lines


def check_answers(result: CloneResult, per_kind: int, seed: int) -> list[str]:
    """The benchmark's question mix over cloned units only, asked of one ``nianbao ask``
    process: answers of the expected kind, and how many name a cloned unit."""
    clones = result.manifest[result.first_clone : -1]
    names = {r.unit for r in clones} | {r.region for r in clones}
    questions = build(clones, per_kind, seed + 1)
    process = subprocess.Popen(
        [*nianbao_command(), "ask", "--json", "-", "--db", str(result.out / "corpus.db")],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        encoding="utf-8",
    )
    assert process.stdin and process.stdout
    expected: dict[str, list[int]] = {}
    clone_named = 0
    for q in questions:
        process.stdin.write(q.text + "\n")
        process.stdin.flush()
        answer = json.loads(process.stdout.readline())
        counts = expected.setdefault(q.kind, [0, 0])
        counts[0] += answer.get("kind") == q.expected
        counts[1] += 1
        units = {
            str(i.get("unit") or "")
            for i in [*answer.get("facts", []), *answer.get("passages", [])]
        }
        clone_named += any(u.endswith(n) or n in u for u in units for n in names if u)
    process.stdin.close()
    process.wait()
    kinds = ", ".join(f"{k} {expected[k][0]}/{expected[k][1]}" for k in KINDS if k in expected)
    return [
        f"questions about cloned units: answers of the expected kind: {kinds}",
        f"answers giving a figure or passage of a cloned unit: {clone_named}/{len(questions)}",
    ]


def main(argv: list[str] | None = None) -> CloneResult:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", type=Path, nargs="?", help="a kept corpus folder (only read)")
    parser.add_argument("out", type=Path, help="the folder to write (replaced)")
    parser.add_argument("--reports", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--sample", type=int, default=6, help="cloned files ingested to check")
    parser.add_argument("--per-kind", type=int, default=5, help="questions of each kind")
    parser.add_argument("--no-check", action="store_true", help="only build the clone")
    parser.add_argument("--check-only", action="store_true", help="only check OUT, built before")
    args = parser.parse_args(argv)
    if args.check_only:
        result = read_clone(args.out)
    elif args.source is None or args.out.resolve() == args.source.resolve():
        raise SystemExit("give a kept corpus folder and another folder to write the clone to")
    else:
        started = time.perf_counter()
        result = clone(args.source, args.out, args.reports, args.seed)
        _log(
            f"{result.reports:,} reports ({result.copies} copies) in {args.out} in "
            f"{time.perf_counter() - started:.0f} s; peak RSS {result.peak_rss_mb:,.0f} MB "
            f"(index workers {result.peak_children_rss_mb:,.0f} MB)"
        )
    if not args.no_check:
        times: dict[str, float] = {}
        for name, run in (
            ("check: nianbao reports / check", lambda: check_commands(args.out / "corpus.db")),
            ("check: ingest a sample", lambda: check_ingest(result, args.sample)),
            ("check: questions", lambda: check_answers(result, args.per_kind, args.seed)),
        ):
            with _step(name, times):
                lines = run()
            for line in lines:
                print("  " + line, flush=True)
    return result


if __name__ == "__main__":
    main()
