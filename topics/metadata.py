"""Metadata for reference managers and search engines, from stored data only.

Highwire `citation_*` and Dublin Core tags make Zotero save an entry as an
Encyclopedia Article in this encyclopedia; schema.org JSON-LD describes the
article, its definition, FAQ, breadcrumbs, key figures and citations.
No `citation_book_title` or journal tags: Zotero would read them as a book
or a journal article.
"""

import json
import secrets

from django.conf import settings
from django.urls import reverse
from django.utils.html import strip_tags

from . import citing
from .models import topic_url


def _name(csl):
    if "literal" in csl:
        return csl["literal"]
    return f"{csl.get('given', '')} {csl.get('family', '')}".strip()


def _absolute(path):
    return settings.SCHOLARGATE_SITE_URL + path


def meta_tags(version, tags):
    """Return (name, content) pairs for <meta name=…> tags."""
    site = settings.SCHOLARGATE_SITE_NAME
    permalink = citing.permalink(version)
    date = version.approved_at
    pairs = [("citation_title", version.title)]
    pairs += [("citation_author", _name(n)) for n in version.author_names]
    pairs += [
        ("citation_publication_date", date.strftime("%Y/%m/%d")),
        ("citation_online_date", date.strftime("%Y/%m/%d")),
        ("citation_publisher", site),
        ("citation_language", settings.LANGUAGE_CODE),
    ]
    if tags:
        pairs.append(("citation_keywords", "; ".join(t["name"] for t in tags)))
    pairs += [
        ("citation_abstract_html_url", permalink),
        ("citation_fulltext_html_url", permalink),
        ("DC.type", "encyclopediaArticle"),
        ("DC.source", site),
        ("DC.title", version.title),
    ]
    pairs += [("DC.creator", _name(n)) for n in version.author_names]
    pairs += [
        ("DC.date", date.date().isoformat()),
        ("DC.publisher", site),
        ("DC.language", settings.LANGUAGE_CODE),
        ("DC.identifier", permalink),
        ("DC.rights", settings.SCHOLARGATE_CONTENT_LICENCE["url"]),
        ("description", strip_tags(version.summary_html)),
    ]
    return pairs


def open_graph(version, tags, canonical):
    date = version.approved_at.isoformat()
    pairs = [
        ("og:type", "article"),
        ("og:title", version.title),
        ("og:description", strip_tags(version.summary_html)),
        ("og:url", canonical),
        ("og:site_name", settings.SCHOLARGATE_SITE_NAME),
        ("article:published_time", date),
        ("article:modified_time", date),
    ]
    pairs += [("article:tag", t["name"]) for t in tags]
    return pairs


def _work_node(item):
    node = {"@type": "CreativeWork", "name": item.get("title", "")}
    authors = [_name(n) for n in item.get("author", [])]
    if authors:
        node["author"] = [{"@type": "Person", "name": a} for a in authors]
    parts = (item.get("issued") or {}).get("date-parts") or []
    if parts and parts[0]:
        node["datePublished"] = str(parts[0][0])
    if item.get("container-title"):
        node["isPartOf"] = item["container-title"]
    if item.get("DOI"):
        node["sameAs"] = f"https://doi.org/{item['DOI']}"
    elif item.get("URL"):
        node["url"] = item["URL"]
    return node


# A frozen head leaves the canonical address and the breadcrumbs to fill in
# per request. Their markers carry a random nonce drawn at freezing, written
# on the head's first line, so no text an editor wrote can match them.
CANONICAL_MARK = "https://canonical.invalid/{nonce}/"
BREADCRUMBS_MARK = "@@breadcrumbs-{nonce}@@"


def new_marks():
    """Return (nonce, canonical mark, breadcrumbs mark) for one frozen head."""
    nonce = secrets.token_hex(16)
    return (
        nonce,
        CANONICAL_MARK.format(nonce=nonce),
        BREADCRUMBS_MARK.format(nonce=nonce),
    )


def json_ld(version, *, tags, breadcrumbs, key_figures, canonical, crumbs_mark=None):
    """Return the page's JSON-LD graph as a string safe inside <script>.

    With `breadcrumbs=None` the BreadcrumbList is `crumbs_mark`, filled in
    by fill_head.
    """
    site = settings.SCHOLARGATE_SITE_NAME
    permalink = citing.permalink(version)
    article = {
        "@type": "ScholarlyArticle",
        "@id": permalink,
        "headline": version.title,
        "name": version.title,
        "description": strip_tags(version.summary_html),
        "url": canonical,
        "mainEntityOfPage": canonical,
        "version": str(version.number),
        "datePublished": version.approved_at.isoformat(),
        "dateModified": version.approved_at.isoformat(),
        "inLanguage": settings.LANGUAGE_CODE,
        "license": settings.SCHOLARGATE_CONTENT_LICENCE["url"],
        "author": [{"@type": "Person", "name": _name(n)} for n in version.author_names],
        "publisher": {"@type": "Organization", "name": site},
        "isPartOf": {"@type": "WebSite", "name": site, "url": _absolute("/")},
        "keywords": [t["name"] for t in tags],
        "citation": [_work_node(item) for item in version.works_csl],
        "about": [
            {
                "@type": "Person",
                "name": person["name"],
                "url": _absolute(reverse("person", kwargs={"slug": person["slug"]})),
                **(
                    {"description": person["description"]}
                    if person["description"]
                    else {}
                ),
            }
            for person in key_figures
        ],
    }
    graph = [article]
    definition = (version.structured or {}).get("definition")
    if definition:
        graph.append(
            {
                "@type": "DefinedTerm",
                "name": version.title,
                "description": definition,
                "url": canonical,
                "inDefinedTermSet": {"@type": "DefinedTermSet", "name": site},
            }
        )
    faq = (version.structured or {}).get("faq") or []
    if faq:
        graph.append(
            {
                "@type": "FAQPage",
                "url": canonical + "#faq",
                "mainEntity": [
                    {
                        "@type": "Question",
                        "name": question,
                        "acceptedAnswer": {"@type": "Answer", "text": answer},
                    }
                    for question, answer in faq
                ],
            }
        )
    graph.append(
        crumbs_mark
        if breadcrumbs is None
        else breadcrumb_list(version, breadcrumbs, canonical)
    )
    text = json.dumps(
        {"@context": "https://schema.org", "@graph": graph}, ensure_ascii=False
    )
    # Inside <script>, "</" could end the element early.
    return text.replace("</", "<\\/")


def breadcrumb_list(version, breadcrumbs, canonical):
    crumbs = [("Home", _absolute("/"))]
    crumbs += [(title, _absolute(topic_url(slug))) for slug, title in breadcrumbs]
    crumbs.append((version.title, canonical))
    return {
        "@type": "BreadcrumbList",
        "itemListElement": [
            {"@type": "ListItem", "position": i, "name": name, "item": url}
            for i, (name, url) in enumerate(crumbs, start=1)
        ],
    }


def fill_head(frozen, version, *, canonical, breadcrumbs):
    """A frozen head with this request's canonical address and breadcrumbs."""
    nonce, head = frozen.split("\n", 1)
    crumbs = json.dumps(
        breadcrumb_list(version, breadcrumbs, canonical), ensure_ascii=False
    ).replace("</", "<\\/")
    canonical_mark = CANONICAL_MARK.format(nonce=nonce)
    crumbs_mark = BREADCRUMBS_MARK.format(nonce=nonce)
    return head.replace(f'"{crumbs_mark}"', crumbs).replace(canonical_mark, canonical)


def head_context(
    version, tags, key_figures, *, canonical, breadcrumbs, crumbs_mark=None
):
    """What topics/includes/head.html needs; breadcrumbs=None to freeze it."""
    return {
        "canonical": canonical,
        "meta_tags": meta_tags(version, tags),
        "open_graph": open_graph(version, tags, canonical),
        "json_ld": json_ld(
            version,
            tags=tags,
            breadcrumbs=breadcrumbs,
            key_figures=key_figures,
            canonical=canonical,
            crumbs_mark=crumbs_mark,
        ),
    }
