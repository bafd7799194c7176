"""Readers' pages (topics/views.py): a topic and its versions, drafts and
previews, history and compare, tags, A–Z, referenced by, renamed topics,
the random and home pages, and their query counts."""

import pytest
from django.urls import reverse

import topics.rendering
from citations import formatting
from tests.factories import WorkFactory, make_draft, make_live, publish
from tests.querycounts import assert_flat
from tests.topics import scenarios
from tests.topics.helpers import get
from tests.topics.scenarios import submit_change
from topics import services
from topics.models import KeyFigure, Person, RelatedTopic, Section, Topic, TopicVersion

pytestmark = pytest.mark.django_db


@pytest.fixture
def entry(editor, moderator):
    """A published topic with a parent, a child, related topics and citations."""
    return scenarios.linked_entry(editor, moderator)


@pytest.fixture
def corpus(editor, moderator):
    """A few live topics, one draft, tags and links between them."""
    return scenarios.discovery_corpus(editor, moderator)


@pytest.fixture
def live(editor, moderator):
    """“Entropy”, live, citing smith2020 (that Work is at `.work`)."""
    return scenarios.live_citing_a_work(editor, moderator)


# -- A topic and its versions -------------------------------------------------------


@pytest.mark.pandoc
def test_topic_page_shows_the_live_version(client, entry):
    response = client.get("/topics/topic/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "<h1>The Topic</h1>" in html
    assert '<a href="/topics/field/">The Field</a>' in html  # breadcrumbs
    assert "Definition" in html and "Clinical relevance" in html
    assert 'id="scope"' not in html  # empty sections are hidden
    assert "<math" in html
    assert 'href="#ref-doe2020"' in html and 'href="#cite-1"' in html
    assert "Ada Lovelace" in html
    assert '<a href="/topics/child/">A Child</a>' in html  # sub-topics
    assert "Methods</h2>" in html and "Related concepts</h2>" in html
    assert "Unpublished Thing" not in html
    assert "examples" in html
    assert 'By <a href="/people/edith-editor/">Edith Editor</a>' in html
    assert "CC BY-SA 4.0" in html


def test_a_draft_edit_stays_invisible_until_published(client, entry, editor, moderator):
    draft = services.start_draft(topic=entry.topic, by=editor)
    section = draft.sections.get(kind=Section.Kind.DEFINITION)
    section.body = "A brand new definition."
    section.save()
    assert "brand new definition" not in client.get("/topics/topic/").content.decode()
    publish(draft, author=editor, moderator=moderator, summary="Rewrite")
    html = client.get("/topics/topic/").content.decode()
    assert "brand new definition" in html
    old = client.get("/topics/topic/v/1/").content.decode()
    assert "A definition with" in old and "You are reading version 1" in old


def test_unpublished_topics_are_not_found(client, editor):
    make_draft(by=editor, slug="secret")
    assert client.get("/topics/secret/").status_code == 404
    assert client.get("/topics/nothing/").status_code == 404


def test_topic_page_query_count_does_not_grow(
    client, entry, editor, moderator, django_assert_num_queries
):
    with django_assert_num_queries(2):
        client.get("/topics/topic/")
    # Many more sections, citations, related topics, figures of note, tags.
    draft = services.start_draft(topic=entry.topic, by=editor)
    for n in range(20):
        WorkFactory(key=f"extra{n}")
        Section.objects.create(
            version=draft,
            kind="other",
            heading=f"Extra {n}",
            body=f"[@extra{n}]",
            position=10 + n,
        )
        target = make_live(
            author=editor, moderator=moderator, slug=f"rel-{n}", title=f"Rel {n}"
        )
        RelatedTopic.objects.create(version=draft, target=target.topic, position=10 + n)
        KeyFigure.objects.create(
            version=draft, person=Person.objects.create(name=f"P {n}"), position=10 + n
        )
        draft.tags.add(f"tag {n}")
    services.record_edit(version=draft, by=editor)
    publish(draft, author=editor, moderator=moderator, summary="More")
    with django_assert_num_queries(2):
        response = client.get("/topics/topic/")
    html = response.content.decode()
    assert "Extra 19" in html and '<a href="/topics/rel-19/">Rel 19</a>' in html


def test_cold_topic_page_reads_stored_html_without_rendering(
    client, settings, live, monkeypatch, django_assert_max_num_queries
):
    settings.PAGE_CACHE = False

    def refuse(*args, **kwargs):
        raise AssertionError("rendering in a reader's request")

    monkeypatch.setattr(formatting, "pandoc", refuse)
    monkeypatch.setattr(formatting, "citeproc_html", refuse)
    monkeypatch.setattr(topics.rendering, "render_version", refuse)
    monkeypatch.setattr(topics.rendering, "analyse_sections", refuse)
    monkeypatch.setattr("pypandoc.convert_text", refuse)
    for url in (live.topic.get_absolute_url(), live.get_absolute_url()):
        with django_assert_max_num_queries(6):
            response = get(client, url)
        assert response.status_code == 200
        assert "Entropy measures disorder" in response.content.decode()


def test_signed_in_staff_see_state_and_edit_link(client, entry, editor):
    client.force_login(editor)
    html = client.get("/topics/topic/").content.decode()
    assert "Live: version 1" in html
    assert reverse("admin:topics_topic_edit", args=[entry.topic.pk]) in html
    client.logout()
    assert "Live: version 1" not in client.get("/topics/topic/").content.decode()


def test_preview_is_for_staff_only(client, editor):
    draft = make_draft(
        by=editor, slug="draft", sections=[("definition", "", "Draft text.")]
    )
    url = draft.get_absolute_url()
    assert client.get(url).status_code == 403
    client.force_login(editor)
    response = client.get(url)
    assert response.status_code == 200 and "Draft text." in response.content.decode()


def test_drafts_and_rejected_versions_have_no_public_address(client, editor, moderator):
    draft = submit_change(editor, moderator)
    services.reject_version(version=draft, by=moderator, comment="No.")
    assert client.get("/topics/topic/v/2/").status_code == 404
    assert client.get(draft.get_absolute_url()).status_code == 403


def test_history_and_compare_pages(client, editor, moderator):
    draft = submit_change(editor, moderator)
    services.approve_version(version=draft, by=moderator)
    html = client.get("/topics/topic/history/").content.decode()
    assert "Version 1" in html and "Version 2" in html and "Sharper wording" in html
    compare = client.get("/topics/topic/compare/1/2/")
    assert compare.status_code == 200
    assert "<del>Original</del><ins>Changed</ins>" in compare.content.decode()
    assert (
        client.get("/topics/topic/compare/?a=2&b=1").url == "/topics/topic/compare/1/2/"
    )
    assert client.get("/topics/topic/compare/1/9/").status_code == 404


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


# -- Lists, tags, A–Z, random and home -------------------------------------------------


def test_home_and_list_query_counts_are_flat(
    client, entry, editor, moderator, django_assert_max_num_queries
):
    with django_assert_max_num_queries(5):
        home = client.get("/")
    with django_assert_max_num_queries(4):
        listing = client.get("/topics/")
    for n in range(15):
        make_live(
            author=editor,
            moderator=moderator,
            slug=f"more-{n}",
            title=f"More {n}",
            kind="field",
        )
    with django_assert_max_num_queries(5):
        assert client.get("/").status_code == 200
    with django_assert_max_num_queries(4):
        assert client.get("/topics/").status_code == 200
    assert "The Field" in home.content.decode()
    assert "The Topic" in listing.content.decode()


def test_tag_pages_count_live_topics_only(client, corpus):
    html = client.get("/tags/").content.decode()
    assert "neural networks" in html and "draft-only-tag" not in html
    page = client.get("/tags/neural-networks/")
    assert [t.live_version.title for t in page.context["page"]] == ["Neural Network"]
    # A tag only drafts use has no public page (nor feed).
    assert client.get("/tags/draft-only-tag/").status_code == 404
    assert client.get("/feeds/tags/draft-only-tag/").status_code == 404


def test_a_to_z_groups_by_folded_first_letter(client, corpus):
    groups = dict(client.get("/a-z/").context["groups"])
    assert [title for _slug, title, _kind in groups["G"]] == [
        "Gödel Numbering",
        "Gradient Descent",
    ]
    assert "S" not in groups  # the draft


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


@pytest.mark.parametrize(
    "url",
    [
        "/topics/topic/compare/?a=-1&b=2",
        "/topics/topic/compare/?a=0&b=1",
        "/topics/topic/compare/?a=1&b=99999999999999999999",
        "/topics/topic/v/99999999999999999999/",
        "/topics/topic/v/99999999999999999999/cite.bib",
        "/topics/topic/compare/1/99999999999999999999/",
        "/topics/topic/v/0/",
    ],
)
def test_impossible_version_numbers_are_404_never_500(client, entry, url):
    assert client.get(url).status_code == 404


def test_the_staff_bar_starts_a_draft_with_a_post(client, entry, editor):
    client.force_login(editor)
    html = client.get("/topics/topic/").content.decode()
    edit = reverse("admin:topics_topic_edit", args=[entry.topic.pk])
    assert f'<form method="post" action="{edit}"' in html
    assert not TopicVersion.objects.filter(topic=entry.topic, state="draft").exists()
