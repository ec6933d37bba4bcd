"""What an admin reads after an upload: corrections, warnings and how to force a replacement."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.telegram.handlers.uploads import _CAPTION_REPLACE, ingest_summary
from ingest.pipeline import FileOutcome


def _outcome(**fields) -> FileOutcome:
    base = {"path": Path("r.txt"), "unit": "东湖镇", "year": 2020, "template": "national2021"}
    return FileOutcome(**{**base, **fields})


def test_a_corrected_report_says_so_warns_and_invites_questions() -> None:
    lines = ingest_summary(
        _outcome(
            status="corrected",
            reason="was 西湖镇 2019",
            previous="西湖镇 2019",
            warnings=["标题写的是西湖镇"],
        ),
        "r.txt",
    )
    assert lines[0].startswith("已更正：这份报告现在是 东湖镇 2020 年报告（原为 西湖镇 2019）")
    assert "注意：标题写的是西湖镇" in lines
    assert lines[-1].startswith("现在就可以提问了")


def test_the_template_is_named_in_words() -> None:
    line = ingest_summary(_outcome(status="added"), "r.txt")[0]
    assert "2021 版全国模板" in line and "national2021" not in line


def test_a_less_complete_file_tells_how_to_replace() -> None:
    reason = "东湖镇 2020 is already loaded …; pass --replace (in the bot: the caption replace)"
    lines = ingest_summary(_outcome(status="refused", reason=reason), "r.txt")
    assert any("replace" in line and "说明文字" in line for line in lines[1:])


@pytest.mark.parametrize(
    ("caption", "replace"),
    [
        ("replace", True),
        ("unit=东湖镇 year=2020 replace", True),
        ("替换", True),
        ("Replace", True),
        ("replaced", False),
        ("replace=东湖镇", False),
        ("unit=东湖镇", False),
    ],
)
def test_the_caption_asks_for_replacement(caption: str, replace: bool) -> None:
    assert bool(_CAPTION_REPLACE.search(caption)) is replace
