"""The review of a report: what an official should fix before (or after) it is published.

Every finding carries its evidence, quoted from the report, and a severity.  Findings are
computed from what the database holds — statistics, failed checks, conflicts, rows left
unread, the report's text — so the same code reviews a report at ingest and on demand, and
a unit's findings across years are computed again whenever one of its reports is added,
replaced or removed (``refresh_findings``).  What is checked, how serious it is, and the
arithmetic relations between figures are data: ``ingest/data/review.toml``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field, replace
from functools import cache
from typing import Any

import sqlite_utils

from ingest.catalogue import Catalogue, load_catalogue
from ingest.review_years import date_spans, periods, sentence_years, table_years, title_year
from ingest.vocab import load_toml

SEVERITIES = ("error", "warning", "question")
KINDS = (
    "failed_check",
    "conflict",
    "ambiguous_row",
    "row_values",
    "blank_cell",
    "template_edition",
    "year_mismatch",
    "published_early",
    "cumulative_below_annual",
    "carry_over",
    "cumulative_shrinks",
    "jump",
)
_MAX_QUOTES = 4  # evidence rows quoted for one finding
_MAX_READINGS = 3  # readings of a run-together row named in its message
_KEY = re.compile(r"[a-z_]+(?:\.[a-z_0-9]+)+")
_BALANCE_IN = ("requests.received", "requests.carried_over")
_BALANCE_OUT = ("requests.handled", "requests.carried_forward")
_HEADER_LEAD = 12  # characters quoted before a table's year column (指标名称 计量单位 …)
_DATE_LEAD = 30  # characters quoted before a signature date (the unit's name)


@dataclass(frozen=True)
class Finding:
    """One thing wrong (or odd) in a report, with the words of the report that show it."""

    report_id: int
    kind: str
    severity: str
    message: str
    evidence: str
    statistic: str | None = None
    passage_id: int | None = None
    other_report_id: int | None = None  # the other year's report of a finding across years
    value: float | None = None
    other_value: float | None = None
    rule: str = ""


@dataclass(frozen=True)
class Edition:
    template: str
    first: int
    last: int
    name: str


@dataclass(frozen=True)
class Relation:
    """An arithmetic relation between two figures (see ``review.toml``)."""

    kind: str
    statistics: tuple[str, ...]
    left: str
    right: str
    relation: str
    report: str = "same"
    message: str = ""
    factor: float = 10.0
    min_value: float = 0.0
    max_gap: int = 1


@dataclass(frozen=True)
class ReviewRules:
    severity: dict[str, str]
    editions: tuple[Edition, ...]
    optional_blank: frozenset[str]
    period_words: tuple[str, ...]
    cumulative_headers: tuple[str, ...]
    not_after: tuple[str, ...]
    not_before: tuple[str, ...]
    relations: tuple[Relation, ...]
    messages: dict[str, str] = field(default_factory=dict)
    template_phrases: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def say(self, name: str, /, **fields: object) -> str:
        """A message of ``[messages]``, filled in."""
        return self.messages[name].format(**fields)

    def with_jump_factor(self, factor: float) -> ReviewRules:
        """The same rules with another factor for jumps across years."""
        relations = tuple(
            replace(r, factor=factor) if r.relation == "within_factor" else r
            for r in self.relations
        )
        return replace(self, relations=relations)

    @property
    def jump_factor(self) -> float:
        return next((r.factor for r in self.relations if r.relation == "within_factor"), 0.0)


def rules_from(data: dict, templates: dict) -> ReviewRules:
    """Rules from a parsed ``review.toml`` (and ``templates.toml`` for edition evidence)."""
    severity = dict(data["severity"])
    unknown = sorted(set(severity) - set(KINDS))
    bad = sorted(v for v in severity.values() if v not in SEVERITIES)
    if unknown or bad:
        raise ValueError(f"review.toml: unknown kinds {unknown} or severities {bad}")
    relations = []
    for entry in data.get("relation", []):
        relation = Relation(
            kind=entry["kind"],
            statistics=tuple(entry["statistics"]),
            left=entry["left"],
            right=entry["right"],
            relation=entry["relation"],
            report=entry.get("report", "same"),
            message=entry.get("message", ""),
            factor=float(entry.get("factor", 10)),
            min_value=float(entry.get("min_value", 0)),
            max_gap=int(entry.get("max_gap", 1)),
        )
        if relation.kind not in severity or relation.relation not in (">=", "==", "within_factor"):
            raise ValueError(f"review.toml: bad relation {entry}")
        if relation.report not in ("same", "year_before", "earlier"):
            raise ValueError(f"review.toml: bad report {relation.report!r} in {entry}")
        relations.append(relation)
    years = data["years"]
    return ReviewRules(
        severity=severity,
        editions=tuple(
            Edition(e["template"], e.get("from", 0), e.get("until", 9999), e["name"])
            for e in data["edition"]
        ),
        optional_blank=frozenset(data.get("blank_cell", {}).get("optional", [])),
        period_words=tuple(years["period_words"]),
        cumulative_headers=tuple(years["cumulative_headers"]),
        not_after=tuple(years["not_after"]),
        not_before=tuple(years["not_before"]),
        relations=tuple(relations),
        messages=dict(data["messages"]),
        template_phrases={
            name: tuple(spec.get("phrases", []))
            for name, spec in templates.items()
            if isinstance(spec, dict) and "phrases" in spec
        },
    )


@cache
def load_rules() -> ReviewRules:
    """The bundled rules (read once per process)."""
    return rules_from(
        load_toml("ingest.data", "review.toml"), load_toml("ingest.data", "templates.toml")
    )


# -- what the review reads ----------------------------------------------------------------------


@dataclass(frozen=True)
class _Figure:
    key: str
    value: float
    evidence: str
    passage_id: int | None


@dataclass
class _Report:
    id: int
    unit: str
    year: int
    template: str
    title: str
    text: str
    published: str | None
    figures: dict[str, _Figure]
    passages: list[tuple[int, int, int]]  # (start, end, id) in text order

    def passage_at(self, offset: int) -> int | None:
        for start, end, pid in self.passages:
            if start <= offset < end:
                return pid
        return None


def _load_report(db: sqlite_utils.Database, row: dict) -> _Report:
    figures: dict[str, _Figure] = {}
    for s in db.query(
        "SELECT key, value, evidence, passage_id FROM statistics "
        "WHERE report_id = ? AND official = 1 AND value IS NOT NULL ORDER BY id",
        [row["id"]],
    ):
        figure = _Figure(s["key"], s["value"], s["evidence"] or "", s["passage_id"])
        figures.setdefault(s["key"], figure)
    passages = [
        (p["start"], p["end"], p["id"])
        for p in db.query(
            'SELECT id, start, "end" FROM passages WHERE report_id = ? ORDER BY start', [row["id"]]
        )
    ]
    return _Report(
        id=row["id"],
        unit=row["unit"],
        year=row["year"],
        template=row["template"] or "unknown",
        title=row["title"] or "",
        text=row["text"] or "",
        published=row["published"],
        figures=figures,
        passages=passages,
    )


def _reports_of(
    db: sqlite_utils.Database, unit: str, texts: Collection[int] | None = None
) -> list[_Report]:
    """A unit's reports, oldest first; the text only of those in ``texts`` (None: all), as
    only a report's own findings read it and a unit's findings across years do not."""
    rows = list(
        db.query(
            "SELECT id, unit, year, template, title, published FROM reports "
            "WHERE unit = ? ORDER BY year, id",
            [unit],
        )
    )
    for row in rows:
        row["text"] = ""
        if texts is None or row["id"] in texts:
            row["text"] = db.execute(
                "SELECT text FROM reports WHERE id = ?", [row["id"]]
            ).fetchone()[0]
    return [_load_report(db, row) for row in rows]


def _number(value: float | None) -> str:
    if value is None:
        return "—"
    if float(value).is_integer():
        return str(int(value))
    return f"{value:.2f}".rstrip("0").rstrip(".")


def _one_line(text: str) -> str:
    return " ".join((text or "").split())


def _quotes(texts: Iterable[str]) -> str:
    """Distinct quotes, one a line, at most a few."""
    seen = list(dict.fromkeys(_one_line(t) for t in texts if t and t.strip()))
    return "\n".join(seen[:_MAX_QUOTES])


def _label(catalogue: Catalogue, key: str) -> str:
    statistic = catalogue.statistics.get(key)
    return statistic.label if statistic else key


# -- findings of one report --------------------------------------------------------------------


class _Reviewer:
    """Findings of one report, and of one unit's reports across years."""

    def __init__(self, db: sqlite_utils.Database, rules: ReviewRules, catalogue: Catalogue) -> None:
        self.db = db
        self.rules = rules
        self.catalogue = catalogue

    def finding(
        self, report: _Report, kind: str, message: str, evidence: str, **more: Any
    ) -> Finding:
        return Finding(
            report.id, kind, self.rules.severity[kind], message, evidence.strip(), **more
        )

    def report(self, report: _Report) -> list[Finding]:
        found: list[Finding] = []
        found += self.failed_checks(report)
        found += self.conflicts(report)
        found += self.row_problems(report)
        found += self.blank_cells(report)
        found += self.template_edition(report)
        found += self.year_mismatch(report)
        found += self.published_early(report)
        for relation in self.rules.relations:
            if relation.report == "same":
                found += self.relation(relation, report, report)
        return found

    # table arithmetic and disagreements, recorded at extraction

    def _evidence_of(self, report: _Report, keys: Sequence[str]) -> tuple[str, int | None]:
        rows = [report.figures[k] for k in keys if k in report.figures]
        first = rows[0].passage_id if rows else None
        return _quotes(r.evidence for r in rows), first

    def _check_keys(self, name: str, detail: str) -> list[str]:
        kind, _, target = name.partition(":")
        if kind == "sum":
            children = [c.key for c in self.catalogue.children(target)]
            return [target, *children]
        if kind in ("columns", "subtotal"):
            return [target]
        if kind == "balance":
            suffix = "" if target == "total" else target
            return [self.catalogue.cell_key(k, suffix) for k in (*_BALANCE_IN, *_BALANCE_OUT)]
        return _KEY.findall(detail)

    def _column_words(self, detail: str) -> str:
        """A balance check names its column by key (natural_person:): the column's label."""
        for column in self.catalogue.columns.get("applicants", []):
            if column.suffix and detail.startswith(f"{column.suffix}:"):
                return column.label + detail[len(column.suffix) :]
        return detail

    def failed_checks(self, report: _Report) -> list[Finding]:
        found = []
        for check in self.db.query(
            "SELECT name, expected, actual, detail FROM checks WHERE report_id = ? ORDER BY id",
            [report.id],
        ):
            keys = self._check_keys(check["name"], check["detail"] or "")
            evidence, passage = self._evidence_of(report, keys)
            if not evidence:
                evidence = self._problem_rows(report, keys) or check["detail"]
            found.append(
                self.finding(
                    report,
                    "failed_check",
                    self._check_message(report, check, keys),
                    evidence,
                    statistic=keys[0] if keys else None,
                    passage_id=passage,
                    value=check["expected"],
                    other_value=check["actual"],
                    rule=f"check:{check['name']}",
                )
            )
        return found

    def _check_message(self, report: _Report, check: dict, keys: list[str]) -> str:
        """A sum that does not add up, in short: the total, the sum, the parts that are not 0."""
        kind = check["name"].partition(":")[0]
        if kind not in ("sum", "columns", "subtotal") or keys[0] not in report.figures:
            detail = self._column_words(check["detail"] or check["name"])
            return self.rules.say("failed_check", detail=detail)
        if kind == "sum":
            parts = [(_label(self.catalogue, k), k) for k in keys[1:]]
        else:
            columns = self.catalogue.columns.get("applicants", [])
            parts = [
                (c.label, self.catalogue.cell_key(keys[0], c.suffix))
                for c in columns
                if c.suffix and c.suffix != "legal_person"
            ]
        given = [(name, report.figures[k].value) for name, k in parts if k in report.figures]
        shown = self.rules.say("label_separator").join(
            f"{name} {_number(v)}" for name, v in given if v
        )
        return self.rules.say(
            f"{kind}_check",
            label=_label(self.catalogue, keys[0]),
            total=_number(check["expected"]),
            sum=_number(check["actual"]),
            parts=shown or "0",
        )

    def _problem_rows(self, report: _Report, keys: Sequence[str]) -> str:
        rows = self.db.query(
            "SELECT evidence, keys FROM row_problems WHERE report_id = ? ORDER BY start",
            [report.id],
        )
        wanted = set(keys)
        return _quotes(r["evidence"] for r in rows if wanted & set(json.loads(r["keys"] or "[]")))

    def conflicts(self, report: _Report) -> list[Finding]:
        found = []
        for row in self.db.query(
            """SELECT c.key, a.value AS value, a.source AS source, a.evidence AS evidence,
                      b.value AS other, b.source AS other_source, b.evidence AS other_evidence,
                      b.passage_id AS passage_id
               FROM conflicts c JOIN statistics a ON a.id = c.official_id
               JOIN statistics b ON b.id = c.other_id WHERE c.report_id = ? ORDER BY c.id""",
            [report.id],
        ):
            message = self.rules.say(
                "conflict",
                label=_label(self.catalogue, row["key"]),
                source=self.rules.say(f"source_{row['source']}"),
                value=_number(row["value"]),
                other_source=self.rules.say(f"source_{row['other_source']}"),
                other=_number(row["other"]),
            )
            found.append(
                self.finding(
                    report,
                    "conflict",
                    message,
                    _quotes([row["evidence"], row["other_evidence"]]),
                    statistic=row["key"],
                    passage_id=row["passage_id"],
                    value=row["value"],
                    other_value=row["other"],
                    rule="conflict",
                )
            )
        return found

    def row_problems(self, report: _Report) -> list[Finding]:
        found = []
        for row in self.db.query(
            "SELECT kind, label, evidence, start, columns, found, keys, readings "
            "FROM row_problems WHERE report_id = ? ORDER BY start",
            [report.id],
        ):
            keys = json.loads(row["keys"] or "[]")
            label = _one_line(row["label"]) or _one_line(row["evidence"])[:20]
            if row["kind"] == "ambiguous":
                readings = json.loads(row["readings"] or "[]")
                shown = self.rules.say("reading_separator").join(
                    "|".join(_number(v) for v in r) for r in readings[:_MAX_READINGS]
                )
                if len(readings) > _MAX_READINGS:
                    shown += self.rules.say("more_readings")
                message = self.rules.say(
                    "ambiguous_row", label=label, readings=shown, cells=len(keys)
                )
                kind = "ambiguous_row"
            elif row["kind"] == "unreadable":
                message = self.rules.say("unreadable_row", label=label)
                kind = "ambiguous_row"
            else:
                message = self.rules.say(
                    "row_values", label=label, found=row["found"], columns=row["columns"]
                )
                kind = "row_values"
            found.append(
                self.finding(
                    report,
                    kind,
                    message,
                    _one_line(row["evidence"]),
                    statistic=keys[0] if keys else None,
                    passage_id=report.passage_at(row["start"]),
                    rule=f"row:{row['kind']}",
                )
            )
        return found

    def blank_cells(self, report: _Report) -> list[Finding]:
        """Table cells left blank, one finding per row."""
        rows: dict[str, list[dict]] = {}
        for s in self.db.query(
            "SELECT key, label, evidence, passage_id FROM statistics WHERE report_id = ? "
            "AND source = 'table' AND value IS NULL ORDER BY id",
            [report.id],
        ):
            if s["key"] in self.rules.optional_blank or s["key"] in report.figures:
                continue
            statistic = self.catalogue.statistics.get(s["key"])
            if statistic is not None and report.template not in statistic.templates:
                continue
            rows.setdefault(s["evidence"] or "", []).append(s)
        found = []
        for evidence, cells in rows.items():
            labels = self.rules.say("label_separator").join(
                dict.fromkeys(_label(self.catalogue, c["key"]) for c in cells)
            )
            found.append(
                self.finding(
                    report,
                    "blank_cell",
                    self.rules.say("blank_cell", labels=labels),
                    _one_line(evidence),
                    statistic=cells[0]["key"],
                    passage_id=cells[0]["passage_id"],
                    rule="blank",
                )
            )
        return found

    # template and years, read from the text

    def template_edition(self, report: _Report) -> list[Finding]:
        if report.template == "unknown":
            return []
        required = next((e for e in self.rules.editions if e.first <= report.year <= e.last), None)
        if required is None or required.template == report.template:
            return []
        used = next((e for e in self.rules.editions if e.template == report.template), None)
        evidence, passage = self._template_marker(report)
        message = self.rules.say(
            "template_edition",
            year=report.year,
            required=required.name,
            used=used.name if used else report.template,
        )
        return [
            self.finding(
                report,
                "template_edition",
                message,
                evidence or report.title,
                passage_id=passage,
                rule=f"edition:{required.template}",
            )
        ]

    def _template_marker(self, report: _Report) -> tuple[str, int | None]:
        """The first passage holding a phrase only the report's edition prints."""
        phrases = self.rules.template_phrases.get(report.template, ())
        if not phrases:
            return "", None
        for p in self.db.query(
            "SELECT id, text, norm FROM passages WHERE report_id = ? ORDER BY ord", [report.id]
        ):
            norm = p["norm"] or ""
            hit = next((ph for ph in phrases if ph in norm), None)
            if hit:
                return _one_line(p["text"]), p["id"]
        return "", None

    def _stated_year(self, report: _Report) -> tuple[int, str]:
        """The year the title states (the report's year when the title has none), and how
        to name it."""
        year = title_year(report.title)
        if year is not None:
            return year, self.rules.say("title_year", year=year)
        return report.year, self.rules.say("report_year", year=report.year)

    def year_mismatch(self, report: _Report) -> list[Finding]:
        stated, stated_words = self._stated_year(report)
        found: list[Finding] = []
        for period in periods(report.text, self.rules.period_words):
            if period.first == stated and period.last == stated:
                continue
            years = str(period.first)
            if period.last != period.first:
                years = f"{period.first}–{period.last}"
            found.append(
                self.finding(
                    report,
                    "year_mismatch",
                    self.rules.say("period_year", stated=stated_words, years=years),
                    _one_line(report.text[period.start : period.end]),
                    passage_id=report.passage_at(period.start),
                    value=float(stated),
                    other_value=float(period.first if period.first != stated else period.last),
                    rule="year:period",
                )
            )
        wrong = [(y, q, p) for y, q, p in self._figure_years(report) if y != stated]
        if wrong:
            years = self.rules.say("label_separator").join(sorted({str(y) for y, _, _ in wrong}))
            found.append(
                self.finding(
                    report,
                    "year_mismatch",
                    self.rules.say(
                        "figure_year",
                        stated=stated_words,
                        count=len({q for _, q, _ in wrong}),
                        years=years,
                    ),
                    _quotes(q for _, q, _ in wrong),
                    passage_id=wrong[0][2],
                    value=float(stated),
                    other_value=float(wrong[0][0]),
                    rule="year:figures",
                )
            )
        return found

    def _figure_years(self, report: _Report) -> list[tuple[int, str, int | None]]:
        """(year, quote, passage) of every year stated for figures: the year column of the
        pre-2020 统计表 and years in the sentences that state a figure."""
        out: list[tuple[int, str, int | None]] = []
        for column in table_years(report.text, self.rules.cumulative_headers):
            lead = max(0, column.start - _HEADER_LEAD)
            quote = _one_line(report.text[lead : column.end])
            out.append((column.first, quote, report.passage_at(column.start)))
        for s in self.db.query(
            "SELECT evidence, passage_id FROM statistics WHERE report_id = ? AND source = 'prose' "
            "ORDER BY id",
            [report.id],
        ):
            for year in sentence_years(
                s["evidence"] or "", self.rules.not_after, self.rules.not_before
            ):
                out.append((year, _one_line(s["evidence"]), s["passage_id"]))
        return out

    def published_early(self, report: _Report) -> list[Finding]:
        published = report.published or ""
        match = re.match(r"(\d{4})-(\d\d)-(\d\d)$", published)
        if not match or int(match.group(1)) > report.year:
            return []
        y, mo, d = (int(g) for g in match.groups())
        spans = date_spans(report.text, y, mo, d)
        evidence, passage = published, None
        if spans:
            start, end = spans[-1]
            evidence = _one_line(report.text[max(0, start - _DATE_LEAD) : end])
            passage = report.passage_at(start)
        return [
            self.finding(
                report,
                "published_early",
                self.rules.say("published_early", year=report.year, published=published),
                evidence,
                passage_id=passage,
                rule="year:published",
            )
        ]

    # relations between figures, in one report or across years

    def _keys_matching(self, pattern: str, report: _Report) -> list[tuple[str, str]]:
        """(key, rest) of the report's figures a pattern names; alternatives a|b give the first
        one present."""
        if "*" not in pattern:
            key = next((k for k in pattern.split("|") if k in report.figures), None)
            return [(key, "")] if key else []
        regex = re.compile("^" + re.escape(pattern).replace(r"\*", "(.*)") + "$")
        return [(key, m.group(1)) for key in report.figures if (m := regex.match(key)) is not None]

    def relation(self, relation: Relation, report: _Report, other: _Report) -> list[Finding]:
        found = []
        for pattern in relation.statistics:
            for key, rest in self._keys_matching(pattern, report):
                left_key = relation.left.format(key=key, rest=rest)
                right_key = relation.right.format(key=key, rest=rest)
                if "|" in pattern and "*" not in pattern:
                    right_key = next(
                        (k for k in pattern.split("|") if k in other.figures), right_key
                    )
                a, b = report.figures.get(left_key), other.figures.get(right_key)
                if a is None or b is None or self._holds(relation, a.value, b.value):
                    continue
                found.append(self._relation_finding(relation, report, other, a, b))
        return found

    @staticmethod
    def _holds(relation: Relation, a: float, b: float) -> bool:
        if relation.relation == ">=":
            return a >= b - 1e-9
        if relation.relation == "==":
            return abs(a - b) <= 1e-9
        low, high = sorted((abs(a), abs(b)))
        if high < relation.min_value:
            return True
        if low == 0:
            return False
        return high / low <= relation.factor

    def _relation_finding(
        self, relation: Relation, report: _Report, other: _Report, a: _Figure, b: _Figure
    ) -> Finding:
        message = relation.message.format(
            label=_label(self.catalogue, a.key),
            left=_number(a.value),
            right=_number(b.value),
            year=report.year,
            other_year=other.year,
            factor=_number(relation.factor),
        )
        if other is report:
            evidence = _quotes([a.evidence, b.evidence])
        else:
            evidence = "\n".join(
                self.rules.say("year_quote", year=r.year, quote=_one_line(f.evidence))
                for r, f in ((report, a), (other, b))
            )
        return self.finding(
            report,
            relation.kind,
            message,
            evidence,
            statistic=a.key,
            passage_id=a.passage_id,
            other_report_id=None if other is report else other.id,
            value=a.value,
            other_value=b.value,
            rule=f"relation:{relation.kind}",
        )

    def across_years(self, reports: list[_Report]) -> list[Finding]:
        """Findings between the years of one unit's reports (oldest first)."""
        found: list[Finding] = []
        for i, report in enumerate(reports):
            earlier = [r for r in reports[:i] if r.year < report.year]
            for relation in self.rules.relations:
                if relation.report == "same":
                    continue
                if relation.report == "year_before":
                    other = next((r for r in reversed(earlier) if r.year == report.year - 1), None)
                else:
                    other = earlier[-1] if earlier else None
                    if other is not None and report.year - other.year > relation.max_gap:
                        other = None
                if other is not None:
                    found += self.relation(relation, report, other)
        return found


# -- the findings table --------------------------------------------------------------------------


def review_unit(
    db: sqlite_utils.Database,
    unit: str,
    rules: ReviewRules | None = None,
    catalogue: Catalogue | None = None,
    only: Collection[int] | None = None,
) -> list[Finding]:
    """Every finding of one unit's reports: each report's own, then those across years.

    With ``only``, the own findings of just those reports (the across-years ones still of
    all): a report's own findings depend on nothing but the report.
    """
    reviewer = _Reviewer(db, rules or load_rules(), catalogue or load_catalogue())
    reports = _reports_of(db, unit, only)
    found: list[Finding] = []
    for report in reports:
        if only is None or report.id in only:
            found += reviewer.report(report)
    found += reviewer.across_years(reports)
    return found


def refresh_findings(
    db: sqlite_utils.Database,
    unit: str,
    rules: ReviewRules | None = None,
    changed: Collection[int] | None = None,
) -> int:
    """Replace the stored findings of one unit's reports (call inside a transaction);
    returns how many it wrote.

    ``changed`` names the reports that are new since the last refresh, when the unit's
    other reports are unchanged (same unit name, same year, same rules): their own findings
    stay as stored and only the new reports' and those across years are computed again.
    None reviews every report of the unit.
    """
    rows = list(db.query("SELECT id, year FROM reports WHERE unit = ?", [unit]))
    ids = [r["id"] for r in rows]
    if ids:
        marks = ",".join("?" * len(ids))
        mine = f"(report_id IN ({marks}) OR other_report_id IN ({marks}))"
        if changed is None:
            db.execute(f"DELETE FROM findings WHERE {mine}", ids + ids)
        else:
            fresh = ",".join("?" * len(changed))
            db.execute(
                f"DELETE FROM findings WHERE {mine} "
                f"AND (other_report_id IS NOT NULL OR report_id IN ({fresh}))",
                [*ids, *ids, *changed],
            )
    found = review_unit(db, unit, rules, only=changed)
    years = {r["id"]: r["year"] for r in rows}
    db.table("findings").insert_all(
        {
            "report_id": f.report_id,
            "unit": unit,
            "year": years.get(f.report_id),
            "kind": f.kind,
            "severity": f.severity,
            "statistic": f.statistic,
            "message": f.message,
            "evidence": f.evidence,
            "passage_id": f.passage_id,
            "other_report_id": f.other_report_id,
            "value": f.value,
            "other_value": f.other_value,
            "rule": f.rule,
        }
        for f in found
    )
    return len(found)


def refresh_all(db: sqlite_utils.Database, rules: ReviewRules | None = None) -> int:
    """Review every loaded report again (after an upgrade, or with other rules)."""
    total = 0
    with db.atomic():
        db.execute("DELETE FROM findings")
        for row in list(db.query("SELECT DISTINCT unit FROM reports ORDER BY unit")):
            total += refresh_findings(db, row["unit"], rules)
    return total
