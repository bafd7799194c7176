import pytest

from tests.factories import make_draft, make_live
from topics.models import Section

DEF, HIST, FAQ = Section.Kind.DEFINITION, Section.Kind.HISTORY, Section.Kind.FAQ


@pytest.fixture
def library(editor, moderator):
    """Two live entries with paragraphs worth asking about."""
    photosynthesis = make_live(
        author=editor,
        moderator=moderator,
        slug="photosynthesis",
        title="Photosynthesis",
        sections=[
            (
                DEF,
                "",
                "Photosynthesis is the process by which plants, algae and some "
                "bacteria turn light energy into chemical energy stored in sugars."
                "\n\nThe light reactions split water and release oxygen, while the "
                "Calvin cycle fixes carbon dioxide into sugar molecules.",
            ),
            (
                HIST,
                "",
                "Jan Ingenhousz showed in 1779 that plants purify air only in "
                "sunlight, and Melvin Calvin traced the path of carbon in the 1950s.",
            ),
        ],
    )
    tides = make_live(
        author=editor,
        moderator=moderator,
        slug="tides",
        title="Tides",
        sections=[
            (
                DEF,
                "",
                "Tides are the regular rise and fall of sea level caused by the "
                "gravitational pull of the Moon and the Sun on the rotating Earth.",
            ),
            (
                FAQ,
                "",
                "Why are there two high tides a day?\n:   The Earth turns under two "
                "bulges of water, one facing the Moon and one on the far side.",
            ),
        ],
    )
    return {"photosynthesis": photosynthesis, "tides": tides}


def draft_about(editor, slug, sentence):
    return make_draft(
        by=editor, slug=slug, title=slug.title(), sections=[(DEF, "", sentence)]
    )
