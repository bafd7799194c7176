"""Full-text search over live versions.

PostgreSQL: a weighted tsvector per version (title A, summary B, text C) in
the `scholargate` configuration (English stemming, accents folded), ranked,
with highlighted snippets and trigram "did you mean" suggestions. Other
databases (the embedded SQLite mode): every word must occur in the title,
summary or text; results are unranked.
"""

import re

from django.contrib.postgres.search import (
    SearchHeadline,
    SearchQuery,
    SearchRank,
    SearchVector,
    TrigramSimilarity,
)
from django.db import connection
from django.db.models import F, Q, Value
from django.db.models.functions import Substr
from django.utils.html import escape
from django.utils.safestring import mark_safe

from .models import VersionPage

CONFIG = "scholargate"
MAX_QUERY = 200
START, STOP = "\x02", "\x03"
HEADLINE_CHARS = 4000


def is_postgres():
    return connection.vendor == "postgresql"


def index_page(page):
    """Store a version page's search vector (PostgreSQL only)."""
    if not is_postgres():
        return
    version = page.version
    VersionPage.objects.filter(pk=page.pk).update(
        search_vector=SearchVector(Value(version.title), weight="A", config=CONFIG)
        + SearchVector(Value(version.summary), weight="B", config=CONFIG)
        + SearchVector("search_text", weight="C", config=CONFIG)
    )


def clean_query(text):
    return " ".join((text or "").split())[:MAX_QUERY]


def highlight(snippet):
    """Escape a ts_headline snippet, then turn its markers into <mark>."""
    text = escape(snippet or "")
    return mark_safe(text.replace(START, "<mark>").replace(STOP, "</mark>"))


def search_topics(topics, text):
    """Return live topics matching `text`, best first, with `snippet` data."""
    if is_postgres():
        query = SearchQuery(text, search_type="websearch", config=CONFIG)
        return (
            topics.filter(live_version__page__search_vector=query)
            .annotate(
                rank=SearchRank(F("live_version__page__search_vector"), query),
                # ts_headline costs time in proportion to the text: the
                # first few thousand characters give the snippet.
                headline=SearchHeadline(
                    Substr("live_version__page__search_text", 1, HEADLINE_CHARS),
                    query,
                    config=CONFIG,
                    start_sel=START,
                    stop_sel=STOP,
                    max_words=35,
                    min_words=15,
                    max_fragments=2,
                    fragment_delimiter=" … ",
                ),
            )
            .order_by("-rank", "live_version__title", "pk")
        )
    terms = re.findall(r'"([^"]+)"|(\S+)', text)
    for phrase, word in terms:
        term = phrase or word
        topics = topics.filter(
            Q(live_version__title__icontains=term)
            | Q(live_version__summary__icontains=term)
            | Q(live_version__page__search_text__icontains=term)
        )
    return topics.order_by("live_version__title", "pk")


def suggestions(topics, text, limit=3):
    """Titles close to a query that found nothing (PostgreSQL trigrams)."""
    if not is_postgres():
        return []
    return list(
        topics.filter(live_version__title__trigram_similar=text)
        .annotate(similarity=TrigramSimilarity("live_version__title", text))
        .order_by("-similarity")
        .values_list("live_version__title", flat=True)[:limit]
    )
