"""An editor revises a topic, a moderator reviews and approves, a reader sees it."""

import os
from pathlib import Path

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
MARK = "Deep learning, in this revised wording, stacks many learned layers."

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


def sign_in(page, base, username, password):
    page.goto(f"{base}/admin/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("input[type=submit]")
    page.wait_for_url(f"{base}/admin/")


def test_editor_submits_moderator_approves_reader_sees(live_server, browser, settings):
    settings.DEBUG = True  # the demo's known passwords
    call_command("load_demo")
    base = live_server.url
    ARTIFACTS.mkdir(exist_ok=True)

    editor = browser.new_context().new_page()
    sign_in(editor, base, "editor", "editor-demo-pass")
    editor.goto(f"{base}/admin/topics/topic/?q=deep-learning")
    editor.get_by_role("link", name="Edit", exact=True).first.click()
    # Starting a draft changes data, so it is a button (POST), never a link.
    editor.get_by_role("button", name="Start a new draft").click()
    editor.screenshot(path=str(ARTIFACTS / "editor-draft.png"))
    assert "Draft" in editor.locator(".field-state").inner_text()
    body = editor.locator("#id_sections-0-body")
    original = body.input_value()
    body.fill(MARK + " " + original)
    editor.fill("#id_edit_summary", "Clearer first sentence")
    editor.click("input[name=_submit_for_review]")
    expect(editor.get_by_text("Saved and submitted for review")).to_be_visible()

    reader = browser.new_context().new_page()
    reader.goto(f"{base}/topics/deep-learning/")
    assert MARK not in reader.content()
    assert original[:60] in reader.locator("#definition").inner_text()

    moderator = browser.new_context().new_page()
    sign_in(moderator, base, "moderator", "moderator-demo-pass")
    expect(moderator.get_by_text("1 version awaits review")).to_be_visible()
    moderator.get_by_role("link", name="Open the review queue").click()
    moderator.get_by_role("link", name="Deep Learning").click()
    # Only what the editor changed is reported as changed.
    assert moderator.locator(".diff-summary").inner_text() == "Definition changed"
    inserted = moderator.locator(".diff-changed ins").first
    assert "revised" in inserted.inner_text()
    moderator.screenshot(path=str(ARTIFACTS / "review-diff.png"), full_page=True)
    moderator.fill("#id_comment", "Reads well.")
    moderator.get_by_role("button", name="Approve and publish").click()
    expect(moderator.get_by_text("is live as version 2")).to_be_visible()

    reader.goto(f"{base}/topics/deep-learning/")
    assert MARK in reader.locator("#definition").inner_text()
    reader.goto(f"{base}/topics/deep-learning/history/")
    expect(reader.get_by_role("link", name="Version 1")).to_be_visible()
    expect(reader.get_by_role("link", name="Version 2")).to_be_visible()
    expect(reader.get_by_text("Clearer first sentence")).to_be_visible()
    reader.get_by_role("link", name="Version 1").click()
    reader.wait_for_url("**/topics/deep-learning/v/1/")
    assert MARK not in reader.content()
    expect(reader.get_by_text("You are reading version 1")).to_be_visible()
