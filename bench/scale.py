#!/usr/bin/env python
"""Grow a benchmark database built by bench/build-corpus tenfold, in SQL.

    .venv/bin/python bench/scale.py SOURCE TARGET [--copies 9]

Creates database TARGET from SOURCE (PostgreSQL's CREATE DATABASE ...
TEMPLATE) and adds COPIES copies of each generated topic (slugs `gen1-…`)
as it is live: topic, live version (title and slug suffixed with the copy's
number), stored page with its search vector, tags, related topics, links
and the Assistant's passages; the Assistant's term counts are scaled with
them. Then VACUUM ANALYZE.

What it is for: the readers' side at ten times the size (search, lists,
tags, the Assistant, topic pages), in minutes. What it is not: a build
through the site's services (bench/build-corpus is; at 10,000 topics it
renders every version with Pandoc). Copies repeat their original's words,
so a word is in the same share of topics as in SOURCE: search and the
Assistant find ten times as many matches, which is what they must bear.
Old versions and the editors' rows (sections, citations) are not copied.
"""

import argparse
import subprocess
import time

import psycopg

OFFSET = 10_000_000  # copy k of row id n is n + k * OFFSET


def copy_sql(k: int) -> list[str]:
    o = k * OFFSET
    generated = (
        f"SELECT id FROM topics_topic WHERE slug LIKE 'gen1-topic-%' AND id < {OFFSET}"
    )
    live = f"SELECT live_version_id FROM topics_topic WHERE id IN ({generated})"

    # A reference to a generated topic goes to the same copy; others stay.
    def topic_ref(column):
        return (
            f"CASE WHEN {column} IN ({generated}) THEN {column} + {o} ELSE {column} END"
        )

    return [
        f"""INSERT INTO topics_topic (id, slug, created_at, first_published_at,
            is_unpublished, unpublished_reason, draft_version_id, live_version_id)
        SELECT id + {o}, slug || '-{k}', created_at, first_published_at,
            is_unpublished, unpublished_reason, NULL, NULL
        FROM topics_topic WHERE id IN ({generated})""",
        f"""INSERT INTO topics_topicversion (id, number, state, title, summary, kind,
            edit_summary, edit_count, created_at, updated_at, submitted_at,
            approved_at, is_permalink_withdrawn, approved_by_id, based_on_id,
            created_by_id, parent_id, topic_id, last_edited_by_id)
        SELECT id + {o}, number, state, title || ' {k}', summary, kind, edit_summary,
            edit_count, created_at, updated_at, submitted_at, approved_at,
            is_permalink_withdrawn, approved_by_id, NULL, created_by_id,
            {topic_ref("parent_id")}, topic_id + {o}, last_edited_by_id
        FROM topics_topicversion WHERE id IN ({live})""",
        f"""UPDATE topics_topic t SET live_version_id = s.live_version_id + {o}
        FROM topics_topic s WHERE t.id = s.id + {o} AND s.id IN ({generated})""",
        f"""INSERT INTO topics_versionpage (version_id, summary_html, body_html, toc,
            byline, author_names, works_csl, structured, cite_html, head_html,
            header_html, toc_html, people_html, entry_html, search_text,
            search_vector, rendered_at, authors, paragraphs, shows)
        SELECT version_id + {o}, summary_html, body_html, toc, byline, author_names,
            works_csl, structured, cite_html, head_html, header_html, toc_html,
            people_html, entry_html, search_text, search_vector, rendered_at,
            authors, paragraphs, shows
        FROM topics_versionpage WHERE version_id IN ({live})""",
        f"""INSERT INTO topics_taggedversion (id, tag_id, content_object_id)
        SELECT id + {o}, tag_id, content_object_id + {o}
        FROM topics_taggedversion WHERE content_object_id IN ({live})""",
        f"""INSERT INTO topics_relatedtopic (id, stable_key, position, target_id,
            version_id)
        SELECT id + {o}, stable_key, position, {topic_ref("target_id")},
            version_id + {o}
        FROM topics_relatedtopic WHERE version_id IN ({live})""",
        f"""INSERT INTO topics_topiclink (id, target_id, version_id)
        SELECT id + {o}, {topic_ref("target_id")}, version_id + {o}
        FROM topics_topiclink WHERE version_id IN ({live})""",
        f"""INSERT INTO topics_passage (id, anchor, section, heading, subheading,
            number, tag, position, text, html, title_stems, heading_stems,
            tag_stems, text_stems, terms, search_vector, topic_id, version_id)
        SELECT id + {o}, anchor, section, heading, subheading, number, tag,
            position, text, html, title_stems, heading_stems, tag_stems,
            text_stems, terms, search_vector, topic_id + {o}, version_id + {o}
        FROM topics_passage WHERE version_id IN ({live})""",
    ]


SEQUENCES = [
    "topics_topic",
    "topics_topicversion",
    "topics_taggedversion",
    "topics_relatedtopic",
    "topics_topiclink",
    "topics_passage",
]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source")
    parser.add_argument("target")
    parser.add_argument("--copies", type=int, default=9)
    parser.add_argument("--host", default="127.0.0.1")
    args = parser.parse_args()
    started = time.monotonic()
    url = f"postgres://postgres@{args.host}:5432/"
    with psycopg.connect(url + "postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{args.target}"')
        admin.execute(f'CREATE DATABASE "{args.target}" TEMPLATE "{args.source}"')
    with psycopg.connect(url + args.target) as db:
        generated = db.execute(
            "SELECT count(*) FROM topics_topic WHERE slug LIKE 'gen1-topic-%'"
        ).fetchone()[0]
        with db.transaction():
            for k in range(1, args.copies + 1):
                for statement in copy_sql(k):
                    db.execute(statement)
                print(f"copy {k}: {generated} topics", flush=True)
            # Every passage's stems are now counted copies + 1 times (the
            # demo's few are counted too often: under 1% of them).
            db.execute(
                "UPDATE topics_termfrequency SET passages = passages * %s",
                [args.copies + 1],
            )
            for table in SEQUENCES:
                db.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"(SELECT max(id) FROM {table}))"
                )
        live = db.execute(
            "SELECT count(*) FROM topics_topic WHERE live_version_id IS NOT NULL"
        ).fetchone()[0]
    subprocess.run(
        ["psql", "-h", args.host, "-U", "postgres", "-q", "-c", "VACUUM ANALYZE",
         args.target],
        check=True,
    )  # fmt: skip
    print(f"{args.target}: {live} live topics, in {time.monotonic() - started:.0f} s.")


if __name__ == "__main__":
    main()
