"""The statistics table with its provenance as CSV, XLSX or Parquet, written in a stream."""

from __future__ import annotations

import csv
import itertools
from collections.abc import Iterable
from pathlib import Path

from openpyxl import Workbook

from bot.qa.statistics_export import EXPORT_COLUMNS
from bot.spreadsheets.comparison_files import words
from bot.spreadsheets.xlsx import xlsx_cell, xlsx_header

EXPORT_FORMATS = ("csv", "xlsx", "parquet")  # also offered by ``nianbao export --format``
BATCH = 2000  # rows per Parquet row group


class ExportError(Exception):
    """The export cannot be written as asked; the message says what to do."""


def write_export(rows: Iterable[dict], fmt: str, path: Path) -> int:
    """Write the rows (``EXPORT_COLUMNS`` order) to ``path``; returns how many."""
    if fmt == "csv":
        return _csv(rows, path)
    if fmt == "xlsx":
        return _xlsx(rows, path)
    if fmt == "parquet":
        return _parquet(rows, path)
    raise ExportError(f"unknown format {fmt!r}: use one of {', '.join(EXPORT_FORMATS)}")


def _csv(rows: Iterable[dict], path: Path) -> int:
    count = 0
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow([name for name, _ in EXPORT_COLUMNS])
        for row in rows:
            writer.writerow(["" if v is None else v for v in row.values()])
            count += 1
    return count


def _xlsx(rows: Iterable[dict], path: Path) -> int:
    book = Workbook(write_only=True)
    sheet = book.create_sheet(words()["export"]["sheet"])
    widths = [60 if name == "evidence" else 14 for name, _ in EXPORT_COLUMNS]
    xlsx_header(sheet, [name for name, _ in EXPORT_COLUMNS], widths)
    count = 0
    for row in rows:
        sheet.append([xlsx_cell(sheet, v) if v is not None else None for v in row.values()])
        count += 1
    book.save(path)
    return count


def _parquet(rows: Iterable[dict], path: Path) -> int:
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError as exc:
        raise ExportError(
            "Parquet needs pyarrow: pip install 'nianbao[parquet]' (or pip install pyarrow)"
        ) from exc
    types = {int: pa.int64(), float: pa.float64(), str: pa.string()}
    schema = pa.schema([(name, types[kind]) for name, kind in EXPORT_COLUMNS])
    count = 0
    with pq.ParquetWriter(path, schema) as writer:
        iterator = iter(rows)
        while batch := list(itertools.islice(iterator, BATCH)):
            columns = {name: [r[name] for r in batch] for name, _ in EXPORT_COLUMNS}
            writer.write_table(pa.table(columns, schema=schema))
            count += len(batch)
    return count
