from django.db import migrations, models


class Migration(migrations.Migration):
    """Versions approved before keep NULL parts, rendered per request until
    `manage.py rerender_versions --parts-only` freezes them."""

    dependencies = [
        ("topics", "0008_figures"),
    ]

    operations = [
        migrations.AddField(
            model_name="topicversion",
            name=name,
            field=models.TextField(editable=False, null=True),
        )
        for name in (
            "frozen_head",
            "frozen_header",
            "frozen_toc",
            "frozen_people",
            "frozen_entry",
        )
    ]
