"""Cite this entry: one approved version as CSL-JSON, BibTeX and RIS."""

import bibtexparser
from bibtexparser.model import Entry, Field
from django.conf import settings
from django.utils.text import slugify

from citations.bibtex import bibtex_name, latex
from citations.names import sorted_name

from .models import absolute_url, topic_url


def permalink(version) -> str:
    """The address of an approved version, for citations."""
    return absolute_url(topic_url(version.topic.slug, number=version.number))


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
    if page.author_names:
        item["author"] = page.author_names
    if date:
        item["issued"] = {"date-parts": [[date.year, date.month, date.day]]}
    return item


def entry_bibtex(page) -> str:
    version = page.version
    item = entry_item(page)
    fields = [
        ("author", " and ".join(bibtex_name(n) for n in page.author_names)),
        ("title", version.title),
        ("booktitle", settings.SCHOLARGATE_SITE_NAME),
        ("publisher", settings.SCHOLARGATE_SITE_NAME),
        ("edition", f"Version {version.number}"),
        ("year", str(version.approved_at.year)),
        ("month", str(version.approved_at.month)),
        ("date", version.approved_at.date().isoformat()),
        ("url", item["URL"]),
        ("urldate", version.approved_at.date().isoformat()),
    ]
    entry = Entry(
        "incollection",
        item["id"],
        [Field(k, v if k == "author" else latex(v)) for k, v in fields if v],
    )
    library = bibtexparser.Library()
    library.add(entry)
    return bibtexparser.write_string(library)


def entry_ris(page) -> str:
    """Return RIS (TY first, ER last), as reference managers import it."""
    version = page.version
    date = version.approved_at
    lines = [("TY", "ENCYC"), ("TI", version.title)]
    lines += [("AU", sorted_name(name)) for name in page.author_names]
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
