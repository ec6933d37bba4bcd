"""The statistics catalogue: complete for all three template families, consistent, findable."""

from __future__ import annotations

import pytest

from ingest.catalogue import build_catalogue, load_catalogue
from ingest.statistics.table_rows import match_label, strip_ordinal
from ingest.text import fold_label
from tests.support import CATALOGUE_DIR

# Every row of the pre-2020 统计表 (report-formats.md) → its key.
PRE2020_ROWS = [
    ("(一)主动公开政府信息数", "proactive"),
    ("其中:主动公开规范性文件数", "proactive.normative_documents"),
    ("制发规范性文件总数", "normative_documents.issued_total"),
    ("(二)重点领域公开政府信息数", "key_areas"),
    ("1.政府公报公开政府信息数", "channels.gazette"),
    ("2.政府网站公开政府信息数", "channels.website"),
    ("3.政务微博公开政府信息数", "channels.weibo"),
    ("4.政务微信公开政府信息数", "channels.wechat"),
    ("5.其他方式公开政府信息数", "channels.other"),
    ("(一)回应公众关注热点或重大舆情数", "responses"),
    ("1.参加或举办新闻发布会总次数", "press_conferences"),
    ("其中:主要负责同志参加新闻发布会次数", "press_conferences.by_leaders"),
    ("2.政府网站在线访谈次数", "online_interviews"),
    ("其中:主要负责同志参加政府网站在线访谈次数", "online_interviews.by_leaders"),
    ("3.政策解读稿件发布数", "policy_interpretations"),
    ("4.微博微信回应事件数", "responses.weibo_wechat"),
    ("5.其他方式回应事件数", "responses.other"),
    ("(一)收到申请数", "requests.received"),
    ("1.当面申请数", "requests.received.in_person"),
    ("2.传真申请数", "requests.received.fax"),
    ("3.网络申请数", "requests.received.online"),
    ("4.信函申请数", "requests.received.mail"),
    ("(二)申请办结数", "requests.completed"),
    ("1.按时办结数", "requests.completed.on_time"),
    ("2.延期办结数", "requests.completed.extended"),
    ("(三)申请答复数", "requests.answered"),
    ("1.属于已主动公开范围数", "requests.answered.already_public"),
    ("2.同意公开答复数", "requests.answered.granted"),
    ("3.同意部分公开答复数", "requests.answered.partly_granted"),
    ("4.不同意公开答复数", "requests.answered.refused"),
    ("其中:涉及国家秘密", "requests.answered.refused.state_secret"),
    ("涉及商业秘密", "requests.answered.refused.commercial_secret"),
    ("涉及个人隐私", "requests.answered.refused.privacy"),
    ("危及国家安全、公共安全、经济安全和社会稳定", "requests.answered.refused.security"),
    ("不是《条例》所指政府信息", "requests.answered.refused.not_government_information"),
    ("法律法规规定的其他情形", "requests.answered.refused.other_law"),
    ("5.不属于本行政机关公开数", "requests.answered.not_this_agency"),
    ("6.申请信息不存在数", "requests.answered.nonexistent"),
    ("7.告知作出更改补充数", "requests.answered.amend"),
    ("8.告知通过其他途径办理数", "requests.answered.other_route"),
    ("四、行政复议数量", "reconsiderations"),
    ("五、行政诉讼数量", "lawsuits"),
    ("(一)维持具体行政行为或者驳回原告诉讼请求数", "lawsuits.upheld"),
    ("六、举报投诉数量", "complaints"),
    ("七、依申请公开信息收取的费用", "fees"),
    ("(一)政府信息公开工作专门机构数", "offices"),
    ("(二)设置政府信息公开查阅点数", "reading_points"),
    ("(三)从事政府信息公开工作人员数", "staff"),
    ("1.专职人员数", "staff.full_time"),
    ("2.兼职人员数", "staff.part_time"),
    ("(四)政府信息公开专项经费", "funding"),
    ("(一)召开政府信息公开工作会议或专题会议数", "meetings"),
    ("(二)举办各类培训班数", "trainings"),
    ("(三)接受培训人员数", "trainees"),
]

TABLE3_ROWS = [
    "requests.received", "requests.carried_over", "requests.disclosed",
    "requests.partly_disclosed", "requests.withheld", "requests.withheld.state_secret",
    "requests.withheld.prohibited", "requests.withheld.three_security",
    "requests.withheld.third_party", "requests.withheld.internal", "requests.withheld.process",
    "requests.withheld.enforcement_files", "requests.withheld.query", "requests.unavailable",
    "requests.unavailable.not_held", "requests.unavailable.needs_creation",
    "requests.unavailable.unclear", "requests.not_processed", "requests.not_processed.petition",
    "requests.not_processed.repeated", "requests.not_processed.publications",
    "requests.not_processed.mass_repeated", "requests.not_processed.confirmation",
    "requests.other_handling", "requests.handled", "requests.carried_forward",
]  # fmt: skip
TABLE3_ROWS_2021_ONLY = [
    "requests.other_handling.no_correction",
    "requests.other_handling.unpaid_fees",
    "requests.other_handling.other",
]
COLUMNS = ["", "natural_person", "business", "research", "social_welfare", "legal_service",
           "other_org", "legal_person"]  # fmt: skip

TABLE2_2019 = [
    "regulations.made", "regulations.published", "regulations.published_total",
    "normative_documents.made", "normative_documents.published",
    "normative_documents.published_total", "licensing.items_last_year", "licensing.items_change",
    "licensing.decisions_2019", "services.items_last_year", "services.items_change",
    "services.decisions_2019", "penalties.items_last_year", "penalties.items_change",
    "penalties.decisions_2019", "enforcement.items_last_year", "enforcement.items_change",
    "enforcement.decisions_2019", "admin_fees.items_last_year", "admin_fees.items_change",
    "procurement.projects", "procurement.amount",
]  # fmt: skip
TABLE2_2021 = [
    "regulations.issued", "regulations.repealed", "regulations.in_force",
    "normative_documents.issued", "normative_documents.repealed", "normative_documents.in_force",
    "licensing.decisions", "penalties.decisions", "enforcement.decisions", "admin_fees.amount",
]  # fmt: skip
TABLE4 = [
    f"{group}.{part}" if part else group
    for group in ("reconsiderations", "lawsuits.direct", "lawsuits.after_reconsideration")
    for part in ("upheld", "corrected", "other", "pending", "")
]


@pytest.fixture(scope="module")
def cat():
    return load_catalogue()


@pytest.mark.parametrize(("row", "key"), PRE2020_ROWS)
def test_every_pre2020_row_matches_its_statistic(cat, row, key):
    keys = tuple(m.key for m in cat.for_template("pre2020") if not m.column)
    found, _ = match_label(cat, strip_ordinal(fold_label(row)), keys, [])
    assert found == key
    assert "pre2020" in cat.get(key).templates


@pytest.mark.parametrize("edition", ["national2019", "national2021"])
def test_every_table3_cell_exists_in_both_editions(cat, edition):
    rows = TABLE3_ROWS + (TABLE3_ROWS_2021_ONLY if edition == "national2021" else [])
    for row in rows:
        for column in COLUMNS:
            key = cat.cell_key(row, column)
            assert edition in cat.get(key).templates, key


def test_2021_only_rows_are_not_in_2019(cat):
    for row in TABLE3_ROWS_2021_ONLY:
        assert "national2019" not in cat.get(row).templates


@pytest.mark.parametrize("edition", ["national2019", "national2021"])
def test_table4_cells_exist(cat, edition):
    assert list(cat.layouts["table4"][0].keys) == TABLE4
    for key in TABLE4:
        assert edition in cat.get(key).templates


def test_table2_editions_are_different_statistics(cat):
    assert not set(TABLE2_2019) & set(TABLE2_2021)
    for key in TABLE2_2019:
        assert cat.get(key).templates == ("national2019",)
    for key in TABLE2_2021:
        assert cat.get(key).templates == ("national2021",)
    laid_out = {k for row in cat.layouts["table2_2019"] for k in row.keys}
    assert laid_out == set(TABLE2_2019)
    laid_out = {k for row in cat.layouts["table2_2021"] for k in row.keys}
    assert laid_out == set(TABLE2_2021)


@pytest.mark.parametrize("key", ["requests.received", "reconsiderations", "lawsuits"])
def test_shared_keys_span_all_templates(cat, key):
    assert set(cat.get(key).templates) == {"pre2020", "national2019", "national2021"}


def test_national_lawsuits_are_derived_from_both_groups(cat):
    assert cat.get("lawsuits").derived_from == ("lawsuits.direct", "lawsuits.after_reconsideration")
    for part in ("upheld", "corrected", "other", "pending"):
        assert cat.get(f"lawsuits.{part}").derived_from == (
            f"lawsuits.direct.{part}",
            f"lawsuits.after_reconsideration.{part}",
        )


@pytest.mark.parametrize(
    ("parent", "children"),
    [
        ("reconsiderations", ["upheld", "corrected", "other", "pending"]),
        ("lawsuits", ["upheld", "corrected", "other", "pending"]),
        ("requests.completed", ["on_time", "extended"]),
        ("staff", ["full_time", "part_time"]),
        ("requests.received.legal_person", ["business", "research", "social_welfare",
                                            "legal_service", "other_org"]),
    ],
)  # fmt: skip
def test_children_in_catalogue_order(cat, parent, children):
    stem = parent.removesuffix(".legal_person")
    assert [m.key for m in cat.children(parent)] == [f"{stem}.{c}" for c in children]


def test_subset_rows_are_not_children(cat):
    assert cat.get("proactive.normative_documents").subset_of == "proactive"
    assert cat.children("proactive") == []


@pytest.mark.parametrize(
    ("word", "key"),
    [
        ("行政诉讼", "lawsuits"), ("被起诉", "lawsuits"), ("打官司", "lawsuits"),
        ("诉讼案件", "lawsuits"), ("行政复议", "reconsiderations"), ("复议", "reconsiderations"),
        ("依申请公开", "requests.received"), ("信息公开申请", "requests.received"),
        ("主动公开", "proactive"), ("举报投诉", "complaints"), ("投诉", "complaints"),
        ("收费", "fees"), ("费用", "fees"), ("依申请公开收费", "fees"), ("政务微信", "channels.wechat"),
        ("微信", "channels.wechat"), ("政务微博", "channels.weibo"), ("微博", "channels.weibo"),
        ("政府网站", "channels.website"), ("网站", "channels.website"), ("培训班", "trainings"),
        ("培训人次", "trainees"), ("接受培训", "trainees"), ("工作会议", "meetings"),
        ("会议", "meetings"), ("工作人员", "staff"), ("人员", "staff"), ("专项经费", "funding"),
        ("经费", "funding"), ("回应热点", "responses"), ("舆情", "responses"),
        ("新闻发布会", "press_conferences"), ("按时办结", "requests.completed.on_time"),
        ("延期办结", "requests.completed.extended"),
        ("个人隐私", "requests.answered.refused.privacy"),
        ("申请信息不存在", "requests.answered.nonexistent"),
        ("被依法纠错", "lawsuits.corrected"), ("纠错", "reconsiderations.corrected"),
        ("行政许可", "licensing.decisions"), ("自然人申请", "requests.received.natural_person"),
    ],
)  # fmt: skip
def test_question_words_find_their_statistic(cat, word, key):
    statistic = cat.get(key)
    assert word in (*statistic.labels, *statistic.aliases, statistic.label)


@pytest.mark.parametrize(
    ("word", "key"),
    [("lawsuits", "lawsuits"), ("administrative litigation", "lawsuits"),
     ("reconsideration", "reconsiderations"), ("information requests", "requests.received"),
     ("proactively disclosed items", "proactive"), ("complaints", "complaints"),
     ("fees", "fees"), ("staff", "staff"), ("trainings", "trainings")],
)  # fmt: skip
def test_english_aliases(cat, word, key):
    assert word in cat.get(key).aliases_en


def test_every_statistic_is_complete(cat):
    measures = {"条", "件", "次", "个", "人", "人次", "篇", "万元", "元"}
    for m in cat.statistics.values():
        assert m.label and m.label_en and m.labels, m.key
        assert m.measure in measures, m.key
        assert m.templates, m.key


def test_dangling_references_are_refused():
    doc = {"statistic": [{"key": "a", "label": "甲", "templates": ["pre2020"], "parent": "b"}]}
    with pytest.raises(ValueError, match="unknown statistic"):
        build_catalogue([doc])


def test_duplicate_keys_are_refused():
    entry = {"key": "a", "label": "甲", "templates": ["pre2020"]}
    with pytest.raises(ValueError, match="twice"):
        build_catalogue([{"statistic": [entry]}, {"statistic": [entry]}])


def test_tables_of_another_name_are_refused():
    """An entry under a table the loader does not read must not vanish silently."""
    entry = {"key": "a", "label": "甲", "templates": ["pre2020"]}
    with pytest.raises(ValueError, match=r"\[\[statistic\]\]"):
        build_catalogue([{"metric": [entry]}])


def test_unknown_key_names_the_key(cat):
    with pytest.raises(KeyError, match="nope"):
        cat.get("nope")


OWN_FILES = [
    *sorted(CATALOGUE_DIR.glob("*.toml")),
    CATALOGUE_DIR.parent / "prose.toml",
    CATALOGUE_DIR.parent / "templates.toml",
]
OWN_CODE = sorted((CATALOGUE_DIR.parent.parent / "statistics").glob("*.py")) + [
    CATALOGUE_DIR.parent.parent / n for n in ("catalogue.py", "tables.py", "template.py")
]


@pytest.mark.parametrize("name", ["西塘", "乌镇", "於潜", "于潜", "西集", "宜就", "xiji", "yuqian"])
def test_no_sample_report_is_special_cased(name):
    for path in OWN_FILES + OWN_CODE:
        assert name not in path.read_text("utf-8"), path


@pytest.mark.parametrize("word", ["总计", "其他"])
def test_generic_row_labels_only_match_inside_tables(cat, word):
    assert any(word in m.table_labels for m in cat.statistics.values())
    for m in cat.statistics.values():
        assert word not in (m.label, *m.labels, *m.aliases), m.key
