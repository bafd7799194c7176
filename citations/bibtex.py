"""BibTeX in and out, through bibtexparser 2."""

from dataclasses import dataclass, field

import bibtexparser
from bibtexparser.middlewares.names import (
    parse_single_name_into_parts,
    split_multiple_persons_names,
)
from bibtexparser.model import Entry, Field
from django.core.exceptions import ValidationError
from pylatexenc.latex2text import LatexNodes2Text
from pylatexenc.latexencode import unicode_to_latex

from .models import Work
from .validators import validate_citation_key

LATEX = LatexNodes2Text(math_mode="verbatim", strict_latex_spaces=True)
MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ],
        start=1,
    )
    for name in names
}
MONTH_MACROS = [
    "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
]  # fmt: skip
TEXT_FIELDS = {
    "title": "title",
    "volume": "volume",
    "number": "number",
    "pages": "pages",
    "publisher": "publisher",
    "address": "address",
    "edition": "edition",
    "isbn": "isbn",
    "note": "note",
    "url": "url",
}
CONTAINER_FIELDS = ("journal", "booktitle", "journaltitle", "series")


@dataclass
class ParsedEntry:
    key: str
    line: int | None
    fields: dict = field(default_factory=dict)
    error: str = ""


def decode(text):
    """Return LaTeX-encoded BibTeX text as plain Unicode."""
    return " ".join(LATEX.latex_to_text(text).split())


def parse_names(text):
    names = []
    for raw in split_multiple_persons_names(text):
        raw = raw.strip()
        if raw.lower() == "others":
            continue
        if raw.startswith("{") and raw.endswith("}"):
            names.append({"literal": decode(raw[1:-1])})
            continue
        parts = parse_single_name_into_parts(raw)
        family = decode(" ".join(parts.von + parts.last))
        if parts.jr:
            family = f"{family} {decode(' '.join(parts.jr))}"
        given = decode(" ".join(parts.first))
        names.append(
            {"family": family, "given": given} if given else {"family": family}
        )
    return names


def normalise_doi(value):
    value = value.strip()
    lowered = value.lower()
    for prefix in (
        "https://doi.org/",
        "http://doi.org/",
        "https://dx.doi.org/",
        "doi:",
    ):
        if lowered.startswith(prefix):
            return value[len(prefix) :]
    return value


def entry_to_fields(entry):
    """Return the Work field values of one bibtexparser entry."""
    raw = {f.key.lower(): f.value for f in entry.fields}
    values = {"key": entry.key, "entry_type": entry.entry_type.lower()}
    if values["entry_type"] not in Work.EntryType.values:
        values["entry_type"] = Work.EntryType.MISC
    for source, target in TEXT_FIELDS.items():
        if source in raw:
            values[target] = decode(str(raw[source]))
    for source in CONTAINER_FIELDS:
        if source in raw:
            values["container_title"] = decode(str(raw[source]))
            break
    if "doi" in raw:
        values["doi"] = normalise_doi(decode(str(raw["doi"])))
    if "author" in raw:
        values["authors"] = parse_names(str(raw["author"]))
    if "editor" in raw:
        values["editors"] = parse_names(str(raw["editor"]))
    year = str(raw.get("year", "")).strip()
    if year:
        if not year.isdigit():
            raise ValueError(f"the year “{year}” is not a number")
        values["year"] = int(year)
    month = str(raw.get("month", "")).strip().lower().rstrip(".")
    if month:
        number = MONTHS.get(month) or (int(month) if month.isdigit() else None)
        if number is None or not 1 <= number <= 12:
            raise ValueError(f"the month “{month}” is not a month")
        values["month"] = number
    if "title" not in values:
        raise ValueError("it has no title")
    return values


def parse_bibtex(text):
    """Parse BibTeX text into ParsedEntry rows, one per entry, errors included."""
    library = bibtexparser.parse_string(text)
    results = []
    for block in library.failed_blocks:
        key = (
            getattr(block, "key", None) or block.raw.split("{", 1)[-1].split(",", 1)[0]
        )
        results.append(
            ParsedEntry(
                key=key.strip(),
                line=block.start_line + 1,
                error=f"BibTeX syntax error: {block.error}",
            )
        )
    for entry in library.entries:
        line = entry.start_line + 1
        try:
            validate_citation_key(entry.key)
            values = entry_to_fields(entry)
        except ValidationError as error:
            results.append(ParsedEntry(entry.key, line, error=" ".join(error.messages)))
        except ValueError as error:
            results.append(ParsedEntry(entry.key, line, error=f"{entry.key}: {error}"))
        else:
            results.append(ParsedEntry(entry.key, line, fields=values))
    results.sort(key=lambda r: r.line or 0)
    return results


def _names_to_bibtex(names):
    out = []
    for name in names:
        if "literal" in name:
            out.append(
                "{" + unicode_to_latex(name["literal"], non_ascii_only=True) + "}"
            )
        elif name.get("given"):
            out.append(
                unicode_to_latex(
                    f"{name['family']}, {name['given']}", non_ascii_only=True
                )
            )
        else:
            out.append(unicode_to_latex(name["family"], non_ascii_only=True))
    return " and ".join(out)


def work_to_entry(work):
    container = {
        Work.EntryType.ARTICLE: "journal",
        Work.EntryType.INPROCEEDINGS: "booktitle",
        Work.EntryType.INCOLLECTION: "booktitle",
        Work.EntryType.INBOOK: "booktitle",
    }.get(work.entry_type, "series")
    fields = []

    def add(name, value):
        if value not in ("", None, []):
            fields.append(Field(name, str(value)))

    add("author", _names_to_bibtex(work.authors))
    add("editor", _names_to_bibtex(work.editors))
    add("title", unicode_to_latex(work.title, non_ascii_only=True))
    add(container, unicode_to_latex(work.container_title, non_ascii_only=True))
    add("year", work.year)
    if work.month:
        fields.append(Field("month", MONTH_MACROS[work.month - 1]))
    add("volume", work.volume)
    add("number", work.number)
    add("pages", work.pages.replace("–", "--"))
    add("publisher", unicode_to_latex(work.publisher, non_ascii_only=True))
    add("address", unicode_to_latex(work.address, non_ascii_only=True))
    add("edition", work.edition)
    add("doi", work.doi)
    add("url", work.url)
    add("isbn", work.isbn)
    add("note", unicode_to_latex(work.note, non_ascii_only=True))
    return Entry(work.entry_type, work.key, fields)


def works_to_bibtex(works):
    """Return BibTeX text for the works, sorted by key (stable for git diffs)."""
    library = bibtexparser.Library()
    for work in sorted(works, key=lambda w: w.key):
        library.add(work_to_entry(work))
    return bibtexparser.write_string(library)
