"""What validation refuses (topics/services/validation.py): sections citing
unknown works, and parent cycles."""

import pytest
from django.core.exceptions import ValidationError

from tests.factories import make_draft, make_live
from topics import services
from topics.models import Section, TopicVersion

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


def test_the_parent_check_walks_drafts_first_in_one_query_and_ends_on_old_loops(
    editor, moderator, django_assert_num_queries
):
    root = make_live(author=editor, moderator=moderator, slug="root", title="Root")
    chain = [root]
    for n in range(4):
        chain.append(
            make_live(
                author=editor,
                moderator=moderator,
                slug=f"level-{n}",
                title=f"Level {n}",
                parent=chain[-1].topic,
            )
        )
    leaf, other = (
        chain[-1].topic,
        make_live(
            author=editor, moderator=moderator, slug="other", title="Other"
        ).topic,
    )
    with django_assert_num_queries(1):
        with pytest.raises(ValidationError, match="“level-3” cannot be the parent"):
            services.check_parent(topic=root.topic, parent=leaf)
    services.check_parent(topic=other, parent=leaf)  # no loop: fine
    # An open draft's parent counts over the live version's.
    draft = services.start_draft(topic=chain[2].topic, by=editor)
    draft.parent = other
    draft.save()
    services.check_parent(topic=root.topic, parent=leaf)
    with pytest.raises(ValidationError, match="cannot be the parent"):
        services.check_parent(topic=other, parent=leaf)
    # A loop already in the data (made before this check existed) ends the walk.
    x = make_live(author=editor, moderator=moderator, slug="x", title="X")
    y = make_live(author=editor, moderator=moderator, slug="y", title="Y")
    TopicVersion.objects.filter(pk=x.pk).update(parent=y.topic)
    TopicVersion.objects.filter(pk=y.pk).update(parent=x.topic)
    services.check_parent(topic=root.topic, parent=x.topic)
    with pytest.raises(ValidationError, match="“x” cannot be the parent"):
        services.check_parent(topic=y.topic, parent=x.topic)
