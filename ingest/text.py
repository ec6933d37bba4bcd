"""Text in the forms matching needs, computed alongside (never instead of) the original.

Reports arrive in traditional or simplified characters, with full-width digits, odd spaces,
Markdown/HTML markup and PDF hard line breaks in mid-word; questions arrive the same way.
Matching needs canonical forms, quoting needs the original. This module is the one place
those forms are defined, each named for what it is used for:

=====================  =================================================================
``normalise``          passage form: simplified (於→于), half-width, markup-free, one line;
                       what templates, headings and passages are matched in
``search_form``        the passage form lower-cased: what BM25 tokens are cut from
``fold``               comparison form: simplified (於→于), no whitespace (the evaluation's
                       rule, also used to compare names and labels)
``fold_label``         label form: simplified, NFKC, no whitespace and no markup characters;
                       statistics labels are found in report text in this form
``fold_question``      question form: simplified, NFKC, lower case, spaces kept only between
                       two non-Chinese characters; units and phrases are found in questions
=====================  =================================================================

The last two also come with offsets: ``FoldedText.of(text, form)`` remembers, for every
character of the form, where it came from, so a match can be quoted as it was written.
Everything here is a pure function of the input text.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache, lru_cache

import opencc

from ingest.vocab import load_toml

# Chinese characters for every pattern that needs them: CJK ideographs of extension A, the
# unified block and the compatibility block.
CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_CJK_CHAR = re.compile(f"[{CJK}]")
_SPACE_RUN = re.compile(r"[ \t\u00a0\u1680\u2000-\u200b\u202f\u205f\u3000\ufeff]+")
_SPACE_NEAR_CJK = re.compile(
    rf"(?<=[{CJK}\d:;,.()%、。，；：（）“”《》])\s+|\s+(?=[{CJK}\d:;,.()%、。，；：（）“”《》])"
)
_MD_LINK = re.compile(r"\[([^\]\n]*)\]\((?:[^)\n]*)\)")
_MD_AUTOLINK = re.compile(r"<((?:https?|mailto):[^>\s]+)>")
_HTML_TAG = re.compile(r"</?[a-zA-Z][^<>\n]{0,200}>")
_MD_EMPHASIS = re.compile(r"(\*\*|__|\*|`)")
_MD_HEADING = re.compile(r"^\s{0,3}#{1,6}\s*", re.MULTILINE)
_LINE_BREAKS = re.compile(r"\s*\n\s*")


@cache
def _converter() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


@cache
def _variant_table() -> dict[int, str]:
    data = load_toml("ingest.data", "char_variants.toml")
    return {ord(k): v for k, v in data["variants"].items()}


@cache
def _variant_chars() -> re.Pattern[str]:
    return re.compile("[" + "".join(re.escape(chr(c)) for c in _variant_table()) + "]")


def to_simplified(text: str, fold_variants: bool = True) -> str:
    """Traditional to simplified with OpenCC, then (by default) fold variants (於 → 于).

    Names keep their variants (``fold_variants=False``): 於溪镇 is a town's own spelling.
    The last texts are remembered: a report's text and lines are read several times over.
    """
    if len(text) > _LONG_TEXT:
        return _simplified_long(text, fold_variants)
    return _simplified_short(text, fold_variants)


_LONG_TEXT = 2000  # characters: longer texts (whole reports) are remembered only a few at a time


def _simplified(text: str, fold_variants: bool) -> str:
    simplified = _converter().convert(text)
    if fold_variants and _variant_chars().search(simplified):
        return simplified.translate(_variant_table())
    return simplified


_simplified_long = lru_cache(maxsize=8)(_simplified)
_simplified_short = lru_cache(maxsize=16384)(_simplified)


def to_halfwidth(text: str) -> str:
    """Full-width digits, letters and punctuation to half-width (NFKC), spaces folded."""
    return _SPACE_RUN.sub(" ", nfkc(text))


# Blocks whose characters NFKC maps one by one (Latin, punctuation, full-width forms, CJK
# symbols and ideographs), and the ideographs, which it leaves alone.
_PLAIN_BLOCKS = (
    (0x0000, 0x024F),
    (0x2000, 0x218F),
    (0x2190, 0x23FF),
    (0x2460, 0x25FF),
    (0x2E80, 0x2FDF),
    (0x3000, 0x303F),
    (0x3100, 0x312F),
    (0x3200, 0x33FF),
    (0xFE30, 0xFE6B),
    (0xFF01, 0xFF65),
    (0xFFE0, 0xFFEE),
)
_IDEOGRAPHS = ((0x3400, 0x4DBF), (0x4E00, 0x9FFF))


def _char_class(chars: list[str]) -> str:
    return "".join(re.escape(c) for c in chars)


@cache
def _plain_nfkc() -> tuple[re.Pattern[str], re.Pattern[str], dict[str, str]]:
    """(any character outside the plain ones, the plain characters NFKC changes, what it
    changes them to).  A character is plain when neither it nor what NFKC makes of it is a
    combining mark and what it makes is ASCII, an ideograph or the character itself: a text
    of plain characters then has nothing to reorder or compose, and its NFKC is that of
    each character."""

    def settled(out: str, ch: str) -> bool:
        return unicodedata.combining(out) == 0 and (
            out.isascii() or out == ch or any(a <= ord(out) <= b for a, b in _IDEOGRAPHS)
        )

    plain: list[str] = []
    changed: dict[str, str] = {}
    for low, high in _PLAIN_BLOCKS:
        for code in range(low, high + 1):
            ch = chr(code)
            out = unicodedata.normalize("NFKC", ch)
            if unicodedata.combining(ch) == 0 and all(settled(o, ch) for o in out):
                plain.append(ch)
                if out != ch:
                    changed[ch] = out
    ideographs = "".join(f"{chr(a)}-{chr(b)}" for a, b in _IDEOGRAPHS)
    other = re.compile(f"[^{_char_class(plain)}{ideographs}]")
    return other, re.compile(f"[{_char_class(list(changed))}]"), changed


def nfkc(text: str) -> str:
    """``unicodedata.normalize("NFKC", text)``, character by character where that is the
    same (nearly every report): several times faster on Chinese text full of full-width
    punctuation, which the library decomposes and recomposes whole."""
    other, change, changed = _plain_nfkc()
    if other.search(text):
        return unicodedata.normalize("NFKC", text)
    return change.sub(lambda m: changed[m.group()], text)


def strip_markup(text: str) -> str:
    """Drop Markdown and HTML markup, keeping the words it wraps."""
    text = _MD_LINK.sub(r"\1", text)
    text = _MD_AUTOLINK.sub(r"\1", text)
    text = _HTML_TAG.sub("", text)
    text = _MD_HEADING.sub("", text)
    return _MD_EMPHASIS.sub("", text)


def join_lines(text: str) -> str:
    """Join hard-wrapped lines: a line break with its blanks becomes nothing next to CJK."""
    text = _LINE_BREAKS.sub("\n", text)
    return _SPACE_NEAR_CJK.sub("", text.replace("\n", " ")).strip()


@lru_cache(maxsize=16384)
def normalise(text: str) -> str:
    """The passage form: simplified, half-width, markup-free, one line.  Kept for the last
    texts seen: a report's lines are normalised again and again while it is cut up."""
    text = strip_markup(to_halfwidth(to_simplified(text)))
    return join_lines(_SPACE_RUN.sub(" ", text))


def search_form(text: str) -> str:
    """The form passages and questions are tokenised from: the passage form, lower case."""
    return normalise(text).lower()


def fold(text: str) -> str:
    """The comparison form used by the evaluation: simplified, 於→于, no whitespace."""
    return re.sub(r"\s+", "", to_simplified(text))


# -- forms with offsets -----------------------------------------------------------------------


@dataclass(frozen=True)
class Form:
    """How ``FoldedText`` folds: what it drops, and whether it lower-cases."""

    name: str
    lower: bool
    drop: frozenset[str]  # characters removed wherever they stand (before and after NFKC)
    all_spaces: bool  # True: every space goes; False: spaces stay between non-CJK neighbours


LABEL = Form(
    "label",
    lower=False,
    drop=frozenset(" \t\r\n\u00a0\u3000\u2002\u2003\u2009\u200b\u202f\ufeff*#`"),
    all_spaces=True,
)
QUESTION = Form("question", lower=True, drop=frozenset(), all_spaces=False)


@cache
def _simplify_char(ch: str) -> str:
    return to_simplified(ch)


def _simplified_chars(text: str) -> list[str]:
    """Character by character, so the mapping stays one to one; whole-text first (faster).

    OpenCC maps every single character to a single character, but a whole text may change
    length (phrase conversions): then each character is converted on its own.
    """
    whole = to_simplified(text)
    if len(whole) == len(text):
        return list(whole)
    return [_simplify_char(ch) if len(_simplify_char(ch)) == 1 else ch for ch in text]


def _gaps_to_keep(text: str) -> list[int]:
    """Indexes to keep: whitespace next to a Chinese character (行政 诉讼) or at either end goes."""
    keep: list[int] = []
    for match in re.finditer(r"\s+|\S+", text):
        if not match.group(0)[0].isspace():
            keep.extend(range(*match.span()))
            continue
        left = text[match.start() - 1 : match.start()]
        right = text[match.end() : match.end() + 1]
        if left and right and not (_CJK_CHAR.match(left) or _CJK_CHAR.match(right)):
            keep.extend(range(*match.span()))
    return keep


_FOLDS: dict[str, dict[str, str]] = {}  # form name → character → what it folds to


def _fold_char(ch: str, form: Form) -> str:
    """What one (simplified) character becomes in ``form``: NFKC, maybe lower case, without
    the characters the form drops; '' when it goes altogether."""
    if ch in form.drop or (form.all_spaces and ch.isspace()):
        return ""
    folded = unicodedata.normalize("NFKC", ch)
    folded = folded.lower() if form.lower else folded
    return "".join(c for c in folded if not (c in form.drop or (form.all_spaces and c.isspace())))


@dataclass(frozen=True)
class FoldedText:
    """A text in a matching form that remembers where each character came from.

    ``index[i]`` is the offset in ``original`` of the character ``text[i]`` came from, so a
    match in the form is quoted as it was written.
    """

    original: str
    text: str
    index: tuple[int, ...]

    @classmethod
    def of(
        cls, original: str, start: int = 0, end: int | None = None, form: Form = LABEL
    ) -> FoldedText:
        """Fold ``original[start:end]``; offsets stay those of the whole ``original``.

        The last few long ones are remembered: a report's whole text is folded by more than
        one reader (its prose and its flattened tables), and a ``FoldedText`` never changes."""
        end = len(original) if end is None else end
        if end - start > _LONG_TEXT:
            return _folded(original, start, end, form)
        return cls._fold(original, start, end, form)

    @classmethod
    def _fold(cls, original: str, start: int, end: int, form: Form) -> FoldedText:
        chars = _simplified_chars(original[start:end])
        folds = _FOLDS.setdefault(form.name, {})
        for ch in set(chars).difference(folds):
            folds[ch] = _fold_char(ch, form)
        pieces = [folds[ch] for ch in chars]
        text = "".join(pieces)
        # Most characters fold to one character or to nothing: then the kept ones are the
        # index; a character that folds to several (NFKC of ㈠) repeats its offset.
        index = [offset for offset, piece in enumerate(pieces, start) if piece]
        if len(index) != len(text):
            index = [offset for offset, piece in enumerate(pieces, start) for _ in piece]
        if form.all_spaces:
            return cls(original, text, tuple(index))
        keep = _gaps_to_keep(text)
        return cls(original, "".join(text[i] for i in keep), tuple(index[i] for i in keep))

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Original (start, end) of folded characters [start, end); at least one character."""
        if not self.index:
            return 0, 0
        end = max(end, start + 1)
        return self.index[start], self.index[min(end, len(self.index)) - 1] + 1

    def quote(self, start: int, end: int) -> str:
        """The original words behind folded characters [start, end); at least one character."""
        a, b = self.span(start, end)
        return self.original[a:b]

    def source(self, start: int, end: int) -> str:
        """The original words behind ``text[start:end]``; '' for an empty span."""
        if end <= start or start >= len(self.index):
            return ""
        return self.quote(start, end)


@lru_cache(maxsize=8)
def _folded(original: str, start: int, end: int, form: Form) -> FoldedText:
    return FoldedText._fold(original, start, end, form)


@lru_cache(maxsize=65536)
def fold_label(text: str) -> str:
    """The label form of a short label (no offsets needed)."""
    return FoldedText.of(text).text


@lru_cache(maxsize=65536)
def fold_question(text: str) -> str:
    """The question form of a name or phrase: what ``FoldedText`` with ``QUESTION`` gives."""
    return FoldedText.of(text, form=QUESTION).text
