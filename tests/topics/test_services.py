import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from tests.factories import WorkFactory, make_draft, make_live, publish
from topics import services
from topics.models import AuditEntry, Section, TopicVersion

pytestmark = pytest.mark.django_db
State = TopicVersion.State


def test_approval_numbers_versions_and_supersedes_the_live_one(editor, moderator):
    first = make_live(author=editor, moderator=moderator, slug="t", title="T")
    assert (first.number, first.state) == (1, State.PUBLISHED)
    assert first.topic.first_published_at == first.approved_at
    draft = services.start_draft(topic=first.topic, by=editor)
    second = publish(draft, author=editor, moderator=moderator, summary="Second")
    first.refresh_from_db()
    second.topic.refresh_from_db()
    assert (second.number, first.state) == (2, State.SUPERSEDED)
    assert second.topic.live_version == second and second.topic.draft_version is None
    actions = list(
        AuditEntry.objects.filter(topic=first.topic).values_list("action", flat=True)
    )
    assert actions.count(AuditEntry.Action.APPROVED) == 2


def test_start_draft_copies_rows_with_their_stable_keys(editor, moderator):
    WorkFactory(key="doe2020")
    live = make_live(
        author=editor,
        moderator=moderator,
        sections=[(Section.Kind.DEFINITION, "", "Cites [@doe2020].")],
    )
    live.tags.add("alpha")
    draft = services.start_draft(topic=live.topic, by=editor)
    assert draft.based_on == live and draft.state == State.DRAFT
    assert [s.stable_key for s in draft.sections.all()] == [
        s.stable_key for s in live.sections.all()
    ]
    assert list(draft.tags.names()) == ["alpha"]
    assert draft.citations.get().work.key == "doe2020"
    # Opening "Edit" again returns the same open version.
    assert services.start_draft(topic=live.topic, by=editor) == draft


def test_database_allows_one_open_and_one_published_version(editor, moderator):
    live = make_live(author=editor, moderator=moderator)
    services.start_draft(topic=live.topic, by=editor)
    with pytest.raises(IntegrityError), transaction.atomic():
        TopicVersion.objects.create(topic=live.topic, title="x", summary="x")
    with pytest.raises(IntegrityError), transaction.atomic():
        TopicVersion.objects.create(
            topic=live.topic, title="x", summary="x", state=State.PUBLISHED, number=9
        )


def test_author_cannot_approve_own_version(moderator):
    draft = make_draft(by=moderator)
    services.submit_for_review(version=draft, by=moderator, edit_summary="New")
    with pytest.raises(PermissionDenied, match="another moderator must approve"):
        services.approve_version(version=draft, by=moderator)
    draft.refresh_from_db()
    assert draft.state == State.SUBMITTED


def test_self_approval_allowed_only_by_setting(moderator, settings):
    settings.SCHOLARGATE_ALLOW_SELF_APPROVAL = True
    draft = make_draft(by=moderator)
    services.submit_for_review(version=draft, by=moderator, edit_summary="New")
    assert services.approve_version(version=draft, by=moderator).number == 1


def test_editor_cannot_approve(editor, second_moderator):
    draft = make_draft(by=second_moderator)
    services.submit_for_review(version=draft, by=second_moderator, edit_summary="x")
    with pytest.raises(PermissionDenied, match="Only moderators"):
        services.approve_version(version=draft, by=editor)


def test_only_submitted_versions_are_approved(editor, moderator):
    draft = make_draft(by=editor)
    with pytest.raises(ValidationError, match="only a submitted version"):
        services.approve_version(version=draft, by=moderator)


def test_submission_needs_an_edit_summary(editor):
    draft = make_draft(by=editor)
    with pytest.raises(ValidationError, match="edit summary"):
        services.submit_for_review(version=draft, by=editor, edit_summary="  ")


def test_unknown_citation_key_blocks_submission(editor):
    draft = make_draft(
        by=editor,
        sections=[(Section.Kind.HISTORY, "Early days", "As [@nosuchkey] said.")],
    )
    with pytest.raises(ValidationError) as error:
        services.submit_for_review(version=draft, by=editor, edit_summary="x")
    assert error.value.messages == [
        "Section “Early days” cites an unknown work: @nosuchkey."
    ]


def test_parent_cycles_are_refused(editor, moderator):
    root = make_live(author=editor, moderator=moderator, slug="root", title="Root")
    child = make_live(
        author=editor,
        moderator=moderator,
        slug="child",
        title="Child",
        parent=root.topic,
    )
    with pytest.raises(ValidationError, match="cannot be the parent"):
        services.check_parent(topic=root.topic, parent=child.topic)
    with pytest.raises(ValidationError, match="cannot be the parent"):
        services.check_parent(topic=root.topic, parent=root.topic)


def test_cited_work_cannot_be_deleted(editor, moderator):
    from django.db.models import ProtectedError

    work = WorkFactory(key="kept2020")
    make_live(
        author=editor,
        moderator=moderator,
        sections=[(Section.Kind.DEFINITION, "", "[@kept2020]")],
    )
    with pytest.raises(ProtectedError):
        work.delete()


def test_approval_mails_the_author(
    editor, moderator, mailoutbox, django_capture_on_commit_callbacks
):
    draft = make_draft(by=editor)
    with django_capture_on_commit_callbacks(execute=True):
        services.submit_for_review(version=draft, by=editor, edit_summary="x")
        services.approve_version(version=draft, by=moderator)
    subjects = [(m.subject, m.to) for m in mailoutbox]
    assert ("Review requested: Topic", [moderator.email]) in subjects
    assert ("Published: Topic", [editor.email]) in subjects


def test_every_transition_mails_the_people_concerned(
    editor, moderator, second_moderator, mailoutbox, django_capture_on_commit_callbacks
):
    """Submit and restore ask the other moderators; request changes, reject
    and approve tell the authors, with the moderator's comment."""
    draft = make_draft(by=editor, sections=[(Section.Kind.DEFINITION, "", "One.")])

    def mails(action):
        mailoutbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            action()
        return sorted((m.subject, tuple(m.to), m.body) for m in mailoutbox)

    sent = mails(
        lambda: services.submit_for_review(version=draft, by=editor, edit_summary="x")
    )
    assert sorted((s, to) for s, to, _b in sent) == sorted(
        [
            ("Review requested: Topic", (moderator.email,)),
            ("Review requested: Topic", (second_moderator.email,)),
        ]
    )
    (sent,) = mails(
        lambda: services.request_changes(
            version=draft, by=moderator, comment="Cite a source."
        )
    )
    assert sent[:2] == ("Changes requested: Topic", (editor.email,))
    assert "Mona Moderator asked for changes" in sent[2] and "Cite a source." in sent[2]
    services.submit_for_review(version=draft, by=editor, edit_summary="y")
    (sent,) = mails(
        lambda: services.reject_version(
            version=draft, by=moderator, comment="Off topic."
        )
    )
    assert sent[:2] == ("Rejected: Topic", (editor.email,))
    assert "Off topic." in sent[2]
    live = make_live(author=editor, moderator=moderator, slug="other", title="Other")
    sent = mails(lambda: services.restore_version(version=live, by=second_moderator))
    assert [(s, to) for s, to, _b in sent] == [
        ("Review requested: Other", (moderator.email,))
    ]
    assert "Max Moderator restored version 1 of “Other”" in sent[0][2]
