"""Every reader on its fixture: the text is there, tables come out as rows, codecs are recorded."""

from __future__ import annotations

from pathlib import Path

import docx
import pytest

from ingest.readers import RawReport, pipe_row, pipe_rows, read_report
from ingest.readers.from_html import declared_charset, html_to_text
from tests.support import FIXTURES, SAMPLES


def sample(name: str) -> str:
    return (SAMPLES / name).read_text("utf-8")


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


# --- cells and rows -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cells", "expected"),
    [
        (["统计指标", "单位", "统计数"], "| 统计指标 | 单位 | 统计数 |"),
        (["收到申请数", "", "1"], "| 收到申请数 |  | 1 |"),
        (["收到申请数", None, "1"], "| 收到申请数 |  | 1 |"),
        (
            ["（一）主动公开政府信息数\n（不同渠道）", "条", "654"],
            "| （一）主动公开政府信息数 （不同渠道） | 条 | 654 |",
        ),
        (["  a \t\r\n b  ", "c"], "| a b | c |"),
        (["备注|说明", "x"], "| 备注｜说明 | x |"),
        (["", "", ""], "|  |  |  |"),
    ],
)
def test_pipe_row(cells: list[str | None], expected: str) -> None:
    assert pipe_row(cells) == expected


def test_pipe_rows_drops_only_all_blank_rows() -> None:
    rows = [["一、主动公开情况", "", ""], [None, " ", ""], ["", "", "3"]]
    assert pipe_rows(rows) == ["| 一、主动公开情况 |  |  |", "|  |  | 3 |"]


# --- text files -----------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(p.name for p in SAMPLES.iterdir()))
def test_utf8_samples_read_exactly(name: str) -> None:
    report = read_report(SAMPLES / name)
    assert report == RawReport(sample(name), "utf-8", name.rsplit(".", 1)[1])


@pytest.mark.parametrize(
    ("fixture", "original"),
    [
        ("wuzhen-2018.gbk.txt", "wuzhen-2018.txt"),
        ("xiji-2018.gbk.txt", "xiji-2018.txt"),
        ("xitang-2018.gbk.md", "xitang-2018.md"),
        ("yijiu-2018.gbk.txt", "yijiu-2018.txt"),
    ],
)
def test_gbk_reencodings_of_samples(fixture: str, original: str) -> None:
    report = read_report(FIXTURES / fixture)
    assert report.encoding == "gb18030"
    assert report.text == sample(original).replace("\xa0", " ")  # GBK has no U+00A0


def test_big5_reencoding_of_traditional_sample() -> None:
    report = read_report(FIXTURES / "yuqian-2018.big5.txt")
    assert report.encoding == "big5"
    expected = sample("yuqian-2018.txt").encode("big5", errors="replace").decode("big5")
    assert report.text == expected
    assert "於潛鎮" in report.text and "政府信息公開情況統計表" in report.text


@pytest.mark.parametrize(
    ("text", "codec", "expected"),
    [
        ("政府信息公开", "gbk", "gb18030"),
        ("依申请公开", "gbk", "gb18030"),
        ("年报", "gbk", "gb18030"),
        ("西集镇2018年政府信息公开工作年度报告", "gbk", "gb18030"),
        ("主动公开政府信息数 654 条", "gb18030", "gb18030"),
        ("本年度未收取信息处理费。", "gbk", "gb18030"),
        ("𠀀字和政府信息公开", "gb18030", "gb18030"),
        ("統計表", "big5", "big5"),
        ("於潛鎮政府信息公開工作年度報告", "big5", "big5"),
        ("行政復議數量 0 件，行政訴訟數量 0 件。", "big5", "big5"),
        ("政府信息公开", "utf-8", "utf-8"),
        ("plain ASCII report 2018", "ascii", "utf-8"),
    ],
)
def test_short_texts_detected(tmp_path: Path, text: str, codec: str, expected: str) -> None:
    report = read_report(write(tmp_path, "short.txt", text.encode(codec)))
    assert (report.text, report.encoding) == (text, expected)


@pytest.mark.parametrize(
    ("data", "text", "encoding"),
    [
        (b"\xef\xbb\xbf\xe5\xb9\xb4\xe6\x8a\xa5\r\nline 2\r\n", "年报\nline 2\n", "utf-8-sig"),
        ("年报\r\n第二行".encode("utf-16"), "年报\n第二行", "utf-16"),
        (b"line 1\rline 2\r\rline 4", "line 1\nline 2\n\nline 4", "utf-8"),
        (
            b"  # Title  \n\n**bold** <b>tag</b>  \n",
            "  # Title  \n\n**bold** <b>tag</b>  \n",
            "utf-8",
        ),
    ],
)
def test_text_kept_except_bom_and_line_ends(
    tmp_path: Path, data: bytes, text: str, encoding: str
) -> None:
    report = read_report(write(tmp_path, "report.md", data))
    assert (report.text, report.encoding, report.format) == (text, encoding, "md")


def test_bom_crlf_fixture() -> None:
    report = read_report(FIXTURES / "bom-crlf.txt")
    assert report.encoding == "utf-8-sig"
    assert report.text == "\n".join(sample("xiji-2018.txt").splitlines()[:4])


def test_damaged_gbk_file_keeps_its_codec(tmp_path: Path) -> None:
    text = sample("xiji-2018.txt").replace("\xa0", " ")
    damaged = text[:500].encode("gbk") + b"\xff" + text[500:].encode("gbk")
    report = read_report(write(tmp_path, "damaged.txt", damaged))
    assert report.encoding == "gb18030"
    assert report.text == text[:500] + "\ufffd" + text[500:]


@pytest.mark.parametrize("name", sorted(p.name for p in SAMPLES.iterdir()))
def test_damaged_utf8_file_stays_utf8(tmp_path: Path, name: str) -> None:
    text = sample(name)
    damaged = text[:300].encode() + b"\xff" + text[300:].encode()
    report = read_report(write(tmp_path, "damaged" + Path(name).suffix, damaged))
    assert (report.text, report.encoding) == (text[:300] + "\ufffd" + text[300:], "utf-8")


@pytest.mark.parametrize("suffix", [".TXT", ".Md", ".HTM", ".Html"])
def test_extension_case_insensitive(tmp_path: Path, suffix: str) -> None:
    report = read_report(write(tmp_path, "report" + suffix, "<p>年报</p>".encode()))
    assert report.format == {".txt": "txt", ".md": "md"}.get(suffix.lower(), "html")


# --- HTML -----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def html_report() -> RawReport:
    return read_report(FIXTURES / "wuzhen-2018.gbk.html")


def test_html_fixture_decoded_by_meta_charset(html_report: RawReport) -> None:
    assert (html_report.encoding, html_report.format) == ("gb18030", "html")
    assert html_report.text.splitlines()[0] == "乌镇镇2018年度政府信息公开工作年度报告"


def test_html_table_rows_with_spans(html_report: RawReport) -> None:
    rows = [line for line in html_report.text.splitlines() if line.startswith("|")]
    assert rows == [
        "| 统计指标 | 单位 | 统计数 |",
        "| 一、依申请公开情况 |  |  |",
        "| 收到申请数 | 件 | 1 |",
        "| 按时办结数 |  | 1 |",
        "| 备注 ｜ 说明 | 项 |  |",
    ]


def test_html_document_order_and_line_breaks(html_report: RawReport) -> None:
    lines = html_report.text.splitlines()
    wuzhen = [line.strip() for line in sample("wuzhen-2018.txt").splitlines() if line.strip()]
    first, table, last = lines.index(wuzhen[2]), lines.index("| 统计指标 | 单位 | 统计数 |"), -1
    assert lines[first + 1 : first + 3] == [wuzhen[3], wuzhen[4]]  # <br> splits the paragraph
    assert first < table < len(lines) - 1
    assert lines[last] == wuzhen[14]


@pytest.mark.parametrize(
    "noise", ["统计代码", "导航栏", "隐藏文字", "版权所有", "网站地图", "border"]
)
def test_html_noise_dropped(html_report: RawReport, noise: str) -> None:
    assert noise not in html_report.text


@pytest.mark.parametrize(
    ("markup", "expected"),
    [
        ("<p>一</p><p>二</p>", "一\n二"),
        ("<p>主动公开<b>654</b>条</p>", "主动公开654条"),
        ("<div>甲<br/>乙<br>丙</div>", "甲\n乙\n丙"),
        ("<p>a\n   b</p>", "a b"),
        ("<p>政府\n  信息公开，\n依申请</p>", "政府信息公开，依申请"),
        ("<p>2018\n年　<b>共</b>\n 6 件</p>", "2018 年　共 6 件"),
        ("<p>保留<!-- 注释 -->正文</p>", "保留正文"),
        ("<pre>行 1\n  行 2</pre>", "行 1\n  行 2"),
        (
            "<table><tr><td>a</td><td colspan=2>b</td><td>c</td></tr>"
            "<tr><td>1</td><td>2</td><td>3</td><td>4</td></tr></table>",
            "| a | b |  | c |\n| 1 | 2 | 3 | 4 |",
        ),
        (
            "<table><tr><td rowspan=3>合计</td><td>1</td><td>2</td></tr>"
            "<tr><td>3</td><td>4</td></tr><tr><td>5</td><td rowspan=2>6</td></tr>"
            "<tr><td>x</td><td>7</td></tr></table>",
            "| 合计 | 1 | 2 |\n|  | 3 | 4 |\n|  | 5 | 6 |\n| x | 7 |  |",
        ),
        (
            "<table><tr><td rowspan=2>a</td><td>b</td><td rowspan=2>c</td></tr>"
            "<tr><td>d</td></tr><tr><td>e</td></tr></table>",
            "| a | b | c |\n|  | d |  |\n| e |",
        ),
        (
            "<table><tr><td>x</td><td colspan=999999>y</td></tr></table>",
            "| x | y |" + "  |" * 63,
        ),
        (
            "<table><tr><td><p>一、概述</p><p>正文</p>"
            "<table><tr><td>项目</td><td>数量</td></tr></table><p>结尾</p></td></tr></table>",
            "一、概述\n正文\n| 项目 | 数量 |\n结尾",
        ),
        ("<table><tr><td>只有一格的版式表</td></tr></table><p>后文</p>", "只有一格的版式表\n后文"),
        (
            "<table><tr><td><p>第一段</p><p>第二段</p></td><td>2</td></tr></table>",
            "| 第一段 第二段 | 2 |",
        ),
        ("<html><head><title>标题</title></head><body><p>正文</p></body></html>", "标题\n正文"),
        ("<html><head><title>正文</title></head><body><p>正文</p></body></html>", "正文"),
    ],
)
def test_html_to_text(markup: str, expected: str) -> None:
    assert html_to_text(markup) == expected


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (b'<meta charset="gbk">', "gbk"),
        (b"<META CHARSET=GB2312>", "GB2312"),
        (b'<meta http-equiv="Content-Type" content="text/html; charset=big5">', "big5"),
        (b'<?xml version="1.0" encoding="gb18030"?><html>', "gb18030"),
        (b"<p>charset=gbk is only text here</p>", None),
        (b"<html><head></head>", None),
    ],
)
def test_declared_charset(head: bytes, expected: str | None) -> None:
    assert declared_charset(head) == expected


@pytest.mark.parametrize(
    ("meta", "codec", "expected"),
    [
        ("gbk", "gbk", "gb18030"),
        ("gb2312", "gbk", "gb18030"),
        ("big5", "big5", "big5"),
        ("utf-8", "utf-8", "utf-8"),
        ("no-such-codec", "gbk", "gb18030"),  # an invalid declaration is ignored
        ("utf-8", "gbk", "gb18030"),  # a wrong declaration is overruled by the bytes
        ("gbk", "utf-8", "utf-8"),  # UTF-8 that also happens to be valid GBK? not these bytes
    ],
)
def test_html_meta_charset_honoured_when_valid(
    tmp_path: Path, meta: str, codec: str, expected: str
) -> None:
    body = "<p>於潛鎮政府信息公開工作年度報告，主動公開政府信息數613條。</p>"
    page = f'<html><head><meta charset="{meta}"></head><body>{body}</body></html>'
    report = read_report(write(tmp_path, "page.htm", page.encode(codec)))
    assert report.encoding == expected
    assert report.text == "於潛鎮政府信息公開工作年度報告，主動公開政府信息數613條。"


# --- DOCX -----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def docx_report() -> RawReport:
    return read_report(FIXTURES / "xiji-2018.docx")


def test_docx_fixture_prose(docx_report: RawReport) -> None:
    assert (docx_report.encoding, docx_report.format) == (None, "docx")
    lines = docx_report.text.splitlines()
    assert lines[:3] == ["西集镇2018年政府信息公开工作", "年度报告", "一、概述"]
    assert (
        "截止到2018年12月31日，全镇通过“通州信息网”新增信息654条，全文电子化率达100%；微信公众号新增信息840条。"
        in lines
    )


@pytest.mark.parametrize(
    "row",
    [
        "| 统计指标 | 单位 | 统计数 |",
        "|  |  | （2018年度） |",  # vMerge continuation cells stay blank
        "| 一、主动公开情况 |  |  |",  # gridSpan: text once, blanks for the span
        "| （一）主动公开政府信息数 （不同渠道和方式公开相同信息计1条） | 条 | 654 |",
        "| 4.政务微信公开政府信息数 | 条 | 840 |",
        "| 五、行政诉讼数量 | 件 | 6 |",
        "| （一）维持具体行政行为或者驳回原告诉讼请求数 | 件 | 4 |",
        "| （三）接受培训人员数 | 人次 | 30 |",
    ],
)
def test_docx_table_rows(docx_report: RawReport, row: str) -> None:
    assert row in docx_report.text.splitlines()


def test_docx_table_between_paragraphs(docx_report: RawReport) -> None:
    lines = docx_report.text.splitlines()
    rows = [i for i, line in enumerate(lines) if line.startswith("|")]
    assert len(rows) == 2 + 78 and rows == list(range(rows[0], rows[0] + len(rows)))
    assert lines[rows[0] - 1] == "政府信息公开情况统计表（2018年度）"
    assert lines[rows[-1] + 1 :] == ["西集镇人民政府办公室　2019年3月"]
    assert all(line.count("|") == 4 for line in lines if line.startswith("|"))


def test_docx_cells_cleaned_and_grid_before(tmp_path: Path) -> None:
    document = docx.Document()
    document.add_paragraph("前文")
    table = document.add_table(rows=2, cols=3)
    table.cell(0, 0).text = "备注|说明"
    table.cell(0, 1).text = "第一行\n第二行"
    table.cell(0, 2).text = "3"
    table.cell(1, 0).merge(table.cell(1, 1)).text = "合并"
    table.cell(1, 2).text = "4"
    trpr = table.rows[1]._tr.get_or_add_trPr()
    trpr._add_gridBefore(val=1)
    document.add_paragraph("后文")
    path = tmp_path / "cells.docx"
    document.save(str(path))
    text = read_report(path).text
    assert text.splitlines() == [
        "前文",
        "| 备注｜说明 | 第一行 第二行 | 3 |",
        "|  | 合并 |  | 4 |",
        "后文",
    ]


# --- PDF ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def pdf_report() -> RawReport:
    return read_report(FIXTURES / "xiji-2018.pdf")


def test_pdf_chinese_text_extracted(pdf_report: RawReport) -> None:
    assert (pdf_report.encoding, pdf_report.format) == (None, "pdf")
    lines = pdf_report.text.splitlines()
    assert lines[:3] == ["西集镇2018年政府信息公开工作", "年度报告", "一、概述"]
    assert "发生针对本单位政府信息公开行政诉讼案件0件。" in lines  # page 2
    assert "(cid:" not in pdf_report.text


@pytest.mark.parametrize(
    "row",
    [
        "| 统计指标 | 单位 | 统计数 |",
        "| 一、主动公开情况 |  |  |",  # a spanning row: text once, blank cells after it
        "| （一）主动公开政府信息数（不同渠道和方式公开相同信息计1条） | 条 | 654 |",
        "| 其中：主动公开规范性文件数 | 条 | 0 |",
        "| （二）重点领域公开政府信息数（不同渠道和方式公开相同信息计1条） | 条 | 45 |",
    ],
)
def test_pdf_table_rows(pdf_report: RawReport, row: str) -> None:
    assert row in pdf_report.text.splitlines()


def test_pdf_table_in_place_and_not_repeated_as_prose(pdf_report: RawReport) -> None:
    lines = pdf_report.text.splitlines()
    rows = [i for i, line in enumerate(lines) if line.startswith("|")]
    assert len(rows) == 13 and rows == list(range(rows[0], rows[0] + 13))
    assert lines[rows[0] - 1] == "政府信息公开情况统计表（2018年度）"
    assert lines[rows[-1] + 1] == "（一）行政复议"
    assert pdf_report.text.count("制发规范性文件总数") == 1
    wrapped = [line for line in lines if "保障性住房的分配和退出" in line]
    assert len(wrapped) == 1 and wrapped[0].endswith("等信息数 | 条 | 0 |")
