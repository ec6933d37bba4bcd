"""Tokens: one normalisation and one segmentation for passages and questions."""

from __future__ import annotations

import functools
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from index.tokens import (
    Tokenizer,
    catalogue_words,
    dictionary_entries,
    domain_words,
    stop_words,
    tokenize_all,
)
from ingest.text import search_form

UNITS = ("西塘镇", "西塘镇人民政府", "於潜镇", "於潜镇人民政府", "西集镇", "宜就镇", "乌镇镇")
CONTEXTS = ("{}", "本镇{}工作情况", "关于{}的说明。", "全面推进{}，", "2018年{}数量")


@pytest.fixture(scope="module")
def tokenizer() -> Tokenizer:
    return Tokenizer(extra_words=UNITS)


def test_dictionary_is_shipped_and_loaded(tokenizer: Tokenizer) -> None:
    words = set(tokenizer.words)
    for word in (
        "信息公开",
        "依申请公开",
        "政务公开",
        "行政复议",
        "行政诉讼",
        "主动公开",
        "不予公开",
        "信息处理费",
    ):
        assert word in domain_words() and word in words
    assert "于潜镇" in words  # unit names normalised like the text they are found in
    assert "於潜镇" not in words


def test_catalogue_labels_join_the_dictionary(tokenizer: Tokenizer) -> None:
    short = [w for w in dictionary_entries(catalogue_words()) if len(w) <= tokenizer.catalogue_max]
    assert short, "the statistics catalogue should provide labels"
    assert set(short) <= set(tokenizer.words)


def test_every_dictionary_word_survives_segmentation(tokenizer: Tokenizer) -> None:
    """jieba silently drops user words it cannot cut out; none of ours may be lost."""
    lost = [
        (word, context)
        for word in tokenizer.words
        for context in CONTEXTS
        if word not in tokenizer.tokens(context.format(word))
    ]
    assert not lost, lost[:20]


@pytest.mark.parametrize(
    ("word", "entries"),
    [
        ("危及“三安全一稳定”", ["危及", "三安全一稳定"]),  # punctuation splits
        ("不是《条例》所指政府信息", ["不是", "条例", "所指政府信息"]),
        ("镇", []),  # single characters are tokens anyway
        ("ＷＥＢ网站", ["web网站"]),  # normalised: half width, lower case
        ("於潛鎮", ["于潜镇"]),
        ("", []),
    ],
)
def test_dictionary_entries(word: str, entries: list[str]) -> None:
    assert dictionary_entries([word]) == entries


@pytest.mark.parametrize(
    ("text", "expected_in", "expected_out"),
    [
        ("於潛鎮通過微信公眾號發布信息", {"于潜镇", "微信公众号", "发布"}, {"於潜镇"}),
        ("受理电话：010-61576445", {"受理电话", "010", "61576445"}, {"：", "-"}),
        ("ＸＴＺＧＯＶ＠１６３．ＣＯＭ", {"xtzgov", "163", "com"}, {"@", "."}),
        ("行政复议数量：1件", {"行政复议", "1", "件"}, {":"}),
        ("西塘镇的信息公开是什么", {"西塘镇", "信息公开"}, {"的", "是", "什么"}),
        ("政府  信息\n公开", {"政府", "信息", "公开"}, {" ", "\n"}),
    ],
)
def test_tokens(tokenizer: Tokenizer, text, expected_in, expected_out) -> None:
    tokens = tokenizer.tokens(text)
    assert expected_in <= set(tokens)
    assert not expected_out & set(tokens)


def test_search_mode_yields_the_words_inside_long_words(tokenizer: Tokenizer) -> None:
    assert {"信息", "公开", "信息公开", "政府信息公开"} <= set(tokenizer.tokens("政府信息公开"))
    assert {"行政", "复议", "行政复议", "行政复议数量"} <= set(tokenizer.tokens("行政复议数量"))


def test_repeats_are_kept_in_order(tokenizer: Tokenizer) -> None:
    assert tokenizer.tokens("行政诉讼 行政诉讼") == ["行政", "诉讼", "行政诉讼"] * 2


def test_questions_and_passages_meet_across_scripts(tokenizer: Tokenizer) -> None:
    assert tokenizer.tokens("政府資訊公開申請") == tokenizer.tokens("政府资讯公开申请")
    assert tokenizer.tokens("ＡＢＣ１２３") == tokenizer.tokens("abc123")


def test_stop_words_are_data_and_apply_to_both_sides(tokenizer: Tokenizer) -> None:
    assert "的" in stop_words()
    without = Tokenizer(extra_words=UNITS, use_stop_words=False)
    assert "的" in without.tokens("公开的信息") and "的" not in tokenizer.tokens("公开的信息")


def test_signature_follows_the_dictionary() -> None:
    a = Tokenizer(extra_words=("东湖镇",))
    assert a.signature == Tokenizer(extra_words=("东湖镇",)).signature
    assert a.signature != Tokenizer(extra_words=("南湖镇",)).signature
    assert a.signature != Tokenizer(extra_words=("东湖镇",), mode="precise").signature


def test_pickles_without_jieba_state(tokenizer: Tokenizer) -> None:
    import pickle

    tokenizer.tokens("信息公开")
    clone = pickle.loads(pickle.dumps(tokenizer))
    assert clone._jieba is None and clone.options() == tokenizer.options()
    assert clone.tokens("于潜镇信息公开") == tokenizer.tokens("于潜镇信息公开")


def test_tokenize_all_in_a_pool_matches_serial(tokenizer: Tokenizer) -> None:
    texts = [f"第{i}条：西塘镇依申请公开{i % 7}件，信息处理费{i}元。" for i in range(1200)]
    assert list(tokenize_all(tokenizer, texts, workers=2, batch=300)) == tokenizer.many(texts)


@functools.cache
def _shared_tokenizer() -> Tokenizer:
    """One tokenizer for the property tests: building one loads jieba's dictionary."""
    return Tokenizer(extra_words=UNITS)


_TOKEN = re.compile(r"^[\u3400-\u9fffa-z0-9+#&._%\-]+$")


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=80))
def test_tokens_of_arbitrary_text(text: str) -> None:
    tokenizer = _shared_tokenizer()
    tokens = tokenizer.tokens(text)
    prepared = search_form(text)
    for token in tokens:
        assert token and token == token.strip() and token in prepared
        assert token not in stop_words()
        assert re.search(r"[\u3400-\u9fffa-z0-9]", token)
    assert tokens == tokenizer.tokens(text)


@settings(max_examples=100, deadline=None)
@given(
    st.text(alphabet="信息公开政府依申请行政复议诉讼镇的了，。、；：0123456789 abcXYZ", max_size=60)
)
def test_tokens_of_domain_like_text(text: str) -> None:
    tokenizer = _shared_tokenizer()
    tokens = tokenizer.tokens(text)
    assert all(t in search_form(text) for t in tokens)
    assert tokenizer.tokens(search_form(text), prepared=True) == tokens


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.text(
            alphabet="信息公开政府依申请行政复议诉讼西塘镇於潜的了，。、 0123456789 abc-._%#&+\n",
            max_size=30,
        ),
        min_size=1,
        max_size=6,
    )
)
def test_remembered_blocks_cut_like_the_whole_text(texts: list[str]) -> None:
    """Blocks are cut once and remembered: tokens are still those of cutting each whole
    text, whatever was cut before."""
    tokenizer = _shared_tokenizer()
    for text in texts:
        prepared = search_form(text)
        assert tokenizer.tokens(text) == tokenizer._cut(prepared)
