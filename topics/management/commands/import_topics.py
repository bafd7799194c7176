from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from topics.content_files import ImportFailed, import_content


class Command(BaseCommand):
    help = "Import topic files (*.md) and bibliographies (*.bib) as one transaction."

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", help="Files or directories.")
        parser.add_argument(
            "--publish",
            action="store_true",
            help="Publish what was imported, recorded as a system action.",
        )
        parser.add_argument(
            "--author", help="Username recorded as the author of the new versions."
        )

    def handle(self, *, paths, publish=False, author=None, **options):
        by = None
        if author:
            by = get_user_model().objects.filter(username=author).first()
            if by is None:
                raise CommandError(f"No user named “{author}”.")

        def progress(items):
            return tqdm(
                items, desc="Rendering", unit="topic", disable=options["verbosity"] < 1
            )

        try:
            versions = import_content(paths, publish=publish, by=by, progress=progress)
        except ImportFailed as failure:
            raise CommandError(
                f"Nothing was imported; {len(failure.problems)} problem(s):\n"
                + "\n".join(f"  - {p}" for p in failure.problems)
            ) from None
        state = "published" if publish else "imported as drafts"
        self.stdout.write(self.style.SUCCESS(f"{len(versions)} topic(s) {state}."))
