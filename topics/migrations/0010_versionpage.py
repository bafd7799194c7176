"""The page of an approved version moves to a model of its own.

Every approved version gets its VersionPage, with the rendered text, works,
authors, cite texts and search data it had; the parts of the page around
the text are rendered again (no Pandoc) from the templates.
"""

import django.contrib.postgres.search
import django.db.models.deletion
from django.db import migrations, models

COPIED = [
    "summary_html", "body_html", "toc", "byline", "author_names", "works_csl",
    "structured", "cite_html", "search_text",
]  # fmt: skip


def copy_pages(apps, schema_editor):
    from topics.services.publishing import fill_parts

    TopicVersion = apps.get_model("topics", "TopicVersion")
    VersionPage = apps.get_model("topics", "VersionPage")
    approved = (
        TopicVersion.objects.filter(state__in=["published", "superseded"])
        .select_related("topic")
        .order_by("pk")
    )
    batch = []
    for version in approved.iterator(chunk_size=500):
        page = VersionPage(
            version=version, **{name: getattr(version, name) for name in COPIED}
        )
        fill_parts(page)
        batch.append(page)
        if len(batch) == 500:
            VersionPage.objects.bulk_create(batch)
            batch = []
    VersionPage.objects.bulk_create(batch)
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "UPDATE topics_versionpage p SET search_vector = v.search_vector "
            "FROM topics_topicversion v WHERE v.id = p.version_id"
        )


def index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "CREATE INDEX IF NOT EXISTS versionpage_search_gin "
            "ON topics_versionpage USING gin (search_vector)"
        )


class Migration(migrations.Migration):
    dependencies = [("topics", "0009_frozen_parts")]

    operations = [
        migrations.CreateModel(
            name="VersionPage",
            fields=[
                (
                    "version",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="page",
                        serialize=False,
                        to="topics.topicversion",
                        verbose_name="version",
                    ),
                ),
                ("summary_html", models.TextField(blank=True)),
                ("body_html", models.TextField(blank=True)),
                ("toc", models.JSONField(blank=True, default=list)),
                ("byline", models.CharField(blank=True, max_length=500)),
                ("author_names", models.JSONField(blank=True, default=list)),
                ("works_csl", models.JSONField(blank=True, default=list)),
                ("structured", models.JSONField(blank=True, default=dict)),
                ("cite_html", models.JSONField(blank=True, default=dict)),
                ("head_html", models.TextField(blank=True)),
                ("header_html", models.TextField(blank=True)),
                ("toc_html", models.TextField(blank=True)),
                ("people_html", models.TextField(blank=True)),
                ("entry_html", models.TextField(blank=True)),
                ("search_text", models.TextField(blank=True)),
                (
                    "search_vector",
                    django.contrib.postgres.search.SearchVectorField(
                        blank=True, null=True
                    ),
                ),
                (
                    "rendered_at",
                    models.DateTimeField(auto_now=True, verbose_name="rendered"),
                ),
            ],
            options={
                "verbose_name": "version page",
                "verbose_name_plural": "version pages",
            },
        ),
        migrations.RunPython(copy_pages, migrations.RunPython.noop),
        migrations.RunPython(index, migrations.RunPython.noop),
    ]
