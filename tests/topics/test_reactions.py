"""Surrogate keys (topics/reactions.py): what each page says it shows, and
what each change purges, as the HTTP cache in front gets them."""

import pytest
from taggit.models import Tag

from scholargate.pagecache import purge
from tests.factories import make_live, publish
from topics import services
from topics.models import Person, Topic

pytestmark = pytest.mark.django_db


@pytest.fixture
def purged(settings, monkeypatch):
    """Purges go to a cache server; collect the keys instead of sending."""
    settings.HTTP_CACHE_PURGE_URLS = ["http://cache.invalid/"]
    sent = []
    monkeypatch.setattr(purge, "send", lambda keys: sent.append(set(keys)))
    return sent


@pytest.fixture
def heat(editor, moderator):
    """Heat with Entropy under it, and Basalt by the same author."""
    heat = make_live(author=editor, moderator=moderator, slug="heat", title="Heat")
    make_live(
        author=editor,
        moderator=moderator,
        slug="entropy",
        title="Entropy",
        parent=heat.topic,
    )
    make_live(author=editor, moderator=moderator, slug="basalt", title="Basalt")
    return heat.topic


def keys_of(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return set(response["xkey"].split())


def test_a_topic_page_names_itself_what_it_lists_and_who_wrote_it(client, heat):
    entropy = Topic.objects.get(slug="entropy")
    author = entropy.live_version.author_links.get().person

    keys = keys_of(client, "/topics/entropy/")

    assert {
        "all",
        f"topic-{entropy.pk}",
        f"topic-{entropy.pk}-list",
        f"topic-{heat.pk}",  # the breadcrumb (and its parent)
        f"person-{author.pk}",
    } <= keys
    assert f"topic-{heat.pk}-list" not in keys
    assert f"topic-{entropy.pk}" in keys_of(client, "/topics/heat/")  # sub-topic
    assert f"topic-{entropy.pk}" not in keys_of(client, "/topics/basalt/")


def test_lists_are_named_recent_and_their_pages_name_their_topics(client, heat):
    entropy = Topic.objects.get(slug="entropy")
    assert "recent" in keys_of(client, "/")
    assert "recent" in keys_of(client, "/topics/")
    assert "recent" in keys_of(client, "/search/?q=entropy")
    author = entropy.live_version.author_links.get().person
    person = keys_of(client, f"/people/{author.slug}/")
    assert {f"person-{author.pk}-list", f"topic-{entropy.pk}"} <= person


def test_a_page_not_stored_carries_no_keys(client, heat):
    response = client.get("/topics/?kind=no-such-kind")
    assert "xkey" not in response
    response = client.get("/topics/?made_up=1")
    assert "xkey" not in response


def test_an_approval_purges_the_topic_the_lists_and_the_pages_listing_it(
    heat, editor, second_moderator, purged, django_capture_on_commit_callbacks
):
    entropy = Topic.objects.get(slug="entropy")
    author = entropy.live_version.author_links.get().person
    draft = services.start_draft(topic=entropy, by=editor)
    draft.title = "Thermodynamic entropy"
    draft.save()
    draft.tags.add("physics")
    services.record_edit(version=draft, by=editor)
    with django_capture_on_commit_callbacks(execute=True):
        publish(draft, author=editor, moderator=second_moderator)

    tag = Tag.objects.get(name="physics")
    keys = set().union(*purged)
    assert keys == {
        f"topic-{entropy.pk}",
        "recent",
        f"topic-{heat.pk}-list",  # Heat lists its sub-topics
        f"person-{author.pk}-list",  # the author's page lists their topics
        f"tag-{tag.pk}-list",  # the tag's page lists its topics
    }
    # Basalt, by the same author, shows the author's name, not the list: it
    # carries none of these keys.
    basalt = Topic.objects.get(slug="basalt").live_version.page
    assert not keys & {f"topic-{basalt.version.topic_id}", *basalt.shows}


def test_renaming_a_person_purges_every_page_showing_them(
    heat, purged, django_capture_on_commit_callbacks
):
    person = Person.objects.first()
    with django_capture_on_commit_callbacks(execute=True):
        person.name = "A. N. Other"
        person.save()
    assert set().union(*purged) == {f"person-{person.pk}", "people"}


def test_without_cache_servers_or_replicas_no_purge_thread_starts(
    heat,
    settings,
    editor,
    second_moderator,
    monkeypatch,
    django_capture_on_commit_callbacks,
):
    settings.HTTP_CACHE_PURGE_URLS = []
    settings.DATABASE_ROUTERS = []
    monkeypatch.setattr(purge, "_start", lambda: pytest.fail("a purge was sent"))
    draft = services.start_draft(topic=heat, by=editor)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        publish(draft, author=editor, moderator=second_moderator)
    assert callbacks  # the in-app cache's new generation, at least


def test_a_field_page_names_the_lists_of_its_sub_topic_tree(
    client, editor, moderator, purged, django_capture_on_commit_callbacks
):
    """A field shows sub-topics three levels deep: a new sub-topic of its
    sub-topic must reach it."""
    field = make_live(
        author=editor, moderator=moderator, slug="physics", title="Physics",
        kind="field",
    )  # fmt: skip
    child = make_live(
        author=editor, moderator=moderator, slug="heat", title="Heat",
        parent=field.topic,
    )  # fmt: skip
    keys = keys_of(client, "/topics/physics/")
    assert f"topic-{child.topic_id}-list" in keys

    purged.clear()
    with django_capture_on_commit_callbacks(execute=True):
        make_live(
            author=editor, moderator=moderator, slug="entropy", title="Entropy",
            parent=child.topic,
        )  # fmt: skip
    assert f"topic-{child.topic_id}-list" in set().union(*purged)
    assert "Entropy" in client.get("/topics/physics/").content.decode()
