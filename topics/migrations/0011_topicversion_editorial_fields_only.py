"""The version keeps what editors and moderators reason about; one name
per meaning: a topic is unpublished, a version's permalink withdrawn."""

from django.db import migrations

DERIVED = [
    "summary_html", "body_html", "toc", "byline", "author_names", "works_csl",
    "structured", "cite_html", "frozen_head", "frozen_header", "frozen_toc",
    "frozen_people", "frozen_entry", "search_text", "search_vector",
]  # fmt: skip


class Migration(migrations.Migration):
    dependencies = [("topics", "0010_versionpage")]

    operations = [
        *(
            migrations.RemoveField(model_name="topicversion", name=name)
            for name in DERIVED
        ),
        migrations.RenameField(
            model_name="topic", old_name="is_withdrawn", new_name="is_unpublished"
        ),
        migrations.RenameField(
            model_name="topic",
            old_name="withdrawn_reason",
            new_name="unpublished_reason",
        ),
        migrations.RenameField(
            model_name="topicversion",
            old_name="is_withdrawn",
            new_name="is_permalink_withdrawn",
        ),
    ]
