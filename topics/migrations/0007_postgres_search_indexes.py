"""PostgreSQL only: accent-folding English search, GIN indexes, trigrams."""

from django.db import migrations

FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS unaccent",
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    """DO $$ BEGIN
        IF NOT EXISTS (SELECT 1 FROM pg_ts_config WHERE cfgname = 'scholargate') THEN
            CREATE TEXT SEARCH CONFIGURATION scholargate (COPY = english);
            ALTER TEXT SEARCH CONFIGURATION scholargate
                ALTER MAPPING FOR hword, hword_part, word WITH unaccent, english_stem;
        END IF;
    END $$""",
    "CREATE INDEX IF NOT EXISTS topicversion_search_gin "
    "ON topics_topicversion USING gin (search_vector)",
    "CREATE INDEX IF NOT EXISTS topicversion_title_trgm "
    "ON topics_topicversion USING gin (title gin_trgm_ops)",
]
BACKWARD = [
    "DROP INDEX IF EXISTS topicversion_title_trgm",
    "DROP INDEX IF EXISTS topicversion_search_gin",
    "DROP TEXT SEARCH CONFIGURATION IF EXISTS scholargate",
]


def run(statements):
    def apply(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for statement in statements:
            schema_editor.execute(statement)

    return apply


class Migration(migrations.Migration):
    dependencies = [("topics", "0006_search_links_and_old_slugs")]

    operations = [migrations.RunPython(run(FORWARD), run(BACKWARD))]
