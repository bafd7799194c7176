#!/usr/bin/env python
"""The Assistant: answer quality and latency on a database of any size.

1. In process: `manage.py assistant_eval` over the shipped question set
   (hit@1, hit@3, MRR, refusals, p50/p95 of `answer()`), warm.
2. Over HTTP (gunicorn, production settings, PAGE_CACHE=false so every
   request is answered, never served from the cache): one client asks every
   question of the set in turn, `--rounds` times, of the answer page and of
   the JSON; p50 and p95 per endpoint, and the SQL queries of one answer.
3. With --wrk: requests/s of both endpoints (three questions each) paired
   against the trivial view (/health/), page cache off, through
   ../shared/bench/wrk-compare.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sgbench10k \\
        .venv/bin/python bench/assistant.py [--rounds 3] [--wrk]

Build the database first with bench/build-corpus (demo + generated topics).
"""

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from pages import (  # noqa: E402 (bench/ is not a package)
    PORT,
    PYTHON,
    ROOT,
    server_env,
    setup_django,
    start_server,
    wrk_compare,
)

QUESTIONS = ROOT / "topics" / "assistant" / "questions.yaml"


def percentile(values, share):
    values = sorted(values)
    return values[min(len(values) - 1, round(share * len(values) + 0.5) - 1)]


def sequential(base, path, questions, rounds):
    times = []
    for _ in range(rounds):
        for question in questions:
            url = f"{base}{path}?{urllib.parse.urlencode({'q': question})}"
            start = time.perf_counter()
            with urllib.request.urlopen(url, timeout=60) as response:
                response.read()
            times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), percentile(times, 0.95), len(times)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--wrk", action="store_true")
    parser.add_argument("--duration", default="5s")
    parser.add_argument("--warmup", default="2s")
    parser.add_argument("--out", default=str(ROOT / "bench" / "results"))
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL"):
        raise SystemExit("Set DATABASE_URL to a database built by bench/build-corpus.")

    work = Path(tempfile.mkdtemp(prefix="sg-bench-"))
    static_root = work / "static"
    env = server_env(static_root)
    for command in (["migrate", "--no-input"], ["collectstatic", "--noinput"]):
        subprocess.run(
            [str(PYTHON), "manage.py", *command, "-v0"], cwd=ROOT, env=env, check=True
        )
    setup_django(env)
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from topics.assistant.evaluation import read_questions
    from topics.models import Passage, Topic

    print(
        f"# {connection.vendor}, {Topic.objects.live().count()} live topics, "
        f"{Passage.objects.count()} passages indexed\n"
    )
    print(
        "## Answer quality and in-process latency (manage.py assistant_eval --warm)\n"
    )
    subprocess.run(
        [str(PYTHON), "manage.py", "assistant_eval", str(QUESTIONS), "--warm"],
        cwd=ROOT,
        env=env,
        check=True,
    )
    data = read_questions(QUESTIONS)
    questions = [q["question"] for q in data["covered"] + data["uncovered"]]

    from django.conf import settings

    settings.PAGE_CACHE = False
    print("\n## SQL queries of one answer\n")
    for path in ("/assistant/", "/assistant/answer.json"):
        for question in (
            data["covered"][0]["question"],
            data["uncovered"][0]["question"],
        ):
            Client().get(path, {"q": question})
            with CaptureQueriesContext(connection) as queries:
                Client().get(path, {"q": question})
            print(f"{path:24} {question:48} {len(queries):>3} queries")

    base = f"http://127.0.0.1:{PORT}"
    server = start_server(server_env(static_root, PAGE_CACHE="false"), PORT)
    try:
        print(
            f"\n## One client, sequential: {len(questions)} questions x "
            f"{args.rounds} rounds, page cache off\n"
        )
        print(f"{'endpoint':26} {'requests':>8} {'p50 ms':>8} {'p95 ms':>8}")
        for path in ("/assistant/", "/assistant/answer.json"):
            sequential(base, path, questions[:5], 1)  # warm the workers
            median, p95, count = sequential(base, path, questions, args.rounds)
            print(f"{path:26} {count:>8} {median:>8.1f} {p95:>8.1f}")
        if args.wrk:
            picks = [questions[0], questions[10], questions[-1]]
            paths = [
                f"{path}?{urllib.parse.urlencode({'q': q})}"
                for path in ("/assistant/", "/assistant/answer.json")
                for q in picks
            ]
            wrk_compare(base, paths, args, "Assistant, page cache off")
    finally:
        server.terminate()
        server.wait()


if __name__ == "__main__":
    main()
