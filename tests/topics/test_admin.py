"""The admin (topics/admin.py): the change form and its inlines, new topics
and drafts, admin actions, edit conflicts, the moderators' queue and review
page, the moderation buttons, and flat query counts."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import WorkFactory, make_draft, make_live, publish
from tests.querycounts import assert_flat, count_queries
from tests.topics.helpers import (
    change_url,
    drawing_bytes,
    form_data,
    save_figures,
    upload,
)
from tests.topics.scenarios import submit_change
from topics import services
from topics.models import AuditEntry, Figure, Section, Topic, TopicVersion

pytestmark = pytest.mark.django_db
QUEUE = "/admin/topics/submission/"


# -- The change form --------------------------------------------------------------


def test_unknown_citation_key_is_an_error_naming_section_and_key(client, editor):
    draft = make_draft(by=editor, sections=[("history", "Early days", "Old text.")])
    section = draft.sections.get()
    saves = draft.edit_count
    client.force_login(editor)
    data = form_data(
        draft, [(section.pk, "history", "Early days", 1, "New text [@nosuchkey].")]
    )
    response = client.post(change_url(draft), data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Section “Early days” cites an unknown work: @nosuchkey." in html
    section.refresh_from_db()
    assert section.body == "Old text."
    draft.refresh_from_db()
    assert draft.edit_count == saves


def test_unknown_figure_label_is_an_error_naming_it(client, editor):
    draft = make_draft(by=editor, sections=[("definition", "", "Old.")])
    section = draft.sections.get()
    client.force_login(editor)
    response = save_figures(
        client,
        draft,
        [{"image": upload("a.png", drawing_bytes()), "alt": "A.", "label": "known"}],
        sections=[(section.pk, "definition", "", 1, "See @fig:known and @fig:nope.")],
    )
    html = response.content.decode()
    assert "Section “Definition” refers to an unknown figure: @fig:nope." in html
    assert "@fig:known" not in html.split("refers to an unknown figure")[1][:40]
    assert not Figure.objects.exists()


def test_saving_sections_records_citations_and_order(client, editor):
    WorkFactory(key="doe2020")
    draft = make_draft(
        by=editor, sections=[("definition", "", "First."), ("scope", "", "Second.")]
    )
    first, second = draft.sections.all()
    saves = draft.edit_count
    client.force_login(editor)
    data = form_data(
        draft,
        [
            (first.pk, "definition", "", 2, "First [@doe2020]."),
            (second.pk, "scope", "", 1, "Second."),
            (None, "faq", "", "", "Question\n: Answer."),
        ],
    )
    response = client.post(change_url(draft), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert [s.kind for s in draft.sections.all()] == ["scope", "definition", "faq"]
    assert [s.position for s in draft.sections.all()] == [1, 2, 3]
    assert list(draft.citations.values_list("work__key", flat=True)) == ["doe2020"]
    draft.refresh_from_db()
    assert draft.edit_count == saves + 1


def test_parent_cycle_is_an_error(client, editor, moderator):
    root = make_live(author=editor, moderator=moderator, slug="root", title="Root")
    make_live(
        author=editor, moderator=moderator, slug="leaf", title="Leaf", parent=root.topic
    )
    client.force_login(editor)
    edit = client.post(reverse("admin:topics_topic_edit", args=[root.topic.pk]))
    draft = TopicVersion.objects.get(topic=root.topic, state="draft")
    assert edit.url == change_url(draft)
    leaf = Topic.objects.get(slug="leaf")
    response = client.post(change_url(draft), form_data(draft, parent=leaf.pk))
    assert "“leaf” cannot be the parent" in response.content.decode()


def test_new_topic_starts_a_draft(client, editor):
    client.force_login(editor)
    response = client.post(
        reverse("admin:topics_topic_add"),
        {
            "title": "Entropy",
            "slug": "entropy",
            "kind": "concept",
            "summary": "Disorder.",
        },
    )
    version = TopicVersion.objects.get(topic__slug="entropy")
    assert response.url == change_url(version)
    assert version.state == "draft" and version.created_by == editor
    assert AuditEntry.objects.filter(topic=version.topic, action="created").exists()
    duplicate = client.post(
        reverse("admin:topics_topic_add"),
        {"title": "E", "slug": "entropy", "kind": "concept", "summary": "x"},
    )
    assert (
        "A topic with the slug “entropy” exists already." in duplicate.content.decode()
    )


def test_edit_copies_the_live_version(client, editor, moderator):
    live = make_live(
        author=editor, moderator=moderator, sections=[("definition", "", "Live.")]
    )
    client.force_login(editor)
    url = reverse("admin:topics_topic_edit", args=[live.topic.pk])
    # Opening "Edit" asks first; only the POST starts a draft.
    asked = client.get(url)
    assert "Start a new draft" in asked.content.decode()
    assert not TopicVersion.objects.filter(state="draft").exists()
    response = client.post(url)
    draft = TopicVersion.objects.get(topic=live.topic, state="draft")
    assert response.url == change_url(draft)
    assert draft.sections.get().body == "Live."
    page = client.get(change_url(draft))
    assert page.status_code == 200 and "Live." in page.content.decode()


def test_moderator_publishes_a_draft_with_the_admin_action(client, editor, moderator):
    draft = make_draft(by=editor, sections=[("definition", "", "Ready.")])
    client.force_login(moderator)
    response = client.post(
        reverse("admin:topics_topicversion_changelist"),
        {"action": "publish_selected", "_selected_action": [draft.pk]},
        follow=True,
    )
    assert "1 version published." in response.content.decode()
    draft.refresh_from_db()
    assert draft.state == "published" and draft.number == 1
    entry = AuditEntry.objects.get(version=draft, action="approved")
    assert entry.actor == moderator
    assert client.get("/topics/topic/").status_code == 200


def test_editor_cannot_publish(client, editor):
    draft = make_draft(by=editor)
    client.force_login(editor)
    changelist = client.get(reverse("admin:topics_topicversion_changelist"))
    assert "publish_selected" not in changelist.content.decode()
    response = client.post(
        reverse("admin:topics_topicversion_changelist"),
        {"action": "publish_selected", "_selected_action": [draft.pk]},
        follow=True,
    )
    # The admin does not offer an action the user lacks: "No action selected".
    assert response.status_code == 200
    assert "No action selected." in response.content.decode()
    draft.refresh_from_db()
    assert draft.state == "draft"


def test_published_versions_are_read_only(client, editor, moderator):
    live = make_live(
        author=editor, moderator=moderator, sections=[("definition", "", "Live.")]
    )
    client.force_login(editor)
    response = client.post(change_url(live), form_data(live, title="Changed"))
    assert response.status_code == 403
    live.refresh_from_db()
    assert live.title == "Topic"


def test_reader_without_account_cannot_reach_the_admin(client):
    response = client.get(reverse("admin:topics_topicversion_changelist"))
    assert response.status_code == 302 and "/admin/login/" in response.url


CHANGELISTS = [
    "topics_topic",
    "topics_topicversion",
    "topics_submission",
    "topics_auditentry",
    "topics_person",
    "citations_work",
]


def test_admin_changelists_have_flat_query_counts(client, editor, moderator):
    client.force_login(moderator)
    make_live(author=editor, moderator=moderator, slug="one", title="One")
    urls = [reverse(f"admin:{name}_changelist") for name in CHANGELISTS]

    def grow():
        for n in range(6):
            WorkFactory()
            make_live(author=editor, moderator=moderator, slug=f"t{n}", title=f"T{n}")

    assert_flat(client, urls, grow)


def test_section_form_save_is_atomic_on_unknown_topic_link(client, editor):
    draft = make_draft(by=editor, sections=[("definition", "", "Old.")])
    section = draft.sections.get()
    client.force_login(editor)
    response = client.post(
        change_url(draft),
        form_data(
            draft,
            [(section.pk, "definition", "", 1, "[x](topic:nowhere)")],
            title="New",
        ),
    )
    assert "links to an unknown topic: topic:nowhere" in response.content.decode()
    draft.refresh_from_db()
    assert draft.title == "Topic" and draft.sections.get().body == "Old."
    assert Section.objects.count() == 1


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


# -- The moderators' queue and review page ---------------------------------------


def review_url(version):
    return reverse("admin:topics_topicversion_review", args=[version.pk])


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


def test_review_page_lists_figure_changes(client, editor, moderator):
    draft = make_draft(by=editor)
    client.force_login(editor)
    save_figures(
        client, draft, [{"image": upload("a.png", drawing_bytes()), "alt": "Blue."}]
    )
    services.submit_for_review(version=draft, by=editor, edit_summary="Figure")
    client.force_login(moderator)
    response = client.get(reverse("admin:topics_topicversion_review", args=[draft.pk]))
    html = response.content.decode()
    assert "1 figure added" in html and "diff-figure diff-added" in html


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


# -- Limits and what editors cannot do ------------------------------------------


@pytest.mark.pandoc
def test_a_section_pandoc_cannot_read_in_time_is_named_and_nothing_saved(
    client, editor, monkeypatch
):
    from topics import rendering

    monkeypatch.setattr(rendering, "PARSE_TIME_LIMIT", 1)
    monkeypatch.setattr(rendering, "SECTION_TIME_LIMIT", 0.5)
    draft = make_draft(by=editor, sections=[("history", "Early days", "Old text.")])
    section = draft.sections.get()
    client.force_login(editor)
    data = form_data(
        draft, [(section.pk, "history", "Early days", 1, "[[[[[[[[[[[x]]]]]]]]]]]")]
    )
    response = client.post(change_url(draft), data)
    assert response.status_code == 200
    assert (
        "Section “Early days”: this section could not be read in time; look for "
        "unbalanced brackets ([ ]) or deeply nested lists."
    ) in response.content.decode()
    section.refresh_from_db()
    assert section.body == "Old text."


def test_sections_and_citations_past_their_limits_are_refused(client, editor, settings):
    settings.SECTION_MAX_CHARS = 300
    settings.VERSION_MAX_CHARS = 500
    settings.CITATIONS_MAX = 3
    WorkFactory(key="doe2020")
    draft = make_draft(by=editor, sections=[("definition", "", "Start.")])
    section = draft.sections.get()
    client.force_login(editor)
    data = form_data(
        draft,
        [
            (section.pk, "definition", "", 1, "x" * 301),
            (None, "history", "", 2, "y" * 250),
            (None, "scope", "", 3, "[@doe2020] [@doe2020] [@doe2020] [@doe2020]"),
        ],
    )
    html = client.post(change_url(draft), data).content.decode()
    assert "Section “Definition” has 301 characters; a section has at most 300." in (
        html
    )
    assert (
        "With section “History” the text passes 500 characters, the most one "
        "version may hold: split the topic into sub-topics."
    ) in html
    assert (
        "With section “Scope” the text cites works more than 3 times, the most one "
        "version may."
    ) in html
    section.refresh_from_db()
    assert section.body == "Start."


def test_editors_cannot_create_change_or_merge_tags_in_the_admin(client, editor):
    client.force_login(editor)
    assert client.get("/admin/taggit/tag/").status_code == 200
    assert client.get("/admin/taggit/tag/add/").status_code == 403
    # taggit's merge view (no permission check of its own) is gone.
    from django.urls import NoReverseMatch

    with pytest.raises(NoReverseMatch):
        reverse("admin:taggit_tag_merge_tags")


def test_every_page_carries_a_content_security_policy(client, editor):
    policy = client.get("/")["Content-Security-Policy"]
    assert "default-src 'self'" in policy and "img-src 'self'" in policy
    assert "script-src 'self'" in policy and "frame-ancestors 'none'" in policy
    client.force_login(editor)
    assert "Content-Security-Policy" in client.get("/admin/")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_racing_saves_name_the_editor_who_won(editor, moderator):
    """Two people save the same draft at once: the one who loses is told who
    saved in between, by name, however the race goes."""
    import threading

    from django.db import connection

    draft = make_draft(by=editor, sections=[("definition", "", "Start.")])
    section = draft.sections.get()
    for _round in range(3):
        clients = []
        for user in (editor, moderator):
            browser = Client()
            browser.force_login(user)
            counter = _form_counter(browser.get(change_url(draft)).content.decode())
            clients.append((user, browser, counter))
        results = {}
        start = threading.Barrier(2)

        def save(user, browser, counter, start=start, results=results):
            data = form_data(
                draft, [(section.pk, "definition", "", 1, f"{user.username}'s text")]
            )
            start.wait()
            results[user.username] = browser.post(
                change_url(draft), {**data, "seen_edit_count": counter}
            )
            connection.close()

        threads = [threading.Thread(target=save, args=args) for args in clients]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        codes = sorted(r.status_code for r in results.values())
        assert codes == [200, 302]
        (loser,) = [u for u, r in results.items() if r.status_code == 200]
        winner = {"ed": "Edith Editor", "mod": "Mona Moderator"}[
            "mod" if loser == "ed" else "ed"
        ]
        assert f"Edit conflict: {winner} saved this draft" in (
            results[loser].content.decode()
        )


def test_authors_are_an_ordered_inline_and_their_change_is_in_the_review(
    client, editor, moderator
):
    from topics.models import Person

    live = make_live(
        author=editor, moderator=moderator, sections=[("definition", "", "Text.")]
    )
    draft = services.start_draft(topic=live.topic, by=editor)
    (first,) = draft.author_links.all()
    ada = Person.objects.create(name="Ada Example")
    client.force_login(editor)
    data = form_data(draft)
    data.update(
        {
            "author_links-TOTAL_FORMS": 2,
            "author_links-INITIAL_FORMS": 1,
            "author_links-0-id": first.pk,
            "author_links-0-version": draft.pk,
            "author_links-0-person": first.person_id,
            "author_links-0-position": 2,
            "author_links-1-id": "",
            "author_links-1-version": draft.pk,
            "author_links-1-person": ada.pk,
            "author_links-1-position": 1,
        }
    )
    response = client.post(change_url(draft), data)
    assert response.status_code == 302, response.content.decode()[-3000:]
    assert [a.person.name for a in draft.author_links.all()] == [
        "Ada Example",
        "Edith Editor",
    ]
    services.submit_for_review(version=draft, by=editor, edit_summary="Authors")
    client.force_login(moderator)
    review = client.get(review_url(draft)).content.decode()
    assert "Authors changed" in review
    assert "<ins>Ada Example; </ins>Edith Editor" in review
