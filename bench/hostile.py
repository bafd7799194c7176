#!/usr/bin/env python
"""What a hostile or careless editor's input costs, measured in-process.

    .venv/bin/python bench/hostile.py

Builds a throwaway SQLite database with the demo, signs in as the demo
editor and moderator, and times, each through the real admin views:

1. saving a section whose Markdown Pandoc cannot read quickly (the inputs
   that took 34 s to minutes and gigabytes before the limits), then an
   ordinary page right after (the worker is free again);
2. the review page and the public compare of a 3,000-word section with 60
   one-word edits;
3. previewing an 80 kB BibTeX file whose @string concatenations expand to
   20 MB.

It prints each time, the message the editor sees, and the largest resident
memory of any Pandoc child (getrusage of the children).
"""

import os
import random
import re
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORK = Path(tempfile.mkdtemp(prefix="sg-hostile-"))
os.environ.update(
    DJANGO_SETTINGS_MODULE="scholargate.settings.dev",
    DATABASE_URL=f"sqlite:///{WORK / 'db.sqlite3'}",
    MEDIA_ROOT=str(WORK / "media"),
    ORIGINALS_ROOT=str(WORK / "originals"),
    PAGE_GENERATION_FILE=str(WORK / "page-generation"),
    PAGE_CACHE="false",
    EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
)
sys.path.insert(0, str(ROOT))

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402

from topics import services  # noqa: E402
from topics.models import Section, Topic  # noqa: E402

HOSTILE = {
    "23 bytes of nested brackets": "[[[[[[[[[[[x]]]]]]]]]]]",
    "27 bytes of open brackets": "[" * 27 + "x",
    "18 half-open intervals": "$x$ in [0, 1) " * 18,
    "20 kB paragraph, 30 stray [": ("word " * 130 + "[ ") * 30,
}


def timed(call):
    started = time.perf_counter()
    result = call()
    return result, time.perf_counter() - started


def message(html):
    """The message at the section (after the form's summary)."""
    found = re.findall(r'<ul class="errorlist[^>]*>\s*<li>(.*?)</li>', html, re.S)
    return found[-1] if found else "(no message)"


def child_peak_mb():
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def form_data(version, body):
    section = version.sections.first()
    data = {
        "title": version.title,
        "summary": version.summary,
        "kind": version.kind,
        "parent": version.parent_id or "",
        "tags": ", ".join(version.tags.names()),
        "edit_summary": "",
        "seen_edit_count": version.edit_count,
        "sections-TOTAL_FORMS": 1,
        "sections-INITIAL_FORMS": 1,
        "sections-MIN_NUM_FORMS": 0,
        "sections-MAX_NUM_FORMS": 1000,
        "sections-0-id": section.pk,
        "sections-0-version": version.pk,
        "sections-0-kind": section.kind,
        "sections-0-heading": section.heading,
        "sections-0-position": 1,
        "sections-0-body": body,
    }
    for prefix in (
        "author_links",
        "figures",
        "related_links",
        "key_figure_links",
        "seminal_work_links",
    ):
        data.update({f"{prefix}-TOTAL_FORMS": 0, f"{prefix}-INITIAL_FORMS": 0})
    return data


def main():
    call_command("migrate", verbosity=0)
    call_command("load_demo", verbosity=0)
    editor, moderator = Client(HTTP_HOST="127.0.0.1"), Client(HTTP_HOST="127.0.0.1")
    editor.login(username="editor", password="editor-demo-pass")
    moderator.login(username="moderator", password="moderator-demo-pass")
    from django.contrib.auth import get_user_model

    dana = get_user_model().objects.get(username="editor")
    draft = services.start_draft(topic=Topic.objects.get(slug="dropout"), by=dana)
    url = f"/admin/topics/topicversion/{draft.pk}/change/"

    print("# 1. Saving a section Pandoc cannot read quickly (admin change form)\n")
    for name, text in HOSTILE.items():
        draft.refresh_from_db()
        data = form_data(draft, text)
        response, seconds = timed(lambda data=data: editor.post(url, data))
        _page, after = timed(lambda: editor.get("/topics/deep-learning/"))
        print(f"- {name}: {seconds:.1f} s, HTTP {response.status_code}, then an")
        print(f"  ordinary page in {after * 1000:.0f} ms. Message:")
        print(f"  {message(response.content.decode())}")
    print(f"\nLargest Pandoc child so far: {child_peak_mb():.0f} MB resident")

    print("\n# 2. A 3,000-word section with 60 one-word edits\n")
    rng = random.Random(1)
    words = "alpha beta gamma delta network layer model data gradient unit".split()
    old = [" ".join(rng.choice(words) for _ in range(20)) + "." for _ in range(150)]
    new = list(old)
    for i in rng.sample(range(150), 60):
        parts = new[i].split()
        parts[5] = "CHANGED"
        new[i] = " ".join(parts)
    topic = services.create_topic(
        slug="long-one", title="Long one", kind="concept", summary="Long.", by=dana
    )
    services.save_rows(
        version=topic,
        model=Section,
        rows=[Section(kind="history", body=" ".join(old))],
    )
    services.record_edit(version=topic, by=dana)
    services.submit_for_review(version=topic, by=dana, edit_summary="v1")
    mona = get_user_model().objects.get(username="moderator")
    services.approve_version(version=topic, by=mona)
    second = services.start_draft(topic=topic.topic, by=dana)
    section = second.sections.get()
    section.body = " ".join(new)
    services.save_rows(version=second, model=Section, rows=[section])
    services.record_edit(version=second, by=dana)
    services.submit_for_review(version=second, by=dana, edit_summary="v2")
    review = f"/admin/topics/topicversion/{second.pk}/review/"
    response, seconds = timed(lambda: moderator.get(review))
    marks = response.content.decode().count("<ins>CHANGED</ins>")
    print(f"- review page: {seconds:.2f} s, {marks} word-level insertions shown")
    services.approve_version(version=second, by=mona)
    reader = Client(HTTP_HOST="127.0.0.1")
    for attempt in ("first", "second"):
        _r, seconds = timed(lambda: reader.get("/topics/long-one/compare/1/2/"))
        print(f"- public compare, {attempt} request: {seconds * 1000:.0f} ms")

    print("\n# 3. BibTeX with @string concatenation that expands to 20 MB\n")
    bomb = (
        '@string{a = "' + "x" * 1000 + '"}\n'
        "@article{bomb, title = " + " # ".join(["a"] * 20_000) + ", year = 2000}\n"
    )
    response, seconds = timed(
        lambda: editor.post("/admin/citations/work/import/", {"text": bomb})
    )
    reason = re.findall(r"bomb: [^<]*", response.content.decode())
    print(f"- {len(bomb) // 1024} kB previewed in {seconds:.2f} s: {reason[0]}")
    print(f"\nLargest Pandoc child in all: {child_peak_mb():.0f} MB resident")


if __name__ == "__main__":
    main()
