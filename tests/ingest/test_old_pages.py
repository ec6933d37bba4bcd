"""Old county portal pages, end to end: each sample report as such a portal served it (table
layout, gb2312 declared but GBK written, the title in a ``class="title"`` cell outside the
article, navigation and footer around it) is ingested like the text: same unit and year, the
title first, no site chrome, and no figure the text does not give."""

from __future__ import annotations

import html
from pathlib import Path

import pytest

from ingest.pipeline import ingest_paths, prepare
from tests.support import SAMPLES

_PAGE = """<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 4.01 Transitional//EN">
<html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312">
<title>某县人民政府门户网站</title>
<script language="javascript">function menu(){{document.write("首页 | 政务公开");}}</script>
</head><body topmargin="0"><table width="1000" align="center"><tr><td>
<table width="100%"><tr><td class="nav"><a href="/">首页</a> | <a href="/zwgk">政务公开</a> |
<a href="/bsfw">办事服务</a> | <a href="/hdjl">互动交流</a></td></tr></table>
<table width="100%"><tr><td width="200" valign="top"><table>
<tr><td><a href="/a">通知公告</a></td></tr><tr><td><a href="/b">政策法规</a></td></tr>
<tr><td><a href="/c">人事任免</a></td></tr></table></td>
<td valign="top"><table width="100%"><tr><td>当前位置：首页 &gt; 政务公开 &gt; 年度报告</td></tr>
<tr><td align="center"><div class="title">{title}</div></td></tr>
<tr><td align="center">发布时间：2019-01-20 点击数：88</td></tr>
<tr><td class="content">{body}</td></tr></table></td></tr></table>
<table width="100%"><tr><td align="center">版权所有：某县人民政府办公室 备案号：X ICP备00000000号</td>
</tr></table></td></tr></table></body></html>"""


def old_portal_page(text: str) -> bytes:
    """The report as an old portal page: its title (its first lines, up to the one that says
    报告) in the title cell, lines as paragraphs, pipe rows as a table."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    start = next(i for i, line in enumerate(lines) if not line.startswith("|"))
    end = start
    while "报" not in lines[end] and "報" not in lines[end] and end < start + 1:
        end += 1
    title = "".join(line.lstrip("# ") for line in lines[start : end + 1])
    body: list[str] = []
    rows: list[str] = []
    for line in [*lines[:start], *lines[end + 1 :]]:
        if line.startswith("|"):
            cells = "".join(
                f"<td>{html.escape(c.strip())}</td>" for c in line.strip("|").split("|")
            )
            rows.append(f"<tr>{cells}</tr>")
            continue
        if rows:
            body.append(f'<table border="1">{"".join(rows)}</table>')
            rows = []
        body.append(f"<p>{html.escape(line)}</p>")
    if rows:
        body.append(f'<table border="1">{"".join(rows)}</table>')
    page = _PAGE.format(title=html.escape(title), body="".join(body))
    return page.encode("gbk")


SAMPLE_FILES = sorted(p.name for p in SAMPLES.iterdir())


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("portal")
    for name in SAMPLE_FILES:
        page = old_portal_page((SAMPLES / name).read_text("utf-8"))
        (folder / (Path(name).stem + ".html")).write_bytes(page)
    return folder


def test_every_sample_as_an_old_portal_page_is_ingested(pages: Path, fresh_db) -> None:
    outcomes = ingest_paths(fresh_db, [pages])
    assert [o.status for o in outcomes] == ["added"] * len(SAMPLE_FILES), [
        o.reason for o in outcomes
    ]


@pytest.mark.parametrize("name", SAMPLE_FILES)
def test_an_old_portal_page_reads_like_the_text(pages: Path, name: str) -> None:
    text = prepare(SAMPLES / name)
    page = prepare(pages / (Path(name).stem + ".html"))
    assert (page.meta.unit, page.meta.year) == (text.meta.unit, text.meta.year)
    assert page.raw.encoding == "gb18030"
    first = page.raw.text.splitlines()[0]
    assert "报" in first or "報" in first, first
    for chrome in ("当前位置", "人事任免", "版权所有", "点击数", "document.write", "某县人民政府"):
        assert chrome not in page.raw.text
    from_text = {(s.key, s.value) for s in text.extraction.statistics if s.official}
    from_page = {(s.key, s.value) for s in page.extraction.statistics if s.official}
    assert from_page <= from_text  # nothing the text does not say
    assert len(from_page) >= 0.9 * len(from_text)
