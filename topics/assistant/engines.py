"""Where the Assistant finds candidate passages: one small interface, one
implementation per database. Another engine (a vector store, say) would
implement `candidates` and be chosen in `engine()`.

Both match the stems the index stores (text.py), so both find the same
candidates; the ranking is the same Python code for both (ranking.py).
"""

from django.db import connection, connections, router
from django.db.models import F

from ..models import Passage

CANDIDATES = 120


PER_NAMED_TOPIC = 15


class Engine:
    def candidates(self, stems: list[str], *, all_of: bool, limit: int) -> list[int]:
        """Ids of live passages holding any (or all) of the stems, the best
        by the engine's own measure first."""
        raise NotImplementedError

    def of_topics(self, topic_ids, per_topic=PER_NAMED_TOPIC) -> list[int]:
        """Ids of the first passages of live topics (those a question names)."""
        if not topic_ids:
            return []
        rows = (
            Passage.objects.filter(
                topic__in=topic_ids,
                topic__is_unpublished=False,
                topic__live_version=F("version"),
            )
            .order_by("topic_id", "position")
            .values_list("topic_id", "pk")
        )
        taken, ids = {}, []
        for topic_id, pk in rows:
            if taken.get(topic_id, 0) < per_topic:
                taken[topic_id] = taken.get(topic_id, 0) + 1
                ids.append(pk)
        return ids


class SqliteEngine(Engine):
    """SQLite's FTS5 (in the standard library's sqlite3), ranked by bm25."""

    def candidates(self, stems, *, all_of, limit=CANDIDATES):
        joiner = " AND " if all_of else " OR "
        match = joiner.join(f'"{s}"' for s in stems)
        with connections[router.db_for_read(Passage)].cursor() as cursor:
            cursor.execute(
                "SELECT f.rowid FROM topics_passage_fts f "
                "JOIN topics_passage p ON p.id = f.rowid "
                "JOIN topics_topic t ON t.id = p.topic_id "
                "WHERE topics_passage_fts MATCH %s AND t.is_unpublished = %s "
                "AND t.live_version_id = p.version_id "
                "ORDER BY bm25(topics_passage_fts) LIMIT %s",
                [match, False, limit],
            )
            return [row[0] for row in cursor.fetchall()]


class PostgresEngine(Engine):
    """PostgreSQL full-text search over the stems (GIN index), ranked by
    cover density (ts_rank_cd: matches close together rank higher)."""

    def candidates(self, stems, *, all_of, limit=CANDIDATES):
        joiner = " & " if all_of else " | "
        query = joiner.join(stems)
        with connections[router.db_for_read(Passage)].cursor() as cursor:
            cursor.execute(
                "SELECT p.id FROM topics_passage p "
                "JOIN topics_topic t ON t.id = p.topic_id "
                "WHERE p.search_vector @@ to_tsquery('simple', %s) "
                "AND t.is_unpublished = false AND t.live_version_id = p.version_id "
                "ORDER BY ts_rank_cd(p.search_vector, to_tsquery('simple', %s)) DESC "
                "LIMIT %s",
                [query, query, limit],
            )
            return [row[0] for row in cursor.fetchall()]


def engine() -> Engine:
    if connection.vendor == "postgresql":
        return PostgresEngine()
    if connection.vendor == "sqlite":
        return SqliteEngine()
    raise NotImplementedError(f"No Assistant engine for {connection.vendor}.")


def passages(ids):
    """The candidate passages with what ranking and the page need."""
    return list(
        Passage.objects.filter(pk__in=ids)
        .select_related("version__topic", "version__page")
        .only(
            "anchor", "section", "heading", "subheading", "number", "tag",
            "position", "text", "html",
            "title_stems", "heading_stems", "tag_stems", "text_stems",
            "version__number", "version__title", "version__approved_at",
            "version__topic__slug",
            "version__page__authors",
        )
    )  # fmt: skip
