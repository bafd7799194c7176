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


def test_string_concatenation_cannot_expand_without_limit():
    """80 kB of `title = a # a # …` expanded to 20 MB and hours of LaTeX
    decoding: now the entry is refused, at once, and the others kept."""
    import time

    from citations.bibtex import parse_bibtex

    text = (
        '@string{a = "' + "x" * 1000 + '"}\n'
        "@article{bomb, title = " + " # ".join(["a"] * 20_000) + ", year = 2000}\n"
        "@article{fine, title = {A fine title}, year = 2001}\n"
    )
    assert len(text) > 80_000
    started = time.monotonic()
    bomb, fine = parse_bibtex(text)
    assert time.monotonic() - started < 2
    assert bomb.error == (
        "bomb: the field “title” is longer than 5,000 characters (with its "
        "@string abbreviations expanded)"
    )
    assert fine.fields["title"] == "A fine title"


@pytest.mark.django_db
def test_braces_that_do_not_pair_up_never_break_the_file():
    work = Work(
        key="odd2020",
        title="Sets {of} things } and { more",
        note="An unpaired } here",
        authors=[{"family": "Doe", "given": "Jane"}, {"literal": "Group }{ One"}],
        year=2020,
    )
    text = works_to_bibtex([work])
    library = bibtexparser.parse_string(text)
    assert not library.failed_blocks
    (entry,) = library.entries
    assert entry["title"] == r"Sets \{of\} things \} and \{ more"
    assert entry["note"] == r"An unpaired \} here"
    # Balanced braces (case protection) are kept as they are.
    work.title = "The {LaTeX} Companion"
    assert "{The {LaTeX} Companion}" in works_to_bibtex([work])
