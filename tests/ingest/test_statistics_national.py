"""National template, both editions: every cell of tables 二, 三 and 四 lands on its key.

The tests write their own reports in three shapes: pipe tables (what the HTML/DOCX/PDF readers
render), one cell per line (a Word table pasted as text) and flattened rows (label then
numbers; table 四 as a bare row of 15 numbers with its header lost).
"""

from __future__ import annotations

import pytest

from ingest.statistics import extract_statistics
from ingest.template import detect_template

ORGS = ["natural_person", "business", "research", "social_welfare", "legal_service", "other_org"]
HEADER_ORGS = ["自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计"]

# (label, merged parent label written on the block's first row, key)
TABLE3_HEAD = [
    ("一、本年新收政府信息公开申请数量", "", "requests.received"),
    ("二、上年结转政府信息公开申请数量", "", "requests.carried_over"),
    ("（一）予以公开", "三、本年度办理结果", "requests.disclosed"),
    ("（二）部分公开（区分处理的，只计这一情形，不计其他情形）", "", "requests.partly_disclosed"),
    ("1.属于国家秘密", "（三）不予公开", "requests.withheld.state_secret"),
    ("2.其他法律行政法规禁止公开", "", "requests.withheld.prohibited"),
    ("3.危及“三安全一稳定”", "", "requests.withheld.three_security"),
    ("4.保护第三方合法权益", "", "requests.withheld.third_party"),
    ("5.属于三类内部事务信息", "", "requests.withheld.internal"),
    ("6.属于四类过程性信息", "", "requests.withheld.process"),
    ("7.属于行政执法案卷", "", "requests.withheld.enforcement_files"),
    ("8.属于行政查询事项", "", "requests.withheld.query"),
    ("1.本机关不掌握相关政府信息", "（四）无法提供", "requests.unavailable.not_held"),
    ("2.没有现成信息需要另行制作", "", "requests.unavailable.needs_creation"),
    ("3.补正后申请内容仍不明确", "", "requests.unavailable.unclear"),
    ("1.信访举报投诉类申请", "（五）不予处理", "requests.not_processed.petition"),
    ("2.重复申请", "", "requests.not_processed.repeated"),
    ("3.要求提供公开出版物", "", "requests.not_processed.publications"),
    ("4.无正当理由大量反复申请", "", "requests.not_processed.mass_repeated"),
    ("5.要求行政机关确认或重新出具已获取信息", "", "requests.not_processed.confirmation"),
]
TABLE3_OTHER = {
    "2019": [("（六）其他处理", "", "requests.other_handling")],
    "2021": [
        (
            "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
            "（六）其他处理",
            "requests.other_handling.no_correction",
        ),
        (
            "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
            "",
            "requests.other_handling.unpaid_fees",
        ),
        ("3.其他", "", "requests.other_handling.other"),
    ],
}
TABLE3_TAIL = [
    ("（七）总计", "", "requests.handled"),
    ("四、结转下年度继续办理", "", "requests.carried_forward"),
]

TABLE2 = {
    "2019": [
        ("第二十条第（一）项", ["信息内容", "本年新制作数量", "本年新公开数量", "对外公开总数量"],
         [("规章", ["regulations.made", "regulations.published", "regulations.published_total"]),
          ("规范性文件", ["normative_documents.made", "normative_documents.published",
                          "normative_documents.published_total"])]),
        ("第二十条第（五）项", ["信息内容", "上一年项目数量", "本年增/减", "处理决定数量"],
         [("行政许可", ["licensing.items_last_year", "licensing.items_change",
                        "licensing.decisions_2019"]),
          ("其他对外管理服务事项", ["services.items_last_year", "services.items_change",
                                    "services.decisions_2019"])]),
        ("第二十条第（六）项", ["信息内容", "上一年项目数量", "本年增/减", "处理决定数量"],
         [("行政处罚", ["penalties.items_last_year", "penalties.items_change",
                        "penalties.decisions_2019"]),
          ("行政强制", ["enforcement.items_last_year", "enforcement.items_change",
                        "enforcement.decisions_2019"])]),
        ("第二十条第（八）项", ["信息内容", "上一年项目数量", "本年增/减"],
         [("行政事业性收费", ["admin_fees.items_last_year", "admin_fees.items_change"])]),
        ("第二十条第（九）项", ["信息内容", "采购项目数量", "采购总金额"],
         [("政府集中采购", ["procurement.projects", "procurement.amount"])]),
    ],
    "2021": [
        ("第二十条第（一）项", ["信息内容", "本年制发件数", "本年废止件数", "现行有效件数"],
         [("规章", ["regulations.issued", "regulations.repealed", "regulations.in_force"]),
          ("行政规范性文件", ["normative_documents.issued", "normative_documents.repealed",
                              "normative_documents.in_force"])]),
        ("第二十条第（五）项", ["信息内容", "本年处理决定数量"],
         [("行政许可", ["licensing.decisions"])]),
        ("第二十条第（六）项", ["信息内容", "本年处理决定数量"],
         [("行政处罚", ["penalties.decisions"]), ("行政强制", ["enforcement.decisions"])]),
        ("第二十条第（八）项", ["信息内容", "本年收费金额（单位：万元）"],
         [("行政事业性收费", ["admin_fees.amount"])]),
    ],
}  # fmt: skip

TABLE4 = [
    f"{group}.{part}" if part else group
    for group in ("reconsiderations", "lawsuits.direct", "lawsuits.after_reconsideration")
    for part in ("upheld", "corrected", "other", "pending", "")
]


def table3_rows(edition: str):
    return TABLE3_HEAD + TABLE3_OTHER[edition] + TABLE3_TAIL


def distinct_values(edition: str) -> dict[str, float]:
    """A different figure in every cell, so a shifted cell cannot go unnoticed."""
    values: dict[str, float] = {}
    for i, (_, _, key) in enumerate(table3_rows(edition)):
        for j, suffix in enumerate([*ORGS, ""]):
            values[f"{key}.{suffix}" if suffix else key] = 100 * (i + 1) + j
    n = 1
    for _, _, rows in TABLE2[edition]:
        for _, keys in rows:
            for key in keys:
                values[key] = 1000 + n
                n += 1
    for n, key in enumerate(TABLE4, 1):
        values[key] = 2000 + n
    return values


def consistent_values(edition: str) -> dict[str, float]:
    """Figures that satisfy every check the template prints."""
    values: dict[str, float] = {}
    results = [k for _, _, k in table3_rows(edition) if k.startswith("requests.") and k not in (
        "requests.received", "requests.carried_over", "requests.handled",
        "requests.carried_forward")]  # fmt: skip
    for j, suffix in enumerate(ORGS):
        values[f"requests.received.{suffix}"] = 50 + j
        values[f"requests.carried_over.{suffix}"] = 1
        handled = 0
        for i, key in enumerate(results):
            values[f"{key}.{suffix}"] = (i + j) % 3
            handled += (i + j) % 3
        values[f"requests.handled.{suffix}"] = handled
        values[f"requests.carried_forward.{suffix}"] = 50 + j + 1 - handled
    for _, _, key in table3_rows(edition):
        values[key] = sum(values[f"{key}.{s}"] for s in ORGS)
    for _, _, rows in TABLE2[edition]:
        for _, keys in rows:
            for n, key in enumerate(keys):
                values[key] = n + 1
    for g, group in enumerate(
        ("reconsiderations", "lawsuits.direct", "lawsuits.after_reconsideration")
    ):
        parts = [g + 1, 1, 0, 2]
        for part, v in zip(("upheld", "corrected", "other", "pending"), parts, strict=True):
            values[f"{group}.{part}"] = v
        values[group] = sum(parts)
    return values


def cell(values: dict[str, float], key: str) -> str:
    v = values.get(key)
    if v is None:
        return ""
    return str(int(v)) if v == int(v) else str(v)


def row3(values, key):
    return [cell(values, f"{key}.{s}") for s in ORGS] + [cell(values, key)]


INTRO = (
    "一、总体情况\n本机关认真贯彻《中华人民共和国政府信息公开条例》，现将本年度工作报告如下。\n"
    "二、主动公开政府信息情况\n"
)
OUTRO = (
    "五、存在的主要问题及改进情况\n工作人员力量不足，下一步加强培训。\n"
    "六、其他需要报告的事项\n本年度未收取信息处理费。\n"
)


def render_pipe(edition: str, values: dict[str, float]) -> str:
    out = [INTRO]
    for block, header, rows in TABLE2[edition]:
        out.append(f"| {block} | | | |")
        out.append("| " + " | ".join(header) + " |")
        for label, keys in rows:
            out.append("| " + " | ".join([label, *(cell(values, k) for k in keys)]) + " |")
    out.append("三、收到和处理政府信息公开申请情况")
    out.append(
        "| （本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和） | 申请人情况 | | | | | | |"
    )
    out.append("| | 自然人 | 法人或其他组织 | | | | | 总计 |")
    out.append("| | | 商业企业 | 科研机构 | 社会公益组织 | 法律服务机构 | 其他 | |")
    for label, parent, key in table3_rows(edition):
        out.append("| " + " | ".join([parent, label, *row3(values, key)]) + " |")
    out.append("四、政府信息公开行政复议、行政诉讼情况")
    out.append("| 行政复议 | | | | | 行政诉讼 | | | | | | | | | |")
    out.append("| | | | | | 未经复议直接起诉 | | | | | 复议后起诉 | | | | |")
    out.append(
        "| " + " | ".join(["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"] * 3) + " |"
    )
    out.append("| " + " | ".join(cell(values, k) for k in TABLE4) + " |")
    out.append(OUTRO)
    return "\n".join(out)


def render_one_cell(edition: str, values: dict[str, float]) -> str:
    out = [INTRO]
    for block, header, rows in TABLE2[edition]:
        out.append(block + "\n")
        out.append("\n".join(header) + "\n")
        for label, keys in rows:
            out.append("\n".join([label, *(cell(values, k) or "/" for k in keys)]) + "\n")
    out.append("三、收到和处理政府信息公开申请情况\n")
    out.append("\n".join(HEADER_ORGS) + "\n")
    for label, parent, key in table3_rows(edition):
        lines = [parent] if parent else []
        out.append("\n".join([*lines, label, *(c or "/" for c in row3(values, key))]) + "\n")
    out.append("四、政府信息公开行政复议、行政诉讼情况\n")
    out.append("\n".join(cell(values, k) or "/" for k in TABLE4) + "\n")
    out.append(OUTRO)
    return "\n".join(out)


def render_flat(edition: str, values: dict[str, float]) -> str:
    out = [INTRO]
    for block, header, rows in TABLE2[edition]:
        out.append(block)
        out.append(" ".join(header))
        for label, keys in rows:
            out.append(" ".join([label, *(cell(values, k) or "—" for k in keys)]))
    out.append("三、收到和处理政府信息公开申请情况")
    out.append(" ".join(HEADER_ORGS))
    for label, parent, key in table3_rows(edition):
        out.append(
            " ".join([x for x in (parent, label) if x] + [c or "—" for c in row3(values, key)])
        )
    out.append("四、政府信息公开行政复议、行政诉讼情况")
    out.append(" ".join(cell(values, k) or "—" for k in TABLE4))
    out.append(OUTRO)
    return "\n".join(out)


def render_html(edition: str, values: dict[str, float], subtotal: bool = False) -> str:
    """What the HTML/DOCX readers emit: a merged cell once, blanks for the cells it covers."""
    out = [INTRO]
    for block, header, rows in TABLE2[edition]:
        out.append(f"| {block} | | | |")
        out.append("| " + " | ".join(header) + " |")
        for label, keys in rows:
            cells = [cell(values, k) for k in keys] + [""] * (3 - len(keys))
            out.append("| " + " | ".join([label, *cells]) + " |")
    out.append("三、收到和处理政府信息公开申请情况")
    width = 8 if subtotal else 7
    out.append(
        "| （本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和） | | | 申请人情况 |"
    )
    out.append("| | | | 自然人 | 法人或其他组织 |" + " |" * (width - 3) + " 总计 |")
    orgs = HEADER_ORGS[1:6] + (["小计"] if subtotal else [])
    out.append("| | | | | " + " | ".join(orgs) + " | |")
    previous = ""
    for label, parent, key in table3_rows(edition):
        figures = row3(values, key)
        if subtotal:
            figures = [*figures[:6], cell(values, f"{key}.legal_person"), figures[6]]
        if key in ("requests.received", "requests.carried_over", "requests.carried_forward"):
            labels = [label, "", ""]
        elif not label[0].isdigit():
            labels = ["三、本年度办理结果" if parent else "", label, ""]
        else:
            labels = ["", parent, label] if parent or previous else ["", "", label]
        previous = parent
        out.append("| " + " | ".join([*labels, *figures]) + " |")
    out.append("四、政府信息公开行政复议、行政诉讼情况")
    out.append("| 行政复议 | | | | | 行政诉讼 | | | | | | | | | |")
    out.append(
        "| " + " | ".join(["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"] * 3) + " |"
    )
    out.append("| " + " | ".join(cell(values, k) for k in TABLE4) + " |")
    out.append(OUTRO)
    return "\n".join(out)


RENDERERS = {
    "pipe": render_pipe,
    "one_cell": render_one_cell,
    "flat": render_flat,
    "html": render_html,
}
CASES = [(e, r) for e in ("2019", "2021") for r in RENDERERS]


@pytest.mark.parametrize("edition", ["2019", "2021"])
def test_merged_cells_with_a_subtotal_column(edition):
    values = distinct_values(edition)
    for _, _, key in table3_rows(edition):
        values[f"{key}.legal_person"] = values[key] + 50
    text = render_html(edition, values, subtotal=True)
    extraction = extract_statistics(text, f"national{edition}")
    tables = {s.key: s.value for s in extraction.statistics if s.source == "table"}
    assert {k: tables.get(k) for k in values} == values


def official(extraction) -> dict[str, float | None]:
    return {s.key: s.value for s in extraction.statistics if s.official}


@pytest.mark.parametrize(("edition", "shape"), CASES)
def test_template_is_detected(edition, shape):
    text = RENDERERS[shape](edition, distinct_values(edition))
    assert detect_template(text, None) == f"national{edition}"
    assert detect_template(text, int(edition)) == f"national{edition}"


@pytest.mark.parametrize(("edition", "shape"), CASES)
def test_every_cell_lands_on_its_key(edition, shape):
    values = distinct_values(edition)
    text = RENDERERS[shape](edition, values)
    extraction = extract_statistics(text, f"national{edition}")
    tables = {s.key: s for s in extraction.statistics if s.source == "table"}
    missing = sorted(set(values) - set(tables))
    assert not missing
    wrong = {k: (tables[k].value, v) for k, v in values.items() if tables[k].value != v}
    assert not wrong
    for key, s in tables.items():
        assert s.official and text[s.start : s.end] == s.evidence, key
        assert cell(values, key) in s.evidence
    assert extraction.skipped == 0


@pytest.mark.parametrize(("edition", "shape"), CASES)
def test_lawsuits_are_derived_from_both_groups(edition, shape):
    values = distinct_values(edition)
    extraction = extract_statistics(RENDERERS[shape](edition, values), f"national{edition}")
    (lawsuits,) = [s for s in extraction.statistics if s.key == "lawsuits"]
    assert lawsuits.source == "derived" and lawsuits.official
    assert lawsuits.value == values["lawsuits.direct"] + values["lawsuits.after_reconsideration"]
    assert lawsuits.rule == "derived:lawsuits.direct + lawsuits.after_reconsideration"
    got = official(extraction)
    for part in ("upheld", "corrected", "other", "pending"):
        assert got[f"lawsuits.{part}"] == (
            values[f"lawsuits.direct.{part}"] + values[f"lawsuits.after_reconsideration.{part}"]
        )
    withheld = sum(values[k] for k in values if k.startswith("requests.withheld.") and
                   k.count(".") == 2)  # fmt: skip
    assert got["requests.withheld"] == withheld


@pytest.mark.parametrize(("edition", "shape"), CASES)
def test_consistent_tables_pass_every_check(edition, shape):
    values = consistent_values(edition)
    extraction = extract_statistics(RENDERERS[shape](edition, values), f"national{edition}")
    assert extraction.checks == []
    assert official(extraction)["requests.received"] == values["requests.received"]


@pytest.mark.parametrize(
    ("key", "delta", "names"),
    [
        ("requests.received", 1, {"columns:requests.received", "balance:total"}),
        ("requests.received.business", 1, {"columns:requests.received", "balance:business"}),
        ("lawsuits.direct", 1, {"sum:lawsuits.direct"}),
        ("reconsiderations.upheld", -1, {"sum:reconsiderations"}),
        ("requests.disclosed.natural_person", 1,
         {"columns:requests.disclosed", "balance:natural_person", "sum:requests.handled.natural_person",
          "columns:requests.handled"}),
    ],
)  # fmt: skip
def test_broken_arithmetic_is_recorded(key, delta, names):
    values = consistent_values("2021")
    values[key] += delta
    extraction = extract_statistics(render_pipe("2021", values), "national2021")
    found = {c.name for c in extraction.checks}
    assert names & found
    assert found <= names | {"sum:requests.handled"}


@pytest.mark.parametrize("shape", list(RENDERERS))
def test_blank_cells_are_missing_not_zero(shape):
    values = distinct_values("2021")
    for key in ("requests.received.research", "lawsuits.direct.pending", "licensing.decisions"):
        values.pop(key)
    extraction = extract_statistics(RENDERERS[shape]("2021", values), "national2021")
    stats = {s.key: s for s in extraction.statistics if s.source == "table"}
    for key in ("requests.received.research", "lawsuits.direct.pending"):
        assert stats[key].value is None and not stats[key].official
    assert official(extraction).get("lawsuits.pending") is None
    assert (
        official(extraction)["requests.received.business"] == values["requests.received.business"]
    )


def test_processing_fee_zero_from_section_six():
    extraction = extract_statistics(render_pipe("2021", distinct_values("2021")), "national2021")
    (fee,) = [s for s in extraction.statistics if s.key == "processing_fees"]
    assert fee.value == 0 and fee.source == "prose" and "信息处理费" in fee.evidence


def test_subtotal_column_is_read_when_present():
    values = consistent_values("2021")
    row = [*row3(values, "requests.received")]
    legal = sum(values[f"requests.received.{s}"] for s in ORGS[1:])
    with_subtotal = [*row[:6], str(int(legal)), *row[6:]]
    text = (
        "三、收到和处理政府信息公开申请情况\n"
        "| 一、本年新收政府信息公开申请数量 | " + " | ".join(with_subtotal) + " |\n"
        "| 二、上年结转政府信息公开申请数量 | 0 | 0 | 0 | 0 | 0 | 0 | 0 | 0 |\n"
    )
    got = official(extract_statistics(text, "national2021"))
    assert got["requests.received.legal_person"] == legal
    assert got["requests.received"] == values["requests.received"]
    assert got["requests.received.other_org"] == values["requests.received.other_org"]


def test_a_row_with_a_lost_cell_is_skipped_not_shifted():
    text = (
        "| 一、本年新收政府信息公开申请数量 | 1 | 2 | 3 | 4 | 5 | 15 |\n"
        "| 二、上年结转政府信息公开申请数量 | 0 | 0 | 0 | 0 | 0 | 0 | 0 |\n"
    )
    extraction = extract_statistics(text, "national2021")
    assert not [s for s in extraction.statistics if s.key.startswith("requests.received")]
    assert extraction.skipped == 1


@pytest.mark.parametrize(
    ("text", "year", "expected"),
    [
        ("（一）收到申请数 件 6\n四、行政复议数量 件 0", 2018, "pre2020"),
        ("四、行政复议数量 件 0", 2019, "pre2020"),
        ("本年度工作总结。", 2017, "pre2020"),
        ("本年度工作总结。", 2021, "unknown"),
        ("本年度工作总结。", None, "unknown"),
        ("一、本年新收政府信息公开申请数量\n四、结转下年度继续办理", 2020, "national2019"),
        ("一、本年新收政府信息公开申请数量\n四、结转下年度继续办理", 2022, "national2021"),
        ("一、本年新收政府信息公开申请数量\n四、结转下年度继续办理", None, "unknown"),
        ("规章 本年制发件数\n未经复议直接起诉 复议后起诉", 2020, "national2021"),
        ("规章 本年新制作数量\n未经复议直接起诉 复议后起诉", 2021, "national2019"),
    ],
)
def test_detect_template_words_beat_years(text, year, expected):
    assert detect_template(text, year) == expected
