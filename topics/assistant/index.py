"""The Assistant's index: the paragraphs of live versions, as passages.

A version's paragraphs are indexed when it is approved (and again when it is
re-rendered); those of the version it replaces leave the index then. Word
frequencies (how many passages hold each stem) are kept up to date with it.
"""

from collections import Counter

from django.contrib.postgres.search import SearchVector
from django.db import connection, transaction
from django.db.models import F

from ..models import Passage, TermFrequency, VersionPage
from . import text

# The row of TermFrequency that counts the passages themselves.
TOTAL = ""
FTS_TABLE = "topics_passage_fts"
# Fewer words than this (an equation alone, a caption's credit) answer nothing.
MIN_WORDS = 6


def _is_postgres():
    return connection.vendor == "postgresql"


def _passages(page: VersionPage) -> list[Passage]:
    """The passages of a page: its paragraphs, less those too short to answer
    anything (a display equation alone); a term of a definition list (a
    debate's name, an FAQ's question) is the sub-heading of what follows."""
    version = page.version
    title = " ".join(text.stems(version.title))
    tags = " ".join(
        text.stems(" ".join(t["name"] for t in page.structured.get("tags", [])))
    )
    passages, subheading = [], ""
    for position, paragraph in enumerate(page.paragraphs, start=1):
        if paragraph["tag"] == "dt":
            subheading = paragraph["text"]
            continue
        if paragraph["tag"] != "dd":
            subheading = ""
        if len(text.words(paragraph["text"])) < MIN_WORDS:
            continue
        heading = " ".join(text.stems(f"{paragraph['heading']} {subheading}"))
        body = " ".join(text.stems(paragraph["text"]))
        terms = " ".join(
            sorted({*title.split(), *heading.split(), *tags.split(), *body.split()})
        )
        passages.append(
            Passage(
                version=version,
                topic_id=version.topic_id,
                anchor=paragraph["id"],
                section=paragraph["section"],
                heading=paragraph["heading"][:200],
                subheading=subheading[:300],
                number=paragraph["number"],
                tag=paragraph["tag"],
                position=position,
                text=paragraph["text"],
                html=paragraph["html"],
                title_stems=title,
                heading_stems=heading,
                tag_stems=tags,
                text_stems=body,
                terms=terms,
            )
        )
    return passages


def _counts(passages) -> Counter:
    """How many of the passages hold each stem (and TOTAL: how many)."""
    counts = Counter()
    for passage in passages:
        counts.update(set(passage.terms.split()))
    counts[TOTAL] = len(passages)
    return counts


def _apply(delta: Counter) -> None:
    """Change the stems' passage counts by `delta`.

    Processes indexing at once (a corpus, a re-render) touch many of the
    same stems: each inserts the new ones, then locks every one it changes,
    in the stems' order, so that none waits for another in a cycle.
    """
    stems = sorted(stem for stem, n in delta.items() if n)
    if not stems:
        return
    known = TermFrequency.objects.in_bulk(stems)
    TermFrequency.objects.bulk_create(
        [TermFrequency(stem=s, passages=0) for s in stems if s not in known],
        batch_size=2000,
        ignore_conflicts=True,
    )
    for start in range(0, len(stems), 2000):
        list(
            TermFrequency.objects.select_for_update()
            .filter(stem__in=stems[start : start + 2000])
            .order_by("stem")
            .values_list("stem", flat=True)
        )
    by_change = {}
    for stem_ in stems:
        by_change.setdefault(delta[stem_], []).append(stem_)
    for n, group in by_change.items():
        for start in range(0, len(group), 2000):
            TermFrequency.objects.filter(stem__in=group[start : start + 2000]).update(
                passages=F("passages") + n
            )


def _remove(passages: list[Passage]) -> None:
    if not passages:
        return
    ids = [p.pk for p in passages]
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            for start in range(0, len(ids), 500):
                chunk = ids[start : start + 500]
                cursor.execute(
                    f"DELETE FROM {FTS_TABLE} WHERE rowid IN "
                    f"({', '.join('%s' for _ in chunk)})",
                    chunk,
                )
    Passage.objects.filter(pk__in=ids).delete()


@transaction.atomic
def index_pages(pages: list[VersionPage]) -> None:
    """Index the paragraphs of pages of live versions, replacing those of
    any other version of the same topics."""
    if not pages:
        return
    topics = {page.version.topic_id for page in pages}
    versions = {page.version.pk for page in pages}
    old = list(Passage.objects.filter(topic__in=topics).only("pk", "terms"))
    _remove(old)
    passages = Passage.objects.bulk_create(
        [p for page in pages for p in _passages(page)], batch_size=1000
    )
    delta = _counts(passages)
    delta.subtract(_counts(old))
    _apply(delta)
    if _is_postgres():
        Passage.objects.filter(version__in=versions).update(
            search_vector=SearchVector("terms", config="simple")
        )
    elif connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.executemany(
                f"INSERT INTO {FTS_TABLE} (rowid, terms) VALUES (%s, %s)",
                [(p.pk, p.terms) for p in passages],
            )


def frequencies(stems) -> tuple[int, dict]:
    """(number of passages, {stem: passages holding it}) for some stems."""
    rows = dict(
        TermFrequency.objects.filter(stem__in=[TOTAL, *stems]).values_list(
            "stem", "passages"
        )
    )
    return rows.pop(TOTAL, 0), rows


# -- Topics a question names ---------------------------------------------------

_titles = {"token": None, "by_stem": {}}


def _title_map():
    """{stem: [(title stems, topic id)]}, each title under one of its stems;
    rebuilt in each process when the site changes (a new page generation)."""
    from scholargate import pagecache

    token = pagecache.generation()
    if _titles["token"] != token:
        by_stem = {}
        rows = Passage.objects.values_list("topic_id", "title_stems").distinct()
        for topic_id, title_stems in rows.iterator(chunk_size=5000):
            title = frozenset(title_stems.split()) - text.STOP_STEMS
            if title:
                by_stem.setdefault(min(title), []).append((title, topic_id))
        _titles.update(token=token, by_stem=by_stem)
    return _titles["by_stem"]


def named_topics(asked: frozenset, limit: int = 5) -> list[int]:
    """Topics whose whole title the question's words name ("What is a CNN?"
    names Convolutional Neural Network through its related terms), the
    longest titles first."""
    by_stem = _title_map()
    found = {}
    for stem_ in asked:
        for title, topic_id in by_stem.get(stem_, ()):
            if title <= asked:
                found[topic_id] = len(title)
    return sorted(found, key=lambda t: (-found[t], t))[:limit]
