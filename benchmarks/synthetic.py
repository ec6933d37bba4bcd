"""A synthetic corpus: the sample reports perturbed into many units and years.

Each synthetic report takes one sample report's passages, renames its unit (and every other
unit named in it) to made-up town names, moves its year, re-draws every other number,
shuffles the sentences inside passages and borrows a few passages from other samples.  The
common vocabulary (公开, 信息, 政府 …) keeps the document frequencies of real reports; names
and numbers give the long tail.

Used by the benchmark (``python -m benchmarks.bench``) and by the oracle tests (a corpus of a
few thousand passages).  Deterministic for a given seed.
"""

from __future__ import annotations

import random
import re
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from ingest.metadata import detect_metadata
from ingest.text import normalise

SAMPLES = Path(__file__).resolve().parent.parent / "ingest" / "samples"
_SENTENCE = re.compile(r"[^。！？；]*[。！？；]?")
_NUMBER = re.compile(r"\d+(?:\.\d+)?")
_YEAR = re.compile(r"(?:19|20)\d{2}")
_NAME_CHARS = (
    "安宝北滨昌城川春大德东丰凤福港高古广海和河红华淮黄惠吉江金锦景九康乐丽临龙鹿罗马梅"
    "明南宁平浦七千青清庆泉仁荣瑞三沙山上石双顺水松太泰桃天通万文五溪仙新兴秀阳杨永玉元"
    "云长镇中周竹紫"
)
_LEVELS = ("镇", "镇", "镇", "乡", "街道")
PASSAGE_CHARS = 150  # passages of the fixture splitter: sentences grouped up to this length


@dataclass(frozen=True)
class SyntheticReport:
    unit: str
    year: int
    passages: tuple[tuple[str, str], ...]  # (section, text), all kind 'paragraph'


def split_simple(text: str, limit: int = PASSAGE_CHARS) -> list[str]:
    """Normalised text cut at sentence ends into passages of at most ``limit`` characters.

    A stand-in for ingest's splitter, good enough for token statistics.
    """
    norm = normalise(text)
    passages: list[str] = []
    current = ""
    for sentence in _SENTENCE.findall(norm):
        sentence = sentence.strip()
        if not sentence:
            continue
        if current and len(current) + len(sentence) > limit:
            passages.append(current)
            current = ""
        while len(sentence) > 2 * limit:  # a table flattened into one "sentence"
            passages.append(current + sentence[:limit])
            current, sentence = "", sentence[limit:]
        current += sentence
    if current:
        passages.append(current)
    return passages


@dataclass(frozen=True)
class _Template:
    unit: str
    year: int
    passages: tuple[str, ...]


def _templates() -> list[_Template]:
    out = []
    for path in sorted(SAMPLES.iterdir()):
        text = path.read_text("utf-8")
        meta = detect_metadata(text)
        unit = normalise(meta.unit or "")
        out.append(_Template(unit, meta.year or 2018, tuple(split_simple(text))))
    return out


def _town(rng: random.Random, used: set[str]) -> str:
    while True:
        name = "".join(rng.sample(_NAME_CHARS, 2)) + rng.choice(_LEVELS)
        if name not in used:
            used.add(name)
            return name


def _redraw(match: re.Match[str], rng: random.Random, year: int) -> str:
    value = match.group(0)
    if _YEAR.fullmatch(value):
        return str(int(value) - 2018 + year)
    if "." in value:
        return f"{rng.uniform(0, 2 * float(value) + 1):.{len(value.split('.')[1])}f}"
    n = int(value)
    return (
        str(rng.randint(0, max(9, 2 * n)))
        if len(value) < 6
        else str(rng.randint(10 ** (len(value) - 1), 10 ** len(value) - 1))
    )


def _shuffle_sentences(text: str, rng: random.Random) -> str:
    sentences = [s for s in _SENTENCE.findall(text) if s]
    if len(sentences) > 1 and rng.random() < 0.5:
        rng.shuffle(sentences)
    return "".join(sentences)


def generate(
    n_passages: int, seed: int = 0, years: tuple[int, ...] = (2016, 2017, 2018)
) -> Iterator[SyntheticReport]:
    """Synthetic reports until at least ``n_passages`` passages were produced."""
    rng = random.Random(seed)
    templates = _templates()
    originals = [t.unit for t in templates if t.unit]
    used: set[str] = set(originals)
    produced = 0
    while produced < n_passages:
        unit = _town(rng, used)
        for year in years:
            if produced >= n_passages:
                break
            template = rng.choice(templates)
            others = {name: _town(rng, set(used)) for name in originals if name != template.unit}
            passages = []
            for text in template.passages:
                if rng.random() < 0.1:
                    continue
                if rng.random() < 0.05:
                    text = rng.choice(rng.choice(templates).passages)
                if template.unit:
                    text = text.replace(template.unit, unit)
                    text = text.replace(template.unit[:-1], unit[:-1])
                for name, new in others.items():
                    text = text.replace(name, new)
                text = _NUMBER.sub(lambda m, y=year: _redraw(m, rng, y), text)
                passages.append(("", _shuffle_sentences(text, rng)))
            passages = passages[: n_passages - produced]
            produced += len(passages)
            yield SyntheticReport(unit, year, tuple(passages))


def write_db(path: Path, n_passages: int, seed: int = 0) -> int:
    """A database with ``reports`` and ``passages`` filled from ``generate``; returns passages."""
    from ingest.store import open_db

    open_db(path).close()
    conn = sqlite3.connect(path)
    count = 0
    with conn:
        for i, report in enumerate(generate(n_passages, seed), start=1):
            conn.execute(
                "INSERT INTO reports (id, unit, unit_full, year, sha256, text) "
                "VALUES (?, ?, ?, ?, ?, '')",
                [i, report.unit, report.unit + "人民政府", report.year, f"synthetic-{seed}-{i}"],
            )
            conn.executemany(
                "INSERT INTO passages (report_id, ord, kind, section, text, norm, start, end) "
                "VALUES (?, ?, 'paragraph', ?, ?, ?, 0, 0)",
                [(i, o, sec, text, text) for o, (sec, text) in enumerate(report.passages)],
            )
            count += len(report.passages)
    conn.close()
    return count
