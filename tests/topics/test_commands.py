"""Management commands (topics/management/commands/): load_demo,
rerender_versions and clean_media. The import and export commands are
tested with the content files they read and write (test_content_files.py)."""

import io

import pytest
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command

from citations.models import Work
from tests.factories import make_draft
from tests.topics import scenarios
from tests.topics.helpers import drawing_bytes
from topics import images, services
from topics.models import Figure, Topic, TopicVersion

pytestmark = pytest.mark.django_db


@pytest.fixture
def entry(editor, moderator):
    """“Entropy”, citing doe2020, approved twice: (version 1, version 2)."""
    return scenarios.cited_entry(editor, moderator)


def test_demo_loads_once(capsys):
    call_command("load_demo")
    counts = (Topic.objects.count(), TopicVersion.objects.count(), Work.objects.count())
    call_command("load_demo")
    assert (
        Topic.objects.count(),
        TopicVersion.objects.count(),
        Work.objects.count(),
    ) == counts
    assert "nothing to do" in capsys.readouterr().out
    deep = Topic.objects.get(slug="deep-learning").live_version
    kinds = {s.kind for s in deep.sections.all()}
    assert kinds >= {"definition", "scope", "core_questions", "key_theories",
                     "relevance", "history", "debates", "faq"}  # fmt: skip


@pytest.mark.pandoc
def test_rerender_command_changes_formatting_only(client, entry):
    before = client.get("/topics/entropy/").content.decode()
    assert "(Doe, 2020, p. 2)" in before.replace(
        '<a href="#ref-doe2020" role="doc-biblioref">', ""
    ).replace("</a>", "")
    call_command(
        "rerender_versions", "--style", "ieee", "--processes", "1", "--batch", "1",
        verbosity=0,
    )  # fmt: skip
    after = client.get("/topics/entropy/").content.decode()
    assert "[1, p. 2]" in after.replace(
        '<a href="#ref-doe2020" role="doc-biblioref">', ""
    ).replace("</a>", "")
    assert "Entropy measures uncertainty" in after


@pytest.mark.django_db
def test_rerender_command_refuses_an_empty_batch():
    with pytest.raises(CommandError, match="--batch must be at least 1"):
        call_command("rerender_versions", "--batch", "0", verbosity=0)


@pytest.mark.pandoc
def test_rerendering_in_batches_stores_what_one_at_a_time_would(entry):
    from topics.models import VersionPage

    fields = ["body_html", "summary_html", "paragraphs", "cite_html", "header_html"]
    ids = sorted(v.pk for v in entry)

    def stored():
        return list(
            VersionPage.objects.filter(version_id__in=ids)
            .order_by("pk")
            .values_list(*fields)
        )

    services.rerender_versions(version_ids=ids, style="ieee")
    together = stored()
    services.rerender_versions(version_ids=ids, style="apa")
    for pk in ids:
        services.rerender_version(version_id=pk, style="ieee")
    assert stored() == together
    assert "[1, p. 2]" in "".join(
        row[0]
        .replace('<a href="#ref-doe2020" role="doc-biblioref">', "")
        .replace("</a>", "")
        for row in together
    )


@pytest.mark.django_db
def test_clean_media_deletes_only_old_unreferenced_files(editor):
    import os
    import time

    draft = make_draft(by=editor)
    figure = Figure(version=draft, position=1, alt="A blue rectangle.")
    services.store_figure_image(
        figure=figure, upload=check(drawing_bytes(colour=(1, 2, 3)), "kept.png")
    )
    figure.save()
    originals = images.originals_storage()
    # A rolled-back upload left these behind (a rendition and an original);
    # one is still being saved.
    orphan = default_storage.save("figures/zz/orphan-480.webp", io.BytesIO(b"x"))
    lost = originals.save("figures/originals/zz/lost.png", io.BytesIO(b"x"))
    fresh = default_storage.save("figures/zz/fresh-480.webp", io.BytesIO(b"x"))
    hour_ago = time.time() - 2 * 3600
    for storage, name in [
        (default_storage, orphan),
        (originals, lost),
        (originals, figure.image.name),
        *((default_storage, r["name"]) for r in figure.renditions),
    ]:
        os.utime(storage.path(name), (hour_ago, hour_ago))
    out = io.StringIO()
    call_command("clean_media", "--dry-run", stdout=out)
    assert orphan in out.getvalue() and lost in out.getvalue()
    assert default_storage.exists(orphan)
    call_command("clean_media", stdout=io.StringIO())
    assert not default_storage.exists(orphan) and not originals.exists(lost)
    assert default_storage.exists(fresh)
    assert originals.exists(figure.image.name)
    assert all(default_storage.exists(r["name"]) for r in figure.renditions)
    default_storage.delete(fresh)


def check(data, name):
    return images.check_upload(io.BytesIO(data), name)
