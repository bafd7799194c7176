from pathlib import Path

import bibtexparser
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from citations.bibtex import works_to_bibtex
from citations.importing import apply_bibtex, preview_bibtex
from citations.models import Work
from citations.validators import validate_citation_key

pytestmark = pytest.mark.django_db
MESSY = (Path(__file__).parent / "fixtures" / "messy.bib").read_text(encoding="utf-8")
ERRORS = {
    "minsky1969perceptrons": "BibTeX syntax error: Unexpected block start",
    "turing1950computing": "the year “circa 1950s” is not a number",
    "shannon1948mathematical": "it has no title",
    "breiman2001forests": "duplicate of breiman2001random (line",
}


def by_key(outcomes):
    return {o.key: o for o in outcomes}


def test_messy_file_gives_the_right_outcome_per_entry():
    outcomes = by_key(preview_bibtex(MESSY))
    assert len(outcomes) >= 24
    for key, reason in ERRORS.items():
        assert outcomes[key].status == "error", key
        assert reason in outcomes[key].reason, outcomes[key].reason
    new = [o for o in outcomes.values() if o.status == "new"]
    assert len(new) == len(outcomes) - len(ERRORS)
    # The parser recovered after the broken entry.
    assert outcomes["kuhn1962structure"].status == "new"


def test_messy_values_are_decoded():
    fields = {k: o.fields for k, o in by_key(preview_bibtex(MESSY)).items()}
    godel = fields["godel1931formal"]
    assert godel["authors"] == [{"family": "Gödel", "given": "Kurt"}]
    assert godel["title"].startswith("Über formal unentscheidbare Sätze")
    assert godel["container_title"] == "Monatshefte für Mathematik und Physik"
    assert fields["schoelkopf1998nonlinear"]["authors"][0] == {
        "family": "Schölkopf",
        "given": "Bernhard",
    }
    assert fields["erdos1959random"]["authors"][0]["family"] == "Erdős"
    assert fields["vandermaaten2008visualizing"]["authors"][0] == {
        "family": "van der Maaten",
        "given": "Laurens",
    }
    assert fields["greff2017lstm"]["title"] == "LSTM: A Search Space Odyssey"
    # @string macros, concatenated with #.
    assert (
        fields["greff2017lstm"]["container_title"]
        == "IEEE Transactions on Neural Networks and Learning Systems"
    )
    assert fields["mikolov2013distributed"]["container_title"] == (
        "Advances in Neural Information Processing Systems"
    )
    # "and others", corporate authors, month macros, DOIs given as URLs.
    assert fields["mikolov2013distributed"]["has_more_authors"] is True
    assert fields["who2019icd11"]["authors"] == [
        {"literal": "World Health Organization"}
    ]
    assert fields["greff2017lstm"]["month"] == 10
    assert fields["bengio1994learning"]["month"] == 3
    assert fields["hinton2006reducing"]["month"] == 7
    assert not fields["schoelkopf1998nonlinear"]["doi"].startswith("http")
    assert fields["hempel1948studies"]["doi"] == "10.1086/286983"
    assert fields["chollet2015keras"]["url"] == "https://keras.io"
    assert fields["bottou2018optimization"]["pages"].count("–") == 1


@pytest.mark.pandoc
def test_import_writes_nothing_in_error_and_a_second_import_is_a_no_op():
    counts = apply_bibtex(preview_bibtex(MESSY))
    assert counts["error"] == len(ERRORS) and counts["updated"] == 0
    assert Work.objects.count() == counts["new"]
    for key in ERRORS:
        assert not Work.objects.filter(key=key).exists()
    work = Work.objects.get(key="godel1931formal")
    assert "Gödel, K. (1931)" in work.reference_html
    again = preview_bibtex(MESSY)
    assert {o.status for o in again} == {"unchanged", "error"}
    assert apply_bibtex(again) == {
        "new": 0,
        "updated": 0,
        "unchanged": counts["new"],
        "error": len(ERRORS),
    }


def test_a_changed_entry_is_reported_as_updated_with_its_fields():
    apply_bibtex(preview_bibtex(MESSY))
    changed = MESSY.replace("volume = {10}", "volume = {11}", 1)
    updated = [o for o in preview_bibtex(changed) if o.status == "updated"]
    assert len(updated) == 1 and updated[0].changed == ["volume"]


def test_doi_of_another_work_in_the_database_is_a_duplicate():
    Work.objects.create(
        key="existing", title="Random Forests", doi="10.1023/A:1010933404324"
    )
    outcomes = by_key(preview_bibtex(MESSY))
    assert "belongs to the work existing" in outcomes["breiman2001random"].reason


def test_export_round_trips_through_bibtexparser():
    apply_bibtex(preview_bibtex(MESSY))
    text = works_to_bibtex(Work.objects.all())
    library = bibtexparser.parse_string(text)
    assert not library.failed_blocks
    assert len(library.entries) == Work.objects.count()
    assert "and others" in library.entries_dict["mikolov2013distributed"]["author"]
    # Importing the export changes nothing.
    assert {o.status for o in preview_bibtex(text)} == {"unchanged"}


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


def test_commands_import_and_export(tmp_path, capsys):
    path = tmp_path / "messy.bib"
    path.write_text(MESSY, encoding="utf-8")
    call_command("import_bibtex", str(path), "--dry-run")
    assert Work.objects.count() == 0
    call_command("import_bibtex", str(path))
    out = capsys.readouterr().out
    assert (
        "in error (not imported)" in out and "error      shannon1948mathematical" in out
    )
    call_command("export_bibtex", "--output", str(tmp_path / "all.bib"))
    exported = bibtexparser.parse_string((tmp_path / "all.bib").read_text())
    assert len(exported.entries) == Work.objects.count()


@pytest.mark.parametrize(
    "key", ["DBLP:journals/nature/LeCunBH15", "doi:10.1038/nature14539", "a_b", "x-1.2"]
)
def test_citation_keys_accept_pandoc_syntax(key):
    validate_citation_key(key)


@pytest.mark.parametrize("key", ["fig:net", "-lead", "trail/", "sp ace"])
def test_invalid_and_reserved_keys_are_refused(key):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        validate_citation_key(key)
