"""Changes to the bibliography that need more than a model save."""

from django.db import transaction

from scholargate import pagecache

from . import formatting
from .models import Work, WorkEdit


def refresh_references(works, style=None):
    """Store each work's formatted reference (one Pandoc run for all)."""
    works = list(works)
    formatted = formatting.format_references([w.to_csl() for w in works], style)
    for work in works:
        work.reference_html = formatted.get(work.key, "")
    Work.objects.bulk_update(works, ["reference_html"], batch_size=500)
    pagecache.changed("works")  # work pages show the reference


@transaction.atomic
def save_work(*, work, by=None):
    """Validate and save a work, record who changed it, then format its
    reference for readers."""
    work.full_clean()
    work.save()
    WorkEdit.objects.create(work=work, by=by)
    refresh_references([work])
    return work
