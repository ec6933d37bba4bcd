"""The ``nianbao`` command: a thin layer over ingest/, index/ and bot/.

Each command turns options into one library call and library errors into
``click.ClickException`` so a user sees ``Error: …`` with a hint, never a traceback.
Commands import what they use when they run: ``nianbao --help`` loads no engine, and
``nianbao ask`` none of ingest's readers.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO
from zoneinfo import ZoneInfo

import click

from bot.cli.invocation import Invocation, config_option, db_option
from bot.cli.table_commands import compare, export, review

if TYPE_CHECKING:
    import sqlite_utils

    from bot.qa.answerer import Answerer
    from bot.qa.model import Answer
    from bot.qa.overview import RowProblemRecord
    from ingest.pipeline import FileOutcome


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="nianbao")
@config_option
@db_option
@click.pass_context
def main(ctx: click.Context) -> None:
    """Answers about Chinese government information-disclosure annual reports (年报).

    --config and --db work here and on every command.

    \b
    Quick tour:
      nianbao ask "西集镇有多少行政诉讼？"
      nianbao ingest reports/ --db corpus.db
      nianbao reports --db corpus.db
    """
    ctx.ensure_object(Invocation)


main.add_command(review)
main.add_command(compare)
main.add_command(export)


def _summary_line(outcome: FileOutcome) -> str:
    """One line per file (warnings on lines of their own below it), safe for a terminal."""
    from ingest.discovery import shown

    if outcome.status == "refused":
        return f"  refused    {shown(outcome.path)}: {shown(outcome.reason)}"
    detail = (
        f"{outcome.unit} {outcome.year} [{outcome.template}] passages {outcome.passages}, "
        f"statistics {outcome.statistics}, conflicts {outcome.conflicts}, "
        f"failed checks {outcome.failed_checks}, skipped rows {outcome.skipped}, "
        f"ambiguous rows {outcome.ambiguous}"
    )
    extra = f" ({outcome.reason})" if outcome.reason else ""
    warnings = "".join(f"\n             warning: {shown(w.text)}" for w in outcome.warnings)
    return f"  {outcome.status:<10} {shown(outcome.path.name)}: {shown(detail + extra)}{warnings}"


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@config_option
@db_option
@click.option("--unit", help="Unit (发布单位) for reports whose text does not say, e.g. 南湖镇.")
@click.option("--year", type=int, help="Report year for reports whose text does not say.")
@click.option(
    "--max-mb",
    type=float,
    expose_value=False,
    callback=Invocation.remember,
    help="Refuse files larger than this many megabytes (50).",
)
@click.option(
    "--replace",
    "replace_older",
    is_flag=True,
    help="Let a file replace the loaded report of its unit and year even when less complete.",
)
@click.option(
    "--workers",
    type=click.IntRange(min=0),
    help="Files read at once, each in a worker process (default: one per core; 0: in this "
    "process, without the per-file limits).",
)
@click.option(
    "--time-limit",
    type=click.FloatRange(min=0, min_open=True),
    help="Seconds one file may take before it is stopped and refused (60).",
)
@click.option(
    "--memory-limit",
    type=click.FloatRange(min=0, min_open=True),
    help="Megabytes of memory one file may use before it is stopped and refused (1024).",
)
@click.option(
    "--follow-links",
    is_flag=True,
    help="Follow symbolic links that lead out of the given folders.",
)
@click.pass_obj
def ingest(
    run: Invocation,
    paths: tuple[Path, ...],
    unit: str | None,
    year: int | None,
    replace_older: bool,
    workers: int | None,
    time_limit: float | None,
    memory_limit: float | None,
    follow_links: bool,
) -> None:
    """Load report files (TXT, MD, HTML, DOCX, PDF; folders recursively).

    Each file is read in a worker process, within a time and a memory limit, and gets one
    line as soon as it is stored or refused. Exit status is 1 when any file was refused.

    \b
    Example:
      nianbao ingest reports/2019 extra/xitang.pdf --db corpus.db
      nianbao ingest scan.docx --unit 南湖镇 --year 2018
      nianbao ingest better-copy.html --replace
    """
    from bot.corpus import ingest_and_index
    from ingest.discovery import discover, shown
    from ingest.workers import Limits, WorkerStartError, default_workers

    settings = run.settings
    targets = list(paths) or ([settings.reports_dir] if settings.reports_dir else [])
    if not targets:
        raise click.ClickException(
            "no PATH given and no reports_dir configured: nianbao ingest PATH"
        )
    if workers is None:
        workers = settings.workers if settings.workers is not None else default_workers()
    limits = Limits(
        seconds=time_limit or settings.file_seconds,
        memory_mb=memory_limit or settings.file_memory_mb,
    )
    started = time.perf_counter()
    total = sum(1 for _ in discover(targets, follow_links=follow_links))
    earlier_words = _index_words(settings.db)

    with _progress_bar(total) as bar:

        def tell(outcome: FileOutcome) -> None:
            bar.write(_summary_line(outcome), file=sys.stdout)
            bar.update(1)

        try:
            outcomes = ingest_and_index(
                settings.db,
                targets,
                on_outcome=tell,
                unit=unit,
                year=year,
                max_bytes=int(settings.max_file_mb * 1024 * 1024),
                replace_older=replace_older,
                workers=workers,
                limits=limits,
                follow_links=follow_links,
            )
        except (sqlite3.Error, OSError, WorkerStartError) as exc:
            raise click.ClickException(_cannot_write(settings.db, exc)) from exc
    elapsed = time.perf_counter() - started
    counts = Counter(o.status for o in outcomes)
    stored = [o for o in outcomes if o.status in ("added", "updated")]
    for line in [outcomes.stopped, *(note.text for note in outcomes.notes)]:
        if line:
            click.echo(shown(line))
    click.echo(
        f"files seen {len(outcomes)}: added {counts['added']}, updated {counts['updated']}, "
        f"corrected {counts['corrected']}, "
        f"unchanged {counts['unchanged']}, duplicate {counts['duplicate']}, "
        f"refused {counts['refused']}"
    )
    click.echo(
        f"this run stored passages {sum(o.passages for o in stored)}, "
        f"statistics {sum(o.statistics for o in stored)}, "
        f"conflicts {sum(o.conflicts for o in stored)}, "
        f"failed checks {sum(o.failed_checks for o in stored)}; "
        f"{elapsed:.1f} s ({len(outcomes) / elapsed if elapsed else 0:.1f} files/s)"
    )
    reviewed = [o.report_id for o in outcomes if o.status in _CHANGED and o.report_id]
    if reviewed:
        click.echo(_review_line(settings.db, reviewed))
    click.echo(_totals_line(settings.db))
    if reviewed:
        _prepare_answers(settings.db, earlier_words)
    if counts["refused"] or outcomes.stopped:
        sys.exit(1)


_CHANGED = ("added", "updated", "corrected")


def _index_words(db_path: Path) -> tuple[str, ...] | None:
    """The unit names questions are cut with before this ingest (None: no index yet)."""
    from index.search import index_words

    with contextlib.suppress(Exception):  # a cache only saves time: see _prepare_answers
        return index_words(db_path)
    return None


def _prepare_answers(db_path: Path, earlier_words: tuple[str, ...] | None) -> None:
    """Leave what a new ``nianbao ask`` reads current for the corpus this ingest left: the
    unit names at its stamp, updated for the units that changed, and jieba's dictionary
    grown by the new unit names.  No running process watched this ingest, so the next one
    would build both itself (1.5–2 s at 10,000 reports, 13 s at 100,000).

    Both only save time: whatever goes wrong (a read-only cache, a full disk, a database
    changed meanwhile) is passed over in silence, the ingest stands, and the next process
    builds what is missing as before."""
    from bot.qa import gazetteer_cache
    from index.search import question_tokenizer

    with contextlib.suppress(Exception):
        gazetteer_cache.update(db_path)
    with contextlib.suppress(Exception):
        tokenizer = question_tokenizer(db_path, grows_from=earlier_words)
        if tokenizer is not None:
            tokenizer.keep_dictionary()


class _Lines:
    """What the ingest needs of a progress bar where none is drawn (output not a terminal):
    the per-file lines, without importing tqdm (a tenth of a second of adding one report)."""

    def __enter__(self) -> _Lines:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def write(self, line: str, file: TextIO) -> None:
        print(line, file=file, flush=True)

    def update(self, n: int) -> None:
        return None


def _progress_bar(total: int) -> Any:
    """tqdm's bar on a terminal (it draws none elsewhere), else plain per-file lines."""
    if not sys.stderr.isatty():
        return _Lines()
    from tqdm import tqdm

    class Bar(tqdm):
        """A bar without tqdm's monitor thread: a process running only its main thread
        starts the reader processes by forking, far faster than a fork server."""

        monitor_interval = 0

    return Bar(total=total, unit="file", file=sys.stderr, disable=None)


def _review_line(db_path: Path, report_ids: list[int]) -> str:
    """How many findings the review of the reports just loaded has, by severity."""
    from ingest.review import SEVERITIES
    from ingest.store import open_reader

    db = open_reader(db_path)
    try:
        marks = ",".join("?" * len(report_ids))
        rows = db.query(
            f"SELECT severity, count(*) AS n FROM findings WHERE report_id IN ({marks}) "
            "GROUP BY severity",
            report_ids,
        )
        counts = {r["severity"]: r["n"] for r in rows}
    finally:
        db.close()
    found = ", ".join(
        f"{counts.get(s, 0)} {s}{'' if counts.get(s, 0) == 1 else 's'}" for s in SEVERITIES
    )
    return f"review: {found}; see the findings with: nianbao review --db {db_path}"


def _cannot_write(db: Path, exc: BaseException) -> str:
    """One line for a database that cannot be opened for writing at all."""
    from ingest.pipeline import write_failure
    from ingest.workers import WorkerStartError

    if isinstance(exc, WorkerStartError):
        return str(exc)
    cause, _ = write_failure(exc)
    return f"cannot load reports into {db}: {cause.text}"


def _counted(db_path: Path, count: Callable[[sqlite_utils.Database], dict]) -> dict | str:
    """The counts ``count`` reads from the database, or why it cannot be read (the reader's
    words, which name the database already)."""
    from ingest.store import DatabaseUnreadable, open_reader

    try:
        db = open_reader(db_path)
    except (DatabaseUnreadable, sqlite3.Error) as exc:
        return str(exc)
    try:
        return count(db)
    finally:
        db.close()


def _totals_line(db_path: Path) -> str:
    """What the database holds after an ingest, as far as indexes count it at once (the
    line before says what the run stored; ``nianbao reports`` counts everything)."""
    from ingest.store import corpus_totals

    c = _counted(db_path, corpus_totals)
    if isinstance(c, str):
        return c
    return (
        f"database {db_path}: {c['reports']} reports, {c['units']} units, "
        f"{c['conflicts']} conflicts, {c['failed_checks']} failed checks"
    )


def _corpus_line(db_path: Path, zone: ZoneInfo) -> str:
    """What the database holds, counted as /stats counts it."""
    from bot.clock import local_time
    from ingest.store import corpus_counts

    c = _counted(db_path, corpus_counts)
    if isinstance(c, str):
        return c
    return (
        f"database {db_path}: {c['reports']} reports, {c['units']} units, "
        f"{c['passages']} passages, {c['statistics']} statistics, {c['conflicts']} conflicts, "
        f"{c['failed_checks']} failed checks; last ingest {local_time(c['last_ingest'], zone)}"
    )


@main.command()
@config_option
@db_option
@click.option("--json", "as_json", is_flag=True, help="One JSON object per report.")
@click.pass_obj
def reports(run: Invocation, as_json: bool) -> None:
    """List the loaded reports: unit, year, template, passages, source file.

    \b
    Example:
      nianbao reports --db corpus.db
    """
    from bot.clock import local_time
    from ingest.discovery import shown

    database = run.existing_db()
    rows = list(
        database.query(
            """SELECT r.id, r.unit, r.unit_full, r.year, r.published, r.level, r.parent,
                      r.template, r.format, r.encoding, r.source_file, r.matched, r.names,
                      r.ingested_at,
                      (SELECT count(*) FROM passages p WHERE p.report_id = r.id) AS passages,
                      (SELECT count(*) FROM statistics s WHERE s.report_id = r.id) AS statistics
               FROM reports r ORDER BY r.unit, r.year"""
        )
    )
    if as_json:
        for row in rows:
            click.echo(json.dumps(row, ensure_ascii=False))
        return
    if not rows:
        click.echo("No reports loaded. Load some with: nianbao ingest PATH")
        return
    zone = run.settings.time_zone
    for row in rows:
        click.echo(
            f"{row['unit']}\t{row['year']}\t{row['template']}\t{row['passages']} passages\t"
            f"{row['statistics']} statistics\t{shown(row['source_file'])}\t"
            f"matched by {row['matched'] or '—'}{_other_names(row['names'])}\t"
            f"{local_time(row['ingested_at'], zone)}"
        )
    click.echo(_corpus_line(run.settings.db, zone))


def _other_names(names: str | None) -> str:
    listed = json.loads(names or "[]")
    return f" (also {'、'.join(listed)})" if listed else ""


@main.command()
@config_option
@db_option
@click.option("--unit", help="Only this unit's reports.")
@click.pass_obj
def check(run: Invocation, unit: str | None) -> None:
    """List table/prose conflicts and failed arithmetic checks, with the evidence.

    \b
    Example:
      nianbao check --db corpus.db --unit 东湖镇
    """
    from bot.qa.overview import conflict_records, failed_checks, row_problems
    from bot.qa.wording import number_text, one_line
    from ingest.catalogue import load_catalogue

    database = run.existing_db()
    conflicts = conflict_records(database, load_catalogue(), unit)
    checks = failed_checks(database, unit)
    for c in conflicts:
        click.echo(f"conflict  {c.unit} {c.year} {c.statistic}")
        click.echo(
            f"  {c.official_source:<6} {number_text(c.official_value)}  "
            f"「{one_line(c.official_evidence)}」"
        )
        click.echo(
            f"  {c.other_source:<6} {number_text(c.other_value)}  「{one_line(c.other_evidence)}」"
        )
    for k in checks:
        click.echo(
            f"check     {k.unit} {k.year} {k.name}: "
            f"expected {number_text(k.expected)}, found {number_text(k.actual)} ({k.detail})"
        )
    problems = row_problems(database, unit)
    for p in problems:
        click.echo(f"{p.kind:<9} {p.unit} {p.year} 「{one_line(p.evidence)}」")
        click.echo(f"  {_problem_detail(p)}")
    ambiguous = sum(1 for p in problems if p.kind == "ambiguous")
    click.echo(
        f"{len(conflicts)} conflicts, {len(checks)} failed checks, {ambiguous} ambiguous rows, "
        f"{len(problems) - ambiguous} skipped rows"
    )


def _problem_detail(problem: RowProblemRecord) -> str:
    """Why a row's cells were not all read, in one line for an admin."""
    from bot.qa.wording import number_text

    if problem.kind != "ambiguous":
        return f"{problem.found} values for {problem.columns} columns: row skipped, nothing stored"
    shown = " | ".join(" ".join(number_text(v) for v in r) for r in problem.readings)
    return f"digits run together; readings: {shown}; no value stored for {', '.join(problem.keys)}"


@main.command()
@config_option
@db_option
@click.option("--unit", help="The unit, by any of its names (all its years unless --year).")
@click.option("--year", type=int, help="Only this year's report of the unit.")
@click.option(
    "--file",
    "file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="The report loaded from this file (path or file name).",
)
@click.pass_obj
def remove(run: Invocation, unit: str | None, year: int | None, file: Path | None) -> None:
    """Remove reports by unit and year, or by file; they are kept in the history.

    \b
    Examples:
      nianbao remove --unit 南湖镇 --year 2018 --db corpus.db
      nianbao remove --file reports/nanhu-2018.pdf --db corpus.db
    """
    from bot.corpus import remove_and_index

    if not unit and file is None:
        raise click.ClickException("say which reports: --unit NAME [--year YYYY] or --file PATH")
    run.existing_db().close()
    removed = remove_and_index(run.settings.db, unit=unit, year=year, path=file)
    if not removed:
        what = " ".join(str(x) for x in (unit, year, file) if x)
        raise click.ClickException(
            f"no loaded report matches {what}; see what is loaded with: nianbao reports"
        )
    for row in removed:
        click.echo(f"  removed    {row['unit']} {row['year']} ({row['source_file']})")
    click.echo(f"{len(removed)} reports removed")


@main.command()
@config_option
@db_option
@click.pass_obj
def reindex(run: Invocation) -> None:
    """Rebuild the passage index whole (after an ingest it is updated by small additions).

    \b
    Example:
      nianbao reindex --db corpus.db
    """
    from index.search import refresh

    run.existing_db().close()
    started = time.perf_counter()
    try:
        stats = refresh(run.settings.db, full=True)
    except (sqlite3.Error, OSError) as exc:
        raise click.ClickException(
            f"the passage index could not be rebuilt: {exc}; check the disk and try again"
        ) from exc
    click.echo(
        f"passage index rebuilt: {stats.passages} passages, {stats.terms} terms, "
        f"{time.perf_counter() - started:.1f} s"
    )


@main.command()
@config_option
@db_option
@click.option("--json", "as_json", is_flag=True, help="One JSON object per unit.")
@click.pass_obj
def units(run: Invocation, as_json: bool) -> None:
    """List the loaded units: name, official name, level, parent region and aliases.

    \b
    Example:
      nianbao units --db corpus.db
    """
    from ingest.units import units_rows

    rows = units_rows(run.existing_db())
    for row in rows:
        if as_json:
            row["aliases"] = json.loads(row["aliases"] or "[]")
            click.echo(json.dumps(row, ensure_ascii=False))
            continue
        aliases = "、".join(json.loads(row["aliases"] or "[]"))
        click.echo(
            f"{row['name']}\t{row['full_name'] or '—'}\t{row['level'] or '—'}\t"
            f"{row['parent'] or '—'}\t{row['reports']} reports\t{aliases}"
        )
    if not as_json:
        click.echo(f"{len(rows)} units")


@main.command()
@click.argument("unit", required=False)
@click.argument("aliases", nargs=-1)
@config_option
@db_option
@click.option(
    "--file",
    "file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help='TOML file of aliases: "unit name" = ["alias", …].',
)
@click.option("--remove", "remove_alias", help="Remove this admin alias.")
@click.pass_obj
def alias(
    run: Invocation,
    unit: str | None,
    aliases: tuple[str, ...],
    file: Path | None,
    remove_alias: str | None,
) -> None:
    """Add names people use for a loaded unit (kept across re-ingests).

    \b
    Examples:
      nianbao alias 南湖镇 南湖 南湖街 --db corpus.db
      nianbao alias --file aliases.toml --db corpus.db
      nianbao alias --remove 南湖街 --db corpus.db
    """
    from ingest.units import AliasError, add_alias, load_alias_file
    from ingest.units import remove_alias as drop_alias

    database = run.existing_db(write=True)
    try:
        if remove_alias:
            if not drop_alias(database, remove_alias):
                raise click.ClickException(f"{remove_alias} is no admin alias")
            click.echo(f"removed alias {remove_alias}")
            return
        added: list[tuple[str, str]] = []
        if file is not None:
            added.extend(load_alias_file(database, file))
        if unit:
            if not aliases:
                raise click.ClickException(
                    f"give the aliases after the unit: nianbao alias {unit} NAME…"
                )
            added.extend((add_alias(database, unit, a), a) for a in aliases)
        if not added:
            raise click.ClickException("give a UNIT and ALIASES, or --file aliases.toml")
    except AliasError as exc:
        raise click.ClickException(str(exc)) from exc
    for target, name in added:
        click.echo(f"  alias      {name} → {target}")


def _answerer(run: Invocation, warm: bool = True) -> Answerer:
    """The engine over the command's database, built from the samples when there is none;
    ``warm`` for many questions (see ``Answerer``)."""
    from bot.corpus import ensure_corpus
    from bot.qa.answerer import Answerer

    db = run.settings.db
    ensure_corpus(db, notify=lambda message: click.echo(message, err=True)).close()
    return Answerer(db, warm=warm)


@main.command()
@click.argument("question")
@config_option
@db_option
@click.option("--json", "as_json", is_flag=True, help="Print the answer object as JSON.")
@click.option("--related", is_flag=True, help="Also print the passages related to a figure answer.")
@click.pass_obj
def ask(run: Invocation, question: str, as_json: bool, related: bool) -> None:
    """Answer a question; QUESTION '-' reads one question per line from stdin.

    With no database yet, one is built from the bundled sample reports.

    \b
    Examples:
      nianbao ask "西集镇有多少行政诉讼？"
      nianbao ask --json "how many lawsuits did 西集镇 have"
      nianbao ask --json - < questions.txt
      nianbao ask --related "西塘镇主动公开了多少条"
    """
    from bot.cli.render_json import render_json
    from bot.cli.render_text import render_text

    answerer = _answerer(run, warm=question == "-")
    if question == "-":  # many questions: their words looked up in the dictionary read whole
        from ingest.jieba_import import read_whole_in_background

        read_whole_in_background()
    questions = _stdin_lines() if question == "-" else [question]
    for number, text in enumerate(questions, 1):
        answer = _answer_or_apology(answerer, text, number)
        if as_json:
            click.echo(render_json(answer))
        else:
            click.echo(render_text(answer, related=related))
            if question == "-":
                click.echo()


def _stdin_lines() -> Iterator[str]:
    """One question per line of standard input; bytes that are not UTF-8 become U+FFFD."""
    for raw in sys.stdin.buffer:
        yield raw.decode("utf-8", "replace").rstrip("\r\n")


def _answer_or_apology(answerer: Answerer, text: str, number: int) -> Answer:
    """The answer; should the engine fail on some question, a ``none`` answer saying so (and
    a line on stderr), so one bad line never ends a batch of questions."""
    from bot.qa.model import Answer, AnswerKind, Line

    try:
        return answerer.ask(text)
    except Exception as exc:  # a batch of thousands must not die on one question
        click.echo(f"question {number} failed: {type(exc).__name__}: {exc}", err=True)
        headline = Line.of(f"无法回答这个问题（内部错误 {type(exc).__name__}），请换一种问法。")
        return Answer(question=text, kind=AnswerKind.NONE, headline=headline)


@main.command(name="eval")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@config_option
@db_option
@click.option("--json", "as_json", is_flag=True, help="One JSON result per question, then totals.")
@click.pass_obj
def evaluate(run: Invocation, file: Path, as_json: bool) -> None:
    """Score a JSONL question file (shared/eval format); ends with 'N passed, N failed'.

    \b
    Example:
      nianbao eval ../shared/eval/seed-questions.jsonl
    """
    from bot.cli.evaluate import EvalFileError, load_questions, score_all, summary_lines

    try:
        items = load_questions(file)
    except EvalFileError as exc:
        raise click.ClickException(str(exc)) from exc
    answerer = _answerer(run)
    outcomes = score_all(items, answerer.ask)
    passed = sum(o.passed for o in outcomes)
    for o in outcomes:
        if as_json:
            click.echo(
                json.dumps(
                    {
                        "id": o.item.get("id"),
                        "q": o.item["q"],
                        "passed": o.passed,
                        "wrong_figure": o.wrong_figure,
                        "expected": o.expected,
                        "got": o.got,
                    },
                    ensure_ascii=False,
                )
            )
        elif not o.passed:
            label = "WRONG" if o.wrong_figure else "FAIL"
            click.echo(f"{label} {o.item.get('id', '')} {o.item['q']}")
            click.echo(f"  expected: {o.expected}")
            click.echo(f"  got:      {o.got}")
    wrong = sum(o.wrong_figure for o in outcomes)
    if as_json:
        click.echo(
            json.dumps({"passed": passed, "failed": len(outcomes) - passed, "wrong_figures": wrong})
        )
    else:
        for line in summary_lines(outcomes):
            click.echo(line)
        click.echo(f"{passed} passed, {len(outcomes) - passed} failed")
    if passed != len(outcomes):
        sys.exit(1)


@main.command()
@config_option
@db_option
@click.option(
    "-v",
    "--verbose",
    count=True,
    help="-v: one line per update (chat, user, kind, lengths, answer kind, time); "
    "-vv: also the words of each message.",
)
@click.pass_obj
def bot(run: Invocation, verbose: int) -> None:
    """Run the Telegram bot (long polling, or a webhook when configured).

    The token comes from NIANBAO_TELEGRAM_TOKEN or [telegram] token in the config file;
    config.example.toml documents every setting. Without -v the log holds start-up, the
    admins' menus, outages ("Telegram unreachable since …") and failures.

    \b
    Example:
      NIANBAO_TELEGRAM_TOKEN=123456:ABC… nianbao bot --db corpus.db -v
    """
    import logging

    from bot.settings import SettingsError
    from bot.telegram.app import BotConfigError, serve
    from bot.telegram.observe import UPDATES
    from bot.telegram.settings import telegram_settings

    settings = run.settings
    try:
        telegram = telegram_settings(settings)
    except SettingsError as exc:
        raise click.ClickException(str(exc)) from exc
    logging.basicConfig(
        level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    logging.getLogger("bot").setLevel(logging.INFO)
    UPDATES.setLevel({0: logging.WARNING, 1: logging.INFO}.get(verbose, logging.DEBUG))
    try:
        serve(settings.db, telegram, settings)
    except BotConfigError as exc:
        raise click.ClickException(str(exc)) from exc
