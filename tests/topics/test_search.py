"""Search and filters (topics/search.py, topics/filters.py): ranking and
highlights on PostgreSQL, the fallback elsewhere, odd queries, filters that
live in the URL, and pagination that keeps them."""

import datetime

import pytest
from django.db import connection
from django.utils import timezone

from tests.factories import make_live
from tests.topics import scenarios
from topics import search

pytestmark = pytest.mark.django_db


@pytest.fixture
def corpus(editor, moderator):
    """A few live topics, one draft, tags and links between them."""
    return scenarios.discovery_corpus(editor, moderator)


@pytest.fixture
def entry(editor, moderator):
    """A published topic with a parent, a child, related topics and citations."""
    return scenarios.linked_entry(editor, moderator)


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


@pytest.mark.skipif(
    connection.vendor != "sqlite", reason="SQLite test: DATABASE_URL is PostgreSQL"
)
def test_sqlite_search_ranks_by_bm25_stems_and_highlights(
    client, corpus, editor, moderator
):
    response = client.get("/search/", {"q": "networks"})
    found = titles(response)
    # A title match outranks a body match; "networks" finds "network".
    assert found[0] == "Neural Network" and "Gradient Descent" in found
    assert "Secret Network Draft" not in found
    assert "<mark>network</mark>" in response.content.decode().lower()
    assert titles(client.get("/search/", {"q": "Godel"})) == ["Gödel Numbering"]
    phrase = client.get("/search/", {"q": '"following the gradient"'})
    assert titles(phrase) == ["Gradient Descent"]
    reversed_words = client.get("/search/", {"q": '"gradient following"'})
    assert reversed_words.context["page"].paginator.count == 0
    assert "Gradient Descent" not in titles(
        client.get("/search/", {"q": "network -gradient"})
    )
    # Ranked, not alphabetical: the topic named by the query comes first.
    for n, title in enumerate(["Deep Belief Nets", "Deep Fakes", "Deep Learning"]):
        make_live(
            author=editor,
            moderator=moderator,
            slug=f"deep-{n}",
            title=title,
            sections=[("definition", "", f"{title} and learning, deep or not.")],
        )
    assert titles(client.get("/search/", {"q": "deep learning"}))[0] == "Deep Learning"


@pytest.mark.postgres
def test_a_common_word_ranks_title_matches_and_a_capped_share_of_the_rest(
    client, editor, moderator, monkeypatch
):
    monkeypatch.setattr(search, "HEAD_CANDIDATES", 2)
    monkeypatch.setattr(search, "TEXT_CANDIDATES", 2)
    for n in range(3):
        make_live(
            author=editor,
            moderator=moderator,
            slug=f"lattice-{n}",
            title=f"Lattice {n}",
            sections=[("definition", "", "A structure.")],
        )
    for n in range(4):
        make_live(
            author=editor,
            moderator=moderator,
            slug=f"other-{n}",
            title=f"Other {n}",
            sections=[("definition", "", "Its lattice is mentioned once.")],
        )
    response = client.get("/search/", {"q": "lattice"})
    found = titles(response)

    # Two of the title matches rank first, then two of the text matches.
    assert len(found) == 4
    assert all(title.startswith("Lattice") for title in found[:2])
    assert all(title.startswith("Other") for title in found[2:])
    assert "The best 4 of many results" in response.content.decode()
    # Below the caps, every match is ranked and counted.
    monkeypatch.setattr(search, "TEXT_CANDIDATES", 10)
    monkeypatch.setattr(search, "HEAD_CANDIDATES", 10)
    response = client.get("/search/", {"q": "lattice"})
    assert len(titles(response)) == 7
    assert "7 results for" in response.content.decode()


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


def test_topic_list_filters_by_kind_and_tag(client, entry):
    html = client.get("/topics/?kind=method").content.decode()
    assert "A Method" in html and "The Topic" not in html
    html = client.get("/topics/?tag=examples").content.decode()
    assert "The Topic" in html and "A Method" not in html
    html = client.get("/topics/?q=method").content.decode()
    assert "A Method" in html


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
