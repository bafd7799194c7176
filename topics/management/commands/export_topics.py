from django.core.management.base import BaseCommand

from topics.content_files import export_content


class Command(BaseCommand):
    help = "Write live topics as Markdown files plus bibliography.bib to DIR."

    def add_arguments(self, parser):
        parser.add_argument("directory")
        parser.add_argument("slugs", nargs="*", help="Only these topics.")

    def handle(self, *, directory, slugs, **options):
        written = export_content(directory, slugs=slugs or None)
        self.stdout.write(
            self.style.SUCCESS(f"{len(written)} file(s) written to {directory}.")
        )
