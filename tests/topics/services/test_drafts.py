"""Drafts (topics/services/drafts.py): starting one from the live version."""

import pytest

from tests.factories import WorkFactory, make_draft, make_live
from topics import services
from topics.models import Section, TopicVersion

pytestmark = pytest.mark.django_db
State = TopicVersion.State


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


def test_deleting_another_editors_draft_is_recorded_and_frees_the_slug(
    editor, moderator, mailoutbox, django_capture_on_commit_callbacks
):
    """Deleting a never-published topic's only draft left an empty topic whose
    slug could never be used again, with nothing in the audit log."""
    from topics.models import AuditEntry, Topic

    draft = make_draft(by=editor, slug="gone", title="Gone")
    with django_capture_on_commit_callbacks(execute=True):
        services.delete_draft(version=draft, by=moderator)
    assert not Topic.objects.filter(slug="gone").exists()
    entry = AuditEntry.objects.get(action=AuditEntry.Action.DELETED_DRAFT)
    assert (entry.topic, entry.topic_slug, entry.actor, entry.comment) == (
        None,
        "gone",
        moderator,
        "Gone",
    )
    (mail,) = mailoutbox
    assert mail.to == [editor.email] and mail.subject == "Draft deleted: Gone"
    # The slug is free again.
    make_draft(by=editor, slug="gone", title="Gone again")


def test_deleting_a_revision_keeps_the_live_topic(editor, moderator):
    from topics.models import AuditEntry

    live = make_live(author=editor, moderator=moderator, slug="kept")
    draft = services.start_draft(topic=live.topic, by=editor)
    services.delete_draft(version=draft, by=editor)
    live.topic.refresh_from_db()
    assert live.topic.live_version == live and live.topic.draft_version is None
    assert AuditEntry.objects.filter(
        topic=live.topic, action=AuditEntry.Action.DELETED_DRAFT
    ).exists()
