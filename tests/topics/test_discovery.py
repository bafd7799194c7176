"""Search, filters, tags, A–Z, referenced by, redirects, feeds and sitemaps."""

import datetime
import xml.etree.ElementTree as ET

import pytest
from django.utils import timezone

from tests.factories import make_draft, make_live, publish
from tests.querycounts import assert_flat
from topics import search, services
from topics.models import RelatedTopic, Topic

pytestmark = pytest.mark.django_db
ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
NET_TEXT = "A network of units. See [models](topic:machine-learning)."
GD_TEXT = "Trains many neural networks by following the gradient."


@pytest.fixture
def corpus(editor, moderator):
    """A few live topics, one draft, tags and links between them."""
    ml = make_live(
        author=editor, moderator=moderator, slug="machine-learning",
        title="Machine Learning", kind="field",
        sections=[("definition", "", "Learning from data with statistical models.")],
    )  # fmt: skip
    net = make_draft(
        by=editor, slug="neural-network", title="Neural Network",
        parent=ml.topic,
        sections=[("definition", "", NET_TEXT)],
    )  # fmt: skip
    net.tags.add("neural networks", "models")
    net = publish(net, author=editor, moderator=moderator)
    body = make_draft(
        by=editor, slug="gradient-descent", title="Gradient Descent", kind="method",
        parent=ml.topic,
        sections=[("definition", "", GD_TEXT)],
    )  # fmt: skip
    body.tags.add("optimization")
    RelatedTopic.objects.create(version=body, target=net.topic, position=1)
    body = publish(body, author=editor, moderator=moderator)
    godel = make_live(
        author=editor, moderator=moderator, slug="godel", title="Gödel Numbering",
        sections=[("definition", "", "Kurt Gödel encoded formulas as numbers.")],
    )  # fmt: skip
    draft = make_draft(
        by=editor, slug="secret", title="Secret Network Draft",
        sections=[("definition", "", "Unpublished network text.")],
    )  # fmt: skip
    draft.tags.add("draft-only-tag")
    return {"ml": ml, "net": net, "gd": body, "godel": godel, "draft": draft}


def titles(response):
    return [t.live_version.title for t in response.context["page"]]


@pytest.mark.postgres
def test_postgres_search_ranks_stems_highlights_and_hides_drafts(client, corpus):
    response = client.get("/search/", {"q": "networks"})
    found = titles(response)
    # A title match outranks a body match; "networks" finds "network".
    assert found[0] == "Neural Network" and "Gradient Descent" in found
    assert "Secret Network Draft" not in found
    html = response.content.decode()
    assert "<mark>network</mark>" in html or "<mark>networks</mark>" in html
    # Accents are folded, phrases and exclusions work.
    assert titles(client.get("/search/", {"q": "Godel"})) == ["Gödel Numbering"]
    phrase = client.get("/search/", {"q": '"following the gradient"'})
    assert titles(phrase) == ["Gradient Descent"]
    reversed_words = client.get("/search/", {"q": '"gradient following"'})
    assert reversed_words.context["page"].paginator.count == 0
    assert "Gradient Descent" not in titles(
        client.get("/search/", {"q": "network -gradient"})
    )


@pytest.mark.postgres
def test_postgres_suggests_titles_when_nothing_matches(client, corpus):
    html = client.get("/search/", {"q": "gradiant descnt"}).content.decode()
    assert "Nothing matches" in html and "Did you mean" in html
    assert ">Gradient Descent</a>?" in html


def test_fallback_search_finds_every_word(client, corpus, monkeypatch):
    monkeypatch.setattr(search, "is_postgres", lambda: False)
    assert titles(client.get("/search/", {"q": "neural gradient"})) == [
        "Gradient Descent"
    ]
    assert titles(client.get("/search/", {"q": '"statistical models"'})) == [
        "Machine Learning"
    ]
    assert "Secret Network Draft" not in titles(
        client.get("/search/", {"q": "network"})
    )


@pytest.mark.parametrize(
    "q", ["", "   ", "&&&|!!(", "x" * 5000, "'; drop table --", "-"]
)
def test_empty_or_absurd_queries_get_a_friendly_page(client, corpus, q):
    response = client.get("/search/", {"q": q})
    assert response.status_code == 200
    assert "Search" in response.content.decode()


def test_filters_combine_with_search_and_live_in_the_url(client, corpus, monkeypatch):
    monkeypatch.setattr(search, "is_postgres", lambda: False)
    found = titles(client.get("/search/", {"q": "the", "kind": "method"}))
    assert found == ["Gradient Descent"]
    listing = client.get("/topics/", {"tag": ["neural-networks", "models"]})
    assert [t.live_version.title for t in listing.context["page"]] == ["Neural Network"]
    listing = client.get("/topics/", {"parent": "machine-learning"})
    assert {t.live_version.title for t in listing.context["page"]} == {
        "Neural Network",
        "Gradient Descent",
    }
    tomorrow = (timezone.now() + datetime.timedelta(days=1)).date().isoformat()
    listing = client.get("/topics/", {"revised_since": tomorrow})
    assert listing.context["page"].paginator.count == 0


def test_pagination_keeps_the_filters(client, editor, moderator, monkeypatch):
    for n in range(12):
        make_live(
            author=editor,
            moderator=moderator,
            slug=f"t{n}",
            title=f"Topic {n}",
            kind="method",
            sections=[("definition", "", "Common words.")],
        )
    monkeypatch.setattr(search, "is_postgres", lambda: False)
    html = client.get("/search/", {"q": "common", "kind": "method"}).content.decode()
    assert "?q=common&amp;kind=method&amp;page=2" in html


def test_tag_pages_count_live_topics_only(client, corpus):
    html = client.get("/tags/").content.decode()
    assert "neural networks" in html and "draft-only-tag" not in html
    page = client.get("/tags/neural-networks/")
    assert [t.live_version.title for t in page.context["page"]] == ["Neural Network"]
    assert client.get("/tags/draft-only-tag/").context["page"].paginator.count == 0


def test_a_to_z_groups_by_folded_first_letter(client, corpus):
    groups = dict(client.get("/a-z/").context["groups"])
    assert [title for _slug, title, _kind in groups["G"]] == [
        "Gödel Numbering",
        "Gradient Descent",
    ]
    assert "S" not in groups  # the draft


def test_referenced_by_lists_live_linking_topics(client, corpus):
    html = client.get("/topics/neural-network/").content.decode()
    assert "Referenced by" in html and '<a href="/topics/gradient-descent/">' in html
    ml = client.get("/topics/machine-learning/").content.decode()
    assert (
        "Referenced by" in ml
        and '<a href="/topics/neural-network/">Neural Network' in ml
    )
    # Sub-topic tree on a field page.
    assert '<a href="/topics/gradient-descent/">Gradient Descent</a>' in ml


def test_renamed_topics_redirect_permanently(client, corpus, moderator):
    services.rename_topic(
        topic=corpus["net"].topic, new_slug="artificial-neural-network", by=moderator
    )
    for old, new in [
        ("/topics/neural-network/", "/topics/artificial-neural-network/"),
        ("/topics/neural-network/v/1/", "/topics/artificial-neural-network/v/1/"),
        (
            "/topics/neural-network/history/",
            "/topics/artificial-neural-network/history/",
        ),
    ]:
        response = client.get(old)
        assert (response.status_code, response["Location"]) == (301, new)
    assert client.get("/topics/artificial-neural-network/").status_code == 200
    # Text linking to the old slug still validates and still counts as a link.
    assert (
        '<a href="/topics/gradient-descent/">'
        in client.get("/topics/artificial-neural-network/").content.decode()
    )


def test_rename_refuses_a_slug_in_use(corpus, moderator):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="is in use"):
        services.rename_topic(topic=corpus["net"].topic, new_slug="godel", by=moderator)


def test_feeds_and_sitemap_are_valid_xml_with_approved_versions_only(client, corpus):
    feed = ET.fromstring(client.get("/feeds/recent/").content)
    entries = feed.findall(f"{ATOM}entry")
    links = {e.find(f"{ATOM}link").get("href") for e in entries}
    assert "http://testserver/topics/neural-network/v/1/" in links
    assert not any("secret" in link for link in links)
    tag_feed = ET.fromstring(client.get("/feeds/tags/optimization/").content)
    assert [e.find(f"{ATOM}title").text for e in tag_feed.findall(f"{ATOM}entry")] == [
        "Gradient Descent (version 1)"
    ]
    sitemap = ET.fromstring(client.get("/sitemap.xml").content)
    urls = {u.find(f"{SITEMAP}loc").text: u.find(f"{SITEMAP}lastmod") for u in sitemap}
    assert "http://testserver/topics/godel/" in urls
    assert (
        urls["http://testserver/topics/godel/"].text
        == corpus["godel"].approved_at.date().isoformat()
    )
    assert not any("secret" in url for url in urls)
    robots = client.get("/robots.txt").content.decode()
    assert "Sitemap: " in robots and "Disallow: /admin/" in robots


def test_random_redirects_to_a_live_topic(client, corpus):
    live = set(Topic.objects.live().values_list("slug", flat=True))
    for _ in range(5):
        response = client.get("/random/")
        assert response.status_code == 302
        assert response["Location"].split("/")[2] in live


def test_home_page_has_search_recent_fields_and_tags(client, corpus):
    html = client.get("/").content.decode()
    assert 'action="/search/"' in html
    assert "Machine Learning" in html and '<a href="/topics/neural-network/">' in html
    assert '<a href="/tags/neural-networks/">' in html


PAGES = [
    "/",
    "/topics/",
    "/topics/?kind=concept&tag=models",
    "/search/?q=network",
    "/tags/",
    "/tags/models/",
    "/a-z/",
    "/feeds/recent/",
    "/feeds/tags/models/",
    "/sitemap.xml",
    "/topics/neural-network/",
    "/topics/machine-learning/",
    "/topics/neural-network/history/",
]


def test_query_counts_do_not_grow_with_the_corpus(client, corpus, editor, moderator):
    def grow():
        for n in range(6):
            version = make_draft(
                by=editor, slug=f"more-{n}", title=f"More Network {n}",
                parent=corpus["ml"].topic,
                sections=[("definition", "", "More text [x](topic:neural-network).")],
            )  # fmt: skip
            version.tags.add("models")
            RelatedTopic.objects.create(
                version=version, target=corpus["net"].topic, position=1
            )
            publish(version, author=editor, moderator=moderator)

    counts = assert_flat(client, PAGES, grow)
    assert counts["/topics/neural-network/"] == 2
