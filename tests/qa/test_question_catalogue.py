"""Questions against the real statistics catalogue: the seed questions resolve to sensible keys."""

from __future__ import annotations

import re
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.qa.question import Gazetteer, parse_question
from ingest.catalogue import load_catalogue
from ingest.text import fold_question

TODAY = date(2026, 11, 22)

# unit, unit_full, level: the units of the sample reports
UNITS = [
    ("西集镇", "西集镇人民政府", "镇"),
    ("西塘镇", "西塘镇人民政府", "镇"),
    ("乌镇镇", "乌镇镇人民政府", "镇"),
    ("於潜镇", "於潜镇人民政府", "镇"),
    ("宜就镇", "宜就镇人民政府", "镇"),
]


@pytest.fixture(scope="module")
def gazetteer() -> Gazetteer:
    return Gazetteer([{"unit": u, "unit_full": f, "level": lvl} for u, f, lvl in UNITS])


SEED = [
    # id, question, intent, statistic, units
    ("s001", "西集镇有多少行政诉讼？", "number", "lawsuits", ["西集镇"]),
    ("s002", "how many lawsuits did 西集镇 have", "number", "lawsuits", ["西集镇"]),
    ("s003", "西塘镇2018年行政复议数量是多少", "number", "reconsiderations", ["西塘镇"]),
    ("s004", "西塘镇主动公开了多少条政府信息", "number", "proactive", ["西塘镇"]),
    ("s005", "乌镇镇2018年主动公开政府信息多少条？", "number", "proactive", ["乌镇镇"]),
    ("s006", "乌镇收到几件依申请公开？", "number", "requests.received", ["乌镇镇"]),
    ("s007", "於潛鎮行政復議數量是多少", "number", "reconsiderations", ["於潜镇"]),
    ("s008", "于潜镇政务微信公开了多少条信息", "number", "channels.wechat", ["於潜镇"]),
    ("s009", "于潜镇政府网站公开政府信息数", "number", "channels.website", ["於潜镇"]),
    ("s010", "于潜镇从事政府信息公开工作的人员有几个", "number", "staff", ["於潜镇"]),
    ("s011", "于潜镇政府信息公开专项经费多少万元", "number", "funding", ["於潜镇"]),
    ("s012", "于潜镇接受培训人员数", "number", "trainees", ["於潜镇"]),
    ("s013", "西集镇收到多少政府信息公开申请", "number", "requests.received", ["西集镇"]),
    ("s014", "西集镇当面申请数", "number", "requests.received.in_person", ["西集镇"]),
    ("s015", "西集镇延期办结了几件申请", "number", "requests.completed.extended", ["西集镇"]),
    ("s016", "西集镇按时办结了多少件", "number", "requests.completed.on_time", ["西集镇"]),
    (
        "s017",
        "西集镇因涉及个人隐私不同意公开的有几件",
        "number",
        "requests.answered.refused.privacy",
        ["西集镇"],
    ),
    ("s018", "西集镇申请信息不存在的有几件", "number", "requests.answered.nonexistent", ["西集镇"]),
    ("s019", "西集镇召开了几次政府信息公开工作会议", "number", "meetings", ["西集镇"]),
    ("s020", "西集镇政务微信公开政府信息数", "number", "channels.wechat", ["西集镇"]),
    ("s021", "西集镇的行政诉讼中被依法纠错的有几件", "number", "lawsuits.corrected", ["西集镇"]),
    ("s022", "宜就镇主动公开政府信息多少条", "number", "proactive", ["宜就镇"]),
    ("s023", "宜就镇通过微信公众平台公开了多少条", "number", "channels.wechat", ["宜就镇"]),
    ("s024", "宜就镇有多少件依申请公开", "number", "requests.received", ["宜就镇"]),
    ("s025", "宜就镇行政诉讼数量", "number", "lawsuits", ["宜就镇"]),
    ("s026", "西塘镇举办了几次政府信息公开培训班", "number", "trainings", ["西塘镇"]),
    ("s027", "西塘镇接受培训多少人次", "number", "trainees", ["西塘镇"]),
    ("s028", "西塘镇回应公众关注热点或重大舆情多少件", "number", "responses", ["西塘镇"]),
    ("s029", "乌镇镇行政复议数量", "number", "reconsiderations", ["乌镇镇"]),
    ("s030", "西塘镇举报投诉数量", "number", "complaints", ["西塘镇"]),
    (
        "s031",
        "How many information disclosure requests did 西塘镇 receive in 2018?",
        "number",
        "requests.received",
        ["西塘镇"],
    ),
    ("s032", "于潜镇回应公众关注热点或重大舆情数", "number", "responses", ["於潜镇"]),
    ("s033", "乌镇镇依申请公开收费多少", "number", "fees", ["乌镇镇"]),
    ("s034", "西集镇重点领域公开政府信息数", "number", "key_areas", ["西集镇"]),
    ("s035", "西塘镇召开了几次政府信息公开工作会议", "number", "meetings", ["西塘镇"]),
    ("s036", "于潜镇的政务微博发了多少条", "number", "channels.weibo", ["於潜镇"]),
    ("r001", "哪个镇主动公开政府信息最多？", "ranking", "proactive", []),
    ("r002", "哪个镇的行政诉讼最多", "ranking", "lawsuits", []),
    ("r003", "哪个镇主动公开的政府信息最少", "ranking", "proactive", []),
    ("r004", "哪个镇收到的信息公开申请最多", "ranking", "requests.received", []),
    (
        "r005",
        "which town had the most administrative reconsiderations?",
        "ranking",
        "reconsiderations",
        [],
    ),
    ("t001", "这几个镇一共有多少件行政诉讼？", "sum", "lawsuits", []),
    ("t002", "各镇行政复议总数是多少", "sum", "reconsiderations", []),
    ("p001", "乌镇镇信息公开工作存在哪些问题？", "passage", None, ["乌镇镇"]),
    ("p002", "西塘镇信息公开领导小组组长是谁", "passage", None, ["西塘镇"]),
    ("p003", "西集镇的信息公开受理电话是多少", "passage", None, ["西集镇"]),
    ("p004", "于潜镇2019年有什么工作打算", "passage", None, ["於潜镇"]),
    ("p005", "宜就镇的信息公开有什么不足", "passage", None, ["宜就镇"]),
    ("p006", "西集镇有哪些人申请了信息公开", "passage", "requests.received", ["西集镇"]),
    ("p007", "乌镇镇通过哪些渠道公开政府信息", "passage", "proactive", ["乌镇镇"]),
    ("p008", "西塘镇的联系邮箱", "passage", None, ["西塘镇"]),
    # Asks "how many" of a channel: read as a number; the answer layer adds passages.
    ("p009", "于潜镇通过微信公众号发布了多少政务信息", "number", "channels.wechat", ["於潜镇"]),
    ("p010", "西塘镇请谁做了保密工作辅导", "passage", None, ["西塘镇"]),
    ("n001", "南京市鼓楼区2018年行政诉讼数量是多少", "number", "lawsuits", []),
    ("n002", "西塘镇2015年主动公开了多少条信息", "number", "proactive", ["西塘镇"]),
    ("n003", "西集镇2018年行政许可处理决定数量", "number", "licensing.decisions_2019", ["西集镇"]),
]


@pytest.mark.parametrize(("id_", "text", "intent", "statistic", "units"), SEED)
def test_seed_question(
    gazetteer: Gazetteer, id_: str, text: str, intent: str, statistic: str | None, units: list[str]
) -> None:
    q = parse_question(text, gazetteer, load_catalogue(), today=TODAY)
    assert (q.intent, q.statistic, [u.unit for u in q.units]) == (intent, statistic, units), id_


@pytest.mark.parametrize(
    ("text", "statistic"),
    [
        ("行政复议中被依法纠错的有几件", "reconsiderations.corrected"),
        ("行政诉讼被依法纠错", "lawsuits.corrected"),
        ("复议和诉讼中被依法纠错的", "lawsuits.corrected"),
        ("how many lawsuits were corrected", "lawsuits.corrected"),
        ("administrative reconsiderations overturned", "reconsiderations.corrected"),
        ("行政诉讼尚未审结的有几件", "lawsuits.pending"),
        ("复议后起诉的有多少", "lawsuits.after_reconsideration"),
        ("被起诉了几次", "lawsuits"),
        ("依申请公开有多少", "requests.received"),
        ("网上申请有多少件", "requests.received.online"),
        ("涉及国家秘密不同意公开的", "requests.answered.refused.state_secret"),
        ("专职人员几个", "staff.full_time"),
        ("收取信息处理费多少元", "processing_fees"),
        ("驳回原告诉讼请求的有几件", "lawsuits.upheld"),
        ("行政许可处理决定数量", "licensing.decisions_2019"),
        ("行政许可本年处理决定数量", "licensing.decisions"),
    ],
)
def test_longest_mention_and_child_win(text: str, statistic: str) -> None:
    q = parse_question(text, Gazetteer([]), load_catalogue(), today=TODAY)
    assert q.statistic == statistic


def test_every_label_resolves_to_a_statistic_with_that_label() -> None:
    catalogue = load_catalogue()
    wrong = []
    for key, statistic in catalogue.statistics.items():
        for label in (statistic.label, *statistic.labels):
            q = parse_question(label, Gazetteer([]), catalogue, today=TODAY)
            got = catalogue.statistics.get(q.statistic) if q.statistic else None
            names = (
                {fold_question(n) for n in (got.label, *got.labels, *got.aliases)} if got else set()
            )
            if fold_question(label) not in names:
                wrong.append((key, label, q.statistic))
    assert wrong == []


def _words(text: str) -> tuple[str, ...]:
    return tuple(re.findall(r"\w+", text.lower()))


def test_every_english_label_resolves_to_a_statistic_with_that_label() -> None:
    """Editions share wordings (licensing decisions): any statistic carrying the label will do."""
    catalogue = load_catalogue()
    wrong = []
    for key, statistic in catalogue.statistics.items():
        if not statistic.label_en:
            continue
        q = parse_question(f"how many {statistic.label_en}?", Gazetteer([]), catalogue, today=TODAY)
        got = catalogue.statistics.get(q.statistic) if q.statistic else None
        names = {_words(n) for n in (got.label_en, *got.aliases_en)} if got else set()
        if _words(statistic.label_en) not in names:
            wrong.append((key, statistic.label_en, q.statistic))
    assert wrong == []


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300))
def test_parse_never_raises_with_the_real_catalogue(text: str) -> None:
    catalogue = load_catalogue()
    gazetteer = Gazetteer([{"unit": u, "unit_full": f, "level": lvl} for u, f, lvl in UNITS])
    q = parse_question(text, gazetteer, catalogue, today=TODAY)
    assert q.statistic is None or q.statistic in catalogue.statistics
    assert q.statistic_mention in q.text
