"""One topic under three CSL styles (citations/formatting.py): what each style
prescribes (hand-checked).

In-text markers are compared as text (the links to the references removed).
Chicago is its 18th edition, which cites three or more authors as "et al.".
"""

import re

import pytest

from tests.factories import make_draft, publish
from topics.models import Section

pytestmark = [pytest.mark.django_db, pytest.mark.pandoc]

WORKS = [
    dict(
        key="lecun2015",
        entry_type="article",
        title="Deep learning",
        authors=[
            {"family": "LeCun", "given": "Yann"},
            {"family": "Bengio", "given": "Yoshua"},
            {"family": "Hinton", "given": "Geoffrey"},
        ],
        year=2015,
        container_title="Nature",
        volume="521",
        number="7553",
        pages="436–444",
        doi="10.1038/nature14539",
    ),
    dict(
        key="goodfellow2016",
        entry_type="book",
        title="Deep Learning",
        authors=[
            {"family": "Goodfellow", "given": "Ian"},
            {"family": "Bengio", "given": "Yoshua"},
            {"family": "Courville", "given": "Aaron"},
        ],
        year=2016,
        publisher="MIT Press",
    ),
    dict(
        key="smith2015a",
        entry_type="article",
        title="First study",
        authors=[{"family": "Smith", "given": "Jane"}],
        year=2015,
        container_title="Journal of Tests",
    ),
    dict(
        key="smith2015b",
        entry_type="article",
        title="Second study",
        authors=[{"family": "Smith", "given": "Jane"}],
        year=2015,
        container_title="Journal of Tests",
    ),
]
TEXT = (
    "Deep networks learn representations [@lecun2015, p. 438]; see the textbook "
    "[@goodfellow2016] and two studies [@smith2015a; @smith2015b]."
)

EXPECTED = {
    "apa": [
        "(LeCun et al., 2015, p. 438)",
        "(Goodfellow et al., 2016)",
        "(Smith, 2015a, 2015b)",
        "LeCun, Y., Bengio, Y., &amp; Hinton, G. (2015). Deep learning. "
        "<em>Nature</em>, <em>521</em>(7553), 436–444.",
        "Goodfellow, I., Bengio, Y., &amp; Courville, A. (2016). "
        "<em>Deep Learning</em>. MIT Press.",
        "Smith, J. (2015b). Second study. <em>Journal of Tests</em>.",
        "Smith, J. (2015a). First study. <em>Journal of Tests</em>.",
    ],
    "chicago-author-date": [
        "(LeCun et al. 2015, 438)",
        "(Goodfellow et al. 2016)",
        "(Smith 2015a, 2015b)",
        "LeCun, Yann, Yoshua Bengio, and Geoffrey Hinton. 2015. "
        "<span>“Deep Learning.”</span> <em>Nature</em> 521 (7553): 436–44.",
        "Goodfellow, Ian, Yoshua Bengio, and Aaron Courville. 2016. "
        "<em>Deep Learning</em>. MIT Press.",
        "Smith, Jane. 2015b. <span>“Second Study.”</span> <em>Journal of Tests</em>.",
    ],
    "ieee": [
        "[1, p. 438]",
        "[2] and two studies [3], [4]",
        "Y. LeCun, Y. Bengio, and G. Hinton, <span>“Deep learning,”</span> "
        "<em>Nature</em>, vol. 521, no. 7553, pp. 436–444, 2015",
        "I. Goodfellow, Y. Bengio, and A. Courville, <em>Deep Learning</em>. "
        "MIT Press, 2016.",
        "J. Smith, <span>“Second study,”</span> <em>Journal of Tests</em>, 2015.",
    ],
}


@pytest.mark.parametrize("style", list(EXPECTED))
def test_references_follow_the_site_style(style, settings, editor, moderator):
    from citations.models import Work

    settings.SCHOLARGATE_CITATION_STYLE = style
    for fields in WORKS:
        Work.objects.create(**fields)
    draft = make_draft(by=editor, sections=[(Section.Kind.DEFINITION, "", TEXT)])
    html = publish(draft, author=editor, moderator=moderator).page.body_html
    text = re.sub(
        r"<[^>]+>", "", re.search(r"<p[^>]*>Deep networks.*?</p>", html, re.S)[0]
    )
    for expected in EXPECTED[style]:
        assert expected in (text if expected[0] in "([" else html), (
            f"{style}: {expected}"
        )
