"""The diff (topics/diff.py): bounded work whatever the text, and the
public compare of two approved versions computed once."""

import difflib
import random

import pytest

from tests.factories import make_live, publish
from topics import diff, services


def _long_section(rng, sentences=150):
    words = "alpha beta gamma delta network layer model data gradient unit".split()
    return [
        " ".join(rng.choice(words) for _ in range(20)) + "." for _ in range(sentences)
    ]


def test_a_long_paragraph_with_scattered_edits_is_diffed_word_by_word_in_bounded_work(
    monkeypatch,
):
    """3,000 words in one paragraph, 60 one-word edits: no comparison of more
    than DIFF_LIMIT pairs (the word diff of the whole took 32 s before)."""
    rng = random.Random(1)
    old = _long_section(rng)
    new = list(old)
    for i in rng.sample(range(len(old)), 60):
        words = new[i].split()
        words[5] = "CHANGED"
        new[i] = " ".join(words)
    largest = []
    real = difflib.SequenceMatcher

    class Counting(real):
        def __init__(self, isjunk, a, b, **kwargs):
            largest.append(len(a) * len(b))
            super().__init__(isjunk, a, b, **kwargs)

    monkeypatch.setattr(diff.difflib, "SequenceMatcher", Counting)
    html = diff.inline_diff(" ".join(old), " ".join(new))
    assert max(largest) <= diff.DIFF_LIMIT
    assert html.count("<ins>CHANGED</ins>") == 60
    assert html.count("<del>") == 60


def test_paragraphs_and_sentences_keep_their_text():
    old = "One two. Three four.\n\nFive six."
    new = "One two. Three FOUR.\n\nFive six.\n\nSeven."
    assert str(diff.inline_diff(old, new)) == (
        "One two. Three <del>four.</del><ins>FOUR.</ins>\n\n"
        "Five six.<ins>\n\nSeven.</ins>"
    )


@pytest.mark.django_db
def test_the_public_compare_is_computed_once(client, editor, moderator, monkeypatch):
    v1 = make_live(
        author=editor, moderator=moderator, sections=[("definition", "", "One.")]
    )
    draft = services.start_draft(topic=v1.topic, by=editor)
    section = draft.sections.get()
    section.body = "Two."
    services.save_rows(version=draft, model=type(section), rows=[section])
    services.record_edit(version=draft, by=editor)
    publish(draft, author=editor, moderator=moderator, summary="Two")
    calls = []
    real = diff.diff_versions

    def counted(*args):
        calls.append(args)
        return real(*args)

    monkeypatch.setattr("topics.views.diff_versions", counted)
    url = "/topics/topic/compare/1/2/"
    first = client.get(url)
    # Another visitor, signed-in looking cookie, another address form: no
    # second computation.
    again = client.get(url, headers={"Cookie": "sessionid=x"})
    assert first.status_code == again.status_code == 200
    assert "<ins>Two.</ins>" in again.content.decode()
    assert len(calls) == 1
