"""The Assistant's index of the live versions that were approved before it."""

from django.db import migrations


def index_live(apps, schema_editor):
    from topics.assistant.index import index_pages
    from topics.models import VersionPage

    # The present model: columns added by later migrations are not there yet.
    pages = (
        VersionPage.objects.select_related("version__topic")
        .filter(version__state="published")
        .defer("shows", "head_vector")
    )
    batch = []
    for page in pages.iterator(chunk_size=200):
        batch.append(page)
        if len(batch) == 200:
            index_pages(batch)
            batch = []
    index_pages(batch)


class Migration(migrations.Migration):
    dependencies = [("topics", "0017_assistant")]

    operations = [migrations.RunPython(index_live, migrations.RunPython.noop)]
