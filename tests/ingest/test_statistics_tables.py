"""Table rows to statistics: labels anchor rows, sections resolve repeats, nothing is guessed."""

from __future__ import annotations

import pytest

from ingest.statistics import extract_statistics


def table(text: str, template: str = "pre2020") -> dict[str, list[float | None]]:
    out: dict[str, list[float | None]] = {}
    for s in extract_statistics(text, template).statistics:
        if s.source == "table":
            out.setdefault(s.key, []).append(s.value)
    return out


@pytest.mark.parametrize(
    ("row", "key", "value"),
    [
        ("| 四、行政復議數量 | 件 | 4 |", "reconsiderations", 4),
        ("| (一)主动公开政府信息数(不同渠道和方式公开相同信息计1条) | 条 | 654 |",
         "proactive", 654),
        ("| 危及国家安全、公共安全、经济安全和社会 | 件 | 0 |",
         "requests.answered.refused.security", 0),
        ("| 涉及商業秘(密) | 件 | 3 |", "requests.answered.refused.commercial_secret", 3),
        ("| ??。ㄒ唬┗貞婈P注熱點或重大輿情數 | 次 | 12 |", "responses", 12),
        ("| 主动公开本市企业信用信息系统中的警示信息和良好信息等信息数 | 条 | 2 |",
         "key_areas.credit", 2),
        ("| （一）收到申请数 | 6件 |", "requests.received", 6),
        ("| 1.当面申请数 | 个/人 | 3 |", "requests.received.in_person", 3),
        ("| （一）收到申请数 | | 件 | 6 |", "requests.received", 6),
        ("（一）收到申请数\t件\t6\n1.当面申请数\t件\t3", "requests.received", 6),
    ],
)  # fmt: skip
def test_row_labels(row, key, value):
    assert table(row)[key] == [value]


@pytest.mark.parametrize(
    "row",
    [
        "| （三）通过不同渠道和方式公开政府信息的情况 | | |",
        "| 一、主动公开情况 | —— | —— |",
        "| 通过不同渠道和方式公开政府信息数量 | 条 | 5 |",
        "| ??。ㄒ唬┦盏缴暾垟?/span> | 件 | 0 |",
        "| 字 | 件 | 0 |",
    ],
)
def test_rows_that_cannot_be_read_with_confidence_give_nothing(row):
    assert table(row + "\n| 六、举报投诉数量 | 件 | 1 |") == {"complaints": [1.0]}


def test_unreadable_rows_with_figures_are_counted():
    text = "| 字 | 件 | 0 |\n| 一、主动公开情况 | —— | —— |\n| 六、举报投诉数量 | 件 | 1 |"
    assert extract_statistics(text, "pre2020").skipped == 1


def test_repeated_labels_follow_their_section():
    text = "\n".join(
        [
            "| 四、行政复议数量 | 件 | 3 |",
            "| （一）维持具体行政行为数 | 件 | 1 |",
            "| （二）被依法纠错数 | 件 | 1 |",
            "| （三）其他情形数 | 件 | 1 |",
            "| 五、行政诉讼数量 | 件 | 6 |",
            "| （一）维持具体行政行为数 | 件 | 4 |",
            "| （二）被依法纠错数 | 件 | 2 |",
            "| （三）其他情形数 | 件 | 0 |",
        ]
    )
    got = table(text)
    assert got["reconsiderations.upheld"] == [1] and got["lawsuits.upheld"] == [4]
    assert got["reconsiderations.corrected"] == [1] and got["lawsuits.corrected"] == [2]
    assert got["reconsiderations.other"] == [1] and got["lawsuits.other"] == [0]


def test_a_repeated_label_without_its_section_is_skipped():
    extraction = extract_statistics(
        "| （二）被依法纠错数 | 件 | 2 |\n| 六、举报投诉数量 | 件 | 1 |", "pre2020"
    )
    assert {s.key for s in extraction.statistics} == {"complaints"}
    assert extraction.skipped == 1


@pytest.mark.parametrize("mark", ["", "/", "-", "—", "——"])
def test_not_given_marks_are_missing_not_zero(mark):
    text = f"| 四、行政复议数量 | 件 | {mark} |\n| 六、举报投诉数量 | 件 | 0 |"
    got = table(text)
    assert got["reconsiderations"] == [None]
    stats = extract_statistics(text, "pre2020").statistics
    assert not [s for s in stats if s.key == "reconsiderations" and s.official]


def test_one_blank_cell_does_not_shift_later_values():
    text = "\n".join(
        [
            "| （二）申请办结数 | 件 | |",
            "| 1.按时办结数 | 件 | 5 |",
            "| 2.延期办结数 | 件 | 1 |",
        ]
    )
    assert table(text) == {
        "requests.completed": [None],
        "requests.completed.on_time": [5],
        "requests.completed.extended": [1],
    }
