import hashlib
import secrets
import unicodedata
from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.core.cache import cache, caches
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import InvalidPage, Paginator
from django.db.models import Count, F, Window
from django.db.models.functions import RowNumber
from django.http import (
    Http404,
    HttpResponse,
    HttpResponsePermanentRedirect,
    JsonResponse,
)
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.views.decorators.cache import never_cache
from taggit.models import Tag

from citations.bibtex import works_to_bibtex
from citations.models import Work
from scholargate import pagecache
from scholargate.pagecache import public_page, shows, shows_topics
from scholargate.pagecache.middleware import QUERY_PAGES

from . import citing, metadata, reactions, search, selectors
from .diff import diff_versions
from .filters import SearchFilter, TopicFilter
from .models import (
    Kind,
    OldSlug,
    Person,
    Topic,
    TopicVersion,
    absolute_url,
    topic_url,
)
from .services import EDIT_PERMISSION, preview_page


def page_context(page, *, is_preview=False) -> dict:
    """Everything a topic page shows: its stored page and what is around it."""
    version = page.version
    topic = version.topic
    around = selectors.surroundings(topic, version)
    is_current = version.pk == topic.live_version_id
    context = {
        "page": page,
        "version": version,
        "topic": topic,
        "is_current": is_current,
        "is_preview": is_preview,
        **around,
    }
    if not is_preview:
        path = topic_url(topic.slug) if is_current else version.get_absolute_url()
        context["canonical"] = canonical = absolute_url(path)
        context["breadcrumbs_json_ld"] = mark_safe(
            metadata.breadcrumbs_json_ld(
                version.title, canonical, around["breadcrumbs"]
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
            rest = request.path.removeprefix(topic_url(slug))
            new = topic_url(old.topic.slug) + rest
            if request.META.get("QUERY_STRING"):
                new += "?" + request.META["QUERY_STRING"]
            return HttpResponsePermanentRedirect(new)

    return wrapper


def _live_topic(request, slug):
    """A live topic for the pages about it (history, compare, cite), which
    never show its stored page."""
    topic = get_object_or_404(Topic.objects.select_related("live_version"), slug=slug)
    if topic.live_version is None:
        raise Http404("This topic has not been published yet.")
    shows(request, reactions.topic_key(topic.pk))
    return topic


def _shows_page(request, page, context):
    """A topic page shows its topic, what its version names, and the topics
    listed around it."""
    key = reactions.topic_key(page.version.topic_id)
    shown = page.shows
    if len(shown) > settings.SURROGATE_KEYS_MAX:
        # Named by kind: any change of a work, person, tag or topic purges it.
        shown = ["works", "people", "tags", "recent"]
    shows(request, key, reactions.list_key(key), *shown)
    shows_topics(request, context["topic_ids"])
    # The tree shows each sub-topic's own sub-topics: their lists too.
    tree = context["tree_ids"]
    if len(tree) > settings.SURROGATE_KEYS_MAX:
        shows(request, "recent")
    else:
        shows(request, *(reactions.list_key(reactions.topic_key(pk)) for pk in tree))
    return context


def _gone(request, topic):
    shows(request, reactions.topic_key(topic.pk))
    return render(request, "topics/topic_gone.html", {"topic": topic}, status=410)


@public_page()
@follow_old_slugs
def topic_detail(request, slug):
    page = selectors.topic_page(slug)
    if page.version.topic.is_unpublished:
        return _gone(request, page.version.topic)
    context = _shows_page(request, page, page_context(page))
    return render(request, "topics/topic_detail.html", context)


@public_page()
@follow_old_slugs
def version_detail(request, slug, number):
    page = selectors.topic_page(slug, number)
    version = page.version
    if version.topic.is_unpublished or version.is_permalink_withdrawn:
        return _gone(request, version.topic)
    context = _shows_page(request, page, page_context(page))
    return render(request, "topics/topic_detail.html", context)


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
        and (version.has_author(user) or user.has_perm(EDIT_PERMISSION))
    ):
        raise PermissionDenied
    if version.is_open or not hasattr(version, "page"):
        try:
            page = preview_page(version)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect("admin:topics_topicversion_change", version.pk)
    else:
        page = version.page
    return render(
        request, "topics/topic_detail.html", page_context(page, is_preview=True)
    )


# The query parameters of lists and search (django-filter's and the pages').
LIST_QUERY = ("q", "kind", "tag", "parent", "revised_since", "page")


class CountedPaginator(Paginator):
    """A paginator told its count (a count kept in the cache)."""

    def __init__(self, items, per_page, count):
        super().__init__(items, per_page)
        self.__dict__["count"] = count  # Paginator.count is a cached_property


def page_of(request, items, per_page, count=None):
    """The page of `items` the address asks for; 404 for a page that does not
    exist (made-up page numbers get no page of their own)."""
    paginator = (
        Paginator(items, per_page)
        if count is None
        else CountedPaginator(items, per_page, count)
    )
    try:
        return paginator.page(request.GET.get("page", 1))
    except InvalidPage:
        raise Http404("No such page.") from None


def kept(name, compute):
    """`compute()`, kept in the cache for the current generation: what
    every list page needs and only a change alters (at 100,000 topics,
    counting them takes longer than the rest of a list page)."""
    key = f"sg:{name}:{pagecache.generation()}"
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, settings.PAGE_CACHE_SECONDS)
    return value


def live_count() -> int:
    """How many topics are live (kept per generation)."""
    return kept("live-count", Topic.objects.live().count)


def list_count(request, queryset) -> int:
    """How many topics a filtered list has, kept per generation in the
    bounded cache of pages with a query string: made-up filters can never
    push anything else out."""
    query = request.GET.copy()
    query.pop("page", None)
    digest = hashlib.sha256(query.urlencode().encode()).hexdigest()[:32]
    key = f"sg:list-count:{digest}:{pagecache.generation()}"
    store = caches[QUERY_PAGES]
    count = store.get(key)
    if count is None:
        count = queryset.count()
        if count:  # a filter that finds nothing (a made-up tag) is not kept
            store.set(key, count, settings.PAGE_CACHE_SECONDS)
    return count


def _filtered(response, topic_filter, page=None):
    """A page for filters that were not valid, or that found nothing (a
    made-up tag or query), is shown but not cached."""
    if not topic_filter.is_valid() or page is None or not page.paginator.count:
        response.public_page = False
    return response


@public_page(query=LIST_QUERY, keys=("recent",))
def topic_list(request):
    topics = Topic.objects.live().with_listing().by_title()
    topic_filter = TopicFilter(request.GET, queryset=topics)
    filtered = not topic_filter.is_valid() or any(
        topic_filter.form.cleaned_data.values()
    )
    if not topic_filter.is_valid():
        # Shown with its errors, never counted nor stored.
        page = page_of(request, topic_filter.qs, 50)
    elif filtered:
        page = page_of(
            request, topic_filter.qs, 50, count=list_count(request, topic_filter.qs)
        )
    else:
        page = _all_topics_page(request)
    response = render(
        request,
        "topics/topic_list.html",
        {
            "filter": topic_filter,
            "page": page,
            "query": _query_without_page(request),
        },
    )
    return _filtered(response, topic_filter, page)


def _all_topics_page(request):
    """A page of every live topic by title: the page's 50 versions from the
    index of live titles alone, then their topics. Joined row by row, page
    50 took 35 ms at 100,000 topics (2,500 rows read to skip 2,450)."""
    taken_down = Topic.objects.filter(is_unpublished=True, live_version__isnull=False)
    version_ids = (
        TopicVersion.objects.filter(state=TopicVersion.State.PUBLISHED)
        .exclude(pk__in=taken_down.values("live_version_id"))
        .order_by("title", "id")
        .values_list("pk", flat=True)
    )
    page = page_of(request, version_ids, 50, count=live_count())
    found = {
        topic.live_version_id: topic
        for topic in Topic.objects.with_listing().filter(
            live_version_id__in=list(page.object_list)
        )
    }
    page.object_list = [found[pk] for pk in page.object_list if pk in found]
    return page


HOME_FIELDS = 24
HOME_CHILDREN = 8


@public_page(keys=("recent", "tags"))
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
        # Links only: as model instances, 200 of them took a third of the page.
        .values_list("live_version__parent_id", "slug", "live_version__title")
    )
    children = {}
    for parent_id, slug, title in first_children:
        children.setdefault(parent_id, []).append((topic_url(slug), title))
    # From the index on (state, approved_at), newest first: eight rows read
    # however many topics there are.
    recent = (
        TopicVersion.objects.filter(
            state=TopicVersion.State.PUBLISHED, topic__is_unpublished=False
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
            "topic_count": live_count(),
        },
    )


@public_page()
@follow_old_slugs
def topic_history(request, slug):
    topic = _live_topic(request, slug)
    if topic.is_unpublished:
        return _gone(request, topic)
    versions = list(
        topic.versions.approved()
        .select_related("page")
        .order_by("-number")
        .only(
            "topic",
            "number",
            "approved_at",
            "edit_summary",
            "is_permalink_withdrawn",
            "title",
            "page__byline",
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
    if not (0 < a and b < 10**9):
        raise Http404("Versions are numbered 1, 2, 3…")
    return redirect("topics:compare", slug=slug, a=a, b=b)


@public_page()
@follow_old_slugs
def compare_versions(request, slug, a, b):
    topic = _live_topic(request, slug)
    if topic.is_unpublished:
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
    if old.is_permalink_withdrawn or new.is_permalink_withdrawn:
        return _gone(request, topic)
    return render(
        request,
        "topics/topic_compare.html",
        {"topic": topic, "old": old, "new": new, "diff_html": _compared(old, new)},
    )


def _compared(old, new):
    """The diff of two approved versions, which never changes: computed once
    (for every reader, signed in or not, whatever the address)."""
    stamps = f"{old.approved_at.timestamp()}:{new.approved_at.timestamp()}"
    key = f"sg:compare:{pagecache.build_id()}:{old.pk}:{new.pk}:{stamps}"
    html = cache.get(key)
    if html is None:
        diff = diff_versions(old, new)
        html = render_to_string("topics/includes/diff.html", {"diff": diff})
        cache.set(key, html, COMPARE_SECONDS)
    return mark_safe(html)


# A month: approved versions never change, but pairs are many.
COMPARE_SECONDS = 30 * 24 * 3600


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
    topic, page = selectors.approved_page(_live_topic(request, slug), number)
    if topic.is_unpublished or page.version.is_permalink_withdrawn:
        return _gone(request, topic)
    filename = f"{topic.slug}-v{page.version.number}.{fmt}"
    if fmt == "json":
        response = JsonResponse([citing.entry_item(page)], safe=False)
    else:
        content_type, build = CITE_FORMATS[fmt]
        response = HttpResponse(build(page), content_type=content_type)
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


@public_page(query=("panel",))
@follow_old_slugs
def cite_part(request, slug, number, anchor):
    """Cite a section or a paragraph of an approved version: APA, Chicago and
    BibTeX, pointing at the permalink with its anchor. `?panel=1` gives the
    texts alone, for the panel the topic page opens in place."""
    topic, page = selectors.approved_page(_live_topic(request, slug), number)
    if topic.is_unpublished or page.version.is_permalink_withdrawn:
        return _gone(request, topic)
    part = citing.find_part(page, anchor)
    if part is None:
        raise Http404("This version has no such paragraph or section.")
    template = (
        "topics/includes/cite_part.html"
        if request.GET.get("panel")
        else "topics/cite_part.html"
    )
    return render(
        request,
        template,
        {
            "topic": topic,
            "version": page.version,
            "part": part,
            "label": citing.part_label(part),
            "texts": citing.part_texts(page, part),
            "link": page.version.get_absolute_url() + "#" + anchor,
        },
    )


@public_page()
@follow_old_slugs
def references_bibtex(request, slug, number=None):
    """The works a version cites or lists, as they were when it was approved."""
    topic, page = selectors.approved_page(_live_topic(request, slug), number)
    if topic.is_unpublished or page.version.is_permalink_withdrawn:
        return _gone(request, topic)
    works = [Work.from_csl(item) for item in page.works_csl]
    response = HttpResponse(
        works_to_bibtex(works), content_type="application/x-bibtex; charset=utf-8"
    )
    response["Content-Disposition"] = (
        f'inline; filename="{topic.slug}-v{page.version.number}-references.bib"'
    )
    return response


@public_page()
def person_detail(request, slug):
    person = get_object_or_404(Person, slug=slug)
    key = f"person-{person.pk}"
    shows(request, key, reactions.list_key(key), "works")
    live = Topic.objects.live().with_listing().order_by("live_version__title")
    topics = live.filter(live_version__key_figure_links__person=person)
    authored = live.filter(live_version__author_links__person=person)
    parts = person.name.split()
    works = Work.objects.none()
    if len(parts) >= 2:
        family, given = parts[-1], parts[0]
        # "|lecun, yann" or "|lecun, y." in the normalised author index.
        works = Work.objects.filter(
            author_index__icontains=f"|{family.lower()}, {given[0].lower()}"
        ).order_by("year", "key")
    shows_topics(request, [t.pk for t in topics] + [t.pk for t in authored])
    return render(
        request,
        "topics/person_detail.html",
        {"person": person, "topics": topics, "authored": authored, "works": works},
    )


@public_page(query=LIST_QUERY, keys=("recent",))
def search_view(request):
    """Full-text search over live versions, combined with the list's filters."""
    text = search.clean_query(request.GET.get("q"))
    live = Topic.objects.live().with_listing()
    topic_filter = SearchFilter(request.GET, queryset=live)
    context = {"q": text, "filter": topic_filter, "query": _query_without_page(request)}
    if text and topic_filter.is_valid():
        results = search.search_topics(topic_filter.qs, text)
        page = page_of(request, results, 10, count=getattr(results, "found", None))
        for topic in page:
            topic.snippet = search.highlight(getattr(topic, "headline", ""))
        context["page"] = page
        context["searched"] = True
        context["capped"] = getattr(results, "capped", False)
        if not page.paginator.count:
            context["suggestions"] = search.suggestions(live, text)
    response = render(request, "topics/search.html", context)
    return _filtered(response, topic_filter, context.get("page"))


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
                topics_taggedversion_items__content_object__topic__is_unpublished=False,
            )
            .annotate(n=Count("topics_taggedversion_items"))
            .order_by("-n", "name")
            .values("name", "slug", "n")
        )
        cache.set(key, counts, settings.PAGE_CACHE_SECONDS)
    return counts


@public_page(keys=("recent", "tags"))
def tag_list(request):
    tags = sorted(tag_counts(), key=lambda tag: tag["name"].lower())
    return render(request, "topics/tag_list.html", {"tags": tags})


@public_page(query=("page",))
def tag_detail(request, slug):
    tag = get_object_or_404(Tag, slug=slug)
    # The tag's live topics in title order, as ids kept per generation: the
    # database walks all titles to find one tag's (a page of a tag used by
    # 2,000 of 100,000 topics took 25 ms, and counting them 35).
    ids = kept(
        f"tag-topics:{tag.pk}",
        lambda: list(
            Topic.objects.live()
            .filter(live_version__tags=tag)
            .by_title()
            .values_list("pk", flat=True)
        ),
    )
    if not ids:
        # A tag only drafts (or unpublished topics) use is not public.
        raise Http404("No published topic has this tag.")
    page = page_of(request, ids, 50)
    found = Topic.objects.with_listing().in_bulk(list(page.object_list))
    page.object_list = [found[pk] for pk in page.object_list if pk in found]
    key = f"tag-{tag.pk}"
    shows(request, key, reactions.list_key(key))
    shows_topics(request, [topic.pk for topic in page.object_list])
    return render(request, "topics/tag_detail.html", {"tag": tag, "page": page})


def fold(text):
    """Return text without accents, for grouping "Émile" under E."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


@public_page(keys=("recent",))
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
