from django.core.management.base import BaseCommand

from citations.bibtex import works_to_bibtex
from citations.models import Work


class Command(BaseCommand):
    help = "Write the whole bibliography as BibTeX (to a file, or standard output)."

    def add_arguments(self, parser):
        parser.add_argument("--output", "-o", help="File to write; default: stdout.")

    def handle(self, *, output=None, **options):
        text = works_to_bibtex(Work.objects.all())
        if output:
            with open(output, "w", encoding="utf-8") as handle:
                handle.write(text)
            self.stderr.write(f"{Work.objects.count()} works written to {output}.")
        else:
            self.stdout.write(text, ending="")
