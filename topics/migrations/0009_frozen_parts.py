from django.db import migrations, models
from django.template.loader import render_to_string


def freeze_existing(apps, schema_editor):
    """Render the frozen parts of versions approved before they existed."""
    TopicVersion = apps.get_model("topics", "TopicVersion")
    approved = TopicVersion.objects.filter(number__isnull=False).select_related("topic")
    batch = []
    for version in approved.iterator(chunk_size=500):
        structured = version.structured or {}
        context = {
            "version": version,
            "topic": version.topic,
            "key_figures": structured.get("key_figures", []),
            "tags": structured.get("tags", []),
        }
        version.frozen_parts = {
            name: render_to_string(f"topics/includes/aside_{name}.html", context)
            for name in ("people", "entry")
        }
        batch.append(version)
        if len(batch) == 500:
            TopicVersion.objects.bulk_update(batch, ["frozen_parts"])
            batch = []
    TopicVersion.objects.bulk_update(batch, ["frozen_parts"])


class Migration(migrations.Migration):

    dependencies = [
        ("topics", "0008_figures"),
    ]

    operations = [
        migrations.AddField(
            model_name="topicversion",
            name="frozen_parts",
            field=models.JSONField(blank=True, default=dict, editable=False),
        ),
        migrations.RunPython(freeze_existing, migrations.RunPython.noop),
    ]
