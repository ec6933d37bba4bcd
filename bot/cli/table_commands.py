"""``nianbao review``, ``compare`` and ``export``: what officials do with a pile of reports.

Review lists each report's findings with the words that show them; compare puts statistics of
many units (or of one unit's years) side by side, each figure with its source; export writes
the whole statistics table with its provenance. Files are written in a stream and only kept
when complete and not empty.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, TYPE_CHECKING

import click

from bot.cli.invocation import Invocation, config_option, db_option

if TYPE_CHECKING:  # the engine and the writers are imported when a command runs
    from bot.qa.answerer import Answerer
    from bot.qa.comparison import Comparison, Totals
    from bot.qa.findings import FindingRecord, Review
    from bot.qa.names import NotFound
    from ingest.review import ReviewRules

COMPARE_FORMATS = ("table", "csv", "xlsx", "json")
EXPORT_FORMATS = ("csv", "xlsx", "parquet")  # bot.spreadsheets.export_files writes these
_WHAT = {
    "statistic": "no statistic is called",
    "unit": "no loaded unit is called",
    "year": "no report is loaded for the year",
    "level": "no loaded report has the level",
    "region": "no loaded report lies in",
}
_HINT = {
    "statistic": "name it by catalogue key (requests.received) or by a label or alias (行政诉讼)",
    "unit": "see the loaded units with: nianbao units",
    "year": "see what is loaded with: nianbao reports",
    "level": "levels are read from the unit names (镇, 街道, 部门 …)",
    "region": "regions are the parent regions of the loaded units (nianbao units)",
}


def not_found(problem: NotFound) -> click.ClickException:
    """A name that matches nothing, with the closest names that do and how to find others."""
    close = f" Did you mean: {', '.join(problem.suggestions)}?" if problem.suggestions else ""
    return click.ClickException(
        f"{_WHAT[problem.kind]} {problem.name!r}.{close} ({_HINT[problem.kind]})"
    )


def _answerer(run: Invocation) -> Answerer:
    """The engine over the command's database, which must exist (these commands only read)."""
    from bot.qa.answerer import Answerer

    run.existing_db().close()
    return Answerer(run.settings.db)


# -- review ------------------------------------------------------------------------------------


def _jump_factor(option: float | None, run: Invocation) -> float | None:
    """--jump-factor, NIANBAO_REVIEW_JUMP_FACTOR, [review] jump_factor; None: the rules' own."""
    from bot.settings import SettingsError, number_setting, pick
    from ingest.review import load_rules

    value = pick(option, "NIANBAO_REVIEW_JUMP_FACTOR", run.settings.config, "review", "jump_factor")
    if value is None:
        return None
    try:
        factor = number_setting(value, "review.jump_factor", load_rules().jump_factor)
    except SettingsError as exc:
        raise click.ClickException(str(exc)) from exc
    if factor <= 1:
        raise click.ClickException(f"review.jump_factor must be more than 1, got {value!r}")
    return factor


def _finding_lines(finding: FindingRecord) -> Iterator[str]:
    yield f"  {finding.severity:<8} {finding.kind:<24} {finding.message}"
    link = f"  /source_{finding.passage_id}" if finding.passage_id is not None else ""
    quotes = finding.evidence.splitlines() or [""]
    for i, quote in enumerate(quotes):
        yield f"  {'':<8} {'':<24} 「{quote}」" + (link if i == len(quotes) - 1 else "")


def _counts_text(counts: dict[str, int]) -> str:
    return ", ".join(f"{n} {s}{'s' if n != 1 else ''}" for s, n in counts.items())


def _print_review(result: Review) -> None:
    from ingest.review import SEVERITIES

    by_report: dict[tuple[str, int, str], list[FindingRecord]] = {}
    for finding in result.findings:
        by_report.setdefault((finding.unit, finding.year, finding.source_file), []).append(finding)
    for (unit, year, source_file), findings in sorted(by_report.items()):
        counts = Counter(f.severity for f in findings)
        ordered = {s: counts.get(s, 0) for s in SEVERITIES}
        click.echo(f"{unit} {year} ({source_file}): {_counts_text(ordered)}")
        for finding in findings:
            for line in _finding_lines(finding):
                click.echo(line)
        click.echo()
    kinds = ", ".join(f"{k} {n}" for k, n in result.kinds().items())
    click.echo(
        f"{result.reports} report{'' if result.reports == 1 else 's'} reviewed, "
        f"{len(by_report)} with findings: "
        f"{_counts_text(result.counts())}" + (f" ({kinds})" if kinds else "")
    )


@click.command()
@config_option
@db_option
@click.option("--unit", help="Only this unit's reports (any of its names).")
@click.option("--year", type=int, help="Only the reports on this year.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per finding.")
@click.option(
    "--jump-factor",
    type=float,
    help="Ask about figures more than this many times last year's (default 10; "
    "NIANBAO_REVIEW_JUMP_FACTOR, [review] jump_factor).",
)
@click.pass_obj
def review(
    run: Invocation, unit: str | None, year: int | None, as_json: bool, jump_factor: float | None
) -> None:
    """Review reports: failed checks, conflicts, blank cells, wrong years and editions, and
    figures that do not follow from last year's, each with the words that show it.

    The reports in scope are reviewed again now (the review is also stored at ingest).

    \b
    Examples:
      nianbao review --db corpus.db
      nianbao review --unit 东湖街道 --year 2021 --db corpus.db
      nianbao review --json --db corpus.db > findings.jsonl
    """
    from ingest.review import load_rules

    answerer = _answerer(run)
    rules = load_rules()
    factor = _jump_factor(jump_factor, run)
    if factor is not None:
        rules = rules.with_jump_factor(factor)
    result = answerer.review(unit, year)
    if result.problem is not None:
        raise not_found(result.problem)
    if factor is not None:
        _review_again(run, result.unit, rules)
        result = answerer.review(result.unit, year)
    if as_json:
        for finding in result.findings:
            click.echo(json.dumps(finding.as_dict(), ensure_ascii=False))
        return
    _print_review(result)


def _review_again(run: Invocation, unit: str | None, rules: ReviewRules) -> None:
    """Store the findings of other rules (a jump factor of the user's); the findings stored at
    ingest already follow the rules' own, so only this needs the database writable."""
    from ingest.review import refresh_findings
    from ingest.store import writing

    db = run.existing_db(write=True)
    try:
        sql = "SELECT DISTINCT unit FROM reports" + (" WHERE unit = ?" if unit else "")
        units = [r["unit"] for r in db.query(sql, [unit] if unit else [])]
        with writing(db):
            for name in units:
                refresh_findings(db, name, rules)
    finally:
        db.close()


# -- compare -----------------------------------------------------------------------------------


def _levels(values: tuple[str, ...]) -> tuple[str, ...]:
    """--level 镇 --level 部门, also --level 镇,部门 or 镇|部门."""
    out: list[str] = []
    for value in values:
        out += [v for v in value.replace("|", ",").replace("，", ",").split(",") if v.strip()]
    return tuple(v.strip() for v in out)


def _writers() -> dict[str, Callable[[Comparison, IO[str]], Totals]]:
    from bot.cli.render_comparison import write_table
    from bot.spreadsheets.comparison_files import write_csv, write_json

    return {"table": write_table, "csv": write_csv, "json": write_json}


def _to_file(comparison: Comparison, fmt: str, output: Path) -> Totals:
    """Write the comparison to a file, kept only when it holds a figure."""
    from bot.spreadsheets.comparison_files import write_xlsx
    from bot.spreadsheets.output import OutputFile

    target = OutputFile(output)
    with target as temp:
        if fmt == "xlsx":
            totals = write_xlsx(comparison, temp)
        else:
            with temp.open("w", encoding="utf-8", newline="") as out:
                totals = _writers()[fmt](comparison, out)
        if totals.figures:
            target.keep()
    return totals


@click.command()
@config_option
@db_option
@click.option(
    "--stat",
    "statistics",
    multiple=True,
    required=True,
    help="A statistic: catalogue key or any label or alias (repeat for more columns).",
)
@click.option("--year", type=int, help="The reports on this year (default: each unit's latest).")
@click.option("--level", "levels", multiple=True, help="Only units of this level: 镇, 街道, 部门 …")
@click.option("--region", help="Only units in this region (their parent region or name prefix).")
@click.option("--unit", help="One unit (with --by-year: its statistics across years).")
@click.option("--by-year", is_flag=True, help="One row per year of --unit instead of per unit.")
@click.option(
    "--format", "fmt", type=click.Choice(COMPARE_FORMATS), default="table", show_default=True
)
@click.option(
    "-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Write to this file."
)
@click.pass_obj
def compare(
    run: Invocation,
    statistics: tuple[str, ...],
    year: int | None,
    levels: tuple[str, ...],
    region: str | None,
    unit: str | None,
    by_year: bool,
    fmt: str,
    output: Path | None,
) -> None:
    """Compare statistics side by side: one row per unit (or per year), one column per
    statistic, every figure with its source; units without a figure are blank, never 0. The
    last row adds up the units that give a figure and says how many do.

    \b
    Examples:
      nianbao compare --year 2023 --stat requests.received --stat 行政诉讼
      nianbao compare --stat 主动公开 --level 镇 --format xlsx -o towns.xlsx
      nianbao compare --unit 东湖街道 --by-year --stat 行政复议 --stat 行政诉讼
    """
    from bot.qa.comparison import ComparisonRequest

    if by_year and not unit:
        raise click.ClickException("--by-year compares the years of one unit: add --unit NAME")
    if fmt == "xlsx" and output is None:
        raise click.ClickException("XLSX is a file: add -o FILE.xlsx")
    answerer = _answerer(run)
    request = ComparisonRequest(
        statistics=statistics,
        year=year,
        levels=_levels(levels),
        region=region,
        unit=unit,
        by_year=by_year,
    )
    comparison = answerer.compare(request)
    if comparison.problem is not None:
        raise not_found(comparison.problem)
    if not comparison.has_figures():
        names = ", ".join(c.label for c in comparison.columns)
        raise click.ClickException(
            f"no loaded report in this scope gives a figure for {names}; nothing written "
            "(try another --year, or see what is loaded with: nianbao reports)"
        )
    if output is None:
        _writers()[fmt](comparison, sys.stdout)
        return
    totals = _to_file(comparison, fmt, output)
    if not totals.figures:
        raise click.ClickException(f"no figures to compare; {output} was not written")
    click.echo(
        f"wrote {output}: {totals.rows} rows, {len(comparison.columns)} statistics, "
        f"{totals.figures} figures",
        err=True,
    )


# -- export ------------------------------------------------------------------------------------


@click.command()
@config_option
@db_option
@click.option(
    "--format", "fmt", type=click.Choice(EXPORT_FORMATS), default="csv", show_default=True
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="The file to write.",
)
@click.pass_obj
def export(run: Invocation, fmt: str, output: Path) -> None:
    """Write the whole statistics table with its provenance: report, statistic, value, source
    (table/prose/derived), the words it was read from, the passage id, whether answers use it.

    \b
    Examples:
      nianbao export --format csv -o statistics.csv --db corpus.db
      nianbao export --format parquet -o statistics.parquet --db corpus.db
    """
    from bot.qa.statistics_export import statistics_rows
    from bot.spreadsheets.export_files import ExportError, write_export
    from bot.spreadsheets.output import OutputFile
    from ingest.catalogue import load_catalogue

    db = run.existing_db()
    target = OutputFile(output)
    try:
        with target as temp:
            count = write_export(statistics_rows(db, load_catalogue()), fmt, temp)
            if count:
                target.keep()
    except ExportError as exc:
        raise click.ClickException(str(exc)) from exc
    if not count:
        raise click.ClickException(
            f"no statistics loaded, {output} was not written; load reports with: nianbao ingest"
        )
    click.echo(f"wrote {output}: {count} statistics", err=True)
