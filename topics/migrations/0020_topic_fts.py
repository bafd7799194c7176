"""Ranked site search on SQLite: an FTS5 table of the live versions."""

from django.db import migrations


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    schema_editor.execute(
        "CREATE VIRTUAL TABLE IF NOT EXISTS topics_topic_fts USING "
        "fts5(title, summary, body, tokenize='porter unicode61 remove_diacritics 2')"
    )
    VersionPage = apps.get_model("topics", "VersionPage")
    rows = VersionPage.objects.filter(version__state="published").values_list(
        "version__topic_id", "version__title", "version__summary", "search_text"
    )
    with schema_editor.connection.cursor() as cursor:
        cursor.executemany(
            "INSERT INTO topics_topic_fts (rowid, title, summary, body) "
            "VALUES (%s, %s, %s, %s)",
            list(rows),
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute("DROP TABLE IF EXISTS topics_topic_fts")


class Migration(migrations.Migration):
    dependencies = [("topics", "0019_related_terms")]

    operations = [migrations.RunPython(create, drop)]
