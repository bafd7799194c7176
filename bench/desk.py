#!/usr/bin/env python
"""The editors' desk: a section's live preview and the change form of a
30-section draft, as an editor gets them over HTTP.

Serves DATABASE_URL with gunicorn (production settings, 2 workers) and, from
one signed-in client, sequentially:

1. POSTs a 2,000-word section with 20 citations of 20 different works and
   display math to the preview endpoint, `--count` times: as an editor
   types (a word changes each time, the citations do not: citeproc's output
   is reused), with a citation's page changed each time (that citation is
   formatted again), and with a citation added near the start each time
   (every citation after it gets a new place: the reference list's links
   back are made again too);
2. GETs the change form of a draft with 30 sections, `--count` times.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sgbench10k \\
        .venv/bin/python bench/desk.py [--count 30]
"""

import argparse
import os
import random
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
    prepare,
    server_env,
    setup_django,
    sign_in,
    start_server,
)

CSRF = "benchdeskcsrftoken0123456789abcd"


def long_section(keys):
    rng = random.Random(2000)
    words = (
        "network layer gradient training model data loss function weight "
        "representation learning deep estimate variance signal noise sample"
    ).split()
    paragraphs = []
    for i, key in enumerate(keys):
        sentence = " ".join(rng.choice(words) for _ in range(96))
        paragraphs.append(f"{sentence.capitalize()} [@{key}, p. {i + 1}].")
    paragraphs.insert(
        5,
        r"$$\mathcal{L}(\theta) = \frac{1}{n}\sum_{i=1}^{n} \ell(f_\theta(x_i), y_i)"
        r" + \lambda \lVert \theta \rVert^2$$",
    )
    return "\n\n".join(paragraphs)


def timed(request_factory, count):
    times = []
    for _ in range(count):
        request = request_factory()
        start = time.perf_counter()
        with urllib.request.urlopen(request, timeout=60) as response:
            body = response.read()
            assert response.status == 200
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    p95 = times[min(len(times) - 1, round(0.95 * len(times) + 0.5) - 1)]
    return statistics.median(times), p95, body


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--count", type=int, default=30)
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
    import json

    from django.db import connection

    from citations.models import Work
    from topics.models import Topic

    draft_id, _review_id, moderator = prepare()
    keys = list(Work.objects.order_by("key").values_list("key", flat=True)[:20])
    body = long_section(keys)
    session = sign_in(moderator)
    print(
        f"# {connection.vendor}, {Topic.objects.live().count()} live topics; preview "
        f"of {len(body.split())} words citing {len(set(keys))} works, display math\n"
    )
    base = f"http://127.0.0.1:{PORT}"
    cookies = f"sessionid={session}; csrftoken={CSRF}"
    preview = f"{base}/admin/topics/topicversion/{draft_id}/preview-section/"
    counter = iter(range(1_000_000))

    def preview_data(change_citation):
        n = next(counter)
        text = body.replace("network", f"network{n}", 1)
        if change_citation == "page":
            text = text.replace("p. 1]", f"p. {1000 + n}]", 1)
        elif change_citation == "added":
            text = text.replace("network", f"network [@{keys[n % 20]}, p. {n}]", 1)
        return urllib.parse.urlencode(
            {"kind": "other", "heading": "Long", "body": text, "prefix": "pv"}
        ).encode()

    def preview_request(change_citation=False):
        return urllib.request.Request(
            preview,
            data=preview_data(change_citation),
            headers={
                "Cookie": cookies,
                "X-CSRFToken": CSRF,
                "Referer": base + "/admin/",
                "Content-Type": "application/x-www-form-urlencoded",
            },
        )

    def form_request():
        return urllib.request.Request(
            f"{base}/admin/topics/topicversion/{draft_id}/change/",
            headers={"Cookie": cookies},
        )

    server = start_server(server_env(static_root), PORT)
    try:
        print(
            f"{'request':40} {'count':>5} {'median ms':>10} {'p95 ms':>8} {'bytes':>8}"
        )
        for name, factory in (
            ("preview as the editor types", preview_request),
            ("preview, a citation's page changed", lambda: preview_request("page")),
            ("preview, a citation added", lambda: preview_request("added")),
            ("change form, 30 sections", form_request),
        ):
            timed(factory, 3)  # warm both workers
            median, p95, content = timed(factory, args.count)
            size = len(content)
            print(f"{name:40} {args.count:>5} {median:>10.1f} {p95:>8.1f} {size:>8}")
            if name.startswith("preview"):
                errors = json.loads(content)["errors"]
                assert not errors, errors
    finally:
        server.terminate()
        server.wait()


if __name__ == "__main__":
    main()
