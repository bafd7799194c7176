"""Full-text search over live versions.

PostgreSQL: a weighted tsvector per version (title A, summary B, text C) in
the `scholargate` configuration (English stemming, accents folded), ranked,
with highlighted snippets and trigram "did you mean" suggestions.

SQLite (the embedded mode): an FTS5 table of the live versions (title,
summary, text; Porter stemming, accents folded), ranked by bm25 with the
title weighing most, with highlighted snippets. Both take the same query
language: words (all must match), "a phrase", -excluded.
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
from django.db.models.expressions import RawSQL
from django.db.models.functions import Substr
from django.utils.html import escape
from django.utils.safestring import mark_safe

from .models import VersionPage

CONFIG = "scholargate"
MAX_QUERY = 200
START, STOP = "\x02", "\x03"
HEADLINE_CHARS = 2000


def is_postgres():
    return connection.vendor == "postgresql"


FTS_TABLE = "topics_topic_fts"
# bm25 weights of the FTS table's columns: title, summary, text.
FTS_WEIGHTS = (10.0, 4.0, 1.0)
TERM_RE = re.compile(r'(-?)"([^"]*)"|(-?)(\S+)')


def is_sqlite():
    return connection.vendor == "sqlite"


def index_page(page):
    """Store a version page's search vector (PostgreSQL), or the live
    version's row of the FTS table (SQLite)."""
    version = page.version
    if is_sqlite():
        if version.state == version.State.PUBLISHED:
            index_live_sqlite(
                version.topic_id, version.title, version.summary, page.search_text
            )
        return
    if not is_postgres():
        return
    head = SearchVector(Value(version.title), weight="A", config=CONFIG) + SearchVector(
        Value(version.summary), weight="B", config=CONFIG
    )
    VersionPage.objects.filter(pk=page.pk).update(
        head_vector=head,
        search_vector=head + SearchVector("search_text", weight="C", config=CONFIG),
    )


def index_live_sqlite(topic_id, title, summary, text):
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {FTS_TABLE} WHERE rowid = %s", [topic_id])
        cursor.execute(
            f"INSERT INTO {FTS_TABLE} (rowid, title, summary, body) "
            "VALUES (%s, %s, %s, %s)",
            [topic_id, title, summary, text],
        )


def fts_query(text):
    """A reader's query in FTS5's syntax, every term quoted (so that no
    character of theirs is an operator); None when nothing is left to find."""
    wanted, excluded = [], []
    for minus, phrase, word_minus, word in TERM_RE.findall(text):
        term = phrase if phrase or minus else word
        negative = bool(minus or word_minus)
        if not re.search(r"\w", term):
            continue
        quoted = '"' + term.replace('"', '""') + '"'
        (excluded if negative else wanted).append(quoted)
    if not wanted:
        return None
    return " ".join(wanted) + "".join(f" NOT {term}" for term in excluded)


def clean_query(text):
    return " ".join((text or "").split())[:MAX_QUERY]


def highlight(snippet):
    """Escape a ts_headline snippet, then turn its markers into <mark>."""
    text = escape(snippet or "")
    return mark_safe(text.replace(START, "<mark>").replace(STOP, "</mark>"))


# How many topics matching in their title or summary, and how many more
# matching in their text only, are ranked (PostgreSQL). Ranking reads each
# candidate's whole search vector, and a common word matches thousands of
# topics at 100,000: "learning model" took 40 ms with 500 + 500, 30 with
# 300 + 200 and 22 with 200 + 100 (bench/discovery.py's queries; their p95
# is under 50 ms with these). The title and summary rank first anyway.
HEAD_CANDIDATES = 200
TEXT_CANDIDATES = 100


def _ids(ids):
    """A list of ids as one array parameter (PostgreSQL): as `pk__in` of a
    list, Django prepares each of 300 ids on its own, 6 ms a query."""
    return RawSQL("SELECT unnest(%s::bigint[])", [list(ids)])


def search_topics(topics, text):
    """Return live topics matching `text`, best first, with `snippet` data.

    PostgreSQL ranks at most HEAD_CANDIDATES topics matching in their title
    or summary (those that rank best there) and TEXT_CANDIDATES more
    matching in their text: the results are then `capped`.
    """
    if is_postgres():
        query = SearchQuery(text, search_type="websearch", config=CONFIG)
        in_head = list(
            topics.filter(live_version__page__head_vector=query)
            .annotate(head_rank=SearchRank(F("live_version__page__head_vector"), query))
            .order_by("-head_rank", "pk")
            .values_list("pk", flat=True)[: HEAD_CANDIDATES + 1]
        )
        in_text = list(
            topics.filter(live_version__page__search_vector=query)
            .exclude(pk__in=_ids(in_head))
            .order_by()
            .values_list("pk", flat=True)[: TEXT_CANDIDATES + 1]
        )
        capped = len(in_head) > HEAD_CANDIDATES or len(in_text) > TEXT_CANDIDATES
        candidates = in_head[:HEAD_CANDIDATES] + in_text[:TEXT_CANDIDATES]
        results = (
            topics.filter(pk__in=_ids(candidates))
            .annotate(
                rank=SearchRank(F("live_version__page__search_vector"), query),
                # ts_headline costs time in proportion to the text (about
                # 2 ms for 4,000 characters and a five-word query): the
                # first 2,000 give the snippet.
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
        results.capped = capped
        results.found = len(candidates)  # its count, without counting again
        return results
    if is_sqlite():
        return _search_sqlite(topics, text)
    terms = re.findall(r'"([^"]+)"|(\S+)', text)
    for phrase, word in terms:
        term = phrase or word
        topics = topics.filter(
            Q(live_version__title__icontains=term)
            | Q(live_version__summary__icontains=term)
            | Q(live_version__page__search_text__icontains=term)
        )
    return topics.order_by("live_version__title", "pk")


def _search_sqlite(topics, text):
    match = fts_query(text)
    if match is None:
        return topics.none()
    weights = ", ".join(str(w) for w in FTS_WEIGHTS)
    where = f"{FTS_TABLE} MATCH %s AND {FTS_TABLE}.rowid = topics_topic.id"
    return (
        topics.filter(
            pk__in=RawSQL(
                f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s", [match]
            )
        )
        .annotate(
            rank=RawSQL(
                f"SELECT bm25({FTS_TABLE}, {weights}) FROM {FTS_TABLE} WHERE {where}",
                [match],
            ),
            headline=RawSQL(
                f"SELECT snippet({FTS_TABLE}, 2, %s, %s, ' … ', 30) "
                f"FROM {FTS_TABLE} WHERE {where}",
                [START, STOP, match],
            ),
        )
        .order_by("rank", "live_version__title", "pk")
    )


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
