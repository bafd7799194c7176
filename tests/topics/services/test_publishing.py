"""The page as approved (topics/services/publishing.py): rendered once with
the works as they were, and its parts rendered again the same."""

import pytest
from django.core.management import call_command

from citations.models import Work
from tests.factories import publish
from tests.topics import scenarios
from tests.topics.helpers import get
from topics import services
from topics.models import Topic

pytestmark = pytest.mark.django_db


@pytest.fixture
def entry(editor, moderator):
    """“Entropy”, citing doe2020, approved twice: (version 1, version 2)."""
    return scenarios.cited_entry(editor, moderator)


@pytest.fixture
def live(editor, moderator):
    """“Entropy”, live, citing smith2020 (that Work is at `.work`)."""
    return scenarios.live_citing_a_work(editor, moderator)


@pytest.mark.pandoc
def test_editing_a_cited_work_does_not_change_an_approved_page(
    client, entry, editor, moderator
):
    work = Work.objects.get(key="doe2020")
    work.title = "On corrected examples"
    work.save()
    html = client.get("/topics/entropy/").content.decode()
    assert "On examples" in html and "On corrected examples" not in html
    # The correction appears with the next approved version.
    draft = services.start_draft(topic=Topic.objects.get(slug="entropy"), by=editor)
    publish(draft, author=editor, moderator=moderator, summary="Three")
    assert "On corrected examples" in client.get("/topics/entropy/").content.decode()
    assert "On examples" in client.get("/topics/entropy/v/2/").content.decode()


def test_parts_rendered_at_approval_are_rendered_again_the_same(client, settings, live):
    """The head, header, contents, key figures, tags and "cite this entry" are
    rendered with the page at approval; `rerender_versions --parts-only`
    renders them again from their templates, byte for byte the same."""
    from topics.models import VersionPage
    from topics.services.publishing import PART_FIELDS

    settings.PAGE_CACHE = False
    assert all(getattr(live.page, part) for part in PART_FIELDS)
    pages = [live.topic.get_absolute_url(), live.get_absolute_url()]
    stored = [get(client, url).content for url in pages]
    VersionPage.objects.filter(pk=live.pk).update(**dict.fromkeys(PART_FIELDS, ""))
    assert [get(client, url).content for url in pages] != stored
    call_command("rerender_versions", "--parts-only", verbosity=0)
    assert [get(client, url).content for url in pages] == stored


def test_a_reapproval_with_one_paragraph_changed_keeps_every_other_id(
    client, editor, moderator
):
    from tests.factories import make_live, publish
    from topics import services
    from topics.models import Section

    text = "\n\n".join(
        [
            "Networks learn layered representations of their input data.",
            "Training adjusts every weight by following the gradient of a loss.",
            "Depth lets a network compose simple features into complex ones.",
        ]
    )
    v1 = make_live(author=editor, moderator=moderator, sections=[("history", "", text)])
    draft = services.start_draft(topic=v1.topic, by=editor)
    section = draft.sections.get()
    section.body = text.replace("Training adjusts", "Learning changes")
    services.save_rows(version=draft, model=Section, rows=[section])
    services.record_edit(version=draft, by=editor)
    v2 = publish(draft, author=editor, moderator=moderator, summary="Reworded")
    before = [p["id"] for p in v1.page.paragraphs]
    after = [p["id"] for p in v2.page.paragraphs]
    assert len(before) == len(after) == 3
    assert after[0] == before[0] and after[2] == before[2]
    # The edited paragraph was changed by two words of ten: a light edit.
    assert after[1] == before[1]
    # Every anchor of version 1 still exists on its permalink, and the live
    # page has the anchors of the paragraphs still there.
    old = client.get("/topics/topic/v/1/").content.decode()
    live = client.get("/topics/topic/").content.decode()
    for anchor in before:
        assert f'id="{anchor}"' in old
        assert f'id="{anchor}"' in live
