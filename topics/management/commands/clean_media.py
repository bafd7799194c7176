"""Delete stored figure files that no figure refers to.

An upload is stored when its form is valid, before the transaction that
saves the figure commits; if that transaction rolls back (an edit conflict,
a failed check elsewhere on the page), its files stay behind: renditions in
the media store, the original in the store of originals. Files shared by
versions stay as long as one figure refers to them.
"""

from datetime import timedelta

from django.core.files.storage import default_storage
from django.core.management.base import BaseCommand
from django.utils import timezone

from topics.images import originals_storage
from topics.models import Figure

ROOT = "figures"


def stored_files(storage, folder=ROOT):
    """Every file below `folder` in a storage."""
    if not storage.exists(folder):
        return
    folders, files = storage.listdir(folder)
    for name in files:
        yield f"{folder}/{name}"
    for sub in folders:
        yield from stored_files(storage, f"{folder}/{sub}")


class Command(BaseCommand):
    help = "Delete figure files no figure refers to (left by rolled-back uploads)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="List the files, delete nothing."
        )
        parser.add_argument(
            "--older-than",
            type=int,
            default=60,
            metavar="MINUTES",
            help="Only files stored at least this long ago (default 60): an "
            "upload being saved right now is not yet referred to.",
        )

    def handle(self, *, dry_run=False, older_than=60, **options):
        used = set()
        for image, renditions in Figure.objects.values_list("image", "renditions"):
            used.add(image)
            used.update(r["name"] for r in renditions)
        cutoff = timezone.now() - timedelta(minutes=older_than)
        orphans = [
            (storage, name)
            for storage in (default_storage, originals_storage())
            for name in stored_files(storage)
            if name not in used and storage.get_modified_time(name) <= cutoff
        ]
        for storage, name in orphans:
            self.stdout.write(name)
            if not dry_run:
                storage.delete(name)
        verb = "would be deleted" if dry_run else "deleted"
        self.stdout.write(
            self.style.SUCCESS(f"{len(orphans)} unreferenced file(s) {verb}.")
        )
