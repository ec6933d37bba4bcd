"""Round trip of a group question through the Telegram bot: update in, answer out over HTTP.

    python -m benchmarks.bot_round_trip [--db PATH] [--questions FILE] [--rounds N]

Runs the real bot (python-telegram-bot polling) against the fake Bot API server of the tests
on 127.0.0.1, sends each seed question as ``/ask`` in a group, one at a time, and times from
queuing the update to the bot's ``sendMessage``. Rate limits are off, so this measures the
bot, not Telegram's 20-messages-a-minute rule. Prints median / p95 / worst.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from dataclasses import replace

from benchmarks.seed import add_corpus_options, corpus_db, load_questions
from tests.support.fake_bot_api import FakeBotApi  # the fake Bot API server of the tests
from tests.support.telegram import RunningBot, replied_to, settings_for


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_corpus_options(parser)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    questions = load_questions(args.questions)
    with tempfile.TemporaryDirectory() as tmp:
        db = corpus_db(args.db, tmp)
        with FakeBotApi() as api:
            settings = replace(settings_for(api), group_messages_per_minute=0)
            with RunningBot(api, db, settings):
                group = FakeBotApi.group_chat(-4242, "benchmark")
                user = FakeBotApi.user(4242, "Bench")
                timings = []
                for _ in range(args.rounds):
                    for question in questions:
                        started = time.perf_counter()
                        update = api.send_text(group, user, f"/ask {question}")
                        message_id = update["message"]["message_id"]
                        api.wait_for(
                            "sendMessage", lambda p, m=message_id: replied_to(p) == m, timeout=60
                        )
                        timings.append(time.perf_counter() - started)
    timings.sort()
    ms = [t * 1000 for t in timings]
    p95 = ms[min(len(ms) - 1, int(len(ms) * 0.95))]
    print(
        f"{len(ms)} group questions ({len(questions)} seed questions x {args.rounds}): "
        f"median {statistics.median(ms):.1f} ms, p95 {p95:.1f} ms, worst {ms[-1]:.1f} ms"
    )


if __name__ == "__main__":
    main()
