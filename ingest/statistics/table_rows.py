"""Statistics from table rows, anchored by each row's label, never by its position.

A row is read as label cells, then an optional measure cell (件, 条 …), then value cells.
Its label is matched against the catalogue labels of the report's template: exactly, as a
prefix (labels with a remark in brackets), truncated (a cut-off cell), contained (a long
"主动公开…等信息数" row) or, last, by a long common run of characters (mojibake that kept part
of the label).  A label that fits several statistics (（二）被依法纠错数 under both 行政复议 and
行政诉讼) goes to the one whose parent or sibling was matched most recently in the same table.
Anything else is skipped and counted, never guessed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache, lru_cache

from ingest.catalogue import Catalogue, LayoutRow, Statistic
from ingest.statistics.drafts import StatisticDraft
from ingest.statistics.numbers import parse_cell
from ingest.tables import Row, Table, is_measure_cell
from ingest.text import fold_label
from ingest.vocab import load_toml

_ORDINAL = re.compile(
    r"^(?:[一二三四五六七八九十]+[、.]|\([一二三四五六七八九十]+\)|[一二三四五六七八九十]+\)"
    r"|\d+[.、)]|\(\d+\)|其中[:、]?|[?？]+)+"
)
_INNER_ORDINAL = re.compile(
    r"(?<=.)(?=\d+[.、](?!\d)|\([一二三四五六七八九十]+\)|[一二三四五六七八九十]+、)"
)
_VALUE_WITH_MEASURE = re.compile(
    r"^\s*([-+]?\d[\d,]*(?:\.\d+)?)\s*(?:条|件|次|个|人次|人|篇|万元|元|项)\s*$"
)
_DAMAGE = re.compile(
    "[?？\ufffd\u2500-\u257f\u3100-\u312f\ue000-\uf8ff]|[\u4e00-\u9fff][A-Za-z][\u4e00-\u9fff]"
)
_REMARK = re.compile(r"\([^()]*\)?$")
_GRID = "applicants"
_EXACT, _PREFIX, _CONTAINS, _FUZZY = 4, 3, 2, 1
_MIN_FUZZY = 5
_FUZZY_SHARE = 0.6
_TRUNCATED_SHARE = 0.6
_TABLE4_CELLS = 15
_SUBTOTAL = "小计"
CUMULATIVE = "cumulative"  # suffix of the 历年累计 twins ([cumulative] in the catalogue)


def strip_ordinal(label: str) -> str:
    """Drop numbering (一、 (一) 1. 其中:) in front of a folded label."""
    return _ORDINAL.sub("", label)


def _folded_labels(cell: str) -> list[str]:
    """Forms to try for a label cell: its last numbered segment first, then the whole.

    A flattened row keeps a merged parent label in front ("(三)不予公开 1.属于国家秘密").
    """
    folded = fold_label(cell)
    segments = [s for s in _INNER_ORDINAL.split(folded) if strip_ordinal(s)]
    forms = [strip_ordinal(segments[-1])] if len(segments) > 1 else []
    return [*forms, strip_ordinal(folded)]


@dataclass(frozen=True)
class _Candidate:
    key: str
    forms: tuple[str, ...]


@cache
def _candidates(catalogue: Catalogue, keys: tuple[str, ...]) -> tuple[_Candidate, ...]:
    out = []
    for key in keys:
        statistic = catalogue.statistics[key]
        names = (statistic.label, *statistic.labels, *statistic.table_labels)
        forms = {strip_ordinal(fold_label(lbl)) for lbl in names}
        out.append(_Candidate(key, tuple(sorted(f for f in forms if f))))
    return tuple(out)


def _longest_common_run(a: str, b: str) -> int:
    best = 0
    prev = [0] * (len(b) + 1)
    for ch in a:
        cur = [0] * (len(b) + 1)
        for j, other in enumerate(b, 1):
            if ch == other:
                cur[j] = prev[j - 1] + 1
                best = max(best, cur[j])
        prev = cur
    return best


@lru_cache(maxsize=8192)
def _exact_forms(row: str) -> tuple[str, str, str]:
    """The row label as written, without its remark, without brackets."""
    return row, _REMARK.sub("", row), row.replace("(", "").replace(")", "")


def _strength(row: str, form: str) -> tuple[int, int]:
    """(tier, matched length) of a row label against one catalogue label form."""
    if not row or not form:
        return 0, 0
    if form in _exact_forms(row):
        return _EXACT, len(form)
    if len(form) >= 4 and row.startswith(form):
        return _PREFIX, len(form)
    if form.startswith(row) and len(row) >= max(6, _TRUNCATED_SHARE * len(form)):
        return _PREFIX, len(row)
    if len(form) >= 5 and form in row:
        return _CONTAINS, len(form)
    run = _longest_common_run(row, form) if len(form) >= _MIN_FUZZY and _damaged(row) else 0
    if run >= max(_MIN_FUZZY, _FUZZY_SHARE * len(form)):
        return _FUZZY, run
    return 0, 0


@lru_cache(maxsize=8192)
def _damaged(label: str) -> bool:
    """Mojibake marks: only a damaged label may be matched by what survives of it."""
    return bool(_DAMAGE.search(label))


def _related(catalogue: Catalogue, candidate: str, recent: str) -> bool:
    cand = catalogue.statistics[candidate]
    other = catalogue.statistics[recent]
    if recent in (cand.parent, cand.subset_of):
        return True
    if cand.parent and other.parent == cand.parent:
        return True
    if cand.subset_of and other.subset_of == cand.subset_of:
        return True
    parent = cand.parent
    while parent:
        if parent == recent:
            return True
        parent = catalogue.statistics[parent].parent
    return False


@lru_cache(maxsize=8192)
def _scored(
    catalogue: Catalogue, label: str, keys: tuple[str, ...]
) -> tuple[tuple[str, tuple[int, int]], ...]:
    """The statistics a row label matches, with the strength of the best match: the same
    labels come back in every report of a template."""
    scored = []
    for cand in _candidates(catalogue, keys):
        best = max((_strength(label, f) for f in cand.forms), default=(0, 0))
        if best[0]:
            scored.append((cand.key, best))
    return tuple(scored)


def match_label(
    catalogue: Catalogue, label: str, keys: tuple[str, ...], recent: list[str]
) -> tuple[str | None, str]:
    """(key or None, rule) for a folded row label among the statistics ``keys``."""
    scored = dict(_scored(catalogue, label, keys))
    if not scored:
        return None, ""
    top = max(scored.values())
    tied = [k for k, s in scored.items() if s == top]
    rule = {_EXACT: "exact", _PREFIX: "prefix", _CONTAINS: "contains", _FUZZY: "fuzzy"}[top[0]]
    if len(tied) == 1:
        return tied[0], rule
    ranks = {}
    for key in tied:
        hits = [i for i, r in enumerate(recent) if _related(catalogue, key, r)]
        ranks[key] = max(hits, default=-1)
    nearest = max(ranks.values())
    winners = [k for k, r in ranks.items() if r == nearest]
    if nearest < 0 or len(winners) > 1:
        return None, ""
    return winners[0], f"{rule}+section"


@dataclass
class _RowParts:
    label_cells: list[str]
    values: list[float | None]

    @property
    def label(self) -> str:
        return self.label_cells[-1] if self.label_cells else ""

    @property
    def has_figure(self) -> bool:
        return any(v is not None for v in self.values)


def _split_row(row: Row) -> _RowParts:
    labels: list[str] = []
    values: list[float | None] = []
    for cell in row.cells:
        is_value, value = parse_cell(_VALUE_WITH_MEASURE.sub(r"\1", cell))
        if is_value and (labels or values or cell.strip()):
            values.append(value)
        elif is_measure_cell(cell) or set(cell) <= set("—-"):
            continue
        elif not values:
            labels.append(cell)
        else:
            values = []
            labels.append(cell)
    while labels and not labels[-1].strip():
        labels.pop()
    return _RowParts([c for c in labels if c.strip()], values)


class TableReader:
    """Reads the tables of one report into statistic drafts."""

    def __init__(self, text: str, template: str, catalogue: Catalogue) -> None:
        self.text = text
        self.template = template
        self.catalogue = catalogue
        self.drafts: list[StatisticDraft] = []
        self.skipped = 0
        national = template in ("national2019", "national2021", "unknown")
        pre = template in ("pre2020", "unknown")
        cat = catalogue
        self.single_keys = tuple(
            m.key
            for m in cat.statistics.values()
            if pre and "pre2020" in m.templates and not m.column and not _is_twin(m.key)
        )
        grid_templates = {template} if template != "unknown" else {"national2019", "national2021"}
        self.grid_keys = tuple(
            k
            for k in cat.grid_rows.get(_GRID, [])
            if national and grid_templates & set(cat.statistics[k].templates)
        )
        self.layout_rows: list[LayoutRow] = []
        if national:
            editions = ["2019", "2021"] if template == "unknown" else [template[-4:]]
            for edition in editions:
                self.layout_rows.extend(cat.layouts.get(f"table2_{edition}", []))
        self.table4 = cat.layouts.get("table4", []) if national else []
        self.subtotal = False
        self.cumulative = False

    def read(self, tables: Iterable[Table]) -> None:
        for table in tables:
            recent: list[str] = []
            self.subtotal = any(_SUBTOTAL in fold_label(c) for r in table.rows for c in r.cells)
            self.cumulative = any(
                mark in fold_label(c)
                for r in table.rows
                for c in r.cells
                for mark in _cumulative_marks()
            )
            for row in table.rows:
                if not self._row(row, recent):
                    parts = _split_row(row)
                    if parts.has_figure and parts.label_cells:
                        self.skipped += 1

    def _emit(self, key: str, value: float | None, row: Row, label: str, rule: str) -> None:
        statistic: Statistic = self.catalogue.statistics[key]
        self.drafts.append(
            StatisticDraft(
                key=key,
                value=value,
                measure=statistic.measure,
                source="table",
                label=label,
                evidence=self.text[row.start : row.end],
                start=row.start,
                end=row.end,
                rule=f"table-cells:{rule}",
            )
        )

    def _row(self, row: Row, recent: list[str]) -> bool:
        parts = _split_row(row)
        if not parts.values:
            return self._heading(parts, recent)
        fitted = _fit(parts.values, _TABLE4_CELLS) if self.table4 else None
        if fitted is not None:
            for key, value in zip(self.table4[0].keys, fitted, strict=True):
                self._emit(key, value, row, parts.label or "行政复议、行政诉讼", "table4:15")
            return True
        if not parts.label_cells:
            return False
        for label in _folded_labels(parts.label):
            if self._labelled(row, parts, label, recent):
                return True
        return False

    def _labelled(self, row: Row, parts: _RowParts, label: str, recent: list[str]) -> bool:
        if self.layout_rows and self._layout(row, parts, label):
            return True
        if self.grid_keys and len(parts.values) >= len(self.catalogue.column_orders[_GRID][0]):
            return self._grid(row, parts, label, recent)
        single = _fit(parts.values, 1) if self.single_keys else None
        both = _fit(parts.values, 2) if self.single_keys and self.cumulative else None
        if single is not None or both is not None:
            key, rule = match_label(self.catalogue, label, self.single_keys, recent)
            if key is None:
                return False
            recent.append(key)
            twin = self.catalogue.cell_key(key, CUMULATIVE)
            if both is not None and twin in self.catalogue.statistics:
                self._emit(key, both[0], row, parts.label, f"label:{rule}")
                self._emit(twin, both[1], row, parts.label, f"label:{rule}+cumulative")
                return True
            if single is None:
                return False
            self._emit(key, single[0], row, parts.label, f"label:{rule}")
            return True
        return False

    def _heading(self, parts: _RowParts, recent: list[str]) -> bool:
        """A row without figures can still set the section for the rows below it."""
        if not parts.label_cells:
            return False
        label = _folded_labels(parts.label)[-1]
        for keys in (self.grid_keys, self.single_keys):
            if keys:
                key, _ = match_label(self.catalogue, label, keys, recent)
                if key:
                    recent.append(key)
                    return True
        return False

    def _layout(self, row: Row, parts: _RowParts, label: str) -> bool:
        for layout in self.layout_rows:
            if label in {fold_label(r) for r in layout.row}:
                values = _fit(parts.values, len(layout.keys))
                if values is None:
                    continue
                for key, value in zip(layout.keys, values, strict=True):
                    self._emit(key, value, row, parts.label, "layout:table2")
                return True
        return False

    def _grid(self, row: Row, parts: _RowParts, label: str, recent: list[str]) -> bool:
        key, rule = match_label(self.catalogue, label, self.grid_keys, recent)
        if key is None:
            return False
        plain, *with_subtotal = self.catalogue.column_orders[_GRID]
        order, values = plain, _fit(parts.values, len(plain))
        if with_subtotal and (self.subtotal or values is None):
            wide = _fit(parts.values, len(with_subtotal[0]))
            if wide is not None and (self.subtotal or None not in wide):
                order, values = with_subtotal[0], wide
        if values is None or (self.subtotal and order is plain):
            return False
        recent.append(key)
        columns = {c.suffix: c.label for c in self.catalogue.columns.get(_GRID, [])}
        for suffix, value in zip(order, values, strict=True):
            cell_key = self.catalogue.cell_key(key, suffix)
            if cell_key not in self.catalogue.statistics:
                continue
            label_text = parts.label if not suffix else f"{parts.label} / {columns[suffix]}"
            self._emit(cell_key, value, row, label_text, f"grid:{rule}")
        return True


def _is_twin(key: str) -> bool:
    """The cumulative (历年累计) twin of a pre-2020 statistic: matched through its base."""
    return key.endswith(f".{CUMULATIVE}")


@cache
def _cumulative_marks() -> tuple[str, ...]:
    marks = load_toml("ingest.data", "flat_tables.toml")["pre2020"]["cumulative_marks"]
    return tuple(fold_label(m) for m in marks)


def _fit(values: list[float | None], size: int) -> list[float | None] | None:
    """``values`` as exactly ``size`` cells, dropping blank padding left by merged cells.

    Only blanks at either end are dropped; a row that still has the wrong number of cells,
    or a heading row of blanks only, is not guessed at.
    """
    if len(values) != size and all(v is None for v in values):
        return None
    out = list(values)
    while len(out) > size and out[0] is None:
        out.pop(0)
    while len(out) > size and out[-1] is None:
        out.pop()
    return out if len(out) == size else None


def read_tables(
    text: str, tables: Iterable[Table], template: str, catalogue: Catalogue
) -> tuple[list[StatisticDraft], int]:
    """Table statistics of a report and the number of rows that could not be matched."""
    reader = TableReader(text, template, catalogue)
    reader.read(tables)
    return reader.drafts, reader.skipped
