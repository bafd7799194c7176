#!/usr/bin/env python
"""Readers' and editors' pages under load, paired against a trivial view.

Serves the database named by DATABASE_URL with gunicorn (production
settings, DEBUG off, 2 sync workers) and measures with wrk through
../shared/bench/wrk-compare, which runs the paths round after round so each
page's requests/s is divided by the trivial view's (/health/) from the same
round:

1. cold: PAGE_CACHE=false, so every request reads the stored HTML from the
   database and renders the template (no Pandoc, no Markdown);
2. warm, local memory: the page cache on, the default per-process cache;
3. warm, Redis: the same with REDIS_URL (when --redis is given).

Before that it prints, per page, the SQL queries of one uncached render and
the response size, and for the editors' side (admin change form of a topic
with 30 sections, review diff of two 30-section versions) sequential
latencies from one signed-in client.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sgbench100 \\
        .venv/bin/python bench/pages.py --redis [--rounds 3 --duration 5s]

Build the database first with bench/build-corpus (demo + generated topics).
"""

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WRK_COMPARE = ROOT.parent / "shared" / "bench" / "wrk-compare"
PYTHON = ROOT / ".venv" / "bin" / "python"
GUNICORN = ROOT / ".venv" / "bin" / "gunicorn"
PORT = 8766
THIRTY = "bench-long-entry"


def server_env(static_root, **extra):
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="scholargate.settings.prod",
        SECRET_KEY="benchmark-secret-key-" + "x" * 40,
        ALLOWED_HOSTS="127.0.0.1,localhost,testserver",
        SECURE_SSL_REDIRECT="false",
        STATIC_ROOT=str(static_root),
        CONN_MAX_AGE="600",
        PAGE_GENERATION_FILE=str(static_root.parent / "page-generation"),
    )
    env.pop("REDIS_URL", None)
    env.update(extra)
    return env


def setup_django(env):
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def _thirty(slug, editor, moderator):
    """A topic with 30 sections: version 1 live, version 2 an open draft."""
    from corpus import paragraph, sentence, theme

    from citations.models import Work
    from topics import services
    from topics.models import Section, Topic

    topic = Topic.objects.filter(slug=slug).first()
    if topic is not None:
        return topic
    draft = services.create_topic(
        slug=slug,
        title=f"Thirty sections ({slug})",
        kind="concept",
        summary="A long entry for the editors' benchmark.",
        by=editor,
    )
    rng = random.Random(slug)
    words = theme(rng)
    keys = list(Work.objects.order_by("key").values_list("key", flat=True)[:40])
    services.save_rows(
        version=draft,
        model=Section,
        rows=[
            Section(
                kind="other",
                heading=f"Part {i}",
                body="\n\n".join(paragraph(rng, keys, [], 5, words) for _ in range(3)),
            )
            for i in range(1, 31)
        ],
    )
    services.record_edit(version=draft, by=editor)
    draft = services.submit_for_review(version=draft, by=editor, edit_summary="v1")
    services.approve_version(version=draft, by=moderator)
    draft = services.start_draft(topic=draft.topic, by=editor)
    sections = list(draft.sections.all())
    for section in sections[::3]:
        # A reviser's edit: one sentence reworded, one added.
        first, rest = section.body.split(". ", 1)
        section.body = (
            f"{first}, as revised. {rest}\n\n{sentence(rng, [], None, words)}"
        )
    services.save_rows(version=draft, model=Section, rows=sections)
    services.record_edit(version=draft, by=editor)
    return Topic.objects.get(slug=slug)


def prepare():
    """Two 30-section topics: one with a draft, one with a version in review."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from topics import services

    User = get_user_model()
    editor, _ = User.objects.get_or_create(
        username="bench-editor", defaults={"is_staff": True, "last_name": "Editor"}
    )
    editor.groups.add(Group.objects.get(name="Editors"))
    moderator, _ = User.objects.get_or_create(
        username="bench-moderator",
        defaults={"is_staff": True, "last_name": "Moderator"},
    )
    moderator.groups.add(Group.objects.get(name="Moderators"))
    drafted = _thirty(THIRTY, editor, moderator)
    reviewed = _thirty(THIRTY + "-review", editor, moderator)
    if reviewed.draft_version.state == "draft":
        services.submit_for_review(
            version=reviewed.draft_version, by=editor, edit_summary="v2"
        )
    return drafted.draft_version_id, reviewed.draft_version_id, moderator


def reader_paths():
    from django.db.models import Count
    from taggit.models import Tag

    from topics.models import Topic

    longest = (
        Topic.objects.live()
        .annotate(n=Count("versions"))
        .order_by("-n", "slug")
        .values_list("slug", "n")
        .first()
    )
    tag = (
        Tag.objects.annotate(n=Count("topics_taggedversion_items"))
        .order_by("-n")
        .values_list("slug", flat=True)
        .first()
    )
    slug, versions = longest
    return {
        "topic": "/topics/deep-learning/",
        "permalink": "/topics/deep-learning/v/1/",
        "history (most versions)": f"/topics/{slug}/history/",
        "old permalink (most versions)": f"/topics/{slug}/v/1/",
        "tag": f"/tags/{tag}/",
        "search": "/search/?q=gradient+descent",
        "home": "/",
    }, (slug, versions)


def count_queries(paths, session):
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    settings.PAGE_CACHE = False
    rows = []
    for name, path in paths.items():
        client = Client()
        if session:
            client.cookies[settings.SESSION_COOKIE_NAME] = session
        client.get(path)  # warm the connection and Python caches
        with CaptureQueriesContext(connection) as queries:
            response = client.get(path)
        size = len(response.content)
        rows.append((name, path, response.status_code, len(queries), size))
    return rows


def sign_in(user):
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client.cookies["sessionid"].value


def start_server(env, port):
    process = subprocess.Popen(
        [str(GUNICORN), "scholargate.wsgi", "-w", "2", "-b", f"127.0.0.1:{port}"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    for _ in range(100):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/health/", timeout=1)
            return process
        except OSError:
            time.sleep(0.2)
    process.terminate()
    raise SystemExit(process.stderr.read().decode())


def timed(url, session, count):
    times = []
    for _ in range(count):
        cookie = {"Cookie": f"sessionid={session}"}
        request = urllib.request.Request(url, headers=cookie)
        start = time.perf_counter()
        with urllib.request.urlopen(request, timeout=60) as response:
            response.read()
            assert response.status == 200, url
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    return statistics.median(times), times[int(0.95 * (len(times) - 1))]


def wrk_compare(base, paths, args, label):
    print(f"\n## {label}\n", flush=True)
    out = Path(args.out) / "-".join(
        "".join(c for c in word if c.isalnum()) for word in label.lower().split()
    )
    command = [
        "bash", str(WRK_COMPARE), "-r", str(args.rounds), "-d", args.duration,
        "-w", args.warmup, "-o", str(out), base, "/health/", *paths,
    ]  # fmt: skip
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
    summarise(out / "results.tsv", label)


def summarise(results, label):
    """Per page: median requests/s, paired ratio to /health/, latencies."""
    rows = {}
    with open(results) as handle:
        next(handle)
        for line in handle:
            round_, path, rps, p50, p99, *_rest = line.rstrip("\n").split("\t")
            rows.setdefault(path, {})[int(round_)] = (
                float(rps),
                float(p50),
                float(p99),
            )
    floor = rows["/health/"]
    print(
        f"{label}: {'path':38} {'req/s':>8} {'÷ /health/':>11} "
        f"{'p50 ms':>7} {'p99 ms':>7}"
    )
    for path, by_round in rows.items():
        ratios = [by_round[r][0] / floor[r][0] for r in by_round if floor[r][0]]
        print(
            f"{'':{len(label) + 2}}{path:38} "
            f"{statistics.median(v[0] for v in by_round.values()):8.0f} "
            f"{statistics.median(ratios):11.3f} "
            f"{statistics.median(v[1] for v in by_round.values()):7.2f} "
            f"{statistics.median(v[2] for v in by_round.values()):7.2f}"
        )


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--duration", default="5s")
    parser.add_argument("--warmup", default="2s")
    parser.add_argument("--redis", action="store_true", help="also measure with Redis")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/0")
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

    from topics.models import Topic, TopicVersion

    draft_id, review_id, moderator = prepare()
    paths, (long_slug, long_versions) = reader_paths()
    live = Topic.objects.live().count()
    print(
        f"# {connection.vendor}, {live} live topics, {TopicVersion.objects.count()} "
        f"versions; {long_slug} has {long_versions} versions"
    )
    print("\n## One uncached render per page (PAGE_CACHE=false)\n")
    print(f"{'page':32} {'path':48} {'status':>6} {'SQL':>4} {'bytes':>8}")
    for name, path, status, queries, size in count_queries(paths, None):
        print(f"{name:32} {path:48} {status:>6} {queries:>4} {size:>8}")

    session = sign_in(moderator)
    admin = "/admin/topics/topicversion"
    editor_paths = {
        "admin change form, 30 sections": f"{admin}/{draft_id}/change/",
        "review diff, 30 + 30 sections": f"{admin}/{review_id}/review/",
    }
    editor_rows = count_queries(editor_paths, session)

    base = f"http://127.0.0.1:{PORT}"
    cold = start_server(server_env(static_root, PAGE_CACHE="false"), PORT)
    try:
        print("\n## Editors' pages: one signed-in client, 30 sequential requests\n")
        print(f"{'page':34} {'SQL':>4} {'bytes':>8} {'median ms':>10} {'p95 ms':>8}")
        for name, path, _status, queries, size in editor_rows:
            median, p95 = timed(base + path, session, 30)
            print(f"{name:34} {queries:>4} {size:>8} {median:>10.1f} {p95:>8.1f}")
        wrk_compare(base, list(paths.values()), args, "Cold (page cache off)")
    finally:
        cold.terminate()
        cold.wait()
    warm = start_server(server_env(static_root), PORT)
    try:
        wrk_compare(base, list(paths.values()), args, "Warm, local-memory cache")
    finally:
        warm.terminate()
        warm.wait()
    if args.redis:
        redis = start_server(server_env(static_root, REDIS_URL=args.redis_url), PORT)
        try:
            wrk_compare(base, list(paths.values()), args, "Warm, Redis cache")
        finally:
            redis.terminate()
            redis.wait()


if __name__ == "__main__":
    main()
