from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from citations.importing import apply_bibtex, preview_bibtex


class Command(BaseCommand):
    help = "Import a BibTeX file: new and updated entries are written, errors listed."

    def add_arguments(self, parser):
        parser.add_argument("path")
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Show what would happen; write nothing.",
        )

    def handle(self, *, path, dry_run=False, **options):
        try:
            text = Path(path).read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as error:
            raise CommandError(f"Cannot read {path}: {error}") from None
        try:
            outcomes = preview_bibtex(text)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        for outcome in outcomes:
            detail = outcome.reason or ", ".join(outcome.changed)
            self.stdout.write(
                f"{outcome.line or '-':>5}  {outcome.status:<9}  {outcome.key}"
                + (f"  ({detail})" if detail else "")
            )
        if dry_run:
            return
        counts = apply_bibtex(outcomes)
        summary = (
            f"{counts['new']} new, {counts['updated']} updated, "
            f"{counts['unchanged']} unchanged, "
            f"{counts['error']} in error (not imported)."
        )
        style = self.style.WARNING if counts["error"] else self.style.SUCCESS
        self.stdout.write(style(summary))
