import pytest
from django.urls import reverse

from tests.factories import WorkFactory, make_draft, make_live, publish
from topics import services
from topics.models import KeyFigure, Person, RelatedTopic, Section

pytestmark = pytest.mark.django_db


@pytest.fixture
def entry(editor, moderator):
    """A published topic with a parent, a child, related topics and citations."""
    WorkFactory(key="doe2020", title="On examples")
    field = make_live(
        author=editor,
        moderator=moderator,
        slug="field",
        title="The Field",
        kind="field",
    )
    draft = make_draft(
        by=editor,
        slug="topic",
        title="The Topic",
        parent=field.topic,
        sections=[
            (Section.Kind.DEFINITION, "", "A definition with $x^2$ [@doe2020, p. 3]."),
            (Section.Kind.SCOPE, "", ""),
            (Section.Kind.RELEVANCE, "Clinical relevance", "Matters [@doe2020]."),
        ],
    )
    method = make_live(
        author=editor,
        moderator=moderator,
        slug="a-method",
        title="A Method",
        kind="method",
    )
    concept = make_live(
        author=editor, moderator=moderator, slug="a-concept", title="A Concept"
    )
    hidden = make_draft(by=editor, slug="unpublished", title="Unpublished Thing")
    for position, target in enumerate([method.topic, concept.topic, hidden.topic], 1):
        RelatedTopic.objects.create(version=draft, target=target, position=position)
    KeyFigure.objects.create(
        version=draft, person=Person.objects.create(name="Ada Lovelace"), position=1
    )
    draft.tags.add("examples")
    live = publish(draft, author=editor, moderator=moderator)
    make_live(
        author=editor,
        moderator=moderator,
        slug="child",
        title="A Child",
        parent=live.topic,
    )
    return live


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
    assert "By Edith Editor" in html
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


def test_topic_list_filters_by_kind_and_tag(client, entry):
    html = client.get("/topics/?kind=method").content.decode()
    assert "A Method" in html and "The Topic" not in html
    html = client.get("/topics/?tag=examples").content.decode()
    assert "The Topic" in html and "A Method" not in html
    html = client.get("/topics/?q=method").content.decode()
    assert "A Method" in html
