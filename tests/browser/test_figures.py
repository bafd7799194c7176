"""An editor adds a figure in the admin; a phone reader gets a small rendition."""

import io
import os
from pathlib import Path

import pytest
from django.core.management import call_command
from PIL import Image, ImageDraw
from playwright.sync_api import expect

from tests.browser.test_editorial_journey import sign_in

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


def diagram(path):
    image = Image.new("RGB", (2000, 1000), "white")
    draw = ImageDraw.Draw(image)
    for x in range(100, 1900, 300):
        draw.ellipse([x, 400, x + 200, 600], fill=(46, 94, 170))
        draw.line([x + 200, 500, x + 300, 500], fill="black", width=8)
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    path.write_bytes(buffer.getvalue())


def test_editor_adds_a_figure_and_a_phone_reader_gets_the_small_rendition(
    live_server, browser, settings, tmp_path
):
    settings.DEBUG = True  # the demo's known passwords
    call_command("load_demo")
    base = live_server.url
    ARTIFACTS.mkdir(exist_ok=True)
    image = tmp_path / "chain.png"
    diagram(image)

    editor = browser.new_context().new_page()
    sign_in(editor, base, "editor", "editor-demo-pass")
    editor.goto(f"{base}/admin/topics/topic/?q=backpropagation")
    editor.get_by_role("link", name="Edit", exact=True).first.click()
    editor.get_by_role("button", name="Start a new draft").click()
    editor.wait_for_url("**/change/")
    editor.get_by_text("Add another Figure", exact=True).click()
    editor.set_input_files("#id_figures-0-image", str(image))
    editor.fill(
        "#id_figures-0-caption", "The chain of layers that errors flow back through."
    )
    editor.fill("#id_figures-0-label", "chain")
    body = editor.locator("#id_sections-0-body")
    body.fill(body.input_value() + "\n\nThe layers form a chain (@fig:chain).")
    editor.click("input[name=_continue]")
    # No alt text: refused, with the reason, and nothing saved.
    expect(
        editor.get_by_text("Describe what the image shows in the alt text")
    ).to_be_visible()
    editor.set_input_files("#id_figures-0-image", str(image))
    editor.fill("#id_figures-0-alt", "Six blue circles in a row joined by lines.")
    editor.click("input[name=_continue]")
    expect(editor.get_by_text("was changed successfully")).to_be_visible()
    editor.screenshot(path=str(ARTIFACTS / "editor-figure.png"), full_page=True)
    editor.fill("#id_edit_summary", "A figure of the chain")
    editor.click("input[name=_submit_for_review]")
    expect(editor.get_by_text("Saved and submitted for review")).to_be_visible()

    moderator = browser.new_context().new_page()
    sign_in(moderator, base, "moderator", "moderator-demo-pass")
    moderator.get_by_role("link", name="Open the review queue").click()
    moderator.get_by_role("link", name="Backpropagation").click()
    expect(moderator.locator(".diff-summary")).to_contain_text("1 figure added")
    moderator.get_by_role("button", name="Approve and publish").click()
    expect(moderator.get_by_text("is live as version 2")).to_be_visible()

    phone = browser.new_context(viewport={"width": 375, "height": 800}).new_page()
    phone.goto(f"{base}/topics/backpropagation/")
    link = phone.get_by_role("link", name="Figure 1", exact=True)
    expect(link).to_have_attribute("href", "#fig-chain")
    img = phone.locator("#fig-chain img")
    expect(img).to_have_attribute("alt", "Six blue circles in a row joined by lines.")
    img.scroll_into_view_if_needed()
    phone.wait_for_function(
        "document.querySelector('#fig-chain img').complete"
        " && document.querySelector('#fig-chain img').naturalWidth > 0"
    )
    current = img.evaluate("el => el.currentSrc")
    assert current.endswith("-480.webp"), current
    phone.screenshot(path=str(ARTIFACTS / "reader-phone-figure.png"))
    box = img.bounding_box()
    assert box["width"] <= 375 and abs(box["height"] - box["width"] / 2) < 2
