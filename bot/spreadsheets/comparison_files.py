"""A comparison table as CSV, XLSX or JSON, written while its rows stream from the database.

Every writer ends with the totals row (the sum over the units that give a figure, and how many
do) and returns the ``Totals``; a caller that finds ``totals.figures == 0`` keeps no file.
The XLSX has a frozen header, number formats, and a "sources" sheet listing every cell's
evidence (source, passage id, the words quoted).
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import IO, Any, BinaryIO

from openpyxl import Workbook

from bot.qa.comparison import Cell, Column, Comparison, Totals
from bot.spreadsheets.xlsx import xlsx_cell, xlsx_header
from ingest.vocab import load_toml

_WIDTHS = {"unit": 30, "value": 16, "evidence": 60, "report": 40}


def words() -> dict:
    """Sheet names and headers (``bot/spreadsheets/data/sheets.toml``)."""
    return load_toml("bot.spreadsheets.data", "sheets.toml")


def value_header(column: Column) -> str:
    """A statistic's header: its label with its measure."""
    w = words()["comparison"]
    if column.measure:
        return w["value"].format(label=column.label, measure=column.measure)
    return w["value_plain"].format(label=column.label)


def source_word(source: str) -> str:
    return words()["source_words"].get(source, source)


def _number(value: float) -> int | float:
    return int(value) if float(value).is_integer() else value


def _total_source(count: int, by_year: bool) -> str:
    w = words()["comparison"]
    return (w["total_source_years"] if by_year else w["total_source"]).format(count=count)


# -- CSV ----------------------------------------------------------------------------------------


def write_csv(comparison: Comparison, out: IO[str]) -> Totals:
    """Unit, year, level, region, then value, source and passage id of each statistic."""
    w = words()["comparison"]
    writer = csv.writer(out)
    header = [w["unit"], w["year"], w["level"], w["region"]]
    for column in comparison.columns:
        header += [
            value_header(column),
            w["source"].format(label=column.label),
            w["passage"].format(label=column.label),
        ]
    writer.writerow(header)
    totals = Totals.of(len(comparison.columns))
    for row in comparison.rows():
        totals.add(row)
        line: list[Any] = [row.unit, row.year, row.level, row.region]
        for cell in row.cells:
            if cell is None:
                line += ["", "", ""]
            else:
                line += [_number(cell.value), cell.source, cell.passage_id or ""]
        writer.writerow(line)
    footer: list[Any] = [w["total"], "", "", ""]
    for total, count in zip(totals.sums, totals.counts, strict=True):
        footer += [
            _number(total) if count else "",
            _total_source(count, comparison.request.by_year),
            "",
        ]
    writer.writerow(footer)
    return totals


# -- JSON ---------------------------------------------------------------------------------------


def _cell_json(cell: Cell | None) -> dict | None:
    if cell is None:
        return None
    return {
        "value": _number(cell.value),
        "measure": cell.measure,
        "source": cell.source,
        "passage_id": cell.passage_id,
        "statistic_id": cell.statistic_id,
        "key": cell.key,
        "evidence": cell.evidence,
    }


def write_json(comparison: Comparison, out: IO[str]) -> Totals:
    """One JSON object: the statistics, the rows (cells keyed by statistic), the totals."""
    keys = [c.key for c in comparison.columns]
    head = {
        "year": comparison.request.year,
        "unit": comparison.unit,
        "by_year": comparison.request.by_year,
        "statistics": [
            {"key": c.key, "label": c.label, "label_en": c.label_en, "measure": c.measure}
            for c in comparison.columns
        ],
    }
    out.write(json.dumps(head, ensure_ascii=False)[:-1] + ', "rows": [')
    totals = Totals.of(len(comparison.columns))
    for i, row in enumerate(comparison.rows()):
        totals.add(row)
        item = {
            "unit": row.unit,
            "year": row.year,
            "level": row.level,
            "region": row.region,
            "report": row.title,
            "cells": {k: _cell_json(c) for k, c in zip(keys, row.cells, strict=True)},
        }
        out.write(("," if i else "") + "\n" + json.dumps(item, ensure_ascii=False))
    total = {
        k: {"value": _number(s) if n else None, "count": n}
        for k, s, n in zip(keys, totals.sums, totals.counts, strict=True)
    }
    out.write('\n], "total": ' + json.dumps(total, ensure_ascii=False) + "}\n")
    return totals


# -- XLSX ---------------------------------------------------------------------------------------


def write_xlsx(comparison: Comparison, target: Path | BinaryIO) -> Totals:
    """The table (frozen header, number formats, totals) and the "sources" sheet."""
    w, s = words()["comparison"], words()["sources"]
    book = Workbook(write_only=True)
    table = book.create_sheet(w["sheet"])
    sources = book.create_sheet(s["sheet"])
    names = [w["unit"], w["year"], w["level"], w["region"]]
    xlsx_header(
        table,
        names + [value_header(c) for c in comparison.columns],
        [_WIDTHS["unit"], 8, 8, 20] + [_WIDTHS["value"]] * len(comparison.columns),
    )
    source_names = [
        s[k]
        for k in (
            "unit",
            "year",
            "statistic",
            "key",
            "value",
            "measure",
            "source",
            "passage",
            "statistic_id",
            "evidence",
            "report",
        )
    ]
    xlsx_header(
        sources,
        source_names,
        [_WIDTHS["unit"], 8, 30, 30, 12, 8, 10, 10, 10, _WIDTHS["evidence"], _WIDTHS["report"]],
    )
    totals = Totals.of(len(comparison.columns))
    for row in comparison.rows():
        totals.add(row)
        line = [row.unit, row.year, row.level, row.region]
        table.append(
            [xlsx_cell(table, v) for v in line]
            + [xlsx_cell(table, _number(c.value)) if c else None for c in row.cells]
        )
        for column, cell in zip(comparison.columns, row.cells, strict=True):
            if cell is None:
                continue
            sources.append(
                [
                    xlsx_cell(sources, v)
                    for v in (
                        row.unit,
                        row.year,
                        column.label,
                        cell.key,
                        _number(cell.value),
                        cell.measure,
                        source_word(cell.source),
                        cell.passage_id,
                        cell.statistic_id,
                        " ".join(cell.evidence.split()),
                        row.title,
                    )
                ]
            )
    blank = [None, None, None]
    table.append(
        [xlsx_cell(table, w["total"], bold=True), *blank]
        + [
            xlsx_cell(table, _number(t), bold=True) if n else None
            for t, n in zip(totals.sums, totals.counts, strict=True)
        ]
    )
    counts = w["count_row_years"] if comparison.request.by_year else w["count_row"]
    table.append([xlsx_cell(table, counts), *blank] + [xlsx_cell(table, n) for n in totals.counts])
    book.save(target)
    return totals
