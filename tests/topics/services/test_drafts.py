"""Drafts (topics/services/drafts.py): starting one from the live version."""

import pytest

from tests.factories import WorkFactory, make_live
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
