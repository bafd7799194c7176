"""BibTeX in and out (citations/bibtex.py): LaTeX, names, macros and DOIs
decoded, and exports that parse and import back unchanged."""

import bibtexparser
import pytest

from citations.bibtex import works_to_bibtex
from citations.importing import apply_bibtex, preview_bibtex
from citations.models import Work
from tests.citations.helpers import MESSY, by_key

pytestmark = pytest.mark.django_db


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


def test_export_round_trips_through_bibtexparser():
    apply_bibtex(preview_bibtex(MESSY))
    text = works_to_bibtex(Work.objects.all())
    library = bibtexparser.parse_string(text)
    assert not library.failed_blocks
    assert len(library.entries) == Work.objects.count()
    assert "and others" in library.entries_dict["mikolov2013distributed"]["author"]
    # Importing the export changes nothing.
    assert {o.status for o in preview_bibtex(text)} == {"unchanged"}
