"""Feeds, sitemaps and robots.txt (topics/feeds.py, topics/sitemaps.py):
valid XML, approved versions only."""

import xml.etree.ElementTree as ET

import pytest

from tests.topics import scenarios

pytestmark = pytest.mark.django_db
ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


@pytest.fixture
def corpus(editor, moderator):
    """A few live topics, one draft, tags and links between them."""
    return scenarios.discovery_corpus(editor, moderator)


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


def test_edit_summaries_reach_feed_readers_as_text(client, editor, moderator):
    from tests.factories import make_draft, publish

    draft = make_draft(by=editor, slug="feedy", title="Feedy")
    publish(
        draft,
        author=editor,
        moderator=moderator,
        summary='<img src=x onerror="alert(1)">',
    )
    atom = client.get("/feeds/recent/").content.decode()
    entry = ET.fromstring(atom).find("{http://www.w3.org/2005/Atom}entry")
    summary = entry.find("{http://www.w3.org/2005/Atom}summary").text
    assert "<img" not in summary
    assert "&lt;img src=x onerror=" in summary
