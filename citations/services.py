"""Changes to the bibliography that need more than a model save."""

from django.db import transaction

from scholargate import pagecache

from . import formatting
from .models import Work, WorkEdit

# Works formatted per Pandoc run: 500 take about 2 s, well within its time
# limit on a busy machine (a whole bibliography of 2,000 once took over 15).
REFERENCES_PER_RUN = 500


def refresh_references(works, style=None):
    """Store each work's formatted reference (one Pandoc run for each
    REFERENCES_PER_RUN works)."""
    works = list(works)
    for start in range(0, len(works), REFERENCES_PER_RUN):
        chunk = works[start : start + REFERENCES_PER_RUN]
        formatted = formatting.format_references([w.to_csl() for w in chunk], style)
        for work in chunk:
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
