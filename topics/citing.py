"""Cite this entry: one approved version as CSL-JSON, BibTeX and RIS."""

from html import escape

import bibtexparser
from bibtexparser.model import Entry, Field
from django.conf import settings
from django.utils.text import slugify
from django.utils.translation import gettext as _

from citations.bibtex import bibtex_name, latex
from citations.names import display_name, sorted_name

from .models import absolute_url, topic_url


def permalink(version) -> str:
    """The address of an approved version, for citations."""
    return absolute_url(topic_url(version.topic.slug, number=version.number))


def author_names(page) -> list[dict]:
    """The page's authors as CSL names; with none, the site's collective
    author (as Wikipedia is cited: "Wikipedia contributors")."""
    return page.author_names or [{"literal": settings.SCHOLARGATE_COLLECTIVE_AUTHOR}]


def entry_item(page) -> dict:
    """Return the version of a page as a CSL-JSON item (an encyclopedia entry)."""
    version = page.version
    date = version.approved_at
    site = slugify(settings.SCHOLARGATE_SITE_NAME)
    item = {
        "id": f"{site}-{version.topic.slug}-v{version.number}",
        "type": "entry-encyclopedia",
        "title": version.title,
        "container-title": settings.SCHOLARGATE_SITE_NAME,
        "publisher": settings.SCHOLARGATE_SITE_NAME,
        "version": str(version.number),
        "URL": permalink(version),
        "language": settings.LANGUAGE_CODE,
        "abstract": version.summary,
    }
    item["author"] = author_names(page)
    if date:
        item["issued"] = {"date-parts": [[date.year, date.month, date.day]]}
    return item


def entry_bibtex(page, part=None) -> str:
    """The version (or a section or paragraph of it, `part` as from
    `find_part`) as a BibTeX entry.

    The version number is in `version` (biblatex) and in `note` (read by
    every BibTeX style); the permalink in `url`. No `urldate`: that is the
    date the reader looked, for their tool to fill in.
    """
    version = page.version
    item = entry_item(page)
    key, url, note = (
        item["id"],
        item["URL"],
        _("Version %(number)s") % {"number": version.number},
    )
    if part is not None:
        key, url = f"{key}-{part['anchor']}", f"{url}#{part['anchor']}"
        note = f"{note}, {part_label(part)}"
    fields = [
        ("author", " and ".join(bibtex_name(n) for n in author_names(page))),
        ("title", version.title),
        ("booktitle", settings.SCHOLARGATE_SITE_NAME),
        ("publisher", settings.SCHOLARGATE_SITE_NAME),
        ("year", str(version.approved_at.year)),
        ("month", str(version.approved_at.month)),
        ("date", version.approved_at.date().isoformat()),
        ("version", str(version.number)),
        ("note", note),
        ("url", url),
    ]
    entry = Entry(
        "incollection",
        key,
        [Field(k, v if k in ("author", "url") else latex(v)) for k, v in fields if v],
    )
    library = bibtexparser.Library()
    library.add(entry)
    return bibtexparser.write_string(library)


# -- Citing a section or a paragraph ----------------------------------------


def find_part(page, anchor) -> dict | None:
    """{anchor, heading, number}: a paragraph (by its id) or a section (by
    its anchor) of an approved page; None if it has no such part."""
    for paragraph in page.paragraphs:
        if paragraph["id"] == anchor:
            return {
                "anchor": anchor,
                "heading": paragraph["heading"],
                "number": paragraph["number"],
                "text": paragraph["text"],
            }
    for section, heading in page.toc:
        if section == anchor:
            return {"anchor": anchor, "heading": heading, "number": None, "text": ""}
    return None


def part_label(part) -> str:
    if part["number"] is None:
        return _("section “%(heading)s”") % {"heading": part["heading"]}
    return _("section “%(heading)s”, paragraph %(number)s") % part


def _initials(given):
    return " ".join(f"{word[0]}." for word in given.replace("-", " ").split())


def _apa_names(names):
    written = [
        n["literal"]
        if n.get("literal")
        else ", ".join(
            p for p in (n.get("family", ""), _initials(n.get("given", ""))) if p
        )
        for n in names
    ]
    if len(written) == 1:
        return written[0]
    return ", ".join(written[:-1]) + ", & " + written[-1]


def _chicago_names(names):
    written = [
        n["literal"]
        if n.get("literal")
        else (sorted_name(n) if i == 0 else display_name(n))
        for i, n in enumerate(names)
    ]
    if len(written) == 1:
        return written[0]
    return ", ".join(written[:-1]) + ", and " + written[-1]


def part_texts(page, part) -> dict:
    """APA and Chicago (author-date) HTML and a BibTeX entry for a section or
    paragraph, pointing at the version permalink with its anchor."""
    version = page.version
    names = author_names(page)
    date = version.approved_at
    site = escape(settings.SCHOLARGATE_SITE_NAME)
    url = escape(f"{permalink(version)}#{part['anchor']}")
    label = escape(part_label(part))
    title = escape(version.title)
    day = f"{date:%B} {date.day}"
    apa = (
        f"{escape(_apa_names(names))} ({date.year}, {day}). {title}, {label}. "
        f"In <i>{site}</i> (Version {version.number}). "
        f'<a href="{url}">{url}</a>'
    )
    chicago = (
        f"{escape(_chicago_names(names))}. {date.year}. “{title},” {label}. "
        f"In <i>{site}</i>, version {version.number}, {day}, {date.year}. "
        f'<a href="{url}">{url}</a>.'
    )
    return {"apa": apa, "chicago": chicago, "bibtex": entry_bibtex(page, part)}


def entry_ris(page) -> str:
    """Return RIS (TY first, ER last), as reference managers import it."""
    version = page.version
    date = version.approved_at
    lines = [("TY", "ENCYC"), ("TI", version.title)]
    lines += [("AU", sorted_name(name)) for name in author_names(page)]
    lines += [
        ("T2", settings.SCHOLARGATE_SITE_NAME),
        ("PB", settings.SCHOLARGATE_SITE_NAME),
        ("PY", str(date.year)),
        ("DA", date.strftime("%Y/%m/%d")),
        ("ET", f"Version {version.number}"),
        ("LA", settings.LANGUAGE_CODE),
        ("UR", permalink(version)),
        ("AB", " ".join(version.summary.split())),
        ("ER", ""),
    ]
    # One line per tag: a line break in a value would start a tag of its own.
    return "".join(
        f"{tag}  - {' '.join(str(value).split())}\r\n" for tag, value in lines
    )
