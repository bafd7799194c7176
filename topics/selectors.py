"""Reads of readers' pages that the ORM alone would make slower.

A topic page (or permalink) is two queries: its stored page
(`topic_page`), and everything listed around it (`surroundings`): the
breadcrumbs, the sub-topic tree, the related topics and the topics that
refer to it. The second is one recursive SQL query: the ORM has no
recursive CTE, and as separate queries the lists cost four round trips.
Measured with bench/pages.py (cold page, SQLite, 114 topics): one query
for the surroundings, 0.250 of the trivial view's requests/s; four ORM
queries, 0.19.
"""

from html import escape

from django.db import connection
from django.http import Http404
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
PAGE_FIELDS = (
    "summary_html", "body_html", "byline", "head_html", "header_html", "toc_html",
    "people_html", "entry_html",
    "version__number", "version__title", "version__kind", "version__parent_id",
    "version__state", "version__approved_at", "version__is_permalink_withdrawn",
    "version__topic__slug", "version__topic__is_unpublished",
    "version__topic__live_version_id", "version__topic__draft_version_id",
    "version__topic__first_published_at",
)  # fmt: skip


def topic_page(slug: str, number: int | None = None) -> VersionPage:
    """The stored page of a topic's live version, or of approved version
    `number`, with its version and topic: one query. 404 if none."""
    pages = VersionPage.objects.select_related("version__topic").only(*PAGE_FIELDS)
    if number is None:
        pages = pages.filter(
            version__topic__slug=slug, version__state=TopicVersion.State.PUBLISHED
        )
    else:
        pages = pages.filter(
            version__topic__slug=slug,
            version__number=number,
            version__state__in=TopicVersion.APPROVED_STATES,
        )
    try:
        page = pages.get()
    except VersionPage.DoesNotExist:
        raise Http404("No published topic or version has this address.") from None
    topic = page.version.topic
    if topic.live_version_id == page.version_id:
        topic.live_version = page.version
    return page


# The page's text and its parts around it: what the pages about a version
# (cite, references) never show.
TEXT_FIELDS = (
    "body_html", "search_text", "search_vector", "head_html", "header_html",
    "toc_html", "people_html", "entry_html",
)  # fmt: skip


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
SELECT 'crumb', -chain.depth, 0, 0, t.slug, v.title, v.kind
FROM chain
JOIN topics_topic t ON t.id = chain.topic_id
JOIN topics_topicversion v ON v.id = t.live_version_id
WHERE t.is_unpublished = %(no)s
UNION ALL
SELECT 'sub', 0, topic_id, parent_id, slug, title, kind FROM tree
UNION ALL
SELECT 'related', r.position, 0, 0, t.slug, v.title, v.kind
FROM topics_relatedtopic r
JOIN topics_topic t ON t.id = r.target_id
JOIN topics_topicversion v ON v.id = t.live_version_id
WHERE r.version_id = %(version)s AND t.is_unpublished = %(no)s
UNION ALL
SELECT * FROM (
    -- From the links to this topic (indexed by target) to the live versions
    -- that hold them: the cost follows the links, not the corpus.
    SELECT 'refby', 0, 0, 0, t.slug, v.title, v.kind
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

    Links are (url, title); the sub-topic tree and the related lists come as
    HTML (these lists can be long, and are built for every uncached page).
    """
    params = {
        "parent": version.parent_id or 0,
        "topic": topic.pk,
        "version": version.pk,
        "depth": 3 if version.kind == Kind.FIELD else 1,
        "no": False,
    }
    with connection.cursor() as cursor:
        cursor.execute(SURROUNDINGS_SQL, params)
        rows = cursor.fetchall()
    crumbs, children, related, referring = [], {}, [], []
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
    }
