"""Statistics from template tables whose layout was lost (rows found by ``flat_rows``).

Each table is read as one constraint problem (``splits``): every row's possible readings,
the arithmetic the template prints (总计 = the columns; 一 + 二 = 三 + 四 per column; each
total of table 四 = its four parts; 办理结果总计 = the outcomes above it), then the figures the
report's prose states for the same statistics.  A cell is stored only when every reading
still possible agrees on it; the rest of the row is recorded as ambiguous with its readings.
Rows with more values than columns, or fewer digits than cells, are recorded and skipped:
values are never shifted into other columns.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from ingest.catalogue import Catalogue, Statistic
from ingest.statistics.drafts import CheckFailure, RowProblem, StatisticDraft
from ingest.statistics.flat_rows import (
    FlatRow,
    flat_spec,
    has_subtotal,
    national_rows,
    pre2020_rows,
)
from ingest.statistics.splits import Outcome, Reading, Relation, agreed, readings, solve
from ingest.statistics.table_rows import CUMULATIVE, match_label, strip_ordinal
from ingest.text import fold_label

_GRID = "applicants"
_INFLOW = ("requests.received", "requests.carried_over")
_OUTFLOW = ("requests.handled", "requests.carried_forward")
_MONEY_MEASURES = ("元", "万元")
_MAX_LISTED = 12


@dataclass
class FlatResult:
    drafts: list[StatisticDraft] = field(default_factory=list)
    problems: list[RowProblem] = field(default_factory=list)
    checks: list[CheckFailure] = field(default_factory=list)
    skipped: int = 0


@dataclass
class _Table:
    """Rows of one table with their cell keys and readings, ready to solve."""

    name: str
    rows: list[FlatRow]
    keys: list[tuple[str, ...]]  # cell keys per row
    labels: list[tuple[str, ...]]  # cell labels per row
    domains: list[list[Reading]] = field(default_factory=list)

    def cell(self) -> dict[str, tuple[int, int]]:
        return {k: (i, c) for i, keys in enumerate(self.keys) for c, k in enumerate(keys)}


def _column_names(catalogue: Catalogue) -> dict[str, str]:
    return {c.suffix: c.label for c in catalogue.columns.get(_GRID, [])}


def _grid_table(
    text: str, rows: list[FlatRow], catalogue: Catalogue
) -> tuple[list[tuple[str, ...]], list[tuple[str, ...]]]:
    plain, *wide = catalogue.column_orders[_GRID]
    order = wide[0] if wide and has_subtotal(text, rows) else plain
    names = _column_names(catalogue)
    keys = [tuple(catalogue.cell_key(r.keys[0], s) for s in order) for r in rows]
    labels = [tuple(f"{r.label} / {names[s]}" for s in order) for r in rows]
    return keys, labels


def _grid_relations(table: _Table, catalogue: Catalogue, template: str) -> list[Relation]:
    """Table 三: each row's 总计 and 小计, the outcomes under each heading, the balance."""
    cells = table.cell()
    suffixes = _suffixes(table)
    relations: list[Relation] = []
    orgs = [c.suffix for c in catalogue.columns.get(_GRID, []) if c.parent == "legal_person"]
    for i, keys in enumerate(table.keys):
        col = {s: c for c, s in enumerate(suffixes)}
        if "legal_person" in col:
            parts = [(i, col[s], -1) for s in orgs if s in col]
            relations.append(Relation(f"subtotal:{i}", ((i, col["legal_person"], 1), *parts)))
            parts = [(i, col["natural_person"], -1), (i, col["legal_person"], -1)]
        else:
            parts = [(i, col[s], -1) for s in ("natural_person", *orgs) if s in col]
        relations.append(Relation(f"columns:{keys[-1]}", ((i, col[""], 1), *parts)))
    row_keys = catalogue.grid_rows.get(_GRID, [])
    kids_of = _grid_children(catalogue, template)

    def expand(key: str, suffix: str) -> list[tuple[int, int]] | None:
        cell = cells.get(catalogue.cell_key(key, suffix))
        if cell:
            return [cell]
        kids = kids_of[key]
        if not kids:
            return None
        out: list[tuple[int, int]] = []
        for kid in kids:
            part = expand(kid, suffix)
            if part is None:
                return None
            out.extend(part)
        return out

    for suffix in suffixes:
        for key in row_keys:
            kids = kids_of[key]
            if not kids:
                continue
            total = cells.get(catalogue.cell_key(key, suffix))
            if not total:
                continue
            expanded = [expand(k, suffix) for k in kids]
            kid_cells = [p for p in expanded if p is not None]
            if len(kid_cells) != len(expanded):
                continue
            terms = [(total[0], total[1], 1)] + [(r, c, -1) for p in kid_cells for r, c in p]
            relations.append(Relation(f"sum:{catalogue.cell_key(key, suffix)}", tuple(terms)))
        left = [p for p in (expand(k, suffix) for k in _INFLOW) if p is not None]
        right = [p for p in (expand(k, suffix) for k in _OUTFLOW) if p is not None]
        if len(left) + len(right) == len(_INFLOW) + len(_OUTFLOW):
            terms = [(r, c, 1) for p in left for r, c in p] + [
                (r, c, -1) for p in right for r, c in p
            ]
            relations.append(Relation(f"balance:{suffix or 'total'}", tuple(terms)))
    return relations


@lru_cache(maxsize=8)
def _grid_children(catalogue: Catalogue, template: str) -> dict[str, tuple[str, ...]]:
    """The rows of table 三 that add up to each row (and to the balance's rows), in the
    order of the grid: worked out once per template, not once per table and row."""
    row_keys = catalogue.grid_rows.get(_GRID, [])
    row_set = set(row_keys)
    return {
        key: tuple(
            m.key
            for m in catalogue.children(key)
            if m.key in row_set and template in m.templates and not m.column
        )
        for key in dict.fromkeys([*row_keys, *_INFLOW, *_OUTFLOW])
    }


def _suffixes(table: _Table) -> list[str]:
    first = table.rows[0].keys[0]
    return [k[len(first) + 1 :] if k != first else "" for k in table.keys[0]]


def _sum_relations(table: _Table, catalogue: Catalogue, template: str) -> list[Relation]:
    """Tables 二 and 四: every cell whose parts are cells of the table is their sum."""
    cells = table.cell()
    relations = []
    for key, (row, col) in cells.items():
        kids = [m.key for m in catalogue.children(key) if template in m.templates]
        if kids and all(k in cells for k in kids):
            terms = [(row, col, 1)] + [(*cells[k], -1) for k in kids]
            relations.append(Relation(f"sum:{key}", tuple(terms)))
    return relations


def _preferences(
    table: _Table, catalogue: Catalogue, prose: dict[str, set[float]]
) -> list[Relation]:
    """Figures the prose states for a cell (or for a sum of cells, 诉讼 = 直接 + 复议后)."""
    cells = table.cell()
    out = []
    for key, values in prose.items():
        statistic = catalogue.statistics.get(key)
        terms: tuple[tuple[int, int, int], ...]
        if key in cells:
            terms = ((*cells[key], 1),)
        elif (
            statistic and statistic.derived_from and all(k in cells for k in statistic.derived_from)
        ):
            terms = tuple((*cells[k], 1) for k in statistic.derived_from)
        else:
            continue
        out.append(Relation(f"prose:{key}", terms, frozenset(round(v, 6) for v in values)))
    return out


def _how(row: FlatRow, columns: int) -> str:
    return "table-digits-split" if len(row.tokens) < columns else "table-flattened"


def _measure(statistic: Statistic, row: FlatRow) -> str:
    measures = {t.measure for t in row.tokens if t.measure in _MONEY_MEASURES}
    return (
        measures.pop()
        if len(measures) == 1 and statistic.measure in _MONEY_MEASURES
        else statistic.measure
    )


def _emit(
    text: str,
    table: _Table,
    outcome: Outcome,
    catalogue: Catalogue,
    result: FlatResult,
) -> None:
    unresolved: set[tuple[int, int]] = set()
    for i, row in enumerate(table.rows):
        keys = table.keys[i]
        domain = outcome.readings[i]
        if not domain:
            continue
        unknown = []
        for c, (known, value) in enumerate(agreed(domain, len(keys))):
            key = keys[c]
            if not known:
                unknown.append(key)
                unresolved.add((i, c))
                continue
            if key not in catalogue.statistics:
                continue
            statistic = catalogue.statistics[key]
            result.drafts.append(
                StatisticDraft(
                    key=key,
                    value=value,
                    measure=_measure(statistic, row),
                    source="table",
                    label=table.labels[i][c],
                    evidence=text[row.start : row.end],
                    start=row.start,
                    end=row.end,
                    rule=f"{_how(row, len(keys))}:{table.name}",
                )
            )
        if unknown:
            result.problems.append(
                _problem(
                    "ambiguous", text, table, row, keys, tuple(unknown), tuple(domain[:_MAX_LISTED])
                )
            )
    for relation in outcome.failed:
        if any((r, c) in unresolved for r, c, _ in relation.terms):
            cells = ", ".join(table.keys[r][c] for r, c, _ in relation.terms)
            detail = f"no reading of the run-together digits satisfies {relation.name} ({cells})"
            result.checks.append(CheckFailure(f"flattened:{relation.name}", 0.0, 0.0, detail))


def _domains(
    text: str, table: _Table, result: FlatResult, local: Callable[[_Table], list[Relation]]
) -> _Table:
    """Readings of each row that keep its own arithmetic (``local`` builds the relations of a
    one-row table); rows that cannot be read are recorded and dropped."""
    kept = _Table(table.name, [], [], [])
    for row, keys, labels in zip(table.rows, table.keys, table.labels, strict=True):
        alone = local(_Table(table.name, [row], [keys], [labels]))
        found = readings(row.tokens, len(keys), [r for r in alone if r.rows == (0,)])
        if found:
            kept.rows.append(row)
            kept.keys.append(keys)
            kept.labels.append(labels)
            kept.domains.append(found)
            continue
        if found is None:
            kind = "unreadable"
        elif len(row.tokens) > len(keys):
            kind = "too_many"
        else:
            kind = "too_few"
        result.skipped += 1
        result.problems.append(_problem(kind, text, table, row, keys, keys))
    return kept


def _problem(
    kind: str,
    text: str,
    table: _Table,
    row: FlatRow,
    keys: Sequence[str],
    open_keys: tuple[str, ...],
    listed: tuple[tuple[float | None, ...], ...] = (),
) -> RowProblem:
    """A row not read, with the words as written and the cells it leaves without a value."""
    return RowProblem(
        kind,
        table.name,
        row.label,
        text[row.start : row.end],
        row.start,
        row.end,
        len(keys),
        len(row.tokens),
        open_keys,
        listed,
    )


def _prose_values(prose: Sequence[StatisticDraft]) -> dict[str, set[float]]:
    out: dict[str, set[float]] = {}
    for d in prose:
        if d.value is not None:
            out.setdefault(d.key, set()).add(d.value)
    return out


def _national(
    text: str,
    template: str,
    catalogue: Catalogue,
    skip: list[tuple[int, int]],
    prose: dict[str, set[float]],
    result: FlatResult,
) -> None:
    grids = {t["name"] for t in flat_spec()["table"] if t.get("grid") == _GRID}
    for rows in national_rows(text, template, catalogue, skip):
        name = rows[0].table
        if name in grids:
            keys, labels = _grid_table(text, rows, catalogue)
            builder = _grid_relations
        else:
            keys = [r.keys for r in rows]
            labels = [tuple(catalogue.statistics[k].label for k in r.keys) for r in rows]
            builder = _sum_relations

        def relations_of(
            table: _Table,
            build: Callable[[_Table, Catalogue, str], list[Relation]] = builder,
        ) -> list[Relation]:
            return build(table, catalogue, template)

        table = _domains(text, _Table(name, rows, keys, labels), result, relations_of)
        if not table.rows:
            continue
        relations = relations_of(table)
        outcome = solve(table.domains, relations, _preferences(table, catalogue, prose))
        _emit(text, table, outcome, catalogue, result)


def _pre2020(
    text: str,
    catalogue: Catalogue,
    skip: list[tuple[int, int]],
    prose: dict[str, set[float]],
    result: FlatResult,
) -> None:
    rows, columns = pre2020_rows(text, skip)
    if not rows:
        return
    single = tuple(
        m.key
        for m in catalogue.statistics.values()
        if "pre2020" in m.templates and not m.column and not m.key.endswith(f".{CUMULATIVE}")
    )
    recent: list[str] = []
    matched: list[FlatRow] = []
    keys: list[tuple[str, ...]] = []
    labels: list[tuple[str, ...]] = []
    for row in rows:
        folded = strip_ordinal(fold_label(row.label))
        key, _ = match_label(catalogue, folded, single, recent)
        if key is None:
            if any(not t.blank for t in row.tokens):
                result.skipped += 1
            continue
        recent.append(key)
        cumulative = catalogue.cell_key(key, CUMULATIVE)
        row_keys = (key, cumulative)[:columns]
        matched.append(FlatRow(row.table, row_keys, row.label, row.start, row.end, row.tokens))
        keys.append(row_keys)
        names = (row.label, f"{row.label} / {_cumulative_label(catalogue, cumulative)}")
        labels.append(names[:columns])
    table = _domains(text, _Table("pre2020", matched, keys, labels), result, lambda _: [])
    if table.rows:
        outcome = solve(table.domains, [], _preferences(table, catalogue, prose))
        _emit(text, table, outcome, catalogue, result)


def _cumulative_label(catalogue: Catalogue, key: str) -> str:
    statistic = catalogue.statistics.get(key)
    return statistic.short if statistic and statistic.short else "累计"


def read_flattened(
    text: str,
    template: str,
    catalogue: Catalogue,
    skip: list[tuple[int, int]],
    prose: Sequence[StatisticDraft] = (),
) -> FlatResult:
    """Statistics of the report's flattened template tables; ``skip`` are spans already read
    as real table rows, ``prose`` the report's prose figures (used to choose a reading)."""
    result = FlatResult()
    values = _prose_values(prose)
    if template in ("national2019", "national2021"):
        _national(text, template, catalogue, skip, values, result)
    if template in ("pre2020", "unknown"):
        _pre2020(text, catalogue, skip, values, result)
    return result
