"""What validation refuses (topics/services/validation.py): sections citing
unknown works, and parent cycles."""

import pytest
from django.core.exceptions import ValidationError

from tests.factories import make_draft, make_live
from topics import services
from topics.models import Section

pytestmark = pytest.mark.django_db


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
