"""Questions in, one answer object out — the same for the terminal, JSON and Telegram.

The answer never carries a figure that is not a statistics row with its evidence:
every number below comes from ``bot.lookup``; missing data is said, not guessed.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path

from bot.lookup import (
    Fact,
    ReportRef,
    disagreeing,
    official,
    officials,
    reports,
)
from bot.passage_search import PassageFinder
from bot.qa.figure_answer import text_answer
from bot.qa.figure_question import asks_for_figure, years_named
from bot.qa.prose_figures import PassageText, find_figures
from bot.question import Gazetteer, Question, parse_question
from bot.wording import (
    english_to_chinese,
    mark_terms,
    number_text,
    one_line,
    phrases,
    plain_number,
)
from index.search import Hit, PassageIndex
from ingest.catalogue import Catalogue, Metric, load_catalogue
from ingest.normalise import fold
from ingest.store import open_db

PASSAGES_SHOWN = 3


@dataclass
class Answer:
    """The answer contract of ``shared/eval/README.md``."""

    question: str
    kind: str
    answer: str
    value: float | None = None
    facts: list[dict] = field(default_factory=list)
    ranking: list[dict] = field(default_factory=list)
    passages: list[dict] = field(default_factory=list)
    conflicts: list[dict] = field(default_factory=list)

    def to_dict(self) -> dict:
        return asdict(self)


class Answerer:
    """Answers questions over one database; cheap to call many times in one process."""

    def __init__(self, db_path: Path, today: date | None = None) -> None:
        self.db_path = Path(db_path)
        self.db = open_db(self.db_path)
        self.catalogue: Catalogue = load_catalogue()
        self.finder = PassageFinder(self.db, PassageIndex.open(self.db_path))
        self.today = today
        self._gazetteer: Gazetteer | None = None
        self._gazetteer_stamp: tuple | None = None

    # -- shared helpers -------------------------------------------------------------------

    def gazetteer(self) -> Gazetteer:
        """Rebuilt whenever the reports table changed, so new units are known at once."""
        stamp = tuple(
            next(
                iter(
                    self.db.query(
                        "SELECT count(*) AS n, max(id) AS m, "
                        "(SELECT count(*) FROM unit_aliases) AS a FROM reports"
                    )
                )
            ).values()
        )
        if self._gazetteer is None or stamp != self._gazetteer_stamp:
            self._gazetteer = Gazetteer.from_db(self.db)
            self._gazetteer_stamp = stamp
        return self._gazetteer

    def _p(self, q: Question, phrase: str, **fields: object) -> str:
        return phrases()[q.lang][phrase].format(**fields)

    def _template_name(self, q: Question, template: str) -> str:
        names = phrases()["templates"]
        return names.get(template, names["unknown"])[q.lang]

    def _fact_dict(self, fact: Fact, metric: Metric) -> dict:
        return {
            "unit": fact.report.unit,
            "year": fact.report.year,
            "metric": fact.key,
            "label": metric.label,
            "value": plain_number(fact.value),
            "measure": fact.measure or metric.measure,
            "source": fact.source,
            "evidence": fact.evidence,
            "report": fact.report.title,
            "passage_id": fact.passage_id,
        }

    def _conflict_dict(self, fact: Fact) -> dict:
        return {
            "unit": fact.report.unit,
            "year": fact.report.year,
            "metric": fact.key,
            "value": plain_number(fact.value),
            "source": fact.source,
            "evidence": fact.evidence,
        }

    def _source_line(self, q: Question, fact: Fact) -> str:
        name = {"table": "source_table", "prose": "source_prose"}.get(fact.source, "source_derived")
        return self._p(
            q,
            name,
            title=fact.report.title,
            evidence=one_line(fact.evidence),
            rule=self._derivation(q, fact),
        )

    def _derivation(self, q: Question, fact: Fact) -> str:
        """Which rows a derived figure adds up: 未经复议直接起诉总计 3 + 复议后起诉总计 1."""
        metric = self.catalogue.metrics.get(fact.key)
        if fact.source != "derived" or metric is None or not metric.derived_from:
            return fact.rule
        parts = officials(self.db, fact.report.id, list(metric.derived_from))
        return " + ".join(
            self._p(
                q,
                "part",
                name=self.catalogue.get(k).label
                if q.lang == "zh"
                else self.catalogue.get(k).label_en,
                value=number_text(parts[k].value),
            )
            for k in metric.derived_from
            if k in parts
        )

    def _passage_dicts(self, hits: list[Hit]) -> list[dict]:
        return [
            {
                "passage_id": h.passage_id,
                "unit": h.unit,
                "year": h.year,
                "section": h.section,
                "text": h.text,
                "score": round(h.score, 6),
                "terms": list(h.terms),
            }
            for h in hits
        ]

    def _search(
        self, q: Question, units: list[str], year: int | None, k: int = PASSAGES_SHOWN
    ) -> list[Hit]:
        """Best passages for the question; unit names are filters, so they leave the query."""
        query = q.text
        for ref in q.units:
            query = query.replace(ref.mention, " ")
        if q.lang == "en":
            query = " ".join([query, *english_to_chinese(query)])
        metric = self._metric(q)
        if metric is not None:
            query = " ".join([query, metric.label])
        return self.finder.find(query, units, year, k)

    def _reports_for(self, q: Question, unit: str) -> tuple[list[ReportRef], list[int]]:
        """The unit's reports for the asked years (latest when none); also the years missing."""
        available = reports(self.db, [unit])
        if not q.years:
            return available[:1], []
        chosen = [r for r in available if r.year in q.years]
        missing = [y for y in q.years if y not in {r.year for r in chosen}]
        return chosen, missing

    def _examples(self, q: Question) -> str:
        """Example questions about a unit that is actually loaded."""
        loaded = reports(self.db)
        return self._p(q, "examples", unit=loaded[0].unit if loaded else "…")

    def _none(self, q: Question, text: str) -> Answer:
        return Answer(question=q.text, kind="none", answer=text)

    # -- entry point ----------------------------------------------------------------------

    def parse(self, text: str) -> Question:
        """What the question asks, against the units loaded now."""
        return parse_question(text or "", self.gazetteer(), self.catalogue, today=self.today)

    def ask(self, text: str) -> Answer:
        q = self.parse(text)
        units = sorted({r.unit for r in reports(self.db)})
        units_loaded = self._p(q, "separator").join(units)
        if not q.text.strip() or (q.intent == "none" and not q.units and not q.metric):
            return self._none(q, self._p(q, "empty", examples=self._examples(q)))
        if q.unknown_units:
            names = self._p(q, "separator").join(q.unknown_units)
            return self._none(q, self._p(q, "unit_unknown", names=names, units=units_loaded))
        if q.ambiguous:
            mention, candidates = q.ambiguous[0]
            return self._none(
                q,
                self._p(
                    q,
                    "ambiguous",
                    mention=mention,
                    candidates=self._p(q, "separator").join(candidates),
                ),
            )
        handler = {
            "number": self._number,
            "sum": self._aggregate,
            "ranking": self._aggregate,
            "compare": self._aggregate,
            "trend": self._trend,
            "list": self._list,
        }.get(q.intent, self._passages)
        return handler(q)

    # -- intents --------------------------------------------------------------------------

    def _metric(self, q: Question) -> Metric | None:
        return self.catalogue.metrics.get(q.metric) if q.metric else None

    def _metric_for(self, metric: Metric, template: str, mention: str) -> Metric | None:
        """The statistic of this template that the question's words mean.

        Editions of the template measure some things under sibling keys (行政许可处理决定数量 is
        ``licensing.decisions_2019`` in 2019 reports, ``licensing.decisions`` from 2021): when
        the parsed key is not in the report's template, a key of that template that the same
        words name is used instead.  None when the template has no such statistic.
        """
        if not metric.templates or template in metric.templates or template == "unknown":
            return metric
        words = {fold(w) for w in (*metric.labels, *metric.aliases, mention) if w}
        best: tuple[int, Metric] | None = None
        for other in self.catalogue.for_template(template):
            names = {fold(w) for w in (*other.labels, *other.aliases)}
            score = len(words & names) + (2 if fold(mention) in names else 0)
            if score and (best is None or score > best[0]):
                best = (score, other)
        return best[1] if best else None

    def official_in(self, report: ReportRef, metric: Metric, mention: str) -> Fact | None:
        """The report's official value of the statistic (its template's sibling key if needed)."""
        own = self._metric_for(metric, report.template, mention)
        return official(self.db, report.id, own.key) if own else None

    def _part_name(self, q: Question, metric: Metric) -> str:
        if q.lang == "zh":
            return metric.short or metric.label
        return metric.short_en or metric.label_en

    def _breakdown(self, metric: Metric, report: ReportRef) -> list[Fact]:
        """Official facts of the statistic's children in the same report, catalogue order.

        A child the report does not give (table 三's 法人或其他组织 subtotal column is often
        missing) is replaced by its own children, so the parts still add up.
        """
        parts: list[Fact] = []
        for child in self.catalogue.children(metric.key):
            fact = official(self.db, report.id, child.key)
            if fact is not None and fact.value is not None:
                parts.append(fact)
            elif self.catalogue.children(child.key):
                parts.extend(self._breakdown(child, report))
        return parts

    def _number(self, q: Question) -> Answer:
        asked = self._metric(q)
        if asked is None:
            return self._passages(q)
        if len(q.units) != 1:
            return self._aggregate(q, intent="compare")
        unit = q.units[0].unit
        sep = self._p(q, "separator")
        chosen, missing = self._reports_for(q, unit)
        if not chosen:
            available = sep.join(str(r.year) for r in reports(self.db, [unit])) or "—"
            years = sep.join(str(y) for y in missing)
            return self._none(
                q, self._p(q, "year_unknown", unit=unit, years=years, available=available)
            )
        report = chosen[0]
        fields = {
            "unit": unit,
            "year": report.year,
            "label": asked.label,
            "label_en": asked.label_en,
        }
        metric = self._metric_for(asked, report.template, q.metric_mention)
        if metric is None and (read := self._text_figure(q, report, quiet=True)):
            return read
        if metric is None:
            templates = sep.join(self._template_name(q, t) for t in asked.templates)
            template = self._template_name(q, report.template)
            return self._none(
                q, self._p(q, "not_in_template", templates=templates, template=template, **fields)
            )
        fields.update(label=metric.label, label_en=metric.label_en)
        fact = official(self.db, report.id, metric.key)
        if fact is None and (read := self._text_figure(q, report, quiet=True)):
            return read
        if fact is None:
            answer = self._none(q, self._p(q, "no_value", **fields))
            return self._with_passages(q, answer, [unit], report.year)
        if fact.value is None:
            answer = self._none(q, self._p(q, "not_given", **fields))
            answer.answer += "\n" + self._source_line(q, fact)
            answer.facts = [self._fact_dict(fact, metric)]
            return answer
        measure = fact.measure or metric.measure
        lines = [self._p(q, "number", value=number_text(fact.value), measure=measure, **fields)]
        if not q.years:
            lines[0] += self._p(q, "number_latest", year=report.year)
        facts = [self._fact_dict(fact, metric)]
        parts = self._breakdown(metric, report)
        if parts:
            shown = " · ".join(
                self._p(
                    q,
                    "part",
                    name=self._part_name(q, self.catalogue.get(f.key)),
                    value=number_text(f.value),
                )
                for f in parts
            )
            lines.append(self._p(q, "breakdown", parts=shown))
            facts.extend(self._fact_dict(f, self.catalogue.get(f.key)) for f in parts)
        lines.append(self._source_line(q, fact))
        others = disagreeing(self.db, fact)
        for other in others:
            lines.append(
                self._p(
                    q,
                    "conflict",
                    source=self._p(q, f"conflict_source_{other.source}"),
                    value=number_text(other.value),
                    measure=other.measure or measure,
                    evidence=one_line(other.evidence),
                )
            )
        answer = Answer(
            question=q.text,
            kind="number",
            answer="\n".join(lines),
            value=plain_number(fact.value),
            facts=facts,
            conflicts=[self._conflict_dict(o) for o in others],
        )
        return self._with_passages(q, answer, [unit], report.year)

    def _with_passages(
        self, q: Question, answer: Answer, units: list[str], year: int | None
    ) -> Answer:
        """Attach the passages that best match the question, as further reading."""
        hits = self._search(q, units, year)
        answer.passages = self._passage_dicts(hits)
        return answer

    def figures(
        self, scope: list[ReportRef], metric: Metric, mention: str
    ) -> tuple[list[Fact], list[str]]:
        """The official figure of each report in scope, and "unit year" of those without one."""
        facts: list[Fact] = []
        missing: list[str] = []
        for report in scope:
            fact = self.official_in(report, metric, mention)
            if fact is None or fact.value is None:
                missing.append(f"{report.unit} {report.year}")
            else:
                facts.append(fact)
        return facts, missing

    def scope_reports(self, q: Question) -> list[ReportRef]:
        """One report per unit in scope: the asked year, or each unit's latest."""
        units = [u.unit for u in q.units]
        chosen: list[ReportRef] = []
        seen: set[str] = set()
        for report in reports(self.db, units or None):
            if q.level and not units and (report.level or "") not in q.level.split(","):
                continue
            if q.years and report.year not in q.years:
                continue
            if report.unit in seen:
                continue
            seen.add(report.unit)
            chosen.append(report)
        return chosen

    def _aggregate(self, q: Question, intent: str | None = None) -> Answer:
        intent = intent or q.intent
        metric = self._metric(q)
        if metric is None:
            return self._none(q, self._p(q, "no_metric", examples=self._examples(q)))
        facts, missing = self.figures(self.scope_reports(q), metric, q.metric_mention)
        if not facts:
            return self._none(
                q,
                self._p(q, "no_data")
                + (
                    "\n" + self._p(q, "missing_units", units=self._p(q, "separator").join(missing))
                    if missing
                    else ""
                ),
            )
        sep = self._p(q, "separator")
        measure = facts[0].measure or metric.measure
        sign = 1 if q.order == "asc" else -1
        ordered = sorted(facts, key=lambda f: (sign * (f.value or 0), f.report.unit))
        if intent == "ranking" and q.top:
            ordered = ordered[: q.top]
        fields = {"label": metric.label, "label_en": metric.label_en, "measure": measure}

        def part(f: Fact) -> str:
            return self._p(
                q,
                "part",
                name=f"{f.report.unit} {f.report.year}",
                value=number_text(f.value) + measure,
            )

        value: float | None = None
        if intent == "sum":
            value = sum(f.value or 0 for f in facts)
            scope_word = sep.join(u.unit for u in q.units) + " " if q.units else ""
            head = self._p(
                q,
                "sum",
                scope=scope_word,
                value=number_text(value),
                count=len(facts),
                parts=sep.join(part(f) for f in facts),
                **fields,
            )
        elif intent == "ranking":
            order = self._p(q, "order_asc" if q.order == "asc" else "order_desc")
            head = self._p(
                q, "ranking", order=order, parts=sep.join(part(f) for f in ordered), **fields
            )
        else:
            head = self._p(q, "compare", parts=sep.join(part(f) for f in ordered), **fields)
        lines = [head]
        if missing:
            lines.append(self._p(q, "missing_units", units=sep.join(missing)))
        lines.extend(
            f"· {f.report.unit} {f.report.year}: " + self._source_line(q, f) for f in ordered
        )
        kind = intent if intent in ("sum", "ranking", "compare") else "compare"
        return Answer(
            question=q.text,
            kind=kind,
            answer="\n".join(lines),
            value=plain_number(value),
            facts=[self._fact_dict(f, metric) for f in ordered],
            ranking=[
                {"unit": f.report.unit, "year": f.report.year, "value": plain_number(f.value)}
                for f in ordered
            ]
            if kind == "ranking"
            else [],
        )

    def _trend(self, q: Question) -> Answer:
        metric = self._metric(q)
        if metric is None or len(q.units) != 1:
            return self._aggregate(q, intent="compare") if metric else self._passages(q)
        unit = q.units[0].unit
        years = sorted(reports(self.db, [unit]), key=lambda r: r.year)
        if q.years:
            years = [r for r in years if r.year in q.years]
        facts, _missing = self.figures(years, metric, q.metric_mention)
        if not facts:
            return self._none(
                q,
                self._p(
                    q,
                    "no_value",
                    unit=unit,
                    year="/".join(str(r.year) for r in years) or "—",
                    label=metric.label,
                    label_en=metric.label_en,
                ),
            )
        sep = self._p(q, "separator")
        measure = facts[0].measure or metric.measure
        parts = sep.join(
            self._p(q, "part", name=str(f.report.year), value=number_text(f.value) + measure)
            for f in facts
        )
        lines = [
            self._p(
                q, "trend", unit=unit, parts=parts, label=metric.label, label_en=metric.label_en
            )
        ]
        lines.extend(f"· {f.report.year}: " + self._source_line(q, f) for f in facts)
        return Answer(
            question=q.text,
            kind="trend",
            answer="\n".join(lines),
            facts=[self._fact_dict(f, metric) for f in facts],
        )

    def _list(self, q: Question) -> Answer:
        sep = self._p(q, "separator")
        all_reports = reports(self.db, [u.unit for u in q.units] or None)
        if q.list_what == "years":
            years = sorted({r.year for r in all_reports})
            if len(q.units) == 1:
                text = self._p(
                    q, "list_years", unit=q.units[0].unit, items=sep.join(map(str, years))
                )
            else:
                text = self._p(q, "list_years_all", items=sep.join(map(str, years)))
        elif q.list_what == "metrics":
            present = {
                row["key"]
                for row in self.db.query(
                    "SELECT DISTINCT key FROM statistics WHERE value IS NOT NULL"
                )
            }
            labels = [
                m.label if q.lang == "zh" else m.label_en
                for m in self.catalogue.metrics.values()
                if m.key in present and m.parent is None and m.subset_of is None
            ]
            text = self._p(q, "list_metrics", items=sep.join(labels))
        else:
            units = sorted({r.unit for r in all_reports})
            text = self._p(q, "list_units", count=len(units), items=sep.join(units))
        return Answer(question=q.text, kind="list", answer=text)

    def _passage_scope(self, q: Question) -> tuple[list[str], int | None]:
        """The units and year a passage search is filtered to."""
        units = [u.unit for u in q.units]
        year = None
        if q.years and units:
            have = {r.year for r in reports(self.db, units)}
            year = next((y for y in q.years if y in have), None)
        elif q.years:
            year = q.years[0]
        return units, year

    def _passage_hits(self, q: Question, k: int) -> list[Hit]:
        units, year = self._passage_scope(q)
        hits = self._search(q, units, year, k)
        if not hits and year is not None:
            hits = self._search(q, units, None, k)
        return hits

    def more_passages(self, text: str, offset: int, count: int = PASSAGES_SHOWN) -> list[dict]:
        """Passages ``offset`` to ``offset + count`` of the question's ranking ("more results")."""
        q = self.parse(text)
        return self._passage_dicts(self._passage_hits(q, offset + count)[offset:])

    def _text_figure(self, q: Question, report: ReportRef, quiet: bool = False) -> Answer | None:
        """A figure read from the report's own sentences, for what no statistic of it holds.

        None when the question asks for no figure; when the text gives none that fits, a "not
        stated" answer with the best passages, or None when ``quiet`` (the caller says it).
        """
        named = years_named(q.text)
        if not asks_for_figure(q.text) or (named and report.year not in named):
            return None
        rows = self.db.query(
            "SELECT id, text, section FROM passages WHERE report_id = ? ORDER BY ord", [report.id]
        )
        passages = [PassageText(r["id"], r["text"], r["section"] or "") for r in rows]
        finding = find_figures(q.text, passages, drop=[u.mention for u in q.units])
        if quiet and not finding.shown:
            return None
        read = text_answer(finding, report.unit, report.year, report.title, q.lang)
        answer = Answer(question=q.text, **read)
        return self._with_passages(q, answer, [report.unit], report.year)

    def _passages(self, q: Question) -> Answer:
        chosen = self._reports_for(q, q.units[0].unit)[0] if len(q.units) == 1 else []
        if chosen and (read := self._text_figure(q, chosen[0])):
            return read
        units, _year = self._passage_scope(q)
        hits = self._passage_hits(q, PASSAGES_SHOWN)
        sep = self._p(q, "separator")
        if not hits:
            scope = sep.join(units) or self._p(q, "scope_all")
            return self._none(q, self._p(q, "no_passages", scope=scope, examples=self._examples(q)))
        lines = [self._p(q, "passages")]
        lines.extend(
            self._p(
                q,
                "passage_item",
                n=i,
                unit=h.unit,
                year=h.year,
                section=h.section or "—",
                text=mark_terms(one_line(h.text, 240), h.terms),
            )
            for i, h in enumerate(hits, 1)
        )
        return Answer(
            question=q.text,
            kind="passage",
            answer="\n".join(lines),
            passages=self._passage_dicts(hits),
        )
