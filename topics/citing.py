"""Cite this entry: one approved version as CSL-JSON, BibTeX and RIS."""

import bibtexparser
from bibtexparser.model import Entry, Field
from django.conf import settings
from django.urls import reverse
from django.utils.text import slugify
from pylatexenc.latexencode import unicode_to_latex


def permalink(version):
    path = reverse(
        "topics:version", kwargs={"slug": version.topic.slug, "number": version.number}
    )
    return settings.SCHOLARGATE_SITE_URL + path


def entry_item(version):
    """Return the version as a CSL-JSON item (an encyclopedia entry)."""
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
    if version.author_names:
        item["author"] = version.author_names
    if date:
        item["issued"] = {"date-parts": [[date.year, date.month, date.day]]}
    return item


def entry_bibtex(version):
    item = entry_item(version)
    names = " and ".join(
        f"{n['family']}, {n['given']}" if n.get("given") else n.get("family", "")
        for n in version.author_names
    )
    fields = [
        ("author", names),
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
        [Field(k, unicode_to_latex(v, non_ascii_only=True)) for k, v in fields if v],
    )
    library = bibtexparser.Library()
    library.add(entry)
    return bibtexparser.write_string(library)


def entry_ris(version):
    """Return RIS (TY first, ER last), as reference managers import it."""
    date = version.approved_at
    lines = [("TY", "ENCYC"), ("TI", version.title)]
    for name in version.author_names:
        given = name.get("given")
        lines.append(
            ("AU", f"{name['family']}, {given}" if given else name.get("family", ""))
        )
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
    return "".join(f"{tag}  - {value}\r\n" for tag, value in lines)
