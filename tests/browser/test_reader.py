"""A reader opens the demo's deep learning page in Chromium."""

import os
from pathlib import Path

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


def test_reader_sees_sections_math_and_linked_references(live_server, page):
    call_command("load_demo")
    page.goto(f"{live_server.url}/topics/deep-learning/")
    assert page.locator("h1").inner_text() == "Deep Learning"
    for heading in [
        "Definition", "Scope", "Core questions", "Key theories", "Applications",
        "History", "Debates", "FAQ", "Seminal works", "References",
    ]:  # fmt: skip
        expect(
            page.get_by_role("heading", name=heading, exact=True).first
        ).to_be_visible()
    expect(page.locator("math").first).to_be_visible()
    for aside in ["Key figures", "Sub-topics", "Related concepts", "Methods", "Tags"]:
        expect(page.get_by_role("heading", name=aside, exact=True)).to_be_visible()
    expect(page.get_by_role("link", name="Backpropagation").first).to_be_visible()
    # A citation leads to its reference, and the reference leads back.
    citation = page.locator("span.cite a[href^='#ref-']").first
    target = citation.get_attribute("href")
    citation.click()
    reference = page.locator(target)
    expect(reference).to_be_visible()
    backlink = reference.locator("a.cite-backlink").first
    back_target = backlink.get_attribute("href")
    backlink.click()
    page.wait_for_url(f"**/topics/deep-learning/{back_target}")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "deep-learning.png"), full_page=True)


def test_pages_pass_their_content_security_policy(live_server, page, settings):
    """No page the site serves (reader's or editor's) breaks its own policy:
    Chromium reports every blocked script, style, image or frame."""
    settings.DEBUG = True  # the demo's known passwords
    call_command("load_demo")
    violations = []
    page.on(
        "console",
        lambda message: (
            "Content Security Policy" in message.text
            and violations.append(message.text)
        ),
    )
    base = live_server.url
    for path in ["/", "/topics/deep-learning/", "/topics/dropout/", "/search/?q=net"]:
        page.goto(base + path)
    page.goto(f"{base}/admin/login/")
    page.fill("#id_username", "editor")
    page.fill("#id_password", "editor-demo-pass")
    page.click("input[type=submit]")
    page.wait_for_url(f"{base}/admin/")
    page.goto(f"{base}/admin/topics/topic/")
    page.get_by_role("link", name="Edit", exact=True).first.click()
    page.get_by_role("button", name="Start a new draft").click()
    page.wait_for_url("**/change/")
    expect(page.locator("#id_sections-0-body")).to_be_visible()
    assert violations == []
