"""The editors' desk in Chromium: live preview, autocomplete, kept text,
Ctrl+S, "show changes" and review comments anchored to the text."""

import os
import threading

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from playwright.sync_api import expect

from tests.browser.a11y import axe_violations
from topics import services
from topics.models import AuditEntry, ReviewComment, Topic

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]

BODY = "#id_sections-0-body"
PREVIEW = "#id_sections-0-body-preview"


@pytest.fixture
def desk(live_server, settings, browser):
    """The demo, and a draft of “Dropout” started by the demo editor."""
    settings.DEBUG = True  # the demo's known passwords
    call_command("load_demo")
    users = get_user_model().objects
    editor = users.get(username="editor")
    draft = services.start_draft(topic=Topic.objects.get(slug="dropout"), by=editor)
    yield {
        "base": live_server.url,
        "draft": draft,
        "editor": editor,
        "moderator": users.get(username="moderator"),
        "url": f"{live_server.url}/admin/topics/topicversion/{draft.pk}/change/",
    }
    # Before the database is emptied: close every page (a preview waiting
    # for the editor to stop typing would otherwise still be sent), then let
    # the requests the server is still answering finish.
    for context in browser.contexts:
        context.close()
    for thread in threading.enumerate():
        if thread.name.endswith("(process_request_thread)"):
            thread.join(timeout=30)


def sign_in(page, base, username, password):
    page.goto(f"{base}/admin/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("input[type=submit]")
    page.wait_for_url(f"{base}/admin/")


def open_draft(browser, desk, context=None):
    context = context or browser.new_context()
    page = context.new_page()
    page.on("dialog", lambda dialog: dialog.accept())
    sign_in(page, desk["base"], "editor", "editor-demo-pass")
    page.goto(desk["url"])
    expect(page.locator(PREVIEW)).to_be_visible()
    return page


def type_at_end(page, text):
    body = page.locator(BODY)
    body.click()
    page.keyboard.press("Control+End")
    page.keyboard.type(text)


def test_a_work_picked_from_the_autocomplete_is_formatted_in_the_preview(browser, desk):
    page = open_draft(browser, desk)
    type_at_end(page, " The method was later surveyed [@lecun201")

    listbox = page.locator("#id_sections-0-body-suggestions")
    option = listbox.get_by_role("option").first
    expect(option).to_contain_text("lecun2015")
    expect(option).to_contain_text("LeCun et al. 2015 — Deep learning")
    assert option.get_attribute("aria-selected") == "true"
    body = page.locator(BODY)
    assert body.get_attribute("aria-activedescendant") == option.get_attribute("id")
    expect(page.get_by_role("status").filter(has_text="suggestion")).to_have_count(1)
    page.keyboard.press("Enter")

    assert body.input_value().endswith("surveyed [@lecun2015]")
    preview = page.locator(PREVIEW)
    expect(preview).to_contain_text(
        "The method was later surveyed (LeCun et al., 2015)"
    )
    expect(preview.locator(".references")).to_contain_text("Deep learning. Nature")
    # MathML, as on the page.
    assert preview.locator("math").count() > 0


def test_an_unknown_key_is_named_at_its_section_as_saving_would(browser, desk):
    page = open_draft(browser, desk)
    type_at_end(page, " See [@nosuchwork1999].")

    message = "Section “Definition” cites an unknown work: @nosuchwork1999."
    errors = page.locator(f"{PREVIEW} .section-preview-errors")
    expect(errors).to_have_text(message)
    assert page.locator(BODY).get_attribute("aria-invalid") == "true"
    page.keyboard.press("Control+s")
    expect(page.locator(".errorlist").filter(has_text=message).first).to_be_visible()


def test_text_typed_before_the_tab_closed_is_restored_and_saved(browser, desk):
    context = browser.new_context()
    page = open_draft(browser, desk, context)
    type_at_end(page, " A sentence typed but never saved.")
    page.wait_for_timeout(1200)  # kept after 0.8 s without typing
    page.close()

    page = context.new_page()
    page.on("dialog", lambda dialog: dialog.accept())
    page.goto(desk["url"])
    notice = page.locator("#autosave-notice")
    expect(notice).to_contain_text("was not saved")
    notice.get_by_text("Show what would be restored").click()
    expect(notice.locator("ins")).to_contain_text("never saved.")
    notice.get_by_role("button", name="Restore it").click()
    restored = page.locator(BODY).input_value()
    assert restored.endswith("A sentence typed but never saved.")

    page.keyboard.press("Control+s")  # saves and stays on the form
    expect(page.get_by_text("was changed successfully")).to_be_visible()
    assert page.url.startswith(desk["url"])
    assert page.locator(BODY).input_value().endswith("never saved.")
    expect(page.locator("#autosave-notice")).to_be_hidden()
    desk["draft"].refresh_from_db()
    section = desk["draft"].sections.order_by("position").first()
    assert section.body.endswith("A sentence typed but never saved.")


def test_text_typed_when_the_session_expired_is_offered_back_after_signing_in(
    browser, desk
):
    context = browser.new_context()
    page = open_draft(browser, desk, context)
    type_at_end(page, " Typed while the session ran out.")
    context.clear_cookies(name="sessionid")  # the session expires
    page.keyboard.press("Control+s")
    page.wait_for_url("**/admin/login/**")
    page.fill("#id_username", "editor")
    page.fill("#id_password", "editor-demo-pass")
    page.click("input[type=submit]")
    page.wait_for_url(desk["url"])

    notice = page.locator("#autosave-notice")
    expect(notice).to_contain_text("was not saved")
    notice.get_by_role("button", name="Restore it").click()
    page.keyboard.press("Control+s")
    expect(page.get_by_text("was changed successfully")).to_be_visible()
    section = desk["draft"].sections.order_by("position").first()
    assert section.body.endswith("Typed while the session ran out.")


def test_restored_text_never_overwrites_a_save_made_since(browser, desk):
    context = browser.new_context()
    page = open_draft(browser, desk, context)
    type_at_end(page, " Mine, unsaved.")
    page.wait_for_timeout(1200)
    page.close()
    # Meanwhile someone else saves the draft.
    draft = desk["draft"]
    section = draft.sections.order_by("position").first()
    section.body += " Theirs, saved."
    section.save()
    services.record_edit(version=draft, by=desk["moderator"])

    page = context.new_page()
    page.on("dialog", lambda dialog: dialog.accept())
    page.goto(desk["url"])
    notice = page.locator("#autosave-notice")
    expect(notice).to_contain_text("Someone has saved this draft since")
    notice.get_by_role("button", name="Restore it").click()
    page.keyboard.press("Control+s")

    expect(page.locator(".errornote, .errorlist").first).to_be_visible()
    section.refresh_from_db()
    assert section.body.endswith("Theirs, saved.")


def test_show_changes_is_the_diff_moderators_will_see(browser, desk):
    page = open_draft(browser, desk)
    type_at_end(page, " One more sentence for the reviewers.")
    page.get_by_role("button", name="Save and show changes").click()

    expect(page.locator(".diff-summary")).to_have_text("Definition changed")
    expect(page.locator(".diff-section.diff-changed ins")).to_contain_text(
        "One more sentence for the reviewers."
    )


def test_a_moderators_anchored_comment_reaches_the_editor_and_is_resolved(
    browser, desk
):
    draft = desk["draft"]
    section = draft.sections.order_by("position").first()
    section.body += " A claim that needs a source."
    section.save()
    services.record_edit(version=draft, by=desk["editor"])
    services.submit_for_review(version=draft, by=desk["editor"], edit_summary="Claim")

    moderator = browser.new_context().new_page()
    sign_in(moderator, desk["base"], "moderator", "moderator-demo-pass")
    moderator.goto(f"{desk['base']}/admin/topics/topicversion/{draft.pk}/review/")
    changed = moderator.locator(".diff-section.diff-changed").first
    # Select the words in the diff: the comment form opens with them.
    changed.locator("ins").first.evaluate(
        """el => {
            const range = document.createRange();
            range.selectNodeContents(el);
            const selection = window.getSelection();
            selection.removeAllRanges();
            selection.addRange(range);
            el.dispatchEvent(new MouseEvent('mouseup', {bubbles: true}));
        }"""
    )
    form = changed.locator(".comment-on-section")
    expect(form.locator(".comment-quote")).to_have_value("A claim that needs a source.")
    form.get_by_label("Comment for the authors").fill("Which study shows this?")
    form.get_by_role("button", name="Add comment").click()
    expect(moderator.get_by_text("Comment added.")).to_be_visible()
    moderator.get_by_label("Comment (required to request changes or reject;").fill(
        "See the comment on the definition."
    )
    moderator.get_by_role("button", name="Request changes").click()

    editor = browser.new_context().new_page()
    sign_in(editor, desk["base"], "editor", "editor-demo-pass")
    editor.goto(desk["url"])
    comment = editor.locator(".review-comment")
    # Beside the section it is about, with the words it quotes.
    expect(comment).to_be_visible()
    assert comment.evaluate("el => el.closest('.inline-related') !== null")
    expect(comment.locator(".review-comment-quote")).to_have_text(
        "A claim that needs a source."
    )
    expect(comment).to_contain_text("Which study shows this?")
    comment.get_by_label("Reply").fill("Added Srivastava et al. (2014).")
    comment.get_by_role("button", name="Reply").click()
    expect(editor.get_by_text("Reply added.")).to_be_visible()
    expect(editor.locator(".review-comment-reply")).to_contain_text("Added Srivastava")
    thread = editor.locator(".review-comment")
    thread.get_by_role("button", name="Mark resolved").click()
    expect(editor.get_by_text("Comment resolved.")).to_be_visible()
    expect(editor.locator(".review-comment")).to_have_count(0)

    thread = ReviewComment.objects.get(parent__isnull=True)
    assert thread.is_resolved and thread.replies.count() == 1
    actions = set(
        AuditEntry.objects.filter(topic=draft.topic).values_list("action", flat=True)
    )
    assert {"commented", "replied", "resolved"} <= actions
    reader = browser.new_context().new_page()
    reader.goto(f"{desk['base']}/topics/dropout/")
    assert "Which study shows this?" not in reader.content()


@pytest.mark.a11y
def test_the_desk_adds_no_accessibility_violations(browser, desk):
    """axe on the change form and the review page with the desk, against the
    same pages without it (the stock admin)."""
    services.add_comment(
        version=desk["draft"],
        by=desk["moderator"],
        body="Please cite this.",
        section_heading="Definition",
        quote="multiplicative noise",
    )

    def violations(block_desk):
        context = browser.new_context(bypass_csp=True)
        if block_desk:
            context.route("**/static/js/editor.js", lambda route: route.abort())
            context.route("**/static/js/review.js", lambda route: route.abort())
        page = context.new_page()
        page.on("dialog", lambda dialog: dialog.accept())
        sign_in(page, desk["base"], "editor", "editor-demo-pass")
        found = {}
        for path in ("change", "review"):
            page.goto(
                f"{desk['base']}/admin/topics/topicversion/{desk['draft'].pk}/{path}/"
            )
            if path == "change" and not block_desk:
                expect(page.locator(PREVIEW)).to_be_visible()
                type_at_end(page, " [@srivas")
                options = page.locator("#id_sections-0-body-suggestions li")
                expect(options.first).to_be_visible()
            found[path] = axe_violations(page)
        context.close()
        return found

    stock, with_desk = violations(True), violations(False)
    desk_parts = (
        ".review-comment", ".section-editor", ".section-preview", ".autocomplete",
        ".writing-help", "#autosave-notice", ".comment-on-section", ".word-",
        "blockquote", "-suggestions", "-preview",
    )  # fmt: skip
    for path in ("change", "review"):
        rules = {rule for rule, _impact, _nodes in with_desk[path]}
        assert rules <= {rule for rule, _impact, _nodes in stock[path]}, with_desk
        for rule, _impact, nodes in with_desk[path]:
            for target in nodes:
                assert not any(part in str(target) for part in desk_parts), (
                    rule,
                    target,
                )
