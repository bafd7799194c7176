"""The moderators' queue and review page, edit conflicts, public history."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import make_draft, make_live, publish
from tests.querycounts import count_queries
from tests.topics.test_admin import change_url, form_data
from topics import services
from topics.models import Section, TopicVersion

pytestmark = pytest.mark.django_db
QUEUE = "/admin/topics/submission/"


def review_url(version):
    return reverse("admin:topics_topicversion_review", args=[version.pk])


def submit_change(editor, moderator, text="Changed text about the subject."):
    live = make_live(
        author=editor,
        moderator=moderator,
        sections=[("definition", "", "Original text about the subject.")],
    )
    draft = services.start_draft(topic=live.topic, by=editor)
    Section.objects.filter(version=draft).update(body=text)
    services.submit_for_review(version=draft, by=editor, edit_summary="Sharper wording")
    return draft


def test_queue_lists_submissions_oldest_first_with_author_and_age(
    client, editor, moderator
):
    first = submit_change(editor, moderator)
    second = services.submit_for_review(
        version=make_draft(by=editor, slug="later", title="Later"),
        by=editor,
        edit_summary="New topic",
    )
    client.force_login(moderator)
    html = client.get(QUEUE).content.decode()
    assert html.index(review_url(first)) < html.index(review_url(second))
    assert "Edith Editor" in html and "Sharper wording" in html and "minute" in html
    index = client.get("/admin/").content.decode()
    assert "2 versions await review" in index


def test_review_page_shows_the_word_diff_against_the_live_version(
    client, editor, moderator
):
    draft = submit_change(editor, moderator)
    client.force_login(moderator)
    html = client.get(review_url(draft)).content.decode()
    assert "Definition changed" in html
    assert "<del>Original</del><ins>Changed</ins>" in html
    assert 'value="approve"' in html and 'value="reject"' in html


def test_moderator_approves_from_the_review_page(
    client, editor, moderator, mailoutbox, django_capture_on_commit_callbacks
):
    draft = submit_change(editor, moderator)
    client.force_login(moderator)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            review_url(draft),
            {"decision": "approve", "comment": "Good.", "edit_count": draft.edit_count},
            follow=True,
        )
    assert "is live as version 2" in response.content.decode()
    assert "Changed text" in Client().get("/topics/topic/").content.decode()
    (mail,) = mailoutbox
    assert mail.subject == "Published: Topic" and mail.to == [editor.email]
    assert "approved as version 2" in mail.body and "Good." in mail.body


def test_request_changes_needs_a_comment_and_shows_it_to_the_editor(
    client, editor, moderator
):
    draft = submit_change(editor, moderator)
    client.force_login(moderator)
    response = client.post(
        review_url(draft), {"decision": "request_changes", "comment": ""}, follow=True
    )
    assert "Say why in a comment" in response.content.decode()
    client.post(
        review_url(draft), {"decision": "request_changes", "comment": "Add a source."}
    )
    draft.refresh_from_db()
    assert draft.state == "draft"
    client.force_login(editor)
    html = client.get(change_url(draft)).content.decode()
    assert "Requested changes" in html and "Add a source." in html


def test_stale_review_is_refused_with_a_message(client, editor, moderator):
    draft = submit_change(editor, moderator)
    seen = draft.edit_count
    services.withdraw_from_review(version=draft, by=editor)
    services.record_edit(version=draft, by=editor)
    services.submit_for_review(version=draft, by=editor, edit_summary="Again")
    client.force_login(moderator)
    response = client.post(
        review_url(draft), {"decision": "approve", "edit_count": seen}, follow=True
    )
    assert "changed after you opened it" in response.content.decode()
    draft.refresh_from_db()
    assert draft.state == "submitted"


def test_editor_posting_a_decision_gets_403(client, editor, moderator):
    draft = submit_change(editor, moderator)
    client.force_login(editor)
    for decision in ("approve", "reject", "request_changes"):
        response = client.post(
            review_url(draft), {"decision": decision, "comment": "x"}
        )
        assert response.status_code == 403
    draft.refresh_from_db()
    assert draft.state == "submitted"
    # The editor may withdraw their own submission.
    client.post(review_url(draft), {"decision": "withdraw"})
    draft.refresh_from_db()
    assert draft.state == "draft"


def test_editor_cannot_open_moderation_pages(client, editor, moderator):
    live = make_live(author=editor, moderator=moderator)
    client.force_login(editor)
    url = reverse(
        "admin:topics_topic_moderate", args=[live.topic.pk, "unpublish_topic"]
    )
    assert client.post(url, {"comment": "x"}).status_code == 403
    url = reverse(
        "admin:topics_topicversion_moderate", args=[live.pk, "restore_version"]
    )
    assert client.get(url).status_code == 403


def test_moderator_restores_and_takes_down_from_the_admin(client, editor, moderator):
    live = make_live(author=editor, moderator=moderator)
    client.force_login(moderator)
    page = client.get(change_url(live)).content.decode()
    restore = reverse(
        "admin:topics_topicversion_moderate", args=[live.pk, "restore_version"]
    )
    assert restore in page
    response = client.post(restore, {"comment": ""})
    restored = TopicVersion.objects.get(topic=live.topic, state="submitted")
    assert response.url == review_url(restored)
    unpublish = reverse(
        "admin:topics_topic_moderate", args=[live.topic.pk, "unpublish_topic"]
    )
    response = client.post(unpublish, {"comment": ""}, follow=True)
    assert "Say why in a comment" in response.content.decode()
    client.post(unpublish, {"comment": "Legal request."})
    assert Client().get("/topics/topic/").status_code == 410


def _form_counter(html):
    return int(re.search(r'name="seen_edit_count" value="(\d+)"', html).group(1))


def test_second_save_gets_an_edit_conflict_and_keeps_its_input(editor, moderator):
    draft = make_draft(by=editor, sections=[("definition", "", "Start.")])
    section = draft.sections.get()
    first, second = Client(), Client()
    first.force_login(editor)
    second.force_login(moderator)
    counter_a = _form_counter(first.get(change_url(draft)).content.decode())
    counter_b = _form_counter(second.get(change_url(draft)).content.decode())

    data = form_data(draft, [(section.pk, "definition", "", 1, "Editor's text.")])
    response = first.post(change_url(draft), {**data, "seen_edit_count": counter_a})
    assert response.status_code == 302

    data = form_data(draft, [(section.pk, "definition", "", 1, "Moderator's text.")])
    response = second.post(change_url(draft), {**data, "seen_edit_count": counter_b})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Edit conflict: Edith Editor saved this draft" in html
    assert "Moderator&#x27;s text." in html  # their input is still on the form
    section.refresh_from_db()
    assert section.body == "Editor's text."
    # Saving again after reading the message is deliberate and goes through.
    assert _form_counter(html) == counter_a + 1
    response = second.post(
        change_url(draft), {**data, "seen_edit_count": _form_counter(html)}
    )
    assert response.status_code == 302
    section.refresh_from_db()
    assert section.body == "Moderator's text."


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


def test_drafts_and_rejected_versions_have_no_public_address(client, editor, moderator):
    draft = submit_change(editor, moderator)
    services.reject_version(version=draft, by=moderator, comment="No.")
    assert client.get("/topics/topic/v/2/").status_code == 404
    assert client.get(draft.get_absolute_url()).status_code == 403


def test_review_and_history_query_counts_are_flat(
    client, editor, moderator, second_moderator
):
    """Queue, history, compare and review pages, before and after many versions."""
    client.force_login(second_moderator)
    live = make_live(author=editor, moderator=moderator, slug="grown")

    def add_versions(topic, n):
        for _ in range(n):
            draft = services.start_draft(topic=topic, by=editor)
            publish(draft, author=editor, moderator=moderator, summary="More")

    def queue_one(topic):
        draft = services.start_draft(topic=topic, by=editor)
        return services.submit_for_review(
            version=draft, by=editor, edit_summary="Queued"
        )

    def pages(submission):
        return [
            QUEUE,
            "/topics/grown/history/",
            "/topics/grown/compare/1/3/",
            review_url(submission),
        ]

    add_versions(live.topic, 2)
    submission = queue_one(live.topic)
    before = {url: count_queries(client, url) for url in pages(submission)}
    services.withdraw_from_review(version=submission, by=editor)
    TopicVersion.objects.filter(pk=submission.pk).delete()
    add_versions(live.topic, 4)
    for n in range(4):
        other = make_live(author=editor, moderator=moderator, slug=f"other-{n}")
        queue_one(other.topic)
    submission = queue_one(live.topic)
    after = {url: count_queries(client, url) for url in pages(submission)}
    for (url, old), new in zip(before.items(), after.values(), strict=True):
        assert new <= old, f"{url}: {old} then {new} queries"
