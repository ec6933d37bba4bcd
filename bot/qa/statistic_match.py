"""Which statistic a question names: the longest catalogue label or alias it contains.

Chinese labels match as substrings of the folded question, English ones as whole words with
flexible spacing and plural endings. When labels overlap, the longest mention wins, a child
over its parent, and a label shared by several statistics goes to the one whose section the
question also names.
"""

from __future__ import annotations

import hashlib
import itertools
import pickle
import re
from dataclasses import dataclass, field, replace
from pathlib import Path

from bot.qa.word_spans import WordSpans
from ingest import text as text_module
from ingest.catalogue import Catalogue
from ingest.text import CJK, fold_question
from ingest.user_cache import cache_dir, store_pickle
from ingest.vocab import load_toml

_LETTER = re.compile("[a-z]")


def matching_vocabulary() -> dict:
    """How questions pick among catalogue labels (``bot/qa/data/statistics.toml``)."""
    return load_toml("bot.qa.data", "statistics.toml")


@dataclass(frozen=True)
class StatisticHit:
    """Where a label or alias was found, the statistics it names, and those it is a label of."""

    start: int
    end: int
    keys: tuple[str, ...]
    labelled: frozenset[str] = frozenset()

    @property
    def length(self) -> int:
        return self.end - self.start


@dataclass
class StatisticMatcher:
    """Every label and alias of the catalogue, Chinese as substrings, English as whole words."""

    zh: dict[str, dict[str, bool]] = field(default_factory=dict)
    en_sources: list[tuple[str, str, bool, bool]] = field(default_factory=list)  # +has letter
    parents: dict[str, tuple[str, ...]] = field(default_factory=dict)
    templates: dict[str, tuple[str, ...]] = field(default_factory=dict)
    _compiled: dict[bool, list[tuple[re.Pattern[str], str, bool]]] = field(
        default_factory=dict, repr=False
    )
    _spans: WordSpans | None = field(default=None, repr=False)  # the zh forms, when first needed
    _ancestors: dict[str, tuple[str, ...]] = field(default_factory=dict, repr=False)

    def en(self, text: str) -> list[tuple[re.Pattern[str], str, bool]]:
        """The English patterns that can match ``text``, compiled when first needed.

        A thousand patterns take about a second to compile, and one with a Latin letter cannot
        match a question without one: a Chinese question compiles only the letterless few.
        """
        latin = bool(_LETTER.search(text))
        if latin not in self._compiled:
            self._compiled[latin] = [
                (re.compile(src), key, lab)
                for src, key, lab, letters in self.en_sources
                if latin or not letters
            ]
        return self._compiled[latin]

    @classmethod
    def of(cls, catalogue: Catalogue) -> StatisticMatcher:
        matcher = cls()
        english: dict[str, dict[str, bool]] = {}
        for key, statistic in catalogue.statistics.items():
            up = (statistic.parent, statistic.subset_of)
            matcher.parents[key] = tuple(p for p in up if p)
            matcher.templates[key] = statistic.templates
            labels = {statistic.label, *statistic.labels}
            for word in (*labels, *statistic.aliases):
                form = fold_question(word or "").strip()
                if len(form) >= 2:
                    target = english if form.isascii() else matcher.zh
                    owners = target.setdefault(form, {})
                    owners[key] = owners.get(key, False) or word in labels
            for word in (statistic.label_en, *statistic.aliases_en):
                form = " ".join(fold_question(word or "").split())
                if len(form) >= 2:
                    owners = english.setdefault(form, {})
                    owners[key] = owners.get(key, False) or word == statistic.label_en
        for form, keys in english.items():
            words = re.findall(f"[a-z0-9]+|[{CJK}]+", form)
            if not words:
                continue
            body = re.escape(words[0])
            for before, word in itertools.pairwise(words):
                gap = r"\W+" if before.isascii() and word.isascii() else r"\W*"
                body += gap + re.escape(word)
            if words[-1][-1:].isascii() and words[-1][-1:].isalpha():
                body += "(?:s|es)?"
            pattern = rf"(?<![a-z0-9]){body}(?![a-z0-9])"
            letters = bool(_LETTER.search(form))
            matcher.en_sources.extend((pattern, key, keys[key], letters) for key in sorted(keys))
        return matcher

    def ancestors(self, key: str) -> list[str]:
        """Parents up the tree (``subset_of`` counts as a parent: 其中 rows belong to it);
        kept per key, as parsing asks it of every statistic several times a question."""
        kept = self._ancestors.get(key)
        if kept is None:
            found: list[str] = []
            todo = list(self.parents.get(key, ()))
            while todo:
                parent = todo.pop(0)
                if parent not in found:
                    found.append(parent)
                    todo.extend(self.parents.get(parent, ()))
            kept = self._ancestors[key] = tuple(found)
        return list(kept)

    def hits(self, text: str) -> list[StatisticHit]:
        spans: dict[tuple[int, int], dict[str, bool]] = {}
        if self._spans is None:
            self._spans = WordSpans(self.zh)
        for start, end, form in self._spans.find(text):
            found = spans.setdefault((start, end), {})
            for key, labelled in self.zh[form].items():
                found[key] = found.get(key, False) or labelled
        for pattern, key, labelled in self.en(text):
            for match in pattern.finditer(text):
                found = spans.setdefault(match.span(), {})
                found[key] = found.get(key, False) or labelled
        return [
            StatisticHit(s, e, tuple(sorted(k)), frozenset(x for x, lab in k.items() if lab))
            for (s, e), k in sorted(spans.items())
        ]

    def choose(self, text: str) -> tuple[str, tuple[int, int]] | None:
        """The statistic asked about: longest mention, children over parents.

        A label shared by several statistics (被依法纠错 under both 行政复议 and 行政诉讼) goes
        to the one whose section word the question also names, the nearest one first; then
        to one that has it as a label rather than an alias.
        """
        ranked = self._ranked(text)
        return (ranked[0][1], ranked[0][2]) if ranked else None

    def equal_to(self, text: str, key: str, span: tuple[int, int]) -> list[str]:
        """Statistics the chosen mention names just as well (纠错 of 复议 and of 诉讼 when the
        question names neither): the answer says which it chose and offers these."""
        ranked = self._ranked(text)
        if not ranked or ranked[0][1] != key:
            return []
        templates = set(self.templates.get(key, ()))
        return [
            other
            for _rank, _key, found, tied in ranked[:1]
            for other in tied
            if other != key and found == span and templates & set(self.templates.get(other, ()))
        ]

    def _ranked(
        self, text: str
    ) -> list[tuple[tuple[int, int, int], str, tuple[int, int], tuple[str, ...]]]:
        """Each kept mention's best statistic, best first, with the statistics tied with it."""
        hits = self.hits(text)
        if not hits:
            return []
        named = {k for h in hits for k in h.keys}
        kept = [
            h
            for h in hits
            if not any(o.start <= h.start and h.end <= o.end and o.length > h.length for o in hits)
        ]
        kept_keys = {k for h in kept for k in h.keys}
        ranked = []
        for hit in kept:
            keys = [k for k in hit.keys if not self._has_descendant(k, kept_keys - {k})]
            if not keys:
                continue
            key, tied = self._by_section(keys, hit, hits, named)
            rank = (self._weight(text, hit), len(self.ancestors(key)), -hit.start)
            ranked.append((rank, key, (hit.start, hit.end), tied))
        ranked.sort(key=lambda r: r[0], reverse=True)
        return ranked

    @staticmethod
    def _weight(text: str, hit: StatisticHit) -> int:
        """The length of a mention without its question words."""
        words = text[hit.start : hit.end]
        for filler in matching_vocabulary()["filler"]:
            words = words.replace(fold_question(filler), "")
        return len(words)

    def _has_descendant(self, key: str, others: set[str]) -> bool:
        return any(key in self.ancestors(o) for o in others)

    def _by_section(
        self, keys: list[str], hit: StatisticHit, hits: list[StatisticHit], named: set[str]
    ) -> tuple[str, tuple[str, ...]]:
        """The key of a shared label (a label before an alias), and the keys no section word
        tells apart: the answer offers them."""
        if len(keys) == 1:
            return keys[0], (keys[0],)
        scored = []
        for key in keys:
            ancestors = set(self.ancestors(key)) & named
            distance = min(
                (abs(h.start - hit.start) for h in hits if ancestors & set(h.keys)),
                default=len(self.parents) + 10**6,
            )
            scored.append((distance, key not in hit.labelled, key))
        best = min(scored)
        return best[2], tuple(k for d, _a, k in sorted(scored) if d == best[0])


_MATCHERS: dict[int, tuple[Catalogue, StatisticMatcher]] = {}


def statistic_matcher(catalogue: Catalogue) -> StatisticMatcher:
    """The matcher of a catalogue, built once per catalogue object (and read from the user
    cache by a new process: folding thousands of labels takes tenths of a second)."""
    cached = _MATCHERS.get(id(catalogue))
    if cached is None or cached[0] is not catalogue:
        path = cache_dir("statistics") / f"{_catalogue_key(catalogue)}.pickle"
        matcher = _load_matcher(path)
        if matcher is None:
            matcher = StatisticMatcher.of(catalogue)
            _store_matcher(matcher, path)
        cached = (catalogue, matcher)
        _MATCHERS[id(catalogue)] = cached
    return cached[1]


def _catalogue_key(catalogue: Catalogue) -> str:
    """What the matcher is built from: every name of every statistic, and this code."""
    h = hashlib.sha256(Path(__file__).read_bytes() + Path(str(text_module.__file__)).read_bytes())
    for key, st in catalogue.statistics.items():
        names = (key, st.parent, st.subset_of, st.label, *st.labels, "\x02", *st.aliases)
        english = (st.label_en, *st.aliases_en)
        h.update(repr((names, english)).encode())
    return h.hexdigest()[:24]


def _load_matcher(path: Path) -> StatisticMatcher | None:
    try:
        matcher = pickle.loads(path.read_bytes())
    except (OSError, EOFError, pickle.UnpicklingError, ValueError, TypeError, AttributeError):
        return None
    return matcher if isinstance(matcher, StatisticMatcher) else None


def _store_matcher(matcher: StatisticMatcher, path: Path) -> None:
    """Keep the matcher for the next process (its compiled patterns left out)."""
    store_pickle(path, replace(matcher, _compiled={}, _spans=None, _ancestors={}), keep=4)
