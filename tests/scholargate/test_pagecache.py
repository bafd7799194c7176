"""Readers' pages from the page cache (scholargate/pagecache/): correct under
the workflow, on both the local-memory cache and Redis (CI runs the Redis half
against a real server)."""

import os

import pytest
from django.core.cache import cache
from django.urls import reverse

from citations.services import save_work
from tests.factories import make_draft, make_live, publish
from tests.topics import scenarios
from tests.topics.helpers import get
from topics import services

pytestmark = pytest.mark.django_db


@pytest.fixture(params=["locmem", "redis"])
def page_cache(request, settings):
    """Switch the default cache to each backend, empty, for one test."""
    if request.param == "redis":
        if not settings.REDIS_TEST_URL:
            if os.environ.get("SCHOLARGATE_REQUIRE_REDIS"):
                raise pytest.UsageError("Redis is required here (REDIS_URL).")
            pytest.skip("Redis cache test: REDIS_URL is not set")
        backend = {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": settings.REDIS_TEST_URL,
            "KEY_PREFIX": "sg-tests",
        }
    else:
        backend = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    settings.CACHES = {**settings.CACHES, "default": backend}
    settings.PAGE_CACHE = True
    cache.clear()
    yield request.param
    cache.clear()


@pytest.fixture
def live(editor, moderator):
    """“Entropy”, live, citing smith2020 (that Work is at `.work`)."""
    return scenarios.live_citing_a_work(editor, moderator)


def test_second_anonymous_request_is_served_without_sql(
    client, page_cache, live, django_assert_num_queries
):
    url = live.topic.get_absolute_url()
    first = get(client, url)
    assert first.status_code == 200
    with django_assert_num_queries(0):
        second = get(client, url)
    assert second.content == first.content
    assert second["ETag"] == first["ETag"]
    assert second["Cache-Control"] == "public, no-cache"
    assert "Cookie" in second["Vary"]


def test_revalidation_gets_304_and_approval_changes_etag_and_page(
    client,
    page_cache,
    live,
    editor,
    second_moderator,
    django_assert_num_queries,
    django_capture_on_commit_callbacks,
):
    url = live.topic.get_absolute_url()
    first = get(client, url)
    etag = first["ETag"]
    with django_assert_num_queries(0):
        again = get(client, url, if_none_match=etag)
    assert again.status_code == 304 and again.content == b""
    assert again["ETag"] == etag
    # A new version is approved: the same validator no longer matches.
    draft = services.start_draft(topic=live.topic, by=editor)
    section = draft.sections.get()
    section.body = "Entropy, newly defined, measures disorder [@smith2020]."
    section.save()
    services.record_edit(version=draft, by=editor)
    with django_capture_on_commit_callbacks(execute=True):
        publish(draft, author=editor, moderator=second_moderator, summary="Reworded")
    after = get(client, url, if_none_match=etag)
    assert after.status_code == 200
    assert after["ETag"] != etag
    assert "newly defined" in after.content.decode()


def test_conditional_request_without_page_cache_skips_rendering(
    client, settings, live, django_assert_max_num_queries, generation_second_over
):
    settings.PAGE_CACHE = False
    url = live.topic.get_absolute_url()
    etag = get(client, url)["ETag"]
    with django_assert_max_num_queries(1):
        response = get(client, url, if_none_match=etag)
    assert response.status_code == 304
    assert response.templates == [] and response["ETag"] == etag
    modified = get(client, url)["Last-Modified"]
    response = get(client, url, if_modified_since=modified)
    assert response.status_code == 304 and response.templates == []


def test_moderator_gets_their_own_page_never_the_cached_one(
    client, page_cache, live, moderator
):
    url = live.topic.get_absolute_url()
    anonymous = get(client, url).content.decode()
    assert "staff-bar" not in anonymous
    client.force_login(moderator)
    signed_in = get(client, url)
    assert "staff-bar" in signed_in.content.decode()
    assert signed_in["Cache-Control"] == "private, no-cache"
    assert "ETag" not in signed_in
    # The personalised page was not stored for anonymous readers either.
    client.logout()
    client.cookies.clear()
    assert "staff-bar" not in get(client, url).content.decode()


def test_cached_page_never_shows_a_draft(client, page_cache, live, editor):
    url = live.topic.get_absolute_url()
    get(client, url)
    draft = services.start_draft(topic=live.topic, by=editor)
    section = draft.sections.get()
    section.body = "DRAFT-ONLY wording."
    section.save()
    services.record_edit(version=draft, by=editor)
    client.force_login(editor)
    preview = client.get(reverse("topics:preview", args=[live.topic.slug, draft.pk]))
    assert "DRAFT-ONLY" in preview.content.decode()
    assert "no-cache" in preview["Cache-Control"]
    client.logout()
    client.cookies.clear()
    assert "DRAFT-ONLY" not in get(client, url).content.decode()
    services.submit_for_review(version=draft, by=editor, edit_summary="Draft")
    assert "DRAFT-ONLY" not in get(client, url).content.decode()


def test_unpublishing_shows_at_once_on_the_page_and_in_lists(
    client, page_cache, live, moderator, editor, django_capture_on_commit_callbacks
):
    other = make_live(
        author=editor,
        moderator=moderator,
        slug="heat",
        title="Heat",
        sections=[("definition", "", "See [entropy](topic:entropy).")],
    )
    entropy = live.topic.get_absolute_url()
    assert 'href="/topics/heat/"' in get(client, entropy).content.decode()
    assert "Heat" in get(client, reverse("topics:list")).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        services.unpublish_topic(topic=other.topic, by=moderator, reason="Copyright")
    assert get(client, other.topic.get_absolute_url()).status_code == 410
    assert "Heat" not in get(client, reverse("topics:list")).content.decode()
    # Entropy's cached page listed Heat under "Referenced by": not any more.
    assert 'href="/topics/heat/"' not in get(client, entropy).content.decode()


def test_editing_a_cited_work_leaves_the_approved_page_as_it_was(
    client, page_cache, live, django_capture_on_commit_callbacks
):
    url = live.topic.get_absolute_url()
    assert "Original title of the study" in get(client, url).content.decode()
    work = live.work
    work.title = "Corrected title of the study"
    with django_capture_on_commit_callbacks(execute=True):
        save_work(work=work)
    page = get(client, url).content.decode()
    assert "Original title of the study" in page
    assert "Corrected title" not in page
    work_page = get(client, reverse("citations:work", args=[work.key]))
    assert "Corrected title of the study" in work_page.content.decode()


def test_draft_saves_do_not_empty_the_cache(
    client, page_cache, live, editor, django_assert_num_queries
):
    url = live.topic.get_absolute_url()
    draft = make_draft(by=editor, slug="other", title="Other")
    get(client, url)
    services.record_edit(version=draft, by=editor)
    with django_assert_num_queries(0):
        assert get(client, url).status_code == 200


def test_health_check(client):
    response = client.get("/health/")
    assert response.content == b"ok"
    assert "no-cache" in response["Cache-Control"]


def test_made_up_query_parameters_are_not_stored(
    client, page_cache, live, django_assert_max_num_queries
):
    url = live.topic.get_absolute_url() + "?utm_source=x"
    get(client, url)
    with django_assert_max_num_queries(2):
        response = get(client, url)
    assert response.status_code == 200 and "ETag" in response
    get(client, "/topics/?page=1")
    with django_assert_max_num_queries(0):
        assert get(client, "/topics/?page=1").status_code == 200


def test_generations_never_run_ahead_of_the_clock(client, page_cache, live, clock):
    """A burst of 1,000 changes in a second leaves the generation's start in
    the past: Last-Modified is never later than now, and a revalidation by
    date alone gets 304."""
    from django.utils.http import parse_http_date

    from scholargate import pagecache
    from scholargate.pagecache.generations import start_ns

    before = clock.time_ns()
    for _ in range(1000):
        pagecache.new_generation()
    assert before <= start_ns(pagecache.generation()) <= clock.time_ns()
    clock.advance(1.5)
    url = live.topic.get_absolute_url()
    first = get(client, url)
    modified = first["Last-Modified"]
    assert parse_http_date(modified) <= clock.time()
    again = get(client, url, if_modified_since=modified)
    assert again.status_code == 304
    # A change after that: the same date no longer matches.
    pagecache.new_generation()
    clock.advance(1.5)
    assert get(client, url, if_modified_since=modified).status_code == 200


def test_no_last_modified_within_the_generations_first_second(client, live):
    """Within its first second a later generation could share a date with
    this one: pages then carry only their ETag."""
    from scholargate import pagecache

    pagecache.new_generation()
    response = get(client, live.topic.get_absolute_url())
    assert "ETag" in response and "Last-Modified" not in response


def test_a_flood_of_made_up_searches_cannot_evict_topic_pages(
    client, settings, page_cache, live, django_assert_num_queries
):
    if page_cache == "locmem":
        settings.CACHES = {
            **settings.CACHES,
            "default": {**settings.CACHES["default"], "OPTIONS": {"MAX_ENTRIES": 5}},
        }
    url = live.topic.get_absolute_url()
    get(client, url)
    for n in range(60):
        assert get(client, f"/search/?q=entropy{n}").status_code == 200
    with django_assert_num_queries(0):
        assert get(client, url).status_code == 200
    # The searches went to their own, bounded cache.
    from django.core.cache import caches

    assert (
        len(caches["query_pages"]._cache)
        <= settings.CACHES["query_pages"]["OPTIONS"]["MAX_ENTRIES"]
    )


def test_made_up_values_get_404_or_are_not_stored(
    client, page_cache, live, django_assert_max_num_queries
):
    """Allowed parameters with made-up values filled the cache without limit
    (a day each): page numbers that do not exist are a 404, filters that are
    not valid are answered but not stored."""
    from django.core.cache import caches

    for url in ("/topics/?page=zzz", "/topics/?page=999", "/search/?q=x&page=abc"):
        assert get(client, url).status_code == 404
    caches["query_pages"].clear()
    for n in range(5):
        assert get(client, f"/topics/?tag=no-such-tag-{n}").status_code == 200
    assert len(caches["query_pages"]._cache) == 0
    assert get(client, "/tags/no-such-tag/").status_code == 404


def test_any_representation_of_a_page_that_does_not_exist_is_404(
    client, page_cache, live
):
    """`If-None-Match: *` means "if the page exists": 304 only for one that
    does."""
    assert get(client, "/topics/nothing-here/", if_none_match="*").status_code == 404
    assert get(client, "/works/nothing-here/", if_none_match="*").status_code == 404
    url = live.topic.get_absolute_url()
    assert get(client, url, if_none_match="*").status_code == 304
