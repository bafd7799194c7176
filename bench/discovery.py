#!/usr/bin/env python
"""Discovery benchmark: search, topic list and tag page latency, one client.

Serves the database named by DATABASE_URL with gunicorn (production
settings, DEBUG off, the page cache off so every request is rendered),
sends a fixed set of requests one after another and prints the median and
p95 latency per page kind, then EXPLAIN ANALYZE of a search query to show
the GIN index at work.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sgbench10k \\
        .venv/bin/python bench/discovery.py [--rounds 5]

Build the database first with bench/build-corpus (10,000 topics).
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

ROOT = Path(__file__).resolve().parent.parent
PORT = 8765
QUERIES = [
    "network",  # common words
    "learning model",
    "gradient",
    "probability distribution",
    "neural network training",
    "perceptron",  # rare words
    "neocognitron",
    "Schmidhuber",
    "dropout",
    "backpropagation",
    '"gradient descent"',  # phrases
    '"deep learning"',
    '"representation learning"',
    "gradiant descnt",  # misspellings (no match: "did you mean")
    "backpropogation",
    "convolutonal netwrok",
    "Gödel",  # accents
    "network -neural",  # exclusion
    "stochastic optimisation of kernel methods",
    "zzzz qqqq",  # nothing at all
]


def percentile(values, share):
    ordered = sorted(values)
    index = max(0, min(len(ordered) - 1, round(share * (len(ordered) - 1))))
    return ordered[index]


def fetch(url):
    start = time.perf_counter()
    with urllib.request.urlopen(url, timeout=30) as response:
        body = response.read()
        status = response.status
    return time.perf_counter() - start, status, len(body)


def measure(base, paths, rounds):
    for path in paths:  # warm the database and the workers once
        fetch(base + path)
    times, sizes = [], []
    for _ in range(rounds):
        for path in paths:
            elapsed, status, size = fetch(base + path)
            if status != 200:
                raise SystemExit(f"{path} answered {status}")
            times.append(elapsed * 1000)
            sizes.append(size)
    return times, sizes


def report(name, times, sizes):
    print(
        f"{name:<22} n={len(times):>4}  median {statistics.median(times):7.1f} ms  "
        f"p95 {percentile(times, 0.95):7.1f} ms  max {max(times):7.1f} ms  "
        f"~{statistics.median(sizes) / 1024:5.1f} kB"
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        raise SystemExit("Set DATABASE_URL to the PostgreSQL benchmark database.")
    static = tempfile.mkdtemp(prefix="sg-static-")
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "scholargate.settings.prod",
        "SECRET_KEY": "benchmark-only-" + "x" * 40,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "false",
        "STATIC_ROOT": static,
        "CONN_MAX_AGE": "600",
        # Every request is rendered: the page cache would answer repeats.
        "PAGE_CACHE": "false",
    }
    python = sys.executable
    subprocess.run(
        [python, "manage.py", "collectstatic", "--no-input", "-v0"],
        cwd=ROOT,
        env=env,
        check=True,
    )
    server = subprocess.Popen(
        [
            str(Path(python).with_name("gunicorn")),
            "scholargate.wsgi",
            "--workers",
            "2",
            "--bind",
            f"127.0.0.1:{PORT}",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    base = f"http://127.0.0.1:{PORT}"
    try:
        for _ in range(100):
            try:
                fetch(base + "/robots.txt")
                break
            except OSError:
                time.sleep(0.2)
        sys.path.insert(0, str(ROOT))
        os.environ.update(env)
        import django

        django.setup()
        from taggit.models import Tag

        from topics.models import Topic

        live = Topic.objects.live().count()
        tag = (
            Tag.objects.filter(
                topics_taggedversion_items__content_object__state="published"
            )
            .order_by("-pk")
            .first()
        )
        print(f"Database: {live} live topics ({django.db.connection.vendor})")
        print(
            f"Rounds: {args.rounds} × the fixed request set, one client, sequential\n"
        )
        search_paths = ["/search/?" + urllib.parse.urlencode({"q": q}) for q in QUERIES]
        report("search (20 queries)", *measure(base, search_paths, args.rounds))
        list_paths = ["/topics/", "/topics/?page=50", "/topics/?kind=method&page=3"]
        report("topic list", *measure(base, list_paths, args.rounds * 7))
        tag_paths = [f"/tags/{tag.slug}/", f"/tags/{tag.slug}/?page=2"]
        report(f"tag page ({tag.slug})", *measure(base, tag_paths, args.rounds * 10))
        print("\nEXPLAIN ANALYZE of the search for 'network':")
        from topics import search

        queryset = search.search_topics(
            Topic.objects.live().select_related("live_version"), "network"
        )[:20]
        print(queryset.explain(analyze=True))
    finally:
        server.terminate()
        server.wait(10)


if __name__ == "__main__":
    main()
