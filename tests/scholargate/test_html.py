"""Sanitising HTML (scholargate/html.py)."""

import pytest

from scholargate.html import sanitise

pytestmark = pytest.mark.pandoc


def test_sanitiser_keeps_mathml_and_drops_event_handlers():
    html = (
        '<p id="a" onmouseover="x()"><math><mi>x</mi></math>'
        '<a href="javascript:x">y</a></p>'
    )
    clean = sanitise(html)
    assert clean == '<p id="a"><math><mi>x</mi></math><a>y</a></p>'
