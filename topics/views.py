import secrets
import unicodedata
from datetime import UTC
from functools import wraps
from html import escape

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import connection
from django.db.models import Count, F, Window
from django.db.models.functions import RowNumber
from django.http import (
    Http404,
    HttpResponse,
    HttpResponsePermanentRedirect,
    JsonResponse,
)
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from taggit.models import Tag

from citations.bibtex import works_to_bibtex
from citations.models import Work
from scholargate import pagecache
from scholargate.pagecache import public_page

from . import citing, metadata, search
from .diff import diff_versions
from .filters import SearchFilter, TopicFilter
from .models import (
    RELATED_GROUP_HEADINGS,
    Kind,
    OldSlug,
    Person,
    Topic,
    TopicVersion,
    topic_url,
)
from .services import prepare_preview


def _live_version_token(request, slug, *args, **kwargs):
    live = Topic.objects.filter(slug=slug).values_list("live_version_id", flat=True)
    return f"v{live.first()}"


# Everything a topic page lists around its stored page, in one query: the
# breadcrumbs (live ancestors), the sub-topic tree, the related topics of the
# version and the live topics that refer to it ("referenced by").
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
    WHERE v.parent_id = %(topic)s AND t.is_withdrawn = %(no)s
    UNION ALL
    SELECT t.id, v.parent_id, tree.depth + 1, t.slug, v.title, v.kind
    FROM tree
    JOIN topics_topicversion v ON v.parent_id = tree.topic_id
    JOIN topics_topic t ON t.live_version_id = v.id
    WHERE tree.depth < %(depth)s AND t.is_withdrawn = %(no)s
)
SELECT 'crumb', -chain.depth, 0, 0, t.slug, v.title, v.kind
FROM chain
JOIN topics_topic t ON t.id = chain.topic_id
JOIN topics_topicversion v ON v.id = t.live_version_id
WHERE t.is_withdrawn = %(no)s
UNION ALL
SELECT 'sub', 0, topic_id, parent_id, slug, title, kind FROM tree
UNION ALL
SELECT 'related', r.position, 0, 0, t.slug, v.title, v.kind
FROM topics_relatedtopic r
JOIN topics_topic t ON t.id = r.target_id
JOIN topics_topicversion v ON v.id = t.live_version_id
WHERE r.version_id = %(version)s AND t.is_withdrawn = %(no)s
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
    AND t.is_withdrawn = %(no)s AND t.id <> %(topic)s
    ORDER BY v.title
    LIMIT 100
) AS referring
"""


def surroundings(topic, version):
    """Breadcrumbs, sub-topics, related groups and referring topics: one query.

    Links are (url, title); the sub-topic tree comes as HTML, nested lists.
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
    # Plain escaping and joining: these lists can be long, and a page is
    # rendered per request when the page cache is off.
    related_html = "\n".join(
        f'<section aria-labelledby="related-{n}"><h2 id="related-{n}">'
        f'{escape(heading)}</h2><ul class="plain-list">'
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


def page_context(topic, version):
    """Everything a topic page shows beside the stored page: one query."""
    version.topic = topic
    around = surroundings(topic, version)
    crumbs = around["breadcrumbs"]
    is_current = version.pk == topic.live_version_id
    context = {"topic": topic, "version": version, **around, "is_current": is_current}
    frozen = version.frozen_head is not None
    if not frozen:
        # Approved before its parts were frozen, or a preview: render them.
        tags = version.structured.get("tags", [])
        key_figures = version.structured.get("key_figures", [])
        context.update(
            tags=tags,
            key_figures=key_figures,
            first_published=topic.first_published_at or version.approved_at,
        )
    if version.number:
        path = topic_url(topic.slug) if is_current else version.get_absolute_url()
        canonical = settings.SCHOLARGATE_SITE_URL + path
        if frozen:
            # Rendered (and escaped) by a template at approval.
            context["head_html"] = mark_safe(
                metadata.fill_head(
                    version.frozen_head,
                    version,
                    canonical=canonical,
                    breadcrumbs=crumbs,
                )
            )
        else:
            context.update(
                metadata.head_context(
                    version, tags, key_figures, canonical=canonical, breadcrumbs=crumbs
                )
            )
    return context


def follow_old_slugs(view):
    """Redirect (301) a topic's old slug to its current address."""

    @wraps(view)
    def wrapper(request, slug, *args, **kwargs):
        try:
            return view(request, slug, *args, **kwargs)
        except Http404:
            old = OldSlug.objects.filter(slug=slug).select_related("topic").first()
            if old is None:
                raise
            prefix = f"/topics/{slug}/"
            new = f"/topics/{old.topic.slug}/" + request.path.removeprefix(prefix)
            if request.META.get("QUERY_STRING"):
                new += "?" + request.META["QUERY_STRING"]
            return HttpResponsePermanentRedirect(new)

    return wrapper


# What a reader's page reads of a version: its stored page, not the sources,
# the search index or the works (those are inside the frozen parts).
PAGE_COLUMNS = (
    "topic_id", "number", "title", "kind", "parent_id", "state", "approved_at",
    "is_withdrawn", "byline", "summary_html", "body_html", "frozen_head",
    "frozen_header", "frozen_toc", "frozen_people", "frozen_entry",
)  # fmt: skip


STORED_PAGE_COLUMNS = (
    "body_html", "search_text", "search_vector", "frozen_head", "frozen_header",
    "frozen_toc", "frozen_people", "frozen_entry",
)  # fmt: skip


def _live_topic(slug):
    """A live topic for the pages about it (history, compare, cite), which
    never show its stored page: the large columns stay in the database."""
    topic = get_object_or_404(
        Topic.objects.select_related("live_version").defer(
            *(f"live_version__{name}" for name in STORED_PAGE_COLUMNS)
        ),
        slug=slug,
    )
    if topic.live_version is None:
        raise Http404("This topic has not been published yet.")
    return topic


# A topic page (or a permalink) in one round trip and without query
# compilation: the pages readers ask for most, rendered per request when the
# page cache is off.
PAGE_SQL = f"""
SELECT {", ".join(f"v.{c}" for c in ("id", *PAGE_COLUMNS))},
       t.slug AS t_slug, t.is_withdrawn AS t_withdrawn, t.live_version_id AS t_live,
       t.first_published_at AS t_first_published, t.draft_version_id AS t_draft
FROM topics_topic t
JOIN topics_topicversion v ON {{join}}
WHERE t.slug = %s AND t.live_version_id IS NOT NULL
"""
LIVE_PAGE_SQL = PAGE_SQL.format(join="v.id = t.live_version_id")
VERSION_PAGE_SQL = PAGE_SQL.format(
    join="v.topic_id = t.id AND v.number = %s AND v.state IN ({})".format(
        ", ".join(f"'{state}'" for state in TopicVersion.APPROVED_STATES)
    )
)


def _page(slug, number=None):
    """Return the topic and its live version (or approved version `number`)."""
    if number is None:
        rows = TopicVersion.objects.raw(LIVE_PAGE_SQL, [slug])
    else:
        rows = TopicVersion.objects.raw(VERSION_PAGE_SQL, [number, slug])
    version = next(iter(rows), None)
    if version is None:
        raise Http404("No published topic or version has this address.")
    first = version.t_first_published
    if isinstance(first, str):  # SQLite hands raw columns over as text
        first = timezone.make_aware(parse_datetime(first), UTC)
    topic = Topic(
        id=version.topic_id,
        slug=version.t_slug,
        is_withdrawn=bool(version.t_withdrawn),
        first_published_at=first,
        draft_version_id=version.t_draft,
        live_version_id=version.t_live,
    )
    topic._state.adding = False
    if version.pk == version.t_live:
        topic.live_version = version
    version.topic = topic
    return topic, version


@public_page(_live_version_token)
@follow_old_slugs
def topic_detail(request, slug):
    topic, _version = _page(slug)
    if topic.is_withdrawn:
        return render(request, "topics/topic_gone.html", {"topic": topic}, status=410)
    response = render(
        request, "topics/topic_detail.html", page_context(topic, topic.live_version)
    )
    response.etag_token = f"v{topic.live_version_id}"
    return response


@public_page(lambda request, slug, number: f"n{number}")
@follow_old_slugs
def version_detail(request, slug, number):
    topic, version = _page(slug, number)
    if topic.is_withdrawn or version.is_withdrawn:
        return _gone(request, topic)
    return render(request, "topics/topic_detail.html", page_context(topic, version))


@never_cache
def version_preview(request, slug, pk):
    """Show any version with the public template to its authors and moderators."""
    version = get_object_or_404(TopicVersion.objects.select_related("topic"), pk=pk)
    if version.topic.slug != slug:
        raise Http404
    user = request.user
    # Editors and moderators (both have the change permission), and authors.
    if not (
        user.is_authenticated
        and user.is_staff
        and (version.has_author(user) or user.has_perm("topics.change_topicversion"))
    ):
        raise PermissionDenied
    if not version.body_html or version.is_open:
        prepare_preview(version)
    context = page_context(version.topic, version)
    context["is_preview"] = True
    return render(request, "topics/topic_detail.html", context)


# The query parameters of lists and search (django-filter's and the pages').
LIST_QUERY = ("q", "kind", "tag", "parent", "revised_since", "page")


@public_page(query=LIST_QUERY)
def topic_list(request):
    topics = Topic.objects.live().with_listing().order_by("live_version__title", "pk")
    topic_filter = TopicFilter(request.GET, queryset=topics)
    page = Paginator(topic_filter.qs, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "topics/topic_list.html",
        {"filter": topic_filter, "page": page, "query": query.urlencode()},
    )


HOME_FIELDS = 24
HOME_CHILDREN = 8


@public_page()
def home(request):
    live = Topic.objects.live().with_listing()
    fields = list(
        live.filter(
            live_version__kind=Kind.FIELD, live_version__parent__isnull=True
        ).order_by("live_version__title")[:HOME_FIELDS]
    )
    # The first few sub-topics of each field, in one query however many exist.
    first_children = (
        live.filter(live_version__parent__in=fields)
        .annotate(
            rank=Window(
                RowNumber(),
                partition_by=[F("live_version__parent")],
                order_by=[F("live_version__title").asc(), F("pk").asc()],
            )
        )
        .filter(rank__lte=HOME_CHILDREN)
        .order_by("live_version__title")
    )
    children = {}
    for child in first_children:
        children.setdefault(child.live_version.parent_id, []).append(child)
    # From the index on (state, approved_at), newest first: eight rows read
    # however many topics there are.
    recent = (
        TopicVersion.objects.filter(
            state=TopicVersion.State.PUBLISHED, topic__is_withdrawn=False
        )
        .select_related("topic")
        .only("title", "approved_at", "topic__slug")
        .order_by("-approved_at")[:8]
    )
    return render(
        request,
        "topics/home.html",
        {
            "recent": recent,
            "fields": [(field, children.get(field.pk, [])) for field in fields],
            "tags": tag_counts()[:20],
            "topic_count": live.count(),
        },
    )


def _gone(request, topic):
    return render(request, "topics/topic_gone.html", {"topic": topic}, status=410)


@public_page()
@follow_old_slugs
def topic_history(request, slug):
    topic = _live_topic(slug)
    if topic.is_withdrawn:
        return _gone(request, topic)
    versions = list(
        topic.versions.approved()
        .order_by("-number")
        .only(
            "topic",
            "number",
            "approved_at",
            "byline",
            "edit_summary",
            "is_withdrawn",
            "title",
        )
    )
    return render(
        request, "topics/topic_history.html", {"topic": topic, "versions": versions}
    )


@follow_old_slugs
def compare_redirect(request, slug):
    """Turn the history page's form (?a=&b=) into the compare page's address."""
    try:
        a, b = sorted([int(request.GET["a"]), int(request.GET["b"])])
    except (KeyError, ValueError):
        return redirect("topics:history", slug=slug)
    return redirect("topics:compare", slug=slug, a=a, b=b)


@public_page()
@follow_old_slugs
def compare_versions(request, slug, a, b):
    topic = _live_topic(slug)
    if topic.is_withdrawn:
        return _gone(request, topic)
    versions = {
        v.number: v
        for v in topic.versions.approved()
        .filter(number__in=[a, b])
        .select_related("parent")
    }
    if a not in versions or b not in versions:
        raise Http404("No such version.")
    old, new = versions[a], versions[b]
    if old.is_withdrawn or new.is_withdrawn:
        return _gone(request, topic)
    return render(
        request,
        "topics/topic_compare.html",
        {"topic": topic, "old": old, "new": new, "diff": diff_versions(old, new)},
    )


def _approved_version(slug, number):
    """Return (topic, version): an approved version, or the live one."""
    topic = _live_topic(slug)
    if number is None:
        version = topic.live_version
    else:
        version = get_object_or_404(
            TopicVersion.objects.approved(), topic=topic, number=number
        )
    version.topic = topic
    return topic, version


CITE_FORMATS = {
    "bib": ("application/x-bibtex; charset=utf-8", citing.entry_bibtex),
    "ris": ("application/x-research-info-systems; charset=utf-8", citing.entry_ris),
}


@public_page()
@follow_old_slugs
def cite_entry(request, slug, fmt, number=None):
    """Cite this entry as BibTeX, RIS or CSL-JSON, pointing at the permalink."""
    if fmt not in {"bib", "ris", "json"}:
        raise Http404("Citations come as cite.bib, cite.ris or cite.json.")
    topic, version = _approved_version(slug, number)
    if topic.is_withdrawn or version.is_withdrawn:
        return _gone(request, topic)
    filename = f"{slug}-v{version.number}.{fmt}"
    if fmt == "json":
        response = JsonResponse([citing.entry_item(version)], safe=False)
    else:
        content_type, build = CITE_FORMATS[fmt]
        response = HttpResponse(build(version), content_type=content_type)
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


@public_page()
@follow_old_slugs
def references_bibtex(request, slug, number=None):
    """The works a version cites or lists, as they were when it was approved."""
    topic, version = _approved_version(slug, number)
    if topic.is_withdrawn or version.is_withdrawn:
        return _gone(request, topic)
    works = [Work.from_csl(item) for item in version.works_csl]
    response = HttpResponse(
        works_to_bibtex(works), content_type="application/x-bibtex; charset=utf-8"
    )
    response["Content-Disposition"] = (
        f'inline; filename="{slug}-v{version.number}-references.bib"'
    )
    return response


@public_page(lambda request, slug: slug)
def person_detail(request, slug):
    person = get_object_or_404(Person, slug=slug)
    topics = (
        Topic.objects.live()
        .filter(live_version__key_figure_links__person=person)
        .with_listing()
        .order_by("live_version__title")
    )
    parts = person.name.split()
    works = Work.objects.none()
    if len(parts) >= 2:
        family, given = parts[-1], parts[0]
        # "|lecun, yann" or "|lecun, y." in the normalised author index.
        works = Work.objects.filter(
            author_index__icontains=f"|{family.lower()}, {given[0].lower()}"
        ).order_by("year", "key")
    return render(
        request,
        "topics/person_detail.html",
        {"person": person, "topics": topics, "works": works},
    )


@public_page(query=LIST_QUERY)
def search_view(request):
    """Full-text search over live versions, combined with the list's filters."""
    text = search.clean_query(request.GET.get("q"))
    live = Topic.objects.live().with_listing()
    topic_filter = SearchFilter(request.GET, queryset=live)
    context = {"q": text, "filter": topic_filter, "query": _query_without_page(request)}
    if text and topic_filter.is_valid():
        results = search.search_topics(topic_filter.qs, text)
        page = Paginator(results, 10).get_page(request.GET.get("page"))
        for topic in page:
            topic.snippet = search.highlight(getattr(topic, "headline", ""))
        context["page"] = page
        context["searched"] = True
        if not page.paginator.count:
            context["suggestions"] = search.suggestions(live, text)
    return render(request, "topics/search.html", context)


def _query_without_page(request):
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


def tag_counts():
    """Every tag of a live topic with its number of topics, most used first.

    Counting runs over every live version's tags, so its result is kept in
    the cache for the current generation: recounted once after a change.
    """
    key = f"sg:tag-counts:{pagecache.generation()}"
    counts = cache.get(key)
    if counts is None:
        counts = list(
            Tag.objects.filter(
                topics_taggedversion_items__content_object__state=TopicVersion.State.PUBLISHED,
                topics_taggedversion_items__content_object__topic__is_withdrawn=False,
            )
            .annotate(n=Count("topics_taggedversion_items"))
            .order_by("-n", "name")
            .values("name", "slug", "n")
        )
        cache.set(key, counts, settings.PAGE_CACHE_SECONDS)
    return counts


@public_page()
def tag_list(request):
    tags = sorted(tag_counts(), key=lambda tag: tag["name"].lower())
    return render(request, "topics/tag_list.html", {"tags": tags})


@public_page(query=("page",))
def tag_detail(request, slug):
    tag = get_object_or_404(Tag, slug=slug)
    topics = (
        Topic.objects.live()
        .filter(live_version__tags=tag)
        .with_listing()
        .order_by("live_version__title", "pk")
    )
    page = Paginator(topics, 50).get_page(request.GET.get("page"))
    return render(request, "topics/tag_detail.html", {"tag": tag, "page": page})


def fold(text):
    """Return text without accents, for grouping "Émile" under E."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


@public_page()
def a_to_z(request):
    titles = (
        Topic.objects.live()
        .order_by("live_version__title")
        .values_list("slug", "live_version__title", "live_version__kind")
    )
    groups = {}
    for slug, title, kind in titles:
        first = fold(title[:1]).upper()
        letter = first if first.isalpha() and first.isascii() else "#"
        groups.setdefault(letter, []).append((slug, title, kind))
    letters = sorted(groups, key=lambda c: (c == "#", c))
    for letter in letters:
        groups[letter].sort(key=lambda item: fold(item[1]).lower())
    return render(
        request,
        "topics/a_to_z.html",
        {"groups": [(letter, groups[letter]) for letter in letters]},
    )


def random_topic(request):
    live = Topic.objects.live()
    count = live.count()
    if not count:
        raise Http404("No topic is published yet.")
    slug = live.order_by("pk").values_list("slug", flat=True)[secrets.randbelow(count)]
    response = redirect("topics:detail", slug=slug)
    response["Cache-Control"] = "no-store"
    return response


@public_page()
def robots_txt(request):
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        "Disallow: /search/",
        "Disallow: /random/",
        f"Sitemap: {settings.SCHOLARGATE_SITE_URL}/sitemap.xml",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain")
