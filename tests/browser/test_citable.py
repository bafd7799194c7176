"""A reader cites a paragraph and finds it again, in Chromium; the page stays
valid and accessible with its paragraph links and citation panel."""

import os

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from playwright.sync_api import expect

from tests.browser.a11y import axe_violations, html_errors
from topics import services
from topics.models import Section, Topic

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


def second_version(slug):
    """Version 2 of a demo topic: one paragraph added before the others."""
    users = get_user_model().objects
    editor, moderator = users.get(username="editor"), users.get(username="moderator")
    topic = Topic.objects.get(slug=slug)
    draft = services.start_draft(topic=topic, by=editor)
    sections = list(draft.sections.all())
    sections[0].body = "A new opening paragraph, added in version 2.\n\n" + (
        sections[0].body
    )
    services.save_rows(version=draft, model=Section, rows=sections)
    services.record_edit(version=draft, by=editor)
    services.submit_for_review(version=draft, by=editor, edit_summary="Opening")
    return services.approve_version(version=draft, by=moderator)


def test_a_reader_cites_a_paragraph_and_finds_it_again_in_the_live_version(
    live_server, page
):
    call_command("load_demo")
    second_version("dropout")
    base = live_server.url
    page.goto(f"{base}/topics/dropout/v/1/")
    first = page.locator("section#definition [id^='p-']").first
    anchor = first.get_attribute("id")
    link = first.locator(".para-link")
    # The ¶ link shows on keyboard focus.
    link.focus()
    expect(first.locator(".para-tools")).to_have_css("opacity", "1")
    assert link.get_attribute("href") == f"#{anchor}"
    first.locator(".para-cite").click()
    dialog = page.locator("dialog.cite-dialog")
    expect(dialog).to_be_visible()
    expect(dialog.get_by_role("heading")).to_have_text(
        "Cite section “Definition”, paragraph 1"
    )
    expect(dialog).to_contain_text(f"/topics/dropout/v/1/#{anchor}")
    dialog.get_by_role("link", name="Read it in version 1").click()
    page.wait_for_url(f"**/topics/dropout/v/1/#{anchor}")
    # Version 2 added a paragraph before it: the same paragraph keeps its
    # anchor on the live page, second now, and is highlighted as the target.
    page.goto(f"{base}/topics/dropout/#{anchor}")
    target = page.locator(f"#{anchor}")
    expect(target).to_be_visible()
    assert target.evaluate("el => el.matches(':target')")
    paragraphs = page.locator("section#definition [id^='p-']")
    assert paragraphs.nth(1).get_attribute("id") == anchor
    assert "added in version 2" in paragraphs.nth(0).inner_text()


@pytest.mark.a11y
def test_topic_pages_with_paragraph_links_are_valid_and_accessible(
    live_server, browser, tmp_path
):
    call_command("load_demo")
    context = browser.new_context(bypass_csp=True)
    page = context.new_page()
    for path in ("/topics/deep-learning/", "/topics/long-short-term-memory/"):
        response = page.goto(live_server.url + path)
        assert html_errors(response.text(), tmp_path) == []
        assert axe_violations(page) == []
    # With a citation panel open.
    page.locator(".para-cite").first.click()
    expect(page.locator("dialog.cite-dialog")).to_be_visible()
    assert axe_violations(page) == []
