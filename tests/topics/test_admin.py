import pytest
from django.urls import reverse

from tests.factories import WorkFactory, make_draft, make_live
from tests.querycounts import assert_flat
from topics.models import AuditEntry, Section, Topic, TopicVersion

pytestmark = pytest.mark.django_db


def change_url(version):
    return reverse("admin:topics_topicversion_change", args=[version.pk])


def form_data(version, sections=None, **fields):
    """POST data for the change form.

    Sections are (id, kind, heading, position, body) tuples.
    """
    if sections is None:
        sections = [
            (s.pk, s.kind, s.heading, s.position, s.body)
            for s in version.sections.all()
        ]
    data = {
        "title": version.title,
        "summary": version.summary,
        "kind": version.kind,
        "parent": version.parent_id or "",
        "tags": ", ".join(version.tags.names()),
        "edit_summary": version.edit_summary,
        "sections-TOTAL_FORMS": len(sections),
        "sections-INITIAL_FORMS": sum(1 for s in sections if s[0]),
        "sections-MIN_NUM_FORMS": 0,
        "sections-MAX_NUM_FORMS": 1000,
    }
    inlines = ("figures", "related_links", "key_figure_links", "seminal_work_links")
    for prefix in inlines:
        data.update({f"{prefix}-TOTAL_FORMS": 0, f"{prefix}-INITIAL_FORMS": 0})
    for i, (pk, kind, heading, position, body) in enumerate(sections):
        data.update(
            {
                f"sections-{i}-id": pk or "",
                f"sections-{i}-version": version.pk,
                f"sections-{i}-kind": kind,
                f"sections-{i}-heading": heading,
                f"sections-{i}-position": position,
                f"sections-{i}-body": body,
            }
        )
    data.update(fields)
    return data


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
