from django.db import migrations, models


def fill_shows(apps, schema_editor):
    """The keys of what each stored page shows (topics.reactions.version_keys)."""
    VersionPage = apps.get_model("topics", "VersionPage")
    pages = VersionPage.objects.select_related("version").order_by("pk")
    for page in pages.iterator(chunk_size=500):
        version = page.version
        topics = {version.parent_id}
        topics.update(version.related_links.values_list("target_id", flat=True))
        topics.update(version.text_links.values_list("target_id", flat=True))
        people = set(version.author_links.values_list("person_id", flat=True))
        people.update(version.key_figure_links.values_list("person_id", flat=True))
        works = set(version.citations.values_list("work_id", flat=True))
        works.update(version.seminal_work_links.values_list("work_id", flat=True))
        keys = {f"topic-{pk}" for pk in topics if pk and pk != version.topic_id}
        keys.update(f"person-{pk}" for pk in people)
        keys.update(f"work-{pk}" for pk in works)
        keys.update(
            f"tag-{pk}" for pk in version.tagged_items.values_list("tag_id", flat=True)
        )
        page.shows = sorted(keys)
        page.save(update_fields=["shows"])


class Migration(migrations.Migration):
    dependencies = [("topics", "0021_review_comments")]

    operations = [
        migrations.AddField(
            model_name="versionpage",
            name="shows",
            field=models.JSONField(blank=True, default=list),
        ),
        migrations.RunPython(fill_shows, migrations.RunPython.noop),
    ]
