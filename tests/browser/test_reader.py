"""A reader opens the demo's deep learning page in Chromium."""

import os
from pathlib import Path

import pytest
from django.core.management import call_command

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_reader_sees_sections_math_and_linked_references(live_server, page):
    call_command("load_demo")
    page.goto(f"{live_server.url}/topics/deep-learning/")
    assert page.locator("h1").inner_text() == "Deep Learning"
    for heading in [
        "Definition", "Scope", "Core questions", "Key theories", "Applications",
        "History", "Debates", "FAQ", "Seminal works", "References",
    ]:  # fmt: skip
        assert page.get_by_role("heading", name=heading, exact=True).first.is_visible()
    assert page.locator("math").first.is_visible()
    for aside in ["Key figures", "Sub-topics", "Related concepts", "Methods", "Tags"]:
        assert page.get_by_role("heading", name=aside, exact=True).is_visible()
    assert page.get_by_role("link", name="Backpropagation").first.is_visible()
    # A citation leads to its reference, and the reference leads back.
    citation = page.locator("span.cite a[href^='#ref-']").first
    target = citation.get_attribute("href")
    citation.click()
    reference = page.locator(target)
    assert reference.is_visible()
    backlink = reference.locator("a.cite-backlink").first
    back_target = backlink.get_attribute("href")
    backlink.click()
    assert page.url.endswith(back_target)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "deep-learning.png"), full_page=True)
