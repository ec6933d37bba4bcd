"""Whether the statistic a question names accounts for everything the question asks.

``StatisticMatcher.choose`` finds the longest label or alias in a question.  That is not yet
the statistic asked: "机构职能类信息公开了多少条" contains 公开了多少条 (主动公开) but asks for a
narrower figure; "自然人提出的信息公开申请" names 信息公开申请 and a column of it; "培训了多少
人次" names 培训 (sessions) but asks for persons.  So after the mention is found, the question's
other words are read: unit names, years, question words and words that never narrow a
statistic (``[linking]`` of ``bot/qa/data/statistics.toml``) are set aside, and every remaining
content word must be covered by the statistic's labels and aliases (or those of a statistic it
belongs to).  The measure asked (人次, 元, 率) must fit the statistic's measure too.

Words left over pick the statistic they name among those the mention also names (the 自然人
column, the 上一年项目数量 column of 行政处罚, the 历年累计 twin); when none names them they
stay ``unexplained``: the question asks for something narrower or different, and the answer
must come from the report's text or say that the report does not give it — never the
broader figure.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache

from bot.qa.figure_question import asked_measure
from bot.qa.figure_words import YEAR, measure_groups, tokenizer
from bot.qa.figure_words import vocabulary as figure_vocabulary
from bot.qa.folded_words import folded_words
from bot.qa.statistic_match import StatisticMatcher, matching_vocabulary, statistic_matcher
from ingest.catalogue import Catalogue, Statistic
from ingest.text import CJK, fold_question

_LATIN = re.compile(r"[a-z]+|\d+(?:\.\d+)?")
_CONTENT = re.compile(f"[{CJK}a-z0-9]")
_CJK_RUN = re.compile(f"[{CJK}]+")
_BRACKETED = re.compile(r"[(（][^()（）]*[)）]")
# A year in Chinese numerals (二〇一八年度): set aside like 2018年.
_ZH_YEAR = re.compile(r"[〇零一二三四五六七八九]{2,4}\s*年(?:度|底|末|报)?")

Span = tuple[int, int]


@dataclass(frozen=True)
class StatisticLink:
    """The statistic a question asks for and the words of the question it stands for.

    ``spans`` are the stretches of the question read as the statistic (the mention first),
    ``unexplained`` the content words no statistic of the mention accounts for (the question
    asks for something narrower or different), ``alternatives`` statistics the words match
    just as well.
    """

    key: str | None = None
    spans: tuple[Span, ...] = ()
    unexplained: tuple[str, ...] = ()
    alternatives: tuple[str, ...] = ()


@dataclass(frozen=True)
class _Token:
    start: int
    end: int
    text: str

    @property
    def latin(self) -> bool:
        return self.text.isascii()


def linking_vocabulary() -> dict:
    """``[linking]`` of ``bot/qa/data/statistics.toml``."""
    return matching_vocabulary()["linking"]


@cache
def _ignored() -> tuple[frozenset[str], tuple[str, ...], frozenset[str]]:
    """(Chinese words, Chinese words longest first, English words) that never narrow."""
    vocab = linking_vocabulary()
    zh = {fold_question(w) for w in vocab["ignore"]}
    zh |= set(measure_groups())
    return frozenset(zh), tuple(sorted(zh, key=len, reverse=True)), frozenset(vocab["ignore_en"])


def _stem(word: str) -> str:
    """A crude English stem: plural and verb endings off, then a final e, the same for the
    question's words and the statistics' names (requests → request, completed and
    complete → complet)."""
    for ending in ("ies", "es", "s", "ed", "ing"):
        if word.endswith(ending) and len(word) - len(ending) >= 3:
            word = word[: -len(ending)] + ("y" if ending == "ies" else "")
            break
    return word.removesuffix("e") if len(word) > 4 else word


@cache
def _glossary() -> dict[str, tuple[str, ...]]:
    """English word (stemmed) → the Chinese words it stands for in reports."""
    vocab = figure_vocabulary()
    table: dict[str, list[str]] = {}
    for section in ("english", "english_verbs"):
        for english, chinese in vocab[section].items():
            if " " in english:
                continue
            forms = [f for spelled in chinese for f in spelled.split("|") if f]
            table.setdefault(_stem(english), []).extend(forms)
    for english, chinese in linking_vocabulary()["glossary"].items():
        table.setdefault(_stem(english), []).extend(chinese)
    return {w: tuple(dict.fromkeys(forms)) for w, forms in table.items()}


@cache
def _synonyms() -> dict[str, tuple[str, ...]]:
    """Question word → label words meaning the same (增加 → 增/减)."""
    return {
        fold_question(w): tuple(fold_question(s) for s in others)
        for w, others in linking_vocabulary()["synonyms"].items()
    }


def _asked_group(text: str) -> str:
    """The measure group a question asks for.  An English question's nouns (persons, staff,
    members) name what is counted more often than a measure: only a share or an amount of
    money is read from its words."""
    group, measure = asked_measure(text)
    if measure or _is_chinese(text):
        return group
    return group if group in ("percent", "money") else ""


def _is_chinese(text: str) -> bool:
    """Whether a question is written in Chinese: Chinese words outside brackets (an English
    question may quote a Chinese label in brackets)."""
    return bool(_CJK_RUN.search(_BRACKETED.sub("", text)))


def _measure_word(group: str) -> str:
    """A word naming the measure a question asked for when it wrote none (办结率 → 比率)."""
    named = linking_vocabulary()["measure_names"].get(group)
    return named or next((m for m, g in measure_groups().items() if g == group), group)


def _measure_group(measure: str) -> str:
    return measure_groups().get(measure, "")


@cache
def _compatible(asked: str, stated: str) -> bool:
    """Whether a statistic counted in ``stated`` answers a question asking for ``asked``."""
    if not asked or not stated or asked == stated:
        return True
    pairs = linking_vocabulary()["compatible_measures"]
    return stated in pairs.get(asked, ())


@dataclass
class StatisticLinker:
    """The linking rules over one catalogue (built once per catalogue object)."""

    catalogue: Catalogue
    matcher: StatisticMatcher
    names: dict[str, tuple[str, ...]] = field(default_factory=dict)
    english: dict[str, frozenset[str]] = field(default_factory=dict)
    cumulative: dict[str, str] = field(default_factory=dict)
    wholes: dict[str, list[str]] = field(default_factory=dict)
    patterns: list[tuple[re.Pattern[str], str]] = field(default_factory=list)
    _families: dict[str, list[str]] = field(default_factory=dict, repr=False)
    _family_names: dict[tuple[str, bool], tuple[tuple[str, ...], str]] = field(
        default_factory=dict, repr=False
    )

    @classmethod
    def of(cls, catalogue: Catalogue) -> StatisticLinker:
        linker = cls(catalogue, statistic_matcher(catalogue))
        suffix = ".cumulative"
        named = [(s.label, *s.labels, *s.aliases) for s in catalogue.statistics.values()]
        folded = iter(folded_words(w for words in named for w in words))
        for (key, statistic), words in zip(catalogue.statistics.items(), named, strict=True):
            forms = [next(folded) for _ in words]
            linker.names[key] = tuple(dict.fromkeys(f for f in forms if len(f) >= 2))
            english = " ".join((statistic.label_en, *statistic.aliases_en)).lower()
            linker.english[key] = frozenset(_stem(w) for w in _LATIN.findall(english))
            for part in statistic.derived_from:
                linker.wholes.setdefault(part, []).append(key)
            if key.endswith(suffix) and key[: -len(suffix)] in catalogue.statistics:
                linker.cumulative[key[: -len(suffix)]] = key
        for entry in linking_vocabulary()["pattern"]:
            if entry["key"] in catalogue.statistics:
                linker.patterns.extend((re.compile(p), entry["key"]) for p in entry["patterns"])
        return linker

    # -- coverage ---------------------------------------------------------------------------

    def family(self, key: str) -> list[str]:
        """The statistic and those it belongs to (its parents, and a total it adds into:
        复议后起诉 is part of 行政诉讼): their names account for its words."""
        kept = self._families.get(key)
        if kept is None:
            found = [key, *self.matcher.ancestors(key)]
            for k in list(found):
                found.extend(w for w in self.wholes.get(k, ()) if w not in found)
            kept = self._families[key] = found
        return list(kept)

    def _names_hold(self, key: str, own: bool, forms: Iterable[str]) -> bool:
        """Whether a name of the statistic (or of its family, unless ``own``) holds one of
        the forms. The names are joined once per statistic: the question's words are checked
        against every statistic of the catalogue, name by name that is thousands of tests."""
        kept = self._family_names.get((key, own))
        if kept is None:
            family = [key] if own else self.family(key)
            names = tuple(name for k in family for name in self.names[k])
            kept = self._family_names[(key, own)] = (names, "\x00".join(names))
        names, joined = kept
        return any(
            form in joined if form and "\x00" not in form else any(form in n for n in names)
            for form in forms
        )

    def covers(self, key: str, word: str, own: bool = False) -> bool:
        """Whether the statistic (or one it belongs to, unless ``own``) names the word."""
        family = [key] if own else self.family(key)
        if word.isascii() and not _LATIN.fullmatch(word):
            words = [w for w in _LATIN.findall(word) if w not in _ignored()[2]]
            return bool(words) and all(self.covers(key, w, own) for w in words)
        if word.isascii():
            stem = _stem(word)
            if any(stem in self.english[k] for k in family):
                return True
            return self._names_hold(key, own, _glossary().get(stem, ()))
        return self._names_hold(key, own, (word, *_synonyms().get(word, ())))

    def _measure_fits(self, key: str, asked: str) -> bool:
        return _compatible(asked, _measure_group(self.catalogue.statistics[key].measure))

    # -- reading the question ---------------------------------------------------------------

    def link(self, text: str) -> StatisticLink:
        """The statistic a folded question (unit names blanked) asks for."""
        forced = self._pattern_hit(text)
        chosen = self.matcher.choose(_blank(text, [forced[1]]) if forced else text)
        if forced:
            key, mention = forced
            alternatives: tuple[str, ...] = ()
        elif chosen:
            key, mention = chosen
            alternatives = tuple(self.matcher.equal_to(text, key, mention))
        else:
            return self._by_words(text)
        tokens = _tokens(_blank(text, [mention]))
        spans: list[Span] = [mention]
        group = _asked_group(text)
        key, taken = self._cumulative(key, text, tokens)
        spans.extend(taken)
        chinese = _is_chinese(text)
        content = [t for t in tokens if not _inside(t, spans) and _is_content(t, chinese)]
        covered = [t for t in content if self.covers(key, t.text)]
        left = [t for t in content if t not in covered]
        named = self._named_with(text, key, mention, left)
        if named:
            alternatives = tuple(dict.fromkeys((*alternatives, *named.values())))
            covered += list(named)
            left = [t for t in left if t not in named]
        if left or not self._measure_fits(key, group):
            better = self._narrower(key, text[mention[0] : mention[1]], left, group)
            if better is not None:
                key = better
                covered = [t for t in content if self.covers(key, t.text)]
                left = [t for t in content if t not in covered]
                alternatives = ()
        spans.extend((t.start, t.end) for t in covered)
        spans.extend(self._label_words(key, tokens, spans))
        unexplained = [t.text for t in left]
        if not self._measure_fits(key, group) and not unexplained:
            unexplained.append(asked_measure(text)[1] or _measure_word(group))
        return StatisticLink(key, tuple(spans), tuple(unexplained), alternatives)

    def _named_with(
        self, text: str, key: str, mention: Span, left: list[_Token]
    ) -> dict[_Token, str]:
        """Left-over words naming another statistic of the same label (复议 in 复议和诉讼中被依法
        纠错的): the matcher weighed them already; that statistic is offered as well."""
        shared = [
            k
            for hit in self.matcher.hits(text)
            if (hit.start, hit.end) == mention
            for k in hit.keys
            if k != key
        ]
        return {
            t: other
            for t in left
            for other in shared
            if self.covers(other, t.text) and not self.covers(key, t.text)
        }

    def _pattern_hit(self, text: str) -> tuple[str, Span] | None:
        """A statistic named by a pattern of words (结转到2026年 is 结转下年度)."""
        for pattern, key in self.patterns:
            match = pattern.search(text)
            if match:
                return key, match.span()
        return None

    def _cumulative(self, key: str, text: str, tokens: list[_Token]) -> tuple[str, list[Span]]:
        """The 历年累计 twin when the question asks for the running total anywhere."""
        twin = self.cumulative.get(key)
        if twin is None:
            return key, []
        words = linking_vocabulary()["cumulative"]
        spans = [m.span() for w in words for m in re.finditer(re.escape(fold_question(w)), text)]
        spans += [
            (t.start, t.end) for t in tokens if t.text in linking_vocabulary()["cumulative_en"]
        ]
        return (twin, spans) if spans else (key, [])

    def _label_words(self, key: str, tokens: list[_Token], spans: list[Span]) -> list[Span]:
        """Other words of the question that are part of the statistic's own name (上一年 in
        行政处罚的上一年项目数量): read as the statistic, so no year or intent takes them."""
        own = self.names[key]
        return [
            (t.start, t.end)
            for t in tokens
            if not _inside(t, spans)
            and not t.latin
            and len(t.text) >= 2
            and any(t.text in name for name in own)
        ]

    def _narrower(self, key: str, mention: str, left: list[_Token], group: str) -> str | None:
        """Among the statistics the mention also names, one naming every left-over word (a
        column, a reason, a sibling of a table row) with a measure that fits; when only the
        measure is wrong (培训 asked in 人次), the closest one that fits.

        A statistic not below ``key`` (a sibling row) must name those words itself.  Ties are
        settled by: below ``key`` first, then one naming the words itself rather than through
        a statistic it belongs to (法人或其他组织 is the subtotal, not 商业企业 under it), then
        one whose own names hold the words as written, then the tightest name around the
        mention, then the shallowest.  Several equally good
        statistics below ``key`` (结果 names every outcome of 行政复议) keep ``key``: its
        breakdown shows them all.  Cumulative twins only answer questions that ask for them.
        """
        fits = self._measure_fits(key, group)
        twins = set(self.cumulative.values())
        scored: list[tuple[int, bool, bool, int, int, int, str]] = []
        for other in self.catalogue.statistics:
            if other == key or not self._measure_fits(other, group):
                continue
            if other in twins and key not in twins:
                continue
            if mention and not self.covers(other, mention):
                continue
            below = key in self.matcher.ancestors(other)
            if not all(self.covers(other, t.text, own=not below) for t in left):
                continue
            if fits and not left:
                continue
            gain = sum(len(t.text) for t in left)
            own = all(self.covers(other, t.text, own=True) for t in left)
            direct = sum(self._named_directly(other, t.text) for t in left)
            slack = self._slack(other, mention)
            scored.append((-gain, not below, not own, -direct, slack, self._depth(other), other))
        if not scored:
            return None
        scored.sort()
        best = scored[0]
        ties = [s for s in scored if s[:5] == best[:5]]
        if len(ties) > 1 and not best[1] and best[0] and fits:
            return None
        return best[6]

    def _named_directly(self, key: str, word: str) -> bool:
        """Whether the statistic's own names hold the word as written (an English word in its
        English names), not only through the glossary: "handled" is 办理结果总计, not 结转下年度
        继续办理 whose Chinese name shares 办理."""
        if word.isascii():
            return _stem(word) in self.english[key]
        return any(word in name for name in self.names[key])

    def _slack(self, key: str, mention: str) -> int:
        """How much more than the mention the statistic's tightest name around it says."""
        for depth, k in enumerate(self.family(key)):
            lengths = [len(n) - len(mention) for n in self.names[k] if mention and mention in n]
            if lengths:
                return 100 * depth + min(lengths)
        return 10_000

    def _depth(self, key: str) -> int:
        return len(self.matcher.ancestors(key))

    def _descendants(self, key: str) -> set[str]:
        return {k for k in self.catalogue.statistics if key in self.matcher.ancestors(k)}

    def _by_words(self, text: str) -> StatisticLink:
        """No label in the question: the statistic whose names cover all its content words
        (新制作的规范性文件 is 规范性文件本年新制作数量), when exactly one does best."""
        tokens = [t for t in _tokens(text) if _is_content(t, _is_chinese(text))]
        chinese = [t for t in tokens if not t.latin]
        if len(chinese) < 2 or any(t.latin and not t.text.isdigit() for t in tokens):
            return StatisticLink()
        group = _asked_group(text)
        best: list[tuple[int, str]] = []
        for key, statistic in self.catalogue.statistics.items():
            if statistic.column or not self._measure_fits(key, group):
                continue
            if all(self.covers(key, t.text) for t in tokens):
                extra = min(len(n) for n in self.names[key]) if self.names[key] else 99
                best.append((extra, key))
        if not best:
            return StatisticLink()
        best.sort()
        if len(best) > 1 and best[0][0] == best[1][0]:
            return StatisticLink()
        spans = tuple((t.start, t.end) for t in tokens)
        return StatisticLink(best[0][1], spans)


def _blank(text: str, spans: Iterable[Span]) -> str:
    chars = list(text)
    for start, end in spans:
        chars[start:end] = " " * (end - start)
    return "".join(chars)


def _inside(token: _Token, spans: list[Span]) -> bool:
    return any(a <= token.start and token.end <= b for a, b in spans)


def _tokens(text: str) -> list[_Token]:
    """The words of a folded question with their places: jieba for Chinese, whole English
    words and numbers; years (2019年, 19年度) are one token each, set aside later."""
    years = [m.span() for pattern in (YEAR, _ZH_YEAR) for m in pattern.finditer(text)]
    found: list[_Token] = [_Token(a, b, text[a:b]) for a, b in years]
    rest = _blank(text, years)
    for match in _LATIN.finditer(rest):
        found.append(_Token(match.start(), match.end(), match.group()))
    for run in _CJK_RUN.finditer(rest):
        position = run.start()
        for piece in tokenizer().jieba().cut(run.group(), HMM=False):
            found.append(_Token(position, position + len(piece), piece))
            position += len(piece)
    return sorted(found, key=lambda t: t.start)


def _is_content(token: _Token, chinese: bool = False) -> bool:
    """A word that could say what is counted: not a year, a question or filler word.

    In a ``chinese`` question a Latin token is markup or noise (<b>, an escape code, 0 of
    {0}) unless it is a number of three digits or more (a hotline such as 12315)."""
    zh, zh_longest, en = _ignored()
    text = token.text
    if YEAR.fullmatch(text) or _ZH_YEAR.fullmatch(text) or not _CONTENT.search(text):
        return False
    if token.latin and chinese:
        return text.isdigit() and len(text) >= 3 and not re.fullmatch(r"(?:19|20)\d\d", text)
    if token.latin:
        return text not in en and not re.fullmatch(r"(?:19|20)\d\d", text)
    if text in zh or _count_word().fullmatch(text):
        return False
    for word in zh_longest:
        if len(word) >= 2:
            text = text.replace(word, "")
    return len(text) >= 2 or (len(text) == 1 and text in _synonyms())


@cache
def _count_word() -> re.Pattern[str]:
    """A count word with its measure, one token for jieba: 几件, 多少条, 几个."""
    words = figure_vocabulary()["question"]["count_words"]
    counts = "|".join(re.escape(w) for w in words)
    measures = "|".join(re.escape(m) for m in sorted(measure_groups(), key=len, reverse=True))
    return re.compile(rf"(?:{counts})(?:{measures})?")


_LINKERS: dict[int, tuple[Catalogue, StatisticLinker]] = {}


def statistic_linker(catalogue: Catalogue) -> StatisticLinker:
    """The linker of a catalogue, built once per catalogue object."""
    cached = _LINKERS.get(id(catalogue))
    if cached is None or cached[0] is not catalogue:
        cached = (catalogue, StatisticLinker.of(catalogue))
        _LINKERS[id(catalogue)] = cached
    return cached[1]


def statistic_of(catalogue: Catalogue, key: str | None) -> Statistic | None:
    return catalogue.statistics.get(key) if key else None
