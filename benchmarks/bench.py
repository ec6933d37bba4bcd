"""Passage-index benchmark on synthetic corpora: prints one table per size.

For each size: tokenisation throughput (1 and 2 processes), index build time, load time,
index size and resident memory, query latency p50/p95/p99 over a few hundred questions
(the engine alone, and ``search()`` end to end), and rank-bm25's ``get_scores`` on the same
questions in the same run: speed ratio and whether the top-10 lists are identical.

    .venv/bin/python -m benchmarks.bench                      # 10k, 100k, 1M passages
    .venv/bin/python -m benchmarks.bench --sizes 10000 --workdir /tmp/bench

rank-bm25 takes seconds a query at 1M passages, so it runs on the first ``--oracle-questions``
questions only (all of them at 10k).
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import sqlite3
import statistics
import time
from pathlib import Path

import numpy as np

from benchmarks.synthetic import write_db
from index import kernels
from index.search import PassageIndex, index_dir, load_params, refresh
from index.tokens import Tokenizer, tokenize_all
from ingest.text import fold

HERE = Path(__file__).resolve().parent
TEMPLATES = (
    "{u}信息公开工作存在哪些问题",
    "{u}的信息公开受理电话是多少",
    "{u}的联系邮箱",
    "{u}通过哪些渠道公开政府信息",
    "{u}信息公开领导小组组长是谁",
    "{u}明年有什么工作打算",
    "{u}行政复议和行政诉讼情况",
    "{u}依申请公开办理情况",
    "{u}主动公开了多少条政府信息",
    "{u}微信公众号发布了多少信息",
    "{u}信息公开收费及减免情况",
    "{u}怎样做好保密审查",
)


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def questions(db_path: Path, n: int, seed: int = 0) -> list[str]:
    """Seed questions (unit names taken out) and templates over the corpus's own units."""
    rng = random.Random(seed)
    out = []
    for line in (HERE.parent / "tests" / "data" / "seed-questions.jsonl").read_text().splitlines():
        if line.strip():
            q = json.loads(line)
            text = fold(q["q"])
            if q.get("unit"):
                text = text.replace(fold(q["unit"]), "").replace(fold(q["unit"])[:-1], "")
            out.append(text)
    conn = sqlite3.connect(db_path)
    units = [r[0] for r in conn.execute("SELECT DISTINCT unit FROM reports")]
    conn.close()
    while len(out) < n:
        out.append(rng.choice(TEMPLATES).format(u=rng.choice(units)))
    return out[:n]


def percentiles(seconds: list[float]) -> str:
    ms = np.array(seconds) * 1000
    return "p50 {:.2f} ms  p95 {:.2f} ms  p99 {:.2f} ms".format(*np.percentile(ms, [50, 95, 99]))


def folder_mb(folder: Path) -> float:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) / 2**20


def stored_token_lists(db_path: Path, ids: np.ndarray) -> list[list[str]]:
    conn = sqlite3.connect(db_path)
    terms = dict(conn.execute("SELECT id, term FROM terms"))
    blobs = dict(conn.execute("SELECT passage_id, tokens FROM passage_tokens"))
    conn.close()
    return [[terms[t] for t in np.frombuffer(blobs[int(i)], dtype="<i4").tolist()] for i in ids]


def run(size: int, workdir: Path, n_questions: int, oracle_questions: int, reuse: bool) -> dict:
    db_path = workdir / f"synthetic-{size}.db"
    r: dict = {"size": size}
    if reuse and db_path.exists():
        stats = refresh(db_path, workers=2)
        r.update(
            tok_1proc=float("nan"),
            tok_2proc_sample=float("nan"),
            tok_2proc_refresh=float("nan"),
            refresh_tokenize_s=float("nan"),
        )
        r.update(build_s=stats.build_seconds, terms=stats.terms)
        return measure(r, db_path, n_questions, oracle_questions)
    for p in workdir.glob(f"synthetic-{size}.db*"):
        shutil.rmtree(p) if p.is_dir() else p.unlink()
    t = time.perf_counter()
    write_db(db_path, size, seed=size)
    r["generate_s"] = time.perf_counter() - t

    conn = sqlite3.connect(db_path)
    sample = [row[0] for row in conn.execute("SELECT norm FROM passages LIMIT 20000")]
    units = tuple(row[0] for row in conn.execute("SELECT DISTINCT unit FROM reports"))
    conn.close()
    tokenizer = Tokenizer(extra_words=units)
    tokenizer.jieba()
    t = time.perf_counter()
    tokenizer.many(sample)
    r["tok_1proc"] = len(sample) / (time.perf_counter() - t)
    t = time.perf_counter()
    list(tokenize_all(tokenizer, sample * 2, workers=2))
    r["tok_2proc_sample"] = 2 * len(sample) / (time.perf_counter() - t)

    stats = refresh(db_path, workers=2)
    r["tok_2proc_refresh"] = stats.tokenized / stats.tokenize_seconds
    r["refresh_tokenize_s"] = stats.tokenize_seconds
    r["build_s"] = stats.build_seconds
    r["terms"] = stats.terms
    return measure(r, db_path, n_questions, oracle_questions)


def measure(r: dict, db_path: Path, n_questions: int, oracle_questions: int) -> dict:
    """Load, memory, latency and the rank-bm25 comparison on a built index."""
    rss0 = rss_mb()
    t = time.perf_counter()
    index = PassageIndex.open(db_path)
    r["load_s"] = time.perf_counter() - t
    gen = index._gen
    assert gen is not None
    root = index_dir(db_path)
    r["index_mb"] = sum(folder_mb(root / name) for name in [index._pointer, *gen.segment_names])
    r["postings"] = gen.meta["n_postings"]
    r["dense_terms"] = gen.meta["n_dense"]
    t = time.perf_counter()
    index.tokenizer.jieba()
    r["jieba_init_s"] = time.perf_counter() - t

    qs = questions(db_path, n_questions)
    cold = []
    for q in qs:  # first pass: the index pages come into this process's memory
        t = time.perf_counter()
        index.rank(index.query_terms(q), None, 10)
        cold.append(time.perf_counter() - t)
    r["engine_cold"] = percentiles(cold)
    r["first_query_ms"] = cold[0] * 1000
    r["kernels"] = "numpy" if kernels.active() is None else "numba"
    engine, full, tops = [], [], []
    for q in qs:
        t = time.perf_counter()
        terms = index.query_terms(q)
        top = index.rank(terms, None, 10)
        engine.append(time.perf_counter() - t)
        tops.append(top)
        t = time.perf_counter()
        index.search(q, k=10)
        full.append(time.perf_counter() - t)
    r["engine"] = percentiles(engine)
    r["search"] = percentiles(full)
    r["engine_p99_ms"] = float(np.percentile(engine, 99) * 1000)
    r["rss_index_mb"] = rss_mb() - rss0

    from rank_bm25 import BM25L, BM25Okapi, BM25Plus

    params = load_params()
    cls = {"BM25Okapi": BM25Okapi, "BM25L": BM25L, "BM25Plus": BM25Plus}[params.variant]
    extra = (
        {"epsilon": params.epsilon} if params.variant == "BM25Okapi" else {"delta": params.delta}
    )
    ids = np.asarray(gen.rows["passage_id"])
    t = time.perf_counter()
    oracle = cls(stored_token_lists(db_path, ids), k1=params.k1, b=params.b, **extra)
    r["rank_bm25_build_s"] = time.perf_counter() - t
    same, theirs, ours = 0, [], []
    chosen = qs[: min(oracle_questions, len(qs))]
    for q, top, ours_s in zip(chosen, tops, engine, strict=False):
        tokens = index.tokenizer.tokens(q)
        t = time.perf_counter()
        scores = oracle.get_scores(tokens)
        theirs.append(time.perf_counter() - t)
        ours.append(ours_s)
        matched = np.flatnonzero(scores > 0)
        order = matched[np.lexsort((matched, -scores[matched]))][:10]
        same += [int(x) for x in order] == [row for row, _ in top]
    r["oracle_questions"] = len(chosen)
    r["top10_identical"] = same
    r["rank_bm25_mean_ms"] = statistics.mean(theirs) * 1000
    r["speedup"] = statistics.mean(theirs) / statistics.mean(ours)
    return r


def print_table(r: dict) -> None:
    lines = [
        f"== {r['size']:,} passages ({r['terms']:,} terms, {r['postings']:,} postings, "
        f"{r['dense_terms']} dense terms) ==",
        f"tokenisation      1 process {r['tok_1proc']:8.0f} passages/s   "
        f"2 processes {r['tok_2proc_sample']:8.0f} passages/s (sample), "
        f"{r['tok_2proc_refresh']:.0f}/s in refresh ({r['refresh_tokenize_s']:.1f} s)",
        f"index build       {r['build_s']:.2f} s (after tokenisation, from stored token ids)",
        f"load              {r['load_s'] * 1000:.1f} ms   (jieba dictionary, once per process: "
        f"{r['jieba_init_s']:.2f} s)",
        f"memory            index files {r['index_mb']:.0f} MB, resident after queries "
        f"+{r['rss_index_mb']:.0f} MB",
        f"query (engine)    {r['engine']}   (first pass, pages cold: {r['engine_cold']}; "
        f"first query {r['first_query_ms']:.0f} ms; kernels: {r['kernels']})",
        f"query (search())  {r['search']}   (tokenise + rank + fetch 10 hits)",
        f"rank-bm25         get_scores {r['rank_bm25_mean_ms']:.0f} ms/query "
        f"(build {r['rank_bm25_build_s']:.0f} s); index is {r['speedup']:.0f}x faster; "
        f"top-10 identical {r['top10_identical']}/{r['oracle_questions']}",
    ]
    print("\n".join(lines), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/nianbao-bench"))
    parser.add_argument("--questions", type=int, default=300)
    parser.add_argument(
        "--oracle-questions",
        type=int,
        default=0,
        help="questions checked against rank-bm25 (default: all at 10k, 100 at 100k, 20 at 1M)",
    )
    parser.add_argument("--json", type=Path, help="also write the figures here")
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="keep an existing corpus and its tokens; rebuild the index only",
    )
    args = parser.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)
    results = []
    for size in (int(s) for s in args.sizes.split(",")):
        oracle_n = args.oracle_questions or (
            args.questions if size <= 10_000 else 100 if size <= 100_000 else 20
        )
        results.append(run(size, args.workdir, args.questions, oracle_n, args.reuse))
        print_table(results[-1])
    if args.json:
        args.json.write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
