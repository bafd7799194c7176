"""What reference managers and search engines read in a page's head
(topics/metadata.py): meta tags, JSON-LD, the canonical link, each version's
own date, and editors' text kept out of the markup."""

import bibtexparser
import pytest

from tests.factories import make_draft, make_live, publish
from tests.topics import scenarios
from tests.topics.helpers import ClassReader, get, read_head, zotero_item

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
    after_head = html.split("</head>", 1)[1]
    assert "Visible body text." in after_head.split("<script", 1)[0]


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


def test_zotero_saves_the_version_that_was_read(client, entry):
    """From the live page and from a permalink, the item names that version:
    its authors, its approval date, its number, its permalink."""
    v1, v2 = entry
    live = zotero_item(client.get("/topics/entropy/").content.decode())
    assert live == {
        "itemType": "encyclopediaArticle",
        "title": "Entropy",
        "creators": ["Edith Editor"],
        "date": v2.approved_at.strftime("%Y/%m/%d"),
        "url": f"{SITE}/topics/entropy/v/2/",
        "edition": "2",
        "encyclopediaTitle": "ScholarGate",
        "abstractNote": "About Entropy.",
    }
    old = zotero_item(client.get("/topics/entropy/v/1/").content.decode())
    assert old["url"] == f"{SITE}/topics/entropy/v/1/"
    assert old["edition"] == "1" and old["date"] == "2024/03/05"


def test_authors_are_people_with_orcid_and_affiliation(client, editor, moderator):
    from topics import services
    from topics.models import Person, VersionAuthor

    draft = make_draft(by=editor, slug="ent", title="Ent")
    # The editor who started the topic is its first author; a second one is a
    # scholar without an account.
    assert [a.person.user for a in draft.author_links.all()] == [editor]
    ada = Person.objects.create(
        name="Ada Example",
        orcid="0000-0002-1825-0097",
        affiliation="University of Somewhere",
    )
    VersionAuthor.objects.create(version=draft, person=ada, position=2)
    publish(draft, author=editor, moderator=moderator)
    head = read_head(client.get("/topics/ent/").content.decode())
    assert [v for k, v in head.meta if k == "citation_author"] == [
        "Edith Editor",
        "Ada Example",
    ]
    assert [v for k, v in head.meta if k == "DC.creator"] == [
        "Edith Editor",
        "Ada Example",
    ]
    article = head.json_ld[0]["@graph"][0]
    assert article["author"][1] == {
        "@type": "Person",
        "name": "Ada Example",
        "sameAs": "https://orcid.org/0000-0002-1825-0097",
        "affiliation": {"@type": "Organization", "name": "University of Somewhere"},
    }
    page = client.get("/topics/ent/").content.decode()
    assert (
        'By <a href="/people/edith-editor/">Edith Editor</a> and '
        '<a href="/people/ada-example/">Ada Example</a>'
        ' <span class="muted">(University of Somewhere)</span>'
    ) in page
    assert services.person_for(editor).user == editor


def test_an_entry_without_authors_is_cited_under_the_collective_author(
    client, editor, moderator, settings
):
    from topics.models import VersionAuthor

    draft = make_draft(by=editor, slug="anon", title="Anon")
    VersionAuthor.objects.filter(version=draft).delete()
    publish(draft, author=editor, moderator=moderator)
    html = client.get("/topics/anon/").content.decode()
    assert zotero_item(html)["creators"] == ["ScholarGate contributors"]
    assert "By ScholarGate contributors" in html
    # Nothing that is not a list of authors' names looks like a byline.
    reader = ClassReader()
    reader.feed(html)
    for element in reader.elements:
        marked = [
            c
            for c in element["classes"]
            if "byline" in c or "author" in c or "vcard" in c
        ]
        assert not marked or marked == ["entry-authors"], element
    bib = bibtexparser.parse_string(
        client.get("/topics/anon/cite.bib").content.decode()
    )
    assert bib.entries[0]["author"] == "{ScholarGate contributors}"
