"""The statistics catalogue: every figure the report templates ask for, read from data files.

The catalogue is the shared vocabulary of the project: ingest matches table rows and prose
against its labels, the bot matches questions against its labels and aliases, and answers use
its parent/children tree to explain a total.  It lives in TOML under ``ingest/data/catalogue/``
(files read in name order) so that a new template edition or a new alias is a data edit.

Table 三 of the national template is a grid: each row statistic that says ``columns = "applicants"``
is expanded here into one statistic per applicant column (``requests.received.natural_person`` …).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from importlib import resources

from ingest.vocab import load_toml

TEMPLATES = ("pre2020", "national2019", "national2021")
_TABLES = frozenset(
    {"statistic", "layout", "columns", "cumulative"}
)  # what a catalogue file may hold


@dataclass(frozen=True)
class Statistic:
    """One statistic.  ``subset_of`` marks a "其中" row (part of, not a sum); ``derived_from``
    lists the statistics that add up to it where a template has no cell for it;
    ``table_labels`` match rows inside its table only (总计, 其他), never questions."""

    key: str
    label: str
    label_en: str
    labels: tuple[str, ...]
    aliases: tuple[str, ...]
    aliases_en: tuple[str, ...]
    measure: str
    templates: tuple[str, ...]
    parent: str | None
    subset_of: str | None = None
    derived_from: tuple[str, ...] = ()
    column: str | None = None
    short: str = ""  # a few characters for breakdowns ("维持 4 · 纠错 1"); label when empty
    short_en: str = ""
    table_labels: tuple[str, ...] = ()


@dataclass(frozen=True)
class Column:
    """One applicant column of table 三 (suffix "" is the 总计 column)."""

    suffix: str
    label: str
    label_en: str
    parent: str | None
    aliases: tuple[str, ...]
    aliases_en: tuple[str, ...]


@dataclass(frozen=True)
class LayoutRow:
    """A wide table row: the labels that identify it and the keys of its numbers, in order."""

    row: tuple[str, ...]
    keys: tuple[str, ...]


@dataclass(eq=False)
class Catalogue:
    statistics: dict[str, Statistic]
    layouts: dict[str, list[LayoutRow]] = field(default_factory=dict)
    column_orders: dict[str, list[tuple[str, ...]]] = field(default_factory=dict)
    grid_rows: dict[str, list[str]] = field(default_factory=dict)
    columns: dict[str, list[Column]] = field(default_factory=dict)
    _children: dict[str, list[Statistic]] | None = field(default=None, init=False, repr=False)

    def get(self, key: str) -> Statistic:
        try:
            return self.statistics[key]
        except KeyError:
            raise KeyError(f"unknown statistic key: {key!r}") from None

    def children(self, key: str) -> list[Statistic]:
        """The statistics that add up to ``key``, in catalogue order."""
        if self._children is None:
            by_parent: dict[str, list[Statistic]] = {}
            for m in self.statistics.values():
                if m.parent is not None:
                    by_parent.setdefault(m.parent, []).append(m)
            self._children = by_parent
        return list(self._children.get(key, ()))

    def for_template(self, template: str) -> list[Statistic]:
        return [m for m in self.statistics.values() if template in m.templates]

    def derived(self, template: str) -> list[Statistic]:
        """Statistics computed by adding others (the national template's lawsuits total)."""
        return [m for m in self.for_template(template) if m.derived_from]

    def cell_key(self, row_key: str, suffix: str) -> str:
        return f"{row_key}.{suffix}" if suffix else row_key


def _strs(values: Iterable[str] | None) -> tuple[str, ...]:
    return tuple(v for v in (values or ()) if v)


def _statistic(entry: dict) -> Statistic:
    return Statistic(
        key=entry["key"],
        label=entry["label"],
        label_en=entry.get("label_en", ""),
        labels=_strs(entry.get("labels")) or (entry["label"],),
        aliases=_strs(entry.get("aliases")),
        aliases_en=_strs(entry.get("aliases_en")),
        measure=entry.get("measure", ""),
        templates=_strs(entry.get("templates")),
        parent=entry.get("parent"),
        subset_of=entry.get("subset_of"),
        derived_from=_strs(entry.get("derived_from")),
        table_labels=_strs(entry.get("table_labels")),
        short=entry.get("short", ""),
        short_en=entry.get("short_en", ""),
    )


def _expand_grid(
    row: Statistic, columns: list[Column], row_keys: set[str], statistics: dict
) -> None:
    """Add one statistic per column of a grid row; leaf rows break down by applicant columns."""
    has_child_rows = any(m.parent == row.key for m in statistics.values() if m.key in row_keys)
    templates = tuple(t for t in row.templates if t != "pre2020")
    names = (row.label, *row.aliases)
    for col in columns:
        if not col.suffix:
            continue
        parent = None
        if not has_child_rows:
            parent = f"{row.key}.{col.parent}" if col.parent else row.key
        aliases = tuple(dict.fromkeys(f"{ca}{rn}" for ca in col.aliases for rn in names))
        statistics[f"{row.key}.{col.suffix}"] = Statistic(
            key=f"{row.key}.{col.suffix}",
            label=f"{row.label}（{col.label}）",
            label_en=f"{row.label_en} ({col.label_en})",
            labels=(f"{row.label}（{col.label}）",),
            aliases=aliases,
            aliases_en=tuple(f"{row.label_en} by {ce}" for ce in col.aliases_en),
            measure=row.measure,
            templates=templates,
            parent=parent,
            derived_from=tuple(f"{d}.{col.suffix}" for d in row.derived_from),
            column=col.suffix,
            short=col.label,
            short_en=col.label_en,
        )


def _expand_cumulative(spec: dict, statistics: dict[str, Statistic]) -> None:
    """A twin of every pre-2020 statistic for the 统计表's cumulative (历年累计) column."""
    suffix = spec["suffix"]
    prefixes = _strs(spec.get("prefixes"))
    prefixes_en = _strs(spec.get("prefixes_en"))
    suffixes = _strs(spec.get("suffixes"))
    for statistic in [m for m in statistics.values() if "pre2020" in m.templates and not m.column]:
        names = (statistic.label, *statistic.aliases)
        statistics[f"{statistic.key}.{suffix}"] = Statistic(
            key=f"{statistic.key}.{suffix}",
            label=f"{statistic.label}（{spec['label']}）",
            label_en=f"{statistic.label_en} ({spec['label_en']})",
            labels=tuple(f"{p}{lbl}" for p in prefixes[:1] for lbl in statistic.labels),
            aliases=tuple(
                dict.fromkeys(
                    [f"{p}{n}" for p in prefixes for n in names]
                    + [f"{n}{s}" for s in suffixes for n in (statistic.label, *statistic.labels)]
                )
            ),
            aliases_en=tuple(f"{p} {n}" for p in prefixes_en for n in (statistic.label_en,)),
            measure=statistic.measure,
            templates=("pre2020",),
            parent=f"{statistic.parent}.{suffix}" if statistic.parent else None,
            subset_of=f"{statistic.subset_of}.{suffix}" if statistic.subset_of else None,
            short=spec["label"],
            short_en=spec["label_en"],
        )


def _read_files() -> list[dict]:
    folder = resources.files("ingest.data").joinpath("catalogue")
    names = sorted(p.name for p in folder.iterdir() if p.name.endswith(".toml"))
    return [load_toml("ingest.data", f"catalogue/{n}") for n in names]


def build_catalogue(documents: list[dict]) -> Catalogue:
    """A catalogue from parsed TOML documents (the bundled ones, or a test's own)."""
    statistics: dict[str, Statistic] = {}
    grid_of: dict[str, str] = {}
    layouts: dict[str, list[LayoutRow]] = {}
    columns: dict[str, list[Column]] = {}
    orders: dict[str, list[tuple[str, ...]]] = {}
    for doc in documents:
        unknown = sorted(set(doc) - _TABLES)
        if unknown:
            raise ValueError(
                f"unknown catalogue tables {unknown}: a catalogue file holds only "
                f"{sorted(_TABLES)} (each statistic is a [[statistic]] table)"
            )
        for entry in doc.get("statistic", []):
            if entry["key"] in statistics:
                raise ValueError(f"statistic key defined twice: {entry['key']}")
            statistics[entry["key"]] = _statistic(entry)
            if entry.get("columns"):
                grid_of[entry["key"]] = entry["columns"]
        for name, rows in doc.get("layout", {}).items():
            layouts.setdefault(name, []).extend(
                LayoutRow(_strs(r["row"]), _strs(r["keys"])) for r in rows
            )
        for name, spec in doc.get("columns", {}).items():
            columns[name] = [
                Column(
                    suffix=c["suffix"],
                    label=c["label"],
                    label_en=c.get("label_en", ""),
                    parent=c.get("parent"),
                    aliases=_strs(c.get("aliases")),
                    aliases_en=_strs(c.get("aliases_en")),
                )
                for c in spec.get("column", [])
            ]
            orders[name] = [tuple(spec["order"])]
            if "order_with_subtotal" in spec:
                orders[name].append(tuple(spec["order_with_subtotal"]))
    for doc in documents:
        if "cumulative" in doc:
            _expand_cumulative(doc["cumulative"], statistics)
    grid_rows: dict[str, list[str]] = {}
    for key, name in grid_of.items():
        grid_rows.setdefault(name, []).append(key)
    for name, keys in grid_rows.items():
        for key in keys:
            _expand_grid(statistics[key], columns.get(name, []), set(keys), statistics)
    catalogue = Catalogue(statistics, layouts, orders, grid_rows, columns)
    _validate(catalogue)
    return catalogue


def _validate(catalogue: Catalogue) -> None:
    """Fail loudly on a dangling reference: a typo in the data must not pass silently."""
    known = catalogue.statistics
    for m in known.values():
        refs = [m.parent, m.subset_of, *m.derived_from]
        for ref in refs:
            if ref and ref not in known:
                raise ValueError(f"{m.key} refers to unknown statistic {ref!r}")
        for t in m.templates:
            if t not in TEMPLATES:
                raise ValueError(f"{m.key}: unknown template {t!r}")
    for rows in catalogue.layouts.values():
        for row in rows:
            for key in row.keys:
                if key not in known:
                    raise ValueError(f"layout refers to unknown statistic {key!r}")


@cache
def load_catalogue() -> Catalogue:
    """The bundled catalogue (read once per process)."""
    return build_catalogue(_read_files())
