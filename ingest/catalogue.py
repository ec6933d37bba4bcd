"""The statistics catalogue: every figure the report templates ask for, read from data files.

The catalogue is the shared vocabulary of the project: ingest matches table rows and prose
against its labels, the bot matches questions against its labels and aliases, and answers use
its parent/children tree to explain a total.  It lives in TOML under ``ingest/data/catalogue/``
(files read in name order) so that a new template edition or a new alias is a data edit.

Table 三 of the national template is a grid: each row metric that says ``columns = "applicants"``
is expanded here into one metric per applicant column (``requests.received.natural_person`` …).
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from importlib import resources

TEMPLATES = ("pre2020", "national2019", "national2021")


@dataclass(frozen=True)
class Metric:
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
    metrics: dict[str, Metric]
    layouts: dict[str, list[LayoutRow]] = field(default_factory=dict)
    column_orders: dict[str, list[tuple[str, ...]]] = field(default_factory=dict)
    grid_rows: dict[str, list[str]] = field(default_factory=dict)
    columns: dict[str, list[Column]] = field(default_factory=dict)

    def get(self, key: str) -> Metric:
        try:
            return self.metrics[key]
        except KeyError:
            raise KeyError(f"unknown statistic key: {key!r}") from None

    def children(self, key: str) -> list[Metric]:
        """The metrics that add up to ``key``, in catalogue order."""
        return [m for m in self.metrics.values() if m.parent == key]

    def for_template(self, template: str) -> list[Metric]:
        return [m for m in self.metrics.values() if template in m.templates]

    def derived(self, template: str) -> list[Metric]:
        """Metrics computed by adding others (the national template's lawsuits total)."""
        return [m for m in self.for_template(template) if m.derived_from]

    def cell_key(self, row_key: str, suffix: str) -> str:
        return f"{row_key}.{suffix}" if suffix else row_key


def _strs(values: Iterable[str] | None) -> tuple[str, ...]:
    return tuple(v for v in (values or ()) if v)


def _metric(entry: dict) -> Metric:
    return Metric(
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


def _expand_grid(row: Metric, columns: list[Column], row_keys: set[str], metrics: dict) -> None:
    """Add one metric per column of a grid row; leaf rows break down by applicant columns."""
    has_child_rows = any(m.parent == row.key for m in metrics.values() if m.key in row_keys)
    templates = tuple(t for t in row.templates if t != "pre2020")
    names = (row.label, *row.aliases)
    for col in columns:
        if not col.suffix:
            continue
        parent = None
        if not has_child_rows:
            parent = f"{row.key}.{col.parent}" if col.parent else row.key
        aliases = tuple(dict.fromkeys(f"{ca}{rn}" for ca in col.aliases for rn in names))
        metrics[f"{row.key}.{col.suffix}"] = Metric(
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


def _expand_cumulative(spec: dict, metrics: dict[str, Metric]) -> None:
    """A twin of every pre-2020 statistic for the 统计表's cumulative (历年累计) column."""
    suffix = spec["suffix"]
    prefixes = _strs(spec.get("prefixes"))
    prefixes_en = _strs(spec.get("prefixes_en"))
    for metric in [m for m in metrics.values() if "pre2020" in m.templates and not m.column]:
        names = (metric.label, *metric.aliases)
        metrics[f"{metric.key}.{suffix}"] = Metric(
            key=f"{metric.key}.{suffix}",
            label=f"{metric.label}（{spec['label']}）",
            label_en=f"{metric.label_en} ({spec['label_en']})",
            labels=tuple(f"{p}{lbl}" for p in prefixes[:1] for lbl in metric.labels),
            aliases=tuple(dict.fromkeys(f"{p}{n}" for p in prefixes for n in names)),
            aliases_en=tuple(f"{p} {n}" for p in prefixes_en for n in (metric.label_en,)),
            measure=metric.measure,
            templates=("pre2020",),
            parent=f"{metric.parent}.{suffix}" if metric.parent else None,
            subset_of=f"{metric.subset_of}.{suffix}" if metric.subset_of else None,
            short=spec["label"],
            short_en=spec["label_en"],
        )


def _read_files() -> list[dict]:
    folder = resources.files("ingest.data").joinpath("catalogue")
    names = sorted(p.name for p in folder.iterdir() if p.name.endswith(".toml"))
    return [tomllib.loads(folder.joinpath(n).read_text("utf-8")) for n in names]


def build_catalogue(documents: list[dict]) -> Catalogue:
    """A catalogue from parsed TOML documents (the bundled ones, or a test's own)."""
    metrics: dict[str, Metric] = {}
    grid_of: dict[str, str] = {}
    layouts: dict[str, list[LayoutRow]] = {}
    columns: dict[str, list[Column]] = {}
    orders: dict[str, list[tuple[str, ...]]] = {}
    for doc in documents:
        for entry in doc.get("metric", []):
            if entry["key"] in metrics:
                raise ValueError(f"statistic key defined twice: {entry['key']}")
            metrics[entry["key"]] = _metric(entry)
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
            _expand_cumulative(doc["cumulative"], metrics)
    grid_rows: dict[str, list[str]] = {}
    for key, name in grid_of.items():
        grid_rows.setdefault(name, []).append(key)
    for name, keys in grid_rows.items():
        for key in keys:
            _expand_grid(metrics[key], columns.get(name, []), set(keys), metrics)
    catalogue = Catalogue(metrics, layouts, orders, grid_rows, columns)
    _validate(catalogue)
    return catalogue


def _validate(catalogue: Catalogue) -> None:
    """Fail loudly on a dangling reference: a typo in the data must not pass silently."""
    known = catalogue.metrics
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
