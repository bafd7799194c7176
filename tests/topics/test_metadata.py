"""What reference managers and search engines read in a page's head
(topics/metadata.py): meta tags, JSON-LD, the canonical link, each version's
own date, and editors' text kept out of the markup."""

import bibtexparser
import pytest

from tests.factories import make_live
from tests.topics import scenarios
from tests.topics.helpers import get, read_head

pytestmark = pytest.mark.django_db
SITE = "http://127.0.0.1:8000"


@pytest.fixture
def entry(editor, moderator):
    """“Entropy”, citing doe2020, approved twice: (version 1, version 2)."""
    return scenarios.cited_entry(editor, moderator)


@pytest.mark.pandoc
def test_reference_managers_read_the_entry(client, entry):
    v1, v2 = entry
    head = read_head(client.get("/topics/entropy/").content.decode())
    meta = head.meta
    get = dict(meta)
    assert get["DC.type"] == "encyclopediaArticle"
    assert get["DC.source"] == "ScholarGate"
    assert get["citation_title"] == "Entropy"
    assert [v for k, v in meta if k == "citation_author"] == ["Edith Editor"]
    assert get["citation_publication_date"] == v2.approved_at.strftime("%Y/%m/%d")
    assert get["citation_fulltext_html_url"] == f"{SITE}/topics/entropy/v/2/"
    assert get["citation_publisher"] == "ScholarGate"
    assert get["citation_language"] == "en"
    assert get["citation_keywords"] == "information theory"
    names = {k for k, _v in meta}
    assert (
        not {
            "citation_book_title",
            "citation_journal_title",
            "citation_conference_title",
        }
        & names
    )
    assert not any(k.startswith("book:") for k in names if k)
    # What Zotero saves as the item's URL: the version that was read.
    assert get["og:url"] == f"{SITE}/topics/entropy/v/2/"
    assert {"rel": "canonical", "href": f"{SITE}/topics/entropy/"} in head.links
    ld, crumbs = head.json_ld
    types = {node["@type"]: node for node in ld["@graph"]}
    types[crumbs["@type"]] = crumbs
    article = types["ScholarlyArticle"]
    assert article["headline"] == "Entropy" and article["version"] == "2"
    assert article["author"] == [{"@type": "Person", "name": "Edith Editor"}]
    assert article["citation"][0]["name"] == "On examples"
    assert article["about"][0]["name"] == "Claude Shannon"
    assert types["DefinedTerm"]["description"].startswith(
        "Entropy measures uncertainty"
    )
    faq = types["FAQPage"]["mainEntity"][0]
    assert faq["name"] == "Is it disorder?"
    assert faq["acceptedAnswer"]["text"] == "Only loosely."
    crumbs = types["BreadcrumbList"]["itemListElement"]
    assert [c["name"] for c in crumbs] == ["Home", "Entropy"]


@pytest.mark.pandoc
def test_a_version_permalink_carries_its_own_date(client, entry):
    v1, _v2 = entry
    get = dict(read_head(client.get("/topics/entropy/v/1/").content.decode()).meta)
    assert get["citation_publication_date"] == "2024/03/05"
    assert get["citation_fulltext_html_url"] == f"{SITE}/topics/entropy/v/1/"
    bib = bibtexparser.parse_string(
        client.get("/topics/entropy/v/1/cite.bib").content.decode()
    )
    (item,) = bib.entries
    assert item["year"] == "2024" and item["url"] == f"{SITE}/topics/entropy/v/1/"


def test_editor_text_cannot_reach_the_head_through_its_placeholders(
    client, editor, moderator
):
    live = make_live(
        author=editor,
        moderator=moderator,
        slug="odd",
        title='@@breadcrumbs@@ "><svg onload=alert(1)>',
        sections=[("definition", "", "Text.")],
    )
    html = get(client, live.topic.get_absolute_url()).content.decode()
    # Inside the JSON-LD script the title is JSON text (and "</" is escaped);
    # everywhere else it is escaped HTML.
    start = html.index('<script type="application/ld+json">')
    end = html.index("</script>", start)
    assert "<svg onload" not in html[:start] + html[end:]
    assert "&lt;svg onload" in html
    assert "canonical.invalid" not in html and "@@breadcrumbs-" not in html
    assert html.count('<link rel="canonical" href="http') == 1


def test_a_comment_opener_in_a_title_cannot_swallow_the_page(client, editor, moderator):
    """`<!--<script>` in the JSON-LD made the browser's script parser eat the
    rest of the page: "<", ">" and "&" are escaped as json_script does."""
    import json

    live = make_live(
        author=editor,
        moderator=moderator,
        slug="odd-title",
        title="Tricky <!--<script> & co",
        sections=[("definition", "", "Visible body text.")],
    )
    html = get(client, live.topic.get_absolute_url()).content.decode()
    scripts = html.split('<script type="application/ld+json">')[1:]
    for script in scripts:
        body = script.split("</script>", 1)[0]
        assert "<" not in body and ">" not in body and "&" not in body
        assert json.loads(body)  # still valid JSON
    assert "\\u003C!--\\u003Cscript\\u003E \\u0026 co" in scripts[0]
    assert "Visible body text." in html.split("</script>")[-1]


def test_descriptions_are_escaped_once(client, editor, moderator):
    live = make_live(
        author=editor,
        moderator=moderator,
        slug="amp",
        title="Rock & roll",
        sections=[("definition", "", "Text.")],
    )
    head = read_head(get(client, live.topic.get_absolute_url()).content.decode())
    meta = dict(head.meta)
    assert meta["citation_title"] == "Rock & roll"
    assert meta["description"] == "About Rock & roll."
