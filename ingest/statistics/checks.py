"""The arithmetic the templates promise, checked at ingest; failures are recorded, not fixed.

- every statistic whose children are all given equals their sum (办结 = 按时 + 延期;
  复议 = 维持 + 纠错 + 其他; each 总计 of table 四; the rows of table 三 under 办理结果);
- table 三, row by row: 总计 = 自然人 + the five 法人或其他组织 columns;
- table 三, column by column: 新收 + 上年结转 = 办理结果总计 + 结转下年度.

Only table figures take part: prose and derived figures are not the table's own arithmetic.
"""

from __future__ import annotations

from ingest.catalogue import Catalogue
from ingest.statistics.drafts import CheckFailure, StatisticDraft

_GRID = "applicants"
_TOLERANCE = 1e-6
_INFLOW = ("requests.received", "requests.carried_over")
_OUTFLOW = ("requests.handled", "requests.carried_forward")


def _fmt(value: float) -> str:
    return str(int(value)) if value == int(value) else f"{value:g}"


def _table_values(drafts: list[StatisticDraft]) -> dict[str, float]:
    return {
        d.key: d.value for d in drafts if d.official and d.source == "table" and d.value is not None
    }


def _sum_check(
    name: str, total_key: str, part_keys: list[str], values: dict[str, float], catalogue: Catalogue
) -> CheckFailure | None:
    if total_key not in values or not part_keys or any(k not in values for k in part_keys):
        return None
    actual = sum(values[k] for k in part_keys)
    expected = values[total_key]
    if abs(actual - expected) <= _TOLERANCE:
        return None
    parts = " + ".join(f"{catalogue.statistics[k].label} {_fmt(values[k])}" for k in part_keys)
    detail = f"{catalogue.statistics[total_key].label} {_fmt(expected)} ≠ {parts} = {_fmt(actual)}"
    return CheckFailure(name, expected, actual, detail, total_key)


def run_checks(
    drafts: list[StatisticDraft], template: str, catalogue: Catalogue
) -> list[CheckFailure]:
    values = _table_values(drafts)
    failures: list[CheckFailure] = []
    for statistic in catalogue.statistics.values():
        if statistic.key not in values:
            continue
        children = [
            c.key
            for c in catalogue.children(statistic.key)
            if template in c.templates and not c.column
        ]
        found = _sum_check(f"sum:{statistic.key}", statistic.key, children, values, catalogue)
        if found:
            failures.append(found)
    orders = catalogue.column_orders.get(_GRID, [])
    if not orders:
        return failures
    columns = [s for s in orders[0] if s]
    for row in catalogue.grid_rows.get(_GRID, []):
        parts = [catalogue.cell_key(row, s) for s in columns]
        found = _sum_check(f"columns:{row}", row, parts, values, catalogue)
        if found:
            failures.append(found)
        if catalogue.cell_key(row, "legal_person") in values:
            orgs = [p for p in parts if catalogue.statistics[p].parent == f"{row}.legal_person"]
            found = _sum_check(
                f"subtotal:{row}", catalogue.cell_key(row, "legal_person"), orgs, values, catalogue
            )
            if found:
                failures.append(found)
    for suffix in ["", *columns, "legal_person"]:
        left = [catalogue.cell_key(k, suffix) for k in _INFLOW]
        right = [catalogue.cell_key(k, suffix) for k in _OUTFLOW]
        if all(k in values for k in left + right):
            a = sum(values[k] for k in left)
            b = sum(values[k] for k in right)
            if abs(a - b) > _TOLERANCE:
                detail = (
                    f"{suffix or '总计'}: 新收 + 上年结转 = {_fmt(a)}"
                    f" ≠ 办理结果总计 + 结转下年度 = {_fmt(b)}"
                )
                failures.append(CheckFailure(f"balance:{suffix or 'total'}", a, b, detail))
    return failures
