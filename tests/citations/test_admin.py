"""The works' admin (citations/admin.py): BibTeX import with a preview, the
export action, and the topics a correction of a work would change."""

import bibtexparser
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from citations.importing import apply_bibtex, preview_bibtex
from citations.models import Work
from tests.citations.helpers import MESSY
from tests.topics import scenarios

pytestmark = pytest.mark.django_db


@pytest.fixture
def entry(editor, moderator):
    """“Entropy”, citing doe2020, approved twice: (version 1, version 2)."""
    return scenarios.cited_entry(editor, moderator)


def test_admin_import_previews_then_confirms(client, editor):
    client.force_login(editor)
    url = reverse("admin:citations_work_import")
    preview = client.post(
        url, {"file": SimpleUploadedFile("messy.bib", MESSY.encode()), "text": ""}
    )
    html = preview.content.decode()
    assert "What the import would do" in html
    assert 'class="outcome-error"' in html and "it has no title" in html
    assert Work.objects.count() == 0
    confirmed = client.post(url, {"text": MESSY, "confirm": "1"}, follow=True)
    assert "entries with errors were not imported" in confirmed.content.decode()
    assert Work.objects.filter(key="godel1931formal").exists()


def test_admin_import_refuses_an_empty_form(client, editor):
    client.force_login(editor)
    response = client.post(reverse("admin:citations_work_import"), {"text": " "})
    assert "Upload a .bib file or paste BibTeX." in response.content.decode()


def test_admin_export_action_downloads_bibtex(client, editor):
    apply_bibtex(preview_bibtex(MESSY))
    client.force_login(editor)
    keys = list(Work.objects.values_list("pk", flat=True)[:3])
    response = client.post(
        reverse("admin:citations_work_changelist"),
        {"action": "export_bibtex", "_selected_action": keys},
    )
    assert response["Content-Type"].startswith("application/x-bibtex")
    assert len(bibtexparser.parse_string(response.content.decode()).entries) == 3


@pytest.mark.pandoc
def test_work_admin_lists_the_topics_a_correction_would_change(client, entry, editor):
    client.force_login(editor)
    work = Work.objects.get(key="doe2020")
    html = client.get(f"/admin/citations/work/{work.pk}/change/").content.decode()
    assert "next approved version" in html and 'href="/topics/entropy/"' in html


@pytest.mark.django_db
def test_bibtex_over_the_size_limit_is_refused_with_its_size(client, editor, settings):
    """A 3 MB file previewed but its "Import" was refused with a bare 400."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.BIBTEX_MAX_BYTES = 2000
    client.force_login(editor)
    url = reverse("admin:citations_work_import")
    big = "@misc{k, title={" + "x" * 3000 + "}}"
    for data in (
        {"text": big},
        {"file": SimpleUploadedFile("big.bib", big.encode())},
    ):
        response = client.post(url, data)
        assert response.status_code == 200
        html = response.content.decode()
        assert "is 2.9\xa0KB; the limit is 2.0\xa0KB." in html
    assert not Work.objects.filter(key="k").exists()
