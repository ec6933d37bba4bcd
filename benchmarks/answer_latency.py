"""Time to answer each seed question in a warm process (median and worst).

    python -m benchmarks.answer_latency [--db PATH] [--questions FILE] [--repeat N]

Without --db it builds a database from the bundled sample reports in a temporary folder.
Prints one line per question (slowest first) and the median / p95 / worst.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time

from benchmarks.seed import add_corpus_options, corpus_db, load_questions
from bot.qa.answerer import Answerer


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_corpus_options(parser)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db = corpus_db(args.db, tmp)
        questions = load_questions(args.questions)
        answerer = Answerer(db)
        for q in questions:
            answerer.ask(q)
        timings: dict[str, float] = {}
        for q in questions:
            best = []
            for _ in range(args.repeat):
                started = time.perf_counter()
                answerer.ask(q)
                best.append((time.perf_counter() - started) * 1000)
            timings[q] = statistics.median(best)
        for q, ms in sorted(timings.items(), key=lambda kv: -kv[1]):
            print(f"{ms:8.2f} ms  {q}")
        values = sorted(timings.values())
        p95 = values[min(len(values) - 1, int(0.95 * len(values)))]
        print(
            f"questions {len(values)}: median {statistics.median(values):.2f} ms, "
            f"p95 {p95:.2f} ms, worst {values[-1]:.2f} ms"
        )


if __name__ == "__main__":
    main()
