"""Reads that the ORM alone would make slower: the project's raw SQL.

A topic page (or permalink) is two queries: its stored page
(`topic_page`), and everything listed around it (`surroundings`): the
breadcrumbs, the sub-topic tree, the related topics and the topics that
refer to it. The parent check walks up the tree in one (`reaches`). Each is
raw SQL for the reason and with the figure in its docstring; everything
else goes through the ORM.
"""

import datetime
import json
from html import escape

from django.db import connections, models, router
from django.http import Http404
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from .models import (
    RELATED_GROUP_HEADINGS,
    Kind,
    Topic,
    TopicVersion,
    VersionPage,
    topic_url,
)

# What a reader's page reads: the page row, the version's few fields it
# shows and the topic's; never the sources, the search index or the works.
PAGE_FIELDS = {
    "version_id", "summary_html", "body_html", "byline", "head_html",
    "header_html", "toc_html", "people_html", "entry_html", "shows",
}  # fmt: skip
VERSION_FIELDS = {
    "id", "topic_id", "number", "title", "kind", "parent_id", "state",
    "approved_at", "is_permalink_withdrawn",
}  # fmt: skip
TOPIC_FIELDS = {
    "id", "slug", "is_unpublished", "live_version_id", "draft_version_id",
    "first_published_at",
}  # fmt: skip


def _columns(model, wanted):
    """The fields in the model's order (as Model.from_db takes them)."""
    return [f for f in model._meta.concrete_fields if f.attname in wanted]


READ = [
    (VersionPage, "p", _columns(VersionPage, PAGE_FIELDS)),
    (TopicVersion, "v", _columns(TopicVersion, VERSION_FIELDS)),
    (Topic, "t", _columns(Topic, TOPIC_FIELDS)),
]
PAGE_SQL = (
    "SELECT "
    + ", ".join(f"{alias}.{f.column}" for _model, alias, fields in READ for f in fields)
    + " FROM topics_versionpage p"
    " JOIN topics_topicversion v ON v.id = p.version_id"
    " JOIN topics_topic t ON t.id = v.topic_id"
    " WHERE t.slug = %s AND {condition}"
)
LIVE_PAGE_SQL = PAGE_SQL.format(condition="v.state = 'published'")
VERSION_PAGE_SQL = PAGE_SQL.format(
    condition="v.number = %s AND v.state IN ('published', 'superseded')"
)


def _value(field, value):
    """A column as the ORM would give it (SQLite hands dates over as text
    and booleans as integers; JSON comes as text on both)."""
    if isinstance(field, models.DateTimeField) and isinstance(value, str):
        return timezone.make_aware(parse_datetime(value), datetime.UTC)
    if isinstance(field, models.BooleanField):
        return bool(value)
    if isinstance(field, models.JSONField) and isinstance(value, str):
        return json.loads(value)
    return value


def topic_page(slug: str, number: int | None = None) -> VersionPage:
    """The stored page of a topic's live version, or of approved version
    `number`, with its version and topic: one query. 404 if none.

    Raw SQL: the same query through the ORM spent 1.4 ms of a 3 ms cold page
    compiling itself (cold page 0.19 of the trivial view's requests/s on
    SQLite, bench/pages.py); read raw and built with Model.from_db, the
    page read takes a fraction of that (figures in the closing note of the
    change that made it).
    """
    alias = router.db_for_read(VersionPage)
    with connections[alias].cursor() as cursor:
        if number is None:
            cursor.execute(LIVE_PAGE_SQL, [slug])
        else:
            cursor.execute(VERSION_PAGE_SQL, [slug, number])
        row = cursor.fetchone()
    if row is None:
        raise Http404("No published topic or version has this address.")
    built, start = [], 0
    for model, _alias, fields in READ:
        values = row[start : start + len(fields)]
        start += len(fields)
        built.append(
            model.from_db(
                alias,
                [f.attname for f in fields],
                [_value(f, v) for f, v in zip(fields, values, strict=True)],
            )
        )
    page, version, topic = built
    version.topic = topic
    page.version = version
    if topic.live_version_id == version.pk:
        topic.live_version = version
    return page


# The page's text and its parts around it: what the pages about a version
# (cite, references) never show.
TEXT_FIELDS = (
    "body_html", "search_text", "search_vector", "head_html", "header_html",
    "toc_html", "people_html", "entry_html",
)  # fmt: skip
# (`paragraphs` stays: a section or paragraph is cited from it.)


def approved_page(topic: Topic, number: int | None) -> tuple[Topic, VersionPage]:
    """The page of a topic's approved version `number` (or the live one),
    without its text. 404 if none."""
    versions = TopicVersion.objects.approved().filter(
        topic=topic, number=number or topic.live_version.number
    )
    try:
        page = (
            VersionPage.objects.select_related("version")
            .defer(*TEXT_FIELDS)
            .get(version__in=versions)
        )
    except VersionPage.DoesNotExist:
        raise Http404("No such version.") from None
    page.version.topic = topic
    return topic, page


ABOVE_SQL = """
WITH RECURSIVE chain(topic_id) AS (
    SELECT id FROM topics_topic WHERE id = %(start)s
    UNION
    SELECT v.parent_id
    FROM chain
    JOIN topics_topic t ON t.id = chain.topic_id
    JOIN topics_topicversion v
      ON v.id = COALESCE(t.draft_version_id, t.live_version_id)
    WHERE v.parent_id IS NOT NULL
)
SELECT 1 FROM chain WHERE topic_id = %(wanted)s
"""


def reaches(start: Topic, wanted: Topic) -> bool:
    """Whether `wanted` is `start` or above it: the chain of parents of each
    topic's open draft (or else its live version), in one query. UNION
    stops at a topic already met, so a loop made earlier ends the walk.
    (Walking it through the ORM took three queries a level: 12 ms a
    version in a corpus build.)"""
    with connections[router.db_for_read(Topic)].cursor() as cursor:
        cursor.execute(ABOVE_SQL, {"start": start.pk, "wanted": wanted.pk})
        return cursor.fetchone() is not None


SURROUNDINGS_SQL = """
WITH RECURSIVE chain(topic_id, depth) AS (
    SELECT id, 1 FROM topics_topic WHERE id = %(parent)s
    UNION ALL
    SELECT v.parent_id, chain.depth + 1
    FROM chain
    JOIN topics_topic t ON t.id = chain.topic_id
    JOIN topics_topicversion v ON v.id = t.live_version_id
    WHERE v.parent_id IS NOT NULL AND chain.depth < 30
),
tree(topic_id, parent_id, depth, slug, title, kind) AS (
    SELECT t.id, v.parent_id, 1, t.slug, v.title, v.kind
    FROM topics_topicversion v
    JOIN topics_topic t ON t.live_version_id = v.id
    WHERE v.parent_id = %(topic)s AND t.is_unpublished = %(no)s
    UNION ALL
    SELECT t.id, v.parent_id, tree.depth + 1, t.slug, v.title, v.kind
    FROM tree
    JOIN topics_topicversion v ON v.parent_id = tree.topic_id
    JOIN topics_topic t ON t.live_version_id = v.id
    WHERE tree.depth < %(depth)s AND t.is_unpublished = %(no)s
)
SELECT 'crumb', -chain.depth, t.id, 0, t.slug, v.title, v.kind
FROM chain
JOIN topics_topic t ON t.id = chain.topic_id
JOIN topics_topicversion v ON v.id = t.live_version_id
WHERE t.is_unpublished = %(no)s
UNION ALL
SELECT 'sub', 0, topic_id, parent_id, slug, title, kind FROM tree
UNION ALL
SELECT 'related', r.position, t.id, 0, t.slug, v.title, v.kind
FROM topics_relatedtopic r
JOIN topics_topic t ON t.id = r.target_id
JOIN topics_topicversion v ON v.id = t.live_version_id
WHERE r.version_id = %(version)s AND t.is_unpublished = %(no)s
UNION ALL
SELECT * FROM (
    -- From the links to this topic (indexed by target) to the live versions
    -- that hold them: the cost follows the links, not the corpus.
    SELECT 'refby', 0, t.id, 0, t.slug, v.title, v.kind
    FROM topics_topicversion v
    JOIN topics_topic t ON t.live_version_id = v.id
    WHERE v.id IN (
        SELECT r.version_id FROM topics_relatedtopic r WHERE r.target_id = %(topic)s
        UNION
        SELECT l.version_id FROM topics_topiclink l WHERE l.target_id = %(topic)s
    )
    AND t.is_unpublished = %(no)s AND t.id <> %(topic)s
    ORDER BY v.title
    LIMIT 100
) AS referring
"""


def surroundings(topic: Topic, version: TopicVersion) -> dict:
    """Breadcrumbs, sub-topics, related groups and referring topics: one query.

    Raw SQL: the ORM has no recursive CTE (breadcrumbs, the sub-topic tree),
    and as separate queries the four lists took four round trips (0.44 ms
    in all here, against 0.38 ms on PostgreSQL with prepared statements
    before, when the four were first put together).

    Links are (url, title); the sub-topic tree and the related lists come as
    HTML (these lists can be long, and are built for every uncached page).
    `topic_ids` are every topic shown, `tree_ids` those in the sub-topic
    tree (for the page's surrogate keys).
    """
    params = {
        "parent": version.parent_id or 0,
        "topic": topic.pk,
        "version": version.pk,
        "depth": 3 if version.kind == Kind.FIELD else 1,
        "no": False,
    }
    with connections[router.db_for_read(Topic)].cursor() as cursor:
        cursor.execute(SURROUNDINGS_SQL, params)
        rows = cursor.fetchall()
    crumbs, children, related, referring = [], {}, [], []
    topic_ids = {topic_id for _part, _order, topic_id, *_rest in rows}
    tree_ids = {topic_id for part, _order, topic_id, *_rest in rows if part == "sub"}
    for part, order, topic_id, parent_id, slug, title, kind in rows:
        link = (topic_url(slug), title)
        if part == "crumb":
            crumbs.append((order, slug, title))
        elif part == "sub":
            children.setdefault(parent_id, []).append((topic_id, link))
        elif part == "related":
            related.append((order, kind, link))
        else:
            referring.append(link)
    crumbs.sort()
    children = {k: sorted(v, key=lambda item: item[1][1]) for k, v in children.items()}

    def build(parent_id, nested=False):
        nodes = children.get(parent_id)
        if not nodes:
            return ""
        items = "".join(
            f'<li><a href="{escape(url)}">{escape(title)}</a>'
            f"{build(topic_id, True)}</li>"
            for topic_id, (url, title) in nodes
        )
        css = "tree-nested" if nested else "plain-list tree"
        return f'<ul class="{css}">{items}</ul>'

    groups = {}
    for _order, kind, link in sorted(related, key=lambda item: item[0]):
        groups.setdefault(kind, []).append(link)
    sections = [
        (RELATED_GROUP_HEADINGS[kind], groups[kind])
        for kind in Kind.values
        if kind in groups
    ]
    if referring:
        sections.append((_("Referenced by"), referring))
    related_html = "\n".join(
        f'<section aria-labelledby="related-{n}"><h2 id="related-{n}">'
        f'{escape(str(heading))}</h2><ul class="plain-list">'
        + "".join(
            f'<li><a href="{escape(url)}">{escape(title)}</a></li>'
            for url, title in links
        )
        + "</ul></section>"
        for n, (heading, links) in enumerate(sections, start=1)
    )
    return {
        "breadcrumbs": [(slug, title) for _depth, slug, title in crumbs],
        "crumb_links": [(topic_url(slug), title) for _depth, slug, title in crumbs],
        "sub_topics": mark_safe(build(topic.pk)),
        "related_html": mark_safe(related_html),
        "topic_ids": topic_ids,
        "tree_ids": tree_ids,
    }
