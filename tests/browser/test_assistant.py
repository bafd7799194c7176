"""A reader asks the Assistant, in Chromium: the answer quotes reviewed
paragraphs, and a passage's link lands on that paragraph of its permalink,
highlighted. The pages stay valid and accessible."""

import os

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from tests.browser.a11y import axe_violations, html_errors

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


def test_a_reader_asks_and_follows_a_passage_to_its_paragraph(live_server, page):
    call_command("load_demo")
    page.goto(f"{live_server.url}/topics/deep-learning/")
    page.get_by_role("link", name="Assistant").click()
    page.get_by_label("Your question").fill(
        "Why do people randomly switch off units while training a network?"
    )
    page.get_by_role("button", name="Ask").click()

    expect(page.get_by_role("heading", level=2)).to_contain_text(
        "reviewed paragraphs that best answer"
    )
    passages = page.locator("ol.passages > li")
    assert 3 <= passages.count() <= 5
    first = passages.first
    expect(first.locator("figcaption")).to_contain_text("Dropout")
    quoted = first.locator("blockquote").inner_text()
    link = first.locator("figcaption a").first
    href = link.get_attribute("href")
    assert href.startswith("/topics/dropout/v/1/#p-")

    link.click()
    page.wait_for_url(f"**{href}")
    anchor = href.split("#")[1]
    target = page.locator(f"#{anchor}")
    expect(target).to_be_visible()
    assert target.evaluate("el => el.matches(':target')")
    expect(target).to_have_css("outline-style", "solid")
    assert " ".join(quoted.split())[:60] in " ".join(target.inner_text().split())


def test_a_question_nothing_answers_offers_search(live_server, page):
    call_command("load_demo")
    page.goto(f"{live_server.url}/assistant/")
    page.get_by_label("Your question").fill("How does a blockchain reach consensus?")
    page.keyboard.press("Enter")

    expect(page.get_by_role("heading", level=2)).to_have_text(
        "No reviewed entry answers this yet"
    )
    page.get_by_role("link", name="Search the full text").click()
    expect(page).to_have_url(
        f"{live_server.url}/search/?q=How%20does%20a%20blockchain%20reach%20consensus%3F"
    )


@pytest.mark.a11y
def test_assistant_pages_are_valid_and_accessible(live_server, browser, tmp_path):
    call_command("load_demo")
    context = browser.new_context(bypass_csp=True)
    page = context.new_page()
    for query in (
        "",
        "?q=What+is+a+CNN%3F",
        "?q=Who+wrote+War+and+Peace%3F",
        "?q=" + "x" * 301,
    ):
        response = page.goto(f"{live_server.url}/assistant/{query}")
        assert html_errors(response.text(), tmp_path) == [], query
        assert axe_violations(page) == [], query
