"""The Assistant's answers: what it quotes, what it never shows, when it
says nothing covers a question, and what it records then."""

import pytest
from django.db import connection

from tests.factories import make_live, publish
from tests.topics.assistant.conftest import DEF, draft_about
from topics import assistant, services
from topics.assistant import text
from topics.models import CoverageGap, Passage, RelatedTerm, Section

pytestmark = pytest.mark.django_db


def slugs(result):
    return [hit.topic.slug for hit in result.hits]


def test_a_readers_question_gets_the_paragraphs_that_answer_it(library):
    result = assistant.answer("How do plants turn light into sugar?")

    assert result.covered
    assert slugs(result)[0] == "photosynthesis"
    assert "turn light energy into chemical energy" in result.hits[0].passage.text
    assert all(hit.topic.slug == "photosynthesis" for hit in result.hits)
    assert not CoverageGap.objects.exists()


def test_question_forms_pick_the_kind_of_paragraph(library):
    who = assistant.answer("Who discovered photosynthesis?")
    what = assistant.answer("What are tides?")

    assert "Ingenhousz" in who.hits[0].passage.text
    assert what.hits[0].passage.text.startswith("Tides are the regular rise")


def test_stemming_and_stop_words_match_other_forms_of_a_word(library):
    result = assistant.answer("what is it that causes the rising of the seas")

    assert result.covered
    assert slugs(result)[0] == "tides"


def test_related_terms_teach_it_readers_words(library):
    question = "Why does the ocean go up and down twice daily?"
    assert not assistant.answer(question, record=False).covered

    RelatedTerm.objects.create(phrase="ocean", terms="sea, tides")
    RelatedTerm.objects.create(phrase="go up and down", terms="rise, fall")

    result = assistant.answer(question)
    assert result.covered
    assert slugs(result)[0] == "tides"


def test_a_question_nothing_covers_is_refused_and_recorded(library):
    result = assistant.answer("Who won the football World Cup in 2018?")

    assert not result.covered
    assert result.hits == []
    gap = CoverageGap.objects.get()
    assert gap.example == "Who won the football World Cup in 2018?"
    assert gap.count == 1


def test_repeats_of_a_question_group_in_one_gap(library):
    for asked in [
        "Who won the football World Cup in 2018?",
        "who WON the football world cup in 2018",
        "Who won the football World Cup, in 2018?!",
    ]:
        assert not assistant.answer(asked).covered

    gap = CoverageGap.objects.get()
    assert gap.count == 3
    assert gap.example == "Who won the football World Cup in 2018?"
    assert gap.last_asked >= gap.first_asked


def test_a_gap_records_the_question_alone(library, client):
    client.get(
        "/assistant/", {"q": "How are glaciers formed?"}, REMOTE_ADDR="203.0.113.9"
    )

    gap = CoverageGap.objects.get()
    stored = " ".join(str(getattr(gap, f.attname)) for f in CoverageGap._meta.fields)
    assert "203.0.113.9" not in stored
    assert {f.name for f in CoverageGap._meta.fields} == {
        "id", "normalised", "example", "count", "first_asked", "last_asked",
        "answered_by",
    }  # fmt: skip


def test_nearest_topics_are_offered_when_nothing_answers(library):
    result = assistant.answer("Do glaciers and icebergs melt faster in sunlight?")

    assert not result.covered
    assert [v.topic.slug for v in result.nearest] == ["photosynthesis"]


@pytest.mark.parametrize(
    "question",
    [
        'photosynthesis" OR 1=1 --',
        "NEAR(light sugar) AND * ^ :",
        "light\x00sugar\x07",
        "'; DROP TABLE topics_passage; --",
        "“”«»…",
        "?" * 50,
    ],
)
def test_query_syntax_and_control_characters_never_cause_an_error(library, question):
    result = assistant.answer(assistant.clean_question(question))

    assert isinstance(result.covered, bool)
    assert Passage.objects.exists()


def test_a_question_past_the_limit_is_refused_with_its_length():
    with pytest.raises(assistant.QuestionTooLong) as raised:
        assistant.clean_question("why " * 100)
    assert raised.value.args[0] == len(("why " * 100).strip())


def test_what_readers_may_not_see_is_never_quoted(library, editor, moderator):
    words = {}

    def hidden(slug, word):
        words[slug] = word
        return f"The {word} is described here at length for the readers."

    draft_about(editor, "drafted", hidden("drafted", "quillwort"))
    submitted = draft_about(editor, "submitted", hidden("submitted", "hornwort"))
    services.submit_for_review(version=submitted, by=editor, edit_summary="x")
    rejected = draft_about(editor, "rejected", hidden("rejected", "liverwort"))
    services.submit_for_review(version=rejected, by=editor, edit_summary="x")
    services.reject_version(version=rejected, by=moderator, comment="Out of scope.")
    withdrawn = draft_about(editor, "withdrawn", hidden("withdrawn", "spleenwort"))
    services.submit_for_review(version=withdrawn, by=editor, edit_summary="x")
    services.withdraw_from_review(version=withdrawn, by=editor)
    taken_down = make_live(
        author=editor,
        moderator=moderator,
        slug="taken-down",
        title="Taken Down",
        sections=[(DEF, "", hidden("taken-down", "moonwort"))],
    )
    services.unpublish_topic(topic=taken_down.topic, by=moderator, reason="Legal.")
    # A superseded version's words leave with it.
    old = make_live(
        author=editor,
        moderator=moderator,
        slug="superseded",
        title="Superseded",
        sections=[(DEF, "", hidden("superseded", "mugwort"))],
    )
    new = services.start_draft(topic=old.topic, by=editor)
    services.save_rows(
        version=new,
        model=Section,
        rows=[Section(kind=DEF, body="Rewritten without the old plant's name.")],
        deleted=list(new.sections.all()),
    )
    publish(new, author=editor, moderator=moderator)

    for slug, word in words.items():
        result = assistant.answer(f"What is the {word}?")
        assert not result.covered, slug
        assert slug not in [v.topic.slug for v in result.nearest]
    assert (
        not Passage.objects.filter(text__icontains="wort")
        .exclude(version__topic__slug="taken-down")
        .exists()
    )
    # Lifting the take-down brings its paragraphs back.
    services.republish_topic(topic=taken_down.topic, by=moderator)
    assert slugs(assistant.answer("What is the moonwort?"))[0] == "taken-down"


def test_an_approval_replaces_the_topics_paragraphs_in_the_index(
    library, editor, moderator
):
    tides = library["tides"].topic
    draft = services.start_draft(topic=tides, by=editor)
    services.save_rows(
        version=draft,
        model=Section,
        rows=[
            Section(
                kind=DEF, body="Tides are raised by the Moon's gravity on the oceans."
            )
        ],
        deleted=list(draft.sections.all()),
    )
    live = publish(draft, author=editor, moderator=moderator)

    assert set(
        Passage.objects.filter(topic=tides).values_list("version", flat=True)
    ) == {live.pk}
    result = assistant.answer("What raises the tides?")
    assert result.hits[0].version.number == 2


def test_word_frequencies_follow_the_index(library, editor, moderator):
    from topics.models import TermFrequency

    def frequency(word):
        row = TermFrequency.objects.filter(
            stem=text.stems(word)[0] if word else ""
        ).first()
        return row.passages if row else 0

    assert frequency("Ingenhousz") == 1
    assert frequency("") == Passage.objects.count()  # the total
    draft = services.start_draft(topic=library["photosynthesis"].topic, by=editor)
    services.save_rows(
        version=draft,
        model=Section,
        rows=[Section(kind=DEF, body="Plants use light.")],
        deleted=list(draft.sections.all()),
    )
    publish(draft, author=editor, moderator=moderator)

    assert frequency("Ingenhousz") == 0
    assert frequency("") == Passage.objects.count()


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's FTS5 table")
def test_on_sqlite_candidates_come_from_fts5(library):
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM topics_passage_fts")
        assert cursor.fetchone()[0] == Passage.objects.count()
