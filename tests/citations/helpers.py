"""What the bibliography tests share: a messy BibTeX file, as editors bring
them (fixtures/messy.bib)."""

from pathlib import Path

MESSY = (Path(__file__).parent / "fixtures" / "messy.bib").read_text(encoding="utf-8")


def by_key(outcomes):
    return {o.key: o for o in outcomes}
