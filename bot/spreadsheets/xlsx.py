"""Cells and headers of write-only XLSX sheets: numbers formatted, headers bold and frozen."""

from __future__ import annotations

from typing import Any

from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

INTEGER_FORMAT = "#,##0"
DECIMAL_FORMAT = "#,##0.00"


def xlsx_cell(sheet: WriteOnlyWorksheet, value: Any, bold: bool = False) -> Any:
    """A cell; whole numbers as 1,234, others with two decimals; other values as they are
    (a styled cell costs time, and a sheet may have tens of thousands of rows)."""
    number = isinstance(value, int | float) and not isinstance(value, bool)
    if not number and not bold:
        return value
    cell = WriteOnlyCell(sheet, value=value)
    if number:
        cell.number_format = INTEGER_FORMAT if float(value).is_integer() else DECIMAL_FORMAT
    if bold:
        cell.font = Font(bold=True)
    return cell


def xlsx_header(sheet: WriteOnlyWorksheet, names: list[str], widths: list[int]) -> None:
    """The first row, bold and frozen, with the columns' widths (before any other row)."""
    for i, width in enumerate(widths, 1):
        sheet.column_dimensions[get_column_letter(i)].width = width
    sheet.freeze_panes = "A2"
    sheet.append([xlsx_cell(sheet, n, bold=True) for n in names])
