"""Reviews and comparisons as Telegram messages: findings with their evidence in expandable
blockquotes, names not found with suggestions, and a comparison as the rows of a picture.

Everything from a report or a user is escaped; the only tags are written here.
"""

from __future__ import annotations

from bot.qa.comparison import Comparison, Row, Totals
from bot.qa.findings import FindingRecord, Review
from bot.qa.names import NotFound
from bot.qa.wording import number_text
from bot.spreadsheets.comparison_files import value_header, words
from bot.telegram.picture_data import TableRows
from bot.telegram.texts import escape_html, sentence, texts

FINDINGS_SHOWN = 12  # findings listed in one /review answer
UPLOAD_FINDINGS_SHOWN = 3  # the top findings in an upload's reply
PICTURE_ROWS = 40  # units drawn in a comparison picture (the XLSX has them all)


_NOT_FOUND = {
    "unit": "not_found_unit",
    "year": "not_found_year",
    "statistic": "not_found_statistic",
}


def not_found_sentence(problem: NotFound) -> str:
    """What matched nothing, and the closest names that do."""
    line = sentence(_NOT_FOUND.get(problem.kind, "not_found_unit"), name=problem.name)
    if problem.suggestions:
        key = "not_found_years" if problem.kind == "year" else "not_found_suggest"
        line += sentence(key, names="、".join(problem.suggestions))
    return line


def finding_block(finding: FindingRecord) -> str:
    """One finding: severity, kind, year and message, the evidence folded away, the source."""
    t = texts()
    head = sentence(
        "review_item",
        icon=t["review_icon"].get(finding.severity, ""),
        severity=t["review_severity"].get(finding.severity, finding.severity),
        kind=t["review_kind"].get(finding.kind, finding.kind),
        year=finding.year,
        message=finding.message,
    )
    block = escape_html(head)
    if finding.evidence:
        block += f"\n<blockquote expandable>{escape_html(finding.evidence)}</blockquote>"
    if finding.passage_id is not None:
        block += "\n" + escape_html(sentence("source_link", id=finding.passage_id))
    return block


def _counts(review: Review) -> dict[str, int]:
    return review.counts()


def review_blocks(review: Review) -> list[str]:
    """/review: the counts, then the most serious findings first."""
    unit = review.unit or ""
    if review.year:
        scope = sentence("review_scope_year", unit=unit, year=review.year)
    else:
        scope = sentence("review_scope_unit", unit=unit)
    if not review.findings:
        return [escape_html(sentence("review_clean", scope=scope, reports=review.reports))]
    head = sentence("review_head", scope=scope, reports=review.reports, **_counts(review))
    blocks = [f"<b>{escape_html(head)}</b>"]
    blocks += [finding_block(f) for f in review.findings[:FINDINGS_SHOWN]]
    hidden = len(review.findings) - FINDINGS_SHOWN
    if hidden > 0:
        blocks.append(escape_html(sentence("review_more", n=hidden, unit=unit)))
    return blocks


def upload_review_blocks(review: Review) -> list[str]:
    """After an upload: how many findings, the top few, and how to see them all."""
    if not review.findings:
        return [escape_html(sentence("upload_review_clean"))]
    head = sentence("upload_review", total=len(review.findings), **_counts(review))
    blocks = [f"<b>{escape_html(head)}</b>"]
    blocks += [finding_block(f) for f in review.findings[:UPLOAD_FINDINGS_SHOWN]]
    blocks.append(
        escape_html(sentence("upload_review_all", unit=review.unit or "", year=review.year or ""))
    )
    return blocks


# -- comparisons -------------------------------------------------------------------------------


def comparison_scope(comparison: Comparison) -> str:
    year = comparison.request.year
    return sentence("compare_scope_year", year=year) if year else sentence("compare_scope_latest")


def comparison_title(comparison: Comparison) -> str:
    labels = "、".join(c.label for c in comparison.columns)
    return sentence("compare_title", labels=labels, scope=comparison_scope(comparison))


def _sorted(rows: list[Row]) -> list[Row]:
    """Most first by the first statistic; units without its figure last."""
    return sorted(
        rows,
        key=lambda r: (r.cells[0] is None, -(r.cells[0].value if r.cells[0] else 0), r.unit),
    )


def comparison_picture(comparison: Comparison, rows: list[Row]) -> tuple[TableRows, Totals]:
    """The rows of the picture (the first ``PICTURE_ROWS`` units) and the totals of all."""
    marks = words()["marks"]
    totals = Totals.of(len(comparison.columns))
    for row in rows:
        totals.add(row)
    shown = []
    for row in _sorted(rows)[:PICTURE_ROWS]:
        cells = [f"{number_text(c.value)}{marks.get(c.source, '')}" if c else "" for c in row.cells]
        shown.append([row.unit, str(row.year), *cells])
    total = [
        sentence("compare_total", sum=number_text(s), count=n) if n else "—"
        for s, n in zip(totals.sums, totals.counts, strict=True)
    ]
    w = words()["comparison"]
    table = TableRows(
        title=comparison_title(comparison),
        header=[w["unit"], w["year"], *(value_header(c) for c in comparison.columns)],
        rows=shown,
        total=[w["total"], "", *total],
        note=sentence("compare_note"),
    )
    return table, totals


def comparison_caption(comparison: Comparison, totals: Totals, legend: list[str]) -> list[str]:
    """The picture's caption as HTML blocks."""
    blocks = [
        f"<b>{escape_html(comparison_title(comparison))}</b>",
        escape_html(sentence("compare_caption", units=totals.rows, figures=totals.figures)),
    ]
    if totals.rows > PICTURE_ROWS:
        blocks.append(escape_html(sentence("compare_shown", shown=PICTURE_ROWS, rows=totals.rows)))
    if legend:
        blocks.append(escape_html(sentence("chart_legend") + " " + " · ".join(legend)))
    return blocks


def comparison_file_name(comparison: Comparison) -> str:
    key = "+".join(c.key for c in comparison.columns)
    scope = str(comparison.request.year or "latest")
    return sentence("compare_file", key=key, scope=scope)
