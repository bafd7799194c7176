"""Importing BibTeX (citations/importing.py): one outcome per entry, entries
in error never written, updates and duplicates reported."""

import pytest

from citations.importing import apply_bibtex, preview_bibtex
from citations.models import Work
from tests.citations.helpers import MESSY, by_key

pytestmark = pytest.mark.django_db
ERRORS = {
    "minsky1969perceptrons": "BibTeX syntax error: Unexpected block start",
    "turing1950computing": "the year “circa 1950s” is not a number",
    "shannon1948mathematical": "it has no title",
    "breiman2001forests": "duplicate of breiman2001random (line",
}


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
