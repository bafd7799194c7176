"""`/assistant/` and `/assistant/answer.json` as readers and other clients
see them."""

import json

import pytest
from django.core.cache import caches
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import make_live
from tests.querycounts import assert_flat
from tests.topics.assistant.conftest import DEF
from tests.topics.helpers import ClassReader
from topics import assistant
from topics.models import CoverageGap

pytestmark = pytest.mark.django_db

QUESTION = "How do plants turn light into sugar?"


def test_every_page_links_to_the_assistant(client, library):
    html = client.get("/").content.decode()

    assert '<a class="assistant-link" href="/assistant/">Assistant</a>' in html


def test_the_assistant_opens_on_one_question_box(client):
    response = client.get("/assistant/")

    html = response.content.decode()
    assert response.status_code == 200
    assert html.count('name="q"') == 2  # the header's search, and this box
    assert '<label for="question">Your question</label>' in html


def test_an_answer_quotes_whole_paragraphs_with_where_they_come_from(client, library):
    live = library["photosynthesis"]
    passage = assistant.answer(QUESTION, record=False).hits[0].passage

    html = client.get("/assistant/", {"q": QUESTION}).content.decode()

    permalink = f"/topics/photosynthesis/v/{live.number}/#{passage.anchor}"
    assert f'<blockquote cite="{permalink}">' in html
    assert passage.text in html
    assert f'<a href="{permalink}">Photosynthesis</a>' in html
    assert "section “Definition”" in html
    assert f"version {live.number}, approved " in html
    assert (
        f'href="/topics/photosynthesis/v/{live.number}/cite/{passage.anchor}/">'
        "Cite this paragraph</a>" in html
    )
    assert "Edith Editor" in html or "ScholarGate contributors" in html


@pytest.mark.pandoc
def test_quoted_citations_link_into_the_permalink(client, editor, moderator):
    from tests.factories import WorkFactory

    WorkFactory(key="doe2020", title="On tides")
    make_live(
        author=editor,
        moderator=moderator,
        slug="tidal-locking",
        title="Tidal Locking",
        sections=[
            (
                DEF,
                "",
                "Tidal locking slows a moon's spin until it always shows one "
                "face [@doe2020].",
            )
        ],
    )
    html = client.get("/assistant/", {"q": "What is tidal locking?"}).content.decode()

    reader = ClassReader()
    reader.feed(html)
    assert 'href="/topics/tidal-locking/v/1/#ref-doe2020"' in html
    assert 'href="#ref-' not in html
    assert 'id="cite-' not in html  # ids belong to the entry's own page


def test_a_question_nothing_answers_says_so_and_offers_a_way_on(client, library):
    response = client.get("/assistant/", {"q": "Do glaciers melt faster in sunlight?"})

    html = response.content.decode()
    assert response.status_code == 200
    assert "No reviewed entry answers this yet" in html
    assert "ScholarGate has no reviewed entry that answers" in html
    assert '<a href="/topics/photosynthesis/">Photosynthesis</a>' in html
    assert 'href="/search/?q=Do%20glaciers%20melt%20faster%20in%20sunlight%3F"' in html
    assert response["Cache-Control"] == "no-store"
    assert CoverageGap.objects.get().count == 1


def test_a_too_long_question_gets_a_message_naming_the_limit(client, library):
    response = client.get("/assistant/", {"q": "why " * 100})

    assert response.status_code == 400
    html = response.content.decode()
    assert (
        "Your question is 399 characters long; the Assistant takes questions of "
        "up to 300." in html
    )
    assert 'aria-invalid="true"' in html
    assert not CoverageGap.objects.exists()


@pytest.mark.parametrize("url", ["/assistant/", "/assistant/answer.json"])
def test_nul_and_control_characters_are_cleaned_not_refused(client, library, url):
    response = client.get(url, {"q": "How do plants turn\x00 light\x1b into sugar?"})

    assert response.status_code == 200
    assert b"\\u0000" not in response.content and b"\x00" not in response.content


def test_the_json_contract(client, settings, library):
    response = client.get("/assistant/answer.json", {"q": QUESTION})

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    data = response.json()
    assert set(data) == {"question", "covered", "passages", "nearest_topics"}
    assert data["question"] == QUESTION and data["covered"] is True
    first = data["passages"][0]
    assert set(first) == {
        "topic",
        "title",
        "version",
        "section",
        "anchor",
        "url",
        "text",
        "score",
    }
    assert first["topic"] == "photosynthesis" and first["title"] == "Photosynthesis"
    assert first["version"] == 1 and first["section"] == "Definition"
    assert first["anchor"].startswith("p-")
    site = settings.SCHOLARGATE_SITE_URL
    assert first["url"] == f"{site}/topics/photosynthesis/v/1/#{first['anchor']}"
    assert "turn light energy into chemical energy" in first["text"]
    scores = [p["score"] for p in data["passages"]]
    assert scores == sorted(scores, reverse=True)
    assert data["nearest_topics"][0] == "photosynthesis"


def test_the_json_says_when_nothing_covers_a_question(client, library):
    data = client.get(
        "/assistant/answer.json", {"q": "Who wrote War and Peace?"}
    ).json()

    assert data == {
        "question": "Who wrote War and Peace?",
        "covered": False,
        "passages": [],
        "nearest_topics": [],
    }
    assert CoverageGap.objects.get().example == "Who wrote War and Peace?"


def test_the_json_refuses_an_empty_or_long_question_with_a_message(client):
    empty = client.get("/assistant/answer.json")
    long = client.get("/assistant/answer.json", {"q": "x" * 301})

    assert empty.status_code == long.status_code == 400
    assert empty.json() == {"error": "Ask a question with ?q=…"}
    assert "301 characters long" in long.json()["error"]


def test_answers_are_cached_apart_from_topic_pages(client, settings, library):
    settings.PAGE_CACHE = True
    client.get("/assistant/", {"q": QUESTION})

    with CaptureQueriesContext(connection) as queries:
        again = client.get("/assistant/", {"q": QUESTION})
    assert again.status_code == 200 and len(queries) == 0
    query_pages = caches["query_pages"]
    assert any("sg:page:" in str(key) for key in query_pages._cache)  # noqa: SLF001
    assert settings.CACHES["query_pages"]["OPTIONS"]["MAX_ENTRIES"] <= 5000


def test_unanswered_questions_are_not_cached_so_each_ask_counts(
    client, settings, library
):
    settings.PAGE_CACHE = True
    for _ in range(3):
        client.get("/assistant/", {"q": "Who wrote War and Peace?"})

    assert CoverageGap.objects.get().count == 3


def test_the_answer_page_runs_the_same_queries_however_much_there_is(
    client, library, editor, moderator
):
    def grow():
        for n in range(6):
            make_live(
                author=editor,
                moderator=moderator,
                slug=f"plant-{n}",
                title=f"Plant {n}",
                sections=[
                    (DEF, "", f"Plant {n} turns light into sugar in its leaves.")
                ],
            )

    assert_flat(
        client,
        [
            f"/assistant/?q={QUESTION}",
            "/assistant/answer.json?q=How+do+tides+rise",
        ],
        grow,
        ceiling=8,
    )


def test_assistant_pages_are_read_only(client):
    assert client.post("/assistant/", {"q": "x"}).status_code == 405
    assert json.loads(client.get("/assistant/answer.json?q=%20").content)["error"]
