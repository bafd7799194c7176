"""What the models and the database keep true whatever the code does: one
open and one published version per topic, cited works kept, people's
addresses distinct."""

import pytest
from django.db import IntegrityError, transaction

from tests.factories import WorkFactory, make_live
from topics import services
from topics.models import Person, Section, TopicVersion

pytestmark = pytest.mark.django_db
State = TopicVersion.State


def test_people_with_the_same_slug_get_distinct_addresses():
    first = Person.objects.create(name="Jürgen Schmidhuber")
    second = Person.objects.create(name="Jurgen Schmidhuber")
    assert (first.slug, second.slug) == ("jurgen-schmidhuber", "jurgen-schmidhuber-2")


def test_database_allows_one_open_and_one_published_version(editor, moderator):
    live = make_live(author=editor, moderator=moderator)
    services.start_draft(topic=live.topic, by=editor)
    with pytest.raises(IntegrityError), transaction.atomic():
        TopicVersion.objects.create(topic=live.topic, title="x", summary="x")
    with pytest.raises(IntegrityError), transaction.atomic():
        TopicVersion.objects.create(
            topic=live.topic, title="x", summary="x", state=State.PUBLISHED, number=9
        )


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
