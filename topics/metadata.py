"""Metadata for reference managers and search engines, from a version's page.

Highwire `citation_*` and Dublin Core tags make Zotero save an entry as an
Encyclopedia Article in this encyclopedia; schema.org JSON-LD describes the
article, its definition, FAQ, key figures and citations. No
`citation_book_title` or journal tags: Zotero would read them as a book or a
journal article.

What depends on the request (the canonical address, which is the topic's
page for the live version, and the breadcrumbs, which follow the live
parents) is written by the page's template; the rest is rendered with the
page when the version is approved.
"""

import json
from html import unescape

from django.conf import settings
from django.urls import reverse
from django.utils.html import strip_tags

from citations.names import display_name

from . import citing
from .models import absolute_url, topic_url

# As django.utils.html.json_script: inside <script>, "<", ">" and "&" could
# end the element early or start a comment that swallows the page.
SCRIPT_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


def script_json(data) -> str:
    """JSON safe to place inside a <script> element."""
    return json.dumps(data, ensure_ascii=False).translate(SCRIPT_ESCAPES)


def plain(html: str) -> str:
    """Text of stored HTML, entities decoded (templates escape it once)."""
    return unescape(strip_tags(html))


def meta_tags(page) -> list[tuple[str, str]]:
    """Return (name, content) pairs for <meta name=…> tags."""
    version = page.version
    tags = page.structured.get("tags", [])
    site = settings.SCHOLARGATE_SITE_NAME
    permalink = citing.permalink(version)
    date = version.approved_at
    authors = [display_name(n) for n in citing.author_names(page)]
    pairs = [("citation_title", version.title)]
    pairs += [("citation_author", name) for name in authors]
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
        # The version number: Zotero's RDF import reads prism:edition into the
        # item's Edition (and Version) field.
        ("prism.edition", str(version.number)),
        ("DC.type", "encyclopediaArticle"),
        ("DC.source", site),
        ("DC.title", version.title),
    ]
    pairs += [("DC.creator", name) for name in authors]
    pairs += [
        ("DC.date", date.date().isoformat()),
        ("DC.publisher", site),
        ("DC.language", settings.LANGUAGE_CODE),
        ("DC.identifier", permalink),
        ("DC.rights", settings.SCHOLARGATE_CONTENT_LICENCE["url"]),
        ("description", plain(page.summary_html)),
    ]
    return pairs


def open_graph(page) -> list[tuple[str, str]]:
    """OpenGraph pairs; og:url is the version's permalink, what it shows."""
    version = page.version
    date = version.approved_at.isoformat()
    pairs = [
        ("og:type", "article"),
        ("og:title", version.title),
        ("og:description", plain(page.summary_html)),
        ("og:url", citing.permalink(version)),
        ("og:site_name", settings.SCHOLARGATE_SITE_NAME),
        ("article:published_time", date),
        ("article:modified_time", date),
    ]
    pairs += [("article:tag", t["name"]) for t in page.structured.get("tags", [])]
    return pairs


def _work_node(item):
    node = {"@type": "CreativeWork", "name": item.get("title", "")}
    authors = [display_name(n) for n in item.get("author", [])]
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


def _authors_ld(page):
    if not page.authors:
        return [
            {"@type": "Organization", "name": settings.SCHOLARGATE_COLLECTIVE_AUTHOR}
        ]
    nodes = []
    for author in page.authors:
        node = {"@type": "Person", "name": author["name"]}
        if author.get("orcid"):
            node["sameAs"] = f"https://orcid.org/{author['orcid']}"
        if author.get("affiliation"):
            node["affiliation"] = {
                "@type": "Organization",
                "name": author["affiliation"],
            }
        nodes.append(node)
    return nodes


def json_ld(page) -> str:
    """The version's schema.org graph, safe inside <script>."""
    version = page.version
    site = settings.SCHOLARGATE_SITE_NAME
    permalink = citing.permalink(version)
    structured = page.structured or {}
    article = {
        "@type": "ScholarlyArticle",
        "@id": permalink,
        "headline": version.title,
        "name": version.title,
        "description": plain(page.summary_html),
        "url": permalink,
        "mainEntityOfPage": permalink,
        "version": str(version.number),
        "datePublished": version.approved_at.isoformat(),
        "dateModified": version.approved_at.isoformat(),
        "inLanguage": settings.LANGUAGE_CODE,
        "license": settings.SCHOLARGATE_CONTENT_LICENCE["url"],
        "author": _authors_ld(page),
        "publisher": {"@type": "Organization", "name": site},
        "isPartOf": {"@type": "WebSite", "name": site, "url": absolute_url("/")},
        "keywords": [t["name"] for t in structured.get("tags", [])],
        "citation": [_work_node(item) for item in page.works_csl],
        "about": [
            {
                "@type": "Person",
                "name": person["name"],
                "url": absolute_url(reverse("person", kwargs={"slug": person["slug"]})),
                **(
                    {"description": person["description"]}
                    if person["description"]
                    else {}
                ),
            }
            for person in structured.get("key_figures", [])
        ],
    }
    graph = [article]
    if structured.get("definition"):
        graph.append(
            {
                "@type": "DefinedTerm",
                "name": version.title,
                "description": structured["definition"],
                "url": permalink,
                "inDefinedTermSet": {"@type": "DefinedTermSet", "name": site},
            }
        )
    if structured.get("faq"):
        graph.append(
            {
                "@type": "FAQPage",
                "url": permalink + "#faq",
                "mainEntity": [
                    {
                        "@type": "Question",
                        "name": question,
                        "acceptedAnswer": {"@type": "Answer", "text": answer},
                    }
                    for question, answer in structured["faq"]
                ],
            }
        )
    return script_json({"@context": "https://schema.org", "@graph": graph})


def breadcrumbs_json_ld(title: str, canonical: str, breadcrumbs) -> str:
    """A BreadcrumbList for the page: its live parents, then itself."""
    crumbs = [("Home", absolute_url("/"))]
    crumbs += [(t, absolute_url(topic_url(slug))) for slug, t in breadcrumbs]
    crumbs.append((title, canonical))
    return script_json(
        {
            "@context": "https://schema.org",
            "@type": "BreadcrumbList",
            "itemListElement": [
                {"@type": "ListItem", "position": i, "name": name, "item": url}
                for i, (name, url) in enumerate(crumbs, start=1)
            ],
        }
    )


def head_context(page) -> dict:
    """What topics/includes/head.html needs."""
    return {
        "meta_tags": meta_tags(page),
        "open_graph": open_graph(page),
        "json_ld": json_ld(page),
    }
