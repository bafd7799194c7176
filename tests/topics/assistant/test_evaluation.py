"""`manage.py assistant_eval` and the shipped question set over the demo."""

import re
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from topics.assistant.evaluation import evaluate, read_questions
from topics.models import CoverageGap, Passage

pytestmark = pytest.mark.django_db

QUESTIONS = (
    Path(__file__).resolve().parents[3] / "topics" / "assistant" / "questions.yaml"
)


def test_the_shipped_question_set_is_large_enough_and_well_formed():
    questions = read_questions(QUESTIONS)

    assert len(questions["covered"]) + len(questions["uncovered"]) >= 40
    assert len(questions["uncovered"]) >= 8


@pytest.mark.pandoc
def test_the_demo_answers_the_shipped_question_set_to_the_targets(settings):
    settings.DEBUG = False
    call_command("load_demo", stdout=StringIO())
    assert Passage.objects.count() > 100

    figures = evaluate(read_questions(QUESTIONS)).figures

    assert figures["hit@3"] >= 0.9, figures
    assert figures["hit@1"] >= 0.7, figures
    assert figures["uncovered_refused"] >= 0.8, figures
    assert figures["covered_refused"] <= 0.1, figures
    assert not CoverageGap.objects.exists()  # measuring records nothing

    out = StringIO()
    call_command("assistant_eval", str(QUESTIONS), stdout=out)
    printed = out.getvalue()
    assert f"hit@3 {figures['hit@3']:.3f}" in printed
    assert re.search(r"latency p50 [\d.]+ ms  p95 [\d.]+ ms", printed)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            'covered: [{question: "Why?"}]',
            "covered question 1 needs 'question', 'topic' and 'phrase'",
        ),
        ("uncovered: [42]", "uncovered question 1 needs 'question'"),
        ("- just a list", "expected 'covered' and 'uncovered' lists"),
        ("covered: [", "while parsing"),
    ],
)
def test_a_bad_question_file_is_named_with_its_problem(tmp_path, content, message):
    path = tmp_path / "questions.yaml"
    path.write_text(content)

    with pytest.raises(CommandError, match=re.escape(message)):
        call_command("assistant_eval", str(path))


def test_a_missing_question_file_is_named(tmp_path):
    with pytest.raises(CommandError, match="nowhere.json"):
        call_command("assistant_eval", str(tmp_path / "nowhere.json"))


def test_json_question_files_are_read_too(tmp_path, library):
    path = tmp_path / "q.json"
    path.write_text(
        '{"covered": [{"question": "What are tides?", "topic": "tides", '
        '"phrase": "rise and fall"}], "uncovered": [{"question": "Who wrote Emma?"}]}'
    )
    out = StringIO()
    call_command("assistant_eval", str(path), stdout=out)

    assert "hit@1 1.000  hit@3 1.000  MRR 1.000" in out.getvalue()
    assert (
        "uncovered correctly refused 1.000  covered wrongly refused 0.000"
        in out.getvalue()
    )


@pytest.mark.pandoc
def test_an_faq_answer_is_indexed_under_its_question(editor, moderator):
    from tests.factories import make_live
    from tests.topics.assistant.conftest import DEF, FAQ
    from topics import assistant

    make_live(
        author=editor,
        moderator=moderator,
        slug="tides",
        title="Tides",
        sections=[
            (DEF, "", "Tides are the rise and fall of the sea.\n\n$$h = a \\cos t$$"),
            (
                FAQ,
                "",
                "Why are there two high tides a day?\n"
                ":   The Earth turns under two bulges of water.",
            ),
        ],
    )
    passages = {p.text: p for p in Passage.objects.all()}

    assert "Why are there two high tides a day?" not in passages  # the term itself
    answer = passages["The Earth turns under two bulges of water."]
    assert answer.subheading == "Why are there two high tides a day?"
    assert answer.tag == "dd"
    assert not any(
        "cos" in text for text in passages
    )  # an equation alone answers nothing
    hit = assistant.answer("why do we get two high tides each day", record=False).hits[
        0
    ]
    assert hit.passage.pk == answer.pk
