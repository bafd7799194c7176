"""BibTeX in and out, through bibtexparser 2."""

import re
from dataclasses import dataclass, field

import bibtexparser
from bibtexparser.middlewares.names import (
    parse_single_name_into_parts,
    split_multiple_persons_names,
)
from bibtexparser.model import Entry, Field
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from pylatexenc.latex2text import LatexNodes2Text
from pylatexenc.latexencode import unicode_to_latex

from .models import Work
from .names import sorted_name
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


def _split_concatenation(value):
    """Split a raw BibTeX value at top-level "#" (outside braces and quotes)."""
    parts, depth, quoted, start = [], 0, False, 0
    for i, char in enumerate(value):
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
        elif char == '"' and depth == 0:
            quoted = not quoted
        elif char == "#" and depth == 0 and not quoted:
            parts.append(value[start:i].strip())
            start = i + 1
    parts.append(value[start:].strip())
    return parts


# No field of a work is this long (titles and notes have at most 500
# characters): a longer one, once @string abbreviations are expanded, is a
# mistake or an attack (a few kB of "a # a # …" can expand to megabytes).
FIELD_MAX_CHARS = 5_000


def _too_long(name):
    return ValueError(
        _(
            "the field “%(field)s” is longer than %(limit)s characters (with its "
            "@string abbreviations expanded)"
        )
        % {"field": name, "limit": f"{FIELD_MAX_CHARS:,}"}
    )


def resolve_value(value, strings, name=""):
    """Resolve `macro # "text" # {text}` concatenations left by the parser.

    Raise ValueError as soon as the expanded value passes FIELD_MAX_CHARS.
    """
    if len(value) > FIELD_MAX_CHARS:
        raise _too_long(name)
    parts = _split_concatenation(value)
    if len(parts) == 1:
        return value
    out, length = [], 0
    for part in parts:
        if len(part) >= 2 and part[0] + part[-1] in ('""', "{}"):
            piece = part[1:-1]
        elif part.lower() in strings:
            piece = strings[part.lower()]
        else:
            piece = part
        length += len(piece)
        if length > FIELD_MAX_CHARS:
            raise _too_long(name)
        out.append(piece)
    return "".join(out)


URL_MACRO = re.compile(r"\\url\{([^}]*)\}")


def decode(text):
    """Return LaTeX-encoded BibTeX text as plain Unicode."""
    return " ".join(LATEX.latex_to_text(text).split())


def parse_names(text):
    """Return (CSL names, whether "and others" ended the list)."""
    names, more = [], False
    for raw in split_multiple_persons_names(text):
        raw = raw.strip()
        if raw.lower() == "others":
            more = True
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
    return names, more


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


def entry_to_fields(entry, strings=None):
    """Return the Work field values of one bibtexparser entry."""
    strings = strings or {}
    raw = {
        f.key.lower(): resolve_value(str(f.value), strings, f.key.lower())
        for f in entry.fields
    }
    if "url" not in raw and "howpublished" in raw:
        found = URL_MACRO.search(raw["howpublished"])
        if found:
            raw["url"] = found.group(1)
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
        values["authors"], values["has_more_authors"] = parse_names(raw["author"])
    if "editor" in raw:
        values["editors"], _more = parse_names(raw["editor"])
    year = str(raw.get("year", "")).strip()
    if year:
        if not year.isdigit():
            raise ValueError(_("the year “%(year)s” is not a number") % {"year": year})
        values["year"] = int(year)
    month = str(raw.get("month", "")).strip().lower().rstrip(".")
    if month:
        number = MONTHS.get(month) or (int(month) if month.isdigit() else None)
        if number is None or not 1 <= number <= 12:
            raise ValueError(
                _("the month “%(month)s” is not a month") % {"month": month}
            )
        values["month"] = number
    if "title" not in values:
        raise ValueError(_("it has no title"))
    return values


def parse_bibtex(text):
    """Parse BibTeX text into ParsedEntry rows, one per entry, errors included."""
    library = bibtexparser.parse_string(text)
    strings = {s.key.lower(): str(s.value) for s in library.strings}
    results = []
    for block in library.failed_blocks:
        key = (
            getattr(block, "key", None) or block.raw.split("{", 1)[-1].split(",", 1)[0]
        )
        reason = getattr(block.error, "abort_reason", "") or str(block.error)
        results.append(
            ParsedEntry(
                key=key.strip(),
                line=block.start_line + 1,
                error=_("BibTeX syntax error: %(reason)s") % {"reason": reason},
            )
        )
    for entry in library.entries:
        line = entry.start_line + 1
        try:
            validate_citation_key(entry.key)
            values = entry_to_fields(entry, strings)
        except ValidationError as error:
            results.append(ParsedEntry(entry.key, line, error=" ".join(error.messages)))
        except ValueError as error:
            results.append(
                ParsedEntry(
                    entry.key,
                    line,
                    error=_("%(key)s: %(problem)s")
                    % {"key": entry.key, "problem": error},
                )
            )
        else:
            results.append(ParsedEntry(entry.key, line, fields=values))
    results.sort(key=lambda r: r.line or 0)
    return results


def _balanced(text):
    depth = 0
    for char in text:
        depth += (char == "{") - (char == "}")
        if depth < 0:
            return False
    return depth == 0


def latex(text):
    """Text as a BibTeX value: non-ASCII letters as LaTeX, whitespace
    collapsed, and braces escaped when they do not pair up (an unpaired "}"
    would end the value and break the whole file)."""
    text = " ".join(str(text).split())
    if not _balanced(text):
        text = text.replace("{", r"\{").replace("}", r"\}")
    return unicode_to_latex(text, non_ascii_only=True)


def bibtex_name(name):
    """ "LeCun, Yann" for BibTeX; a literal name in braces, kept whole."""
    if name.get("literal"):
        return "{" + latex(name["literal"]) + "}"
    return latex(sorted_name(name))


def _names_to_bibtex(names):
    return " and ".join(bibtex_name(name) for name in names)


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

    authors = _names_to_bibtex(work.authors)
    if work.has_more_authors:
        authors = f"{authors} and others" if authors else "others"
    add("author", authors)
    add("editor", _names_to_bibtex(work.editors))
    add("title", latex(work.title))
    add(container, latex(work.container_title))
    add("year", work.year)
    if work.month:
        fields.append(Field("month", MONTH_MACROS[work.month - 1]))
    add("volume", latex(work.volume))
    add("number", latex(work.number))
    add("pages", latex(work.pages.replace("–", "--")))
    add("publisher", latex(work.publisher))
    add("address", latex(work.address))
    add("edition", latex(work.edition))
    add("doi", work.doi)
    add("url", work.url)
    add("isbn", work.isbn)
    add("note", latex(work.note))
    return Entry(work.entry_type, work.key, fields)


def works_to_bibtex(works):
    """Return BibTeX text for the works, sorted by key (stable for git diffs)."""
    library = bibtexparser.Library()
    for work in sorted(works, key=lambda w: w.key):
        library.add(work_to_entry(work))
    return bibtexparser.write_string(library)
