"""A first list of how readers ask, for the Assistant: editors extend it
(admin: "Related terms"). The field's own words come with its entries (the
demo's are in topics/demo_content/related-terms.yaml)."""

from django.db import migrations

# readers' words: the entries' words
READERS_WORDS = {
    "invented": "introduced, proposed, described, developed, first",
    "invent": "introduced, proposed, described, developed, first",
    "inventor": "introduced, proposed, described, developed, first",
    "came up with": "introduced, proposed, described, developed, first",
    "come up with": "introduced, proposed, described, developed, first",
    "discovered": "introduced, proposed, described, developed, first",
    "created": "introduced, proposed, described, developed",
    "pioneered": "introduced, proposed, described, developed, first",
    "switch off": "drop, dropped, removing, disappear",
    "turn off": "drop, dropped, removing, disappear",
    "deleting": "drop, dropped, removing, disappear",
    "delete": "drop, dropped, removing, disappear",
    "used for": "applications, applied",
    "good for": "applications, applied",
    "uses of": "applications, applied",
    "any good": "quality, evaluating, measure",
    "how good": "quality, evaluating, measure",
    "copy": "reproduce, verbatim, memorization",
    "remember": "memory, retain, keep",
    "bigger": "larger, scaling",
    "smarter": "capabilities, better",
    "how many": "number",
    "similar": "analogy, related, compared",
    "difference": "differ, versus, whereas",
    "pictures": "images",
    "photos": "images",
    "invention": "introduced, proposed, origin, history",
    "origin": "history, introduced, first",
}


def add(apps, schema_editor):
    RelatedTerm = apps.get_model("topics", "RelatedTerm")
    for phrase, terms in READERS_WORDS.items():
        RelatedTerm.objects.get_or_create(phrase=phrase, defaults={"terms": terms})


class Migration(migrations.Migration):
    dependencies = [("topics", "0018_index_live_versions")]

    operations = [migrations.RunPython(add, migrations.RunPython.noop)]
