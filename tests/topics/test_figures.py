"""Figures: what editors may upload, what readers get, and how versions keep them."""

import io
import random
from html.parser import HTMLParser

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from PIL import Image

from tests.factories import make_draft, publish
from tests.topics.test_admin import change_url, form_data
from topics import services
from topics.content_files import ImportFailed, import_content
from topics.diff import diff_versions
from topics.models import Figure

pytestmark = pytest.mark.django_db


# -- Images made for the tests ------------------------------------------------


def photo_bytes(width=2400, height=1600, image_format="JPEG", **options):
    """A photograph-like image: smooth gradients with fine noise."""
    rng = random.Random(width * height)
    image = Image.radial_gradient("L").resize((width, height)).convert("RGB")
    noise = Image.frombytes(
        "RGB",
        (width, height),
        bytes(rng.getrandbits(8) for _ in range(width * 3)) * height,
    )
    image = Image.blend(image, noise, 0.15)
    buffer = io.BytesIO()
    image.save(buffer, image_format, quality=95, **options)
    return buffer.getvalue()


def drawing_bytes(width=800, height=500, colour=(40, 90, 170)):
    image = Image.new("RGB", (width, height), "white")
    image.paste(colour, (width // 4, height // 4, width // 2, height // 2))
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def upload(name, data, content_type="image/png"):
    return SimpleUploadedFile(name, data, content_type=content_type)


def figure_data(figures, version):
    """Inline POST data: figures are dicts of form fields (id, image, alt...)."""
    data = {
        "figures-TOTAL_FORMS": len(figures),
        "figures-INITIAL_FORMS": sum(1 for f in figures if f.get("id")),
        "figures-MIN_NUM_FORMS": 0,
        "figures-MAX_NUM_FORMS": 1000,
    }
    for i, figure in enumerate(figures):
        fields = {
            "id": "",
            "version": version.pk,
            "alt": "",
            "caption": "",
            "credit": "",
            "licence": "CC-BY-4.0",
            "label": "",
            "position": i + 1,
            **figure,
        }
        data.update({f"figures-{i}-{key}": value for key, value in fields.items()})
    return data


def save_figures(client, version, figures, sections=None):
    data = form_data(version, sections)
    data.update(figure_data(figures, version))
    return client.post(change_url(version), data)


class Pictures(HTMLParser):
    """Collect each <figure>'s <source> and <img> attributes."""

    def __init__(self):
        super().__init__()
        self.figures = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "figure":
            self.figures.append({"id": attrs.get("id")})
        elif tag in ("img", "source") and self.figures:
            self.figures[-1][tag] = attrs


def pictures(html):
    parser = Pictures()
    parser.feed(html)
    return parser.figures


# -- Refusals -----------------------------------------------------------------

ALLOWED = "Upload a PNG, JPEG, WebP or GIF image."


def bmp_bytes():
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), "red").save(buffer, "BMP")
    return buffer.getvalue()


@pytest.mark.parametrize(
    "name, data, message",
    [
        (
            "scan.png",
            bytes(range(256)) * 8,
            "“scan.png” is not an image. " + ALLOWED,
        ),
        (
            "notes.png",
            "Figure notes: redraw the axes.\nÜber-long line.\n".encode(),
            "“notes.png” is a text file, not an image. " + ALLOWED,
        ),
        (
            "drawing.svg",
            b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg">'
            b"<script>alert(1)</script></svg>",
            "“drawing.svg” is an SVG drawing. SVG files can carry scripts, so they "
            "are not accepted: export the drawing as PNG or WebP and upload that.",
        ),
        ("old.bmp", bmp_bytes(), "“old.bmp” is a BMP image. " + ALLOWED),
        (
            "cut.png",
            drawing_bytes()[:200],
            "“cut.png” is damaged or incomplete and cannot be read as an image",
        ),
    ],
    ids=["not-an-image", "renamed-text-file", "svg", "bmp", "truncated"],
)
def test_refused_uploads_say_why_and_save_nothing(client, editor, name, data, message):
    draft = make_draft(by=editor)
    saves = draft.edit_count
    client.force_login(editor)
    response = save_figures(
        client, draft, [{"image": upload(name, data), "alt": "A diagram."}]
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Figure.objects.exists()
    draft.refresh_from_db()
    assert draft.edit_count == saves


def test_too_large_upload_names_its_size_and_the_limit(client, editor, settings):
    settings.FIGURE_MAX_BYTES = 50_000
    data = photo_bytes(600, 400)
    assert len(data) > 50_000
    draft = make_draft(by=editor)
    client.force_login(editor)
    response = save_figures(
        client, draft, [{"image": upload("big.jpg", data), "alt": "A photo."}]
    )
    expected = f"“big.jpg” is {filesizeformat(len(data))}; the limit is 48.8\xa0KB."
    assert expected in response.content.decode()
    assert not Figure.objects.exists()


def test_too_many_pixels_names_the_size_and_the_limit(client, editor, settings):
    settings.FIGURE_MAX_PIXELS = 2_000_000
    draft = make_draft(by=editor)
    client.force_login(editor)
    response = save_figures(
        client,
        draft,
        [{"image": upload("wide.png", drawing_bytes(2000, 1500)), "alt": "A chart."}],
    )
    assert (
        "“wide.png” is 2000 × 1500 pixels (3 megapixels); the limit is 2 megapixels."
        in response.content.decode()
    )
    assert not Figure.objects.exists()


def test_decompression_bomb_is_refused_before_decoding(client, editor):
    # 20,000 × 20,000 one-bit pixels: a few kilobytes on disk, 400 megapixels.
    buffer = io.BytesIO()
    Image.new("1", (20000, 20000)).save(buffer, "PNG")
    assert len(buffer.getvalue()) < 100_000
    draft = make_draft(by=editor)
    client.force_login(editor)
    response = save_figures(
        client,
        draft,
        [{"image": upload("bomb.png", buffer.getvalue()), "alt": "Nothing."}],
    )
    html = response.content.decode()
    assert "“bomb.png”" in html and "the limit is 40 megapixels." in html
    assert not Figure.objects.exists()


def test_empty_alt_text_is_refused_unless_decorative(client, editor):
    draft = make_draft(by=editor)
    client.force_login(editor)
    response = save_figures(
        client, draft, [{"image": upload("d.png", drawing_bytes()), "alt": "  "}]
    )
    assert (
        "Describe what the image shows in the alt text, or tick “decorative” if it "
        "adds nothing to the text." in response.content.decode()
    )
    assert not Figure.objects.exists()
    response = save_figures(
        client,
        draft,
        [{"image": upload("d.png", drawing_bytes()), "alt": "", "decorative": "on"}],
    )
    assert response.status_code == 302
    assert Figure.objects.get().decorative


def test_unknown_figure_label_is_an_error_naming_it(client, editor):
    draft = make_draft(by=editor, sections=[("definition", "", "Old.")])
    section = draft.sections.get()
    client.force_login(editor)
    response = save_figures(
        client,
        draft,
        [{"image": upload("a.png", drawing_bytes()), "alt": "A.", "label": "known"}],
        sections=[(section.pk, "definition", "", 1, "See @fig:known and @fig:nope.")],
    )
    html = response.content.decode()
    assert "Section “Definition” refers to an unknown figure: @fig:nope." in html
    assert "@fig:known" not in html.split("refers to an unknown figure")[1][:40]
    assert not Figure.objects.exists()


# -- What readers get -----------------------------------------------------------


def live_with_figures(client, editor, moderator):
    draft = make_draft(by=editor, sections=[("definition", "", "Old.")])
    section = draft.sections.get()
    client.force_login(editor)
    response = save_figures(
        client,
        draft,
        [
            {
                "image": upload("photo.jpg", photo_bytes(), "image/jpeg"),
                "alt": "A blurred lamp on a dark table.",
                "caption": "A lamp, photographed for the test.",
                "credit": "Test suite",
                "label": "lamp",
            },
            {
                "image": upload("chart.png", drawing_bytes()),
                "alt": "A blue square on white.",
                "caption": "The chart.",
                "label": "chart",
                "licence": "CC0-1.0",
            },
        ],
        sections=[
            (
                section.pk,
                "definition",
                "",
                1,
                "The chart comes first (@fig:chart).\n\nThen the lamp [@fig:lamp].",
            )
        ],
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    client.logout()
    return publish(draft, author=editor, moderator=moderator)


@pytest.mark.pandoc
def test_topic_page_serves_renditions_with_srcset_size_and_alt(
    client, editor, moderator
):
    live = live_with_figures(client, editor, moderator)
    html = client.get(live.topic.get_absolute_url()).content.decode()
    found = pictures(html)
    figures = list(live.figures.all())
    assert len(found) == len(figures) == 2
    for shown in found:
        img, source = shown["img"], shown["source"]
        assert img["alt"] and img["width"] and img["height"]
        assert source["type"] == "image/webp" and source["sizes"]
        assert source["srcset"].count("w,") >= 1
    # The chart is referred to first, so it is Figure 1 and loads at once.
    chart, lamp = found
    assert chart["id"] == "fig-chart" and lamp["id"] == "fig-lamp"
    assert "loading" not in chart["img"] and lamp["img"]["loading"] == "lazy"
    assert '<a href="#fig-chart" class="figure-ref">Figure 1</a>' in html
    assert '(<a href="#fig-lamp" class="figure-ref">Figure 2</a>)' in html
    assert "<strong>Figure 2.</strong> A lamp, photographed for the test." in html
    # The photograph: 2400 px wide, so WebP at 480, 960 and 1600, each smaller
    # than the original, and a JPEG fallback at 1600.
    photo = next(f for f in figures if f.label == "lamp")
    original = default_storage.size(photo.image.name)
    widths = [(r["width"], r["type"]) for r in photo.renditions]
    assert widths == [
        (480, "image/webp"),
        (960, "image/webp"),
        (1600, "image/webp"),
        (1600, "image/jpeg"),
    ]
    sizes = [default_storage.size(r["name"]) for r in photo.renditions]
    assert all(size < original for size in sizes), (sizes, original)
    assert sizes[0] < original / 10
    assert (
        f"{default_storage.url(photo.renditions[0]['name'])} 480w"
        in (lamp["source"]["srcset"])
    )
    assert lamp["img"]["width"] == "1600" and lamp["img"]["height"] == "1067"
    for rendition in photo.renditions:
        assert client.get(default_storage.url(rendition["name"])).status_code == 200


def test_exif_orientation_is_applied_and_location_stripped(client, editor, moderator):
    image = Image.new("RGB", (300, 200), "orange")
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90° clockwise to display
    exif[0x010F] = "Camera maker"
    exif.get_ifd(0x8825)[2] = (51.0, 30.0, 0.0)  # GPS latitude
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif)
    with Image.open(io.BytesIO(buffer.getvalue())) as check:
        assert check.getexif().get_ifd(0x8825)
    draft = make_draft(by=editor)
    client.force_login(editor)
    response = save_figures(
        client,
        draft,
        [{"image": upload("p.jpg", buffer.getvalue(), "image/jpeg"), "alt": "Orange."}],
    )
    assert response.status_code == 302
    figure = Figure.objects.get()
    assert (figure.width, figure.height) == (200, 300)
    # The original keeps its metadata, under a name the page never reveals.
    assert figure.sha256 not in figure.image.name
    for rendition in figure.renditions:
        with default_storage.open(rendition["name"]) as handle:
            shown = Image.open(handle)
            assert shown.size == (rendition["width"], rendition["height"])
            assert shown.size[1] > shown.size[0]
            exif = shown.getexif()
            assert not exif.get_ifd(0x8825) and 0x0112 not in exif
            assert 0x010F not in exif


# -- Versions ---------------------------------------------------------------------


@pytest.mark.pandoc
def test_new_draft_shares_files_and_old_permalink_survives_replace_and_delete(
    client, editor, moderator, second_moderator
):
    live = live_with_figures(client, editor, moderator)
    old_html = client.get(live.get_absolute_url()).content.decode()
    old_sources = {f.label: f.image.name for f in live.figures.all()}
    files_before = set(default_storage.listdir("figures")[0])
    draft = services.start_draft(topic=live.topic, by=editor)
    copies = {f.label: f for f in draft.figures.all()}
    assert {k: f.image.name for k, f in copies.items()} == old_sources
    assert set(default_storage.listdir("figures")[0]) == files_before
    # Replace the lamp's image, delete the chart (and its reference).
    section = draft.sections.get()
    client.force_login(editor)
    response = save_figures(
        client,
        draft,
        [
            {
                "id": copies["lamp"].pk,
                "image": upload("new.png", drawing_bytes(colour=(200, 30, 30))),
                "alt": "A red square on white.",
                "caption": "The lamp, redrawn.",
                "credit": "Test suite",
                "label": "lamp",
            },
            {
                "id": copies["chart"].pk,
                "alt": copies["chart"].alt,
                "label": "chart",
                "DELETE": "on",
            },
        ],
        sections=[(section.pk, "definition", "", 1, "Only the lamp [@fig:lamp].")],
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    client.logout()
    diff = diff_versions(live, draft)
    assert "1 figure removed" in diff.summary and "1 figure changed" in diff.summary
    changed = next(f for f in diff.figures if f.status == "changed")
    assert {c.label for c in changed.fields} == {"Image", "Alt text", "Caption"}
    new_live = publish(draft, author=editor, moderator=second_moderator)
    # The old permalink shows the same figures, and its images are still served.
    again = client.get(live.get_absolute_url()).content.decode()
    assert pictures(again) == pictures(old_html) and len(pictures(again)) == 2
    assert live.page.body_html in again
    for shown in pictures(again):
        assert client.get(shown["img"]["src"]).status_code == 200
    new_html = client.get(new_live.topic.get_absolute_url()).content.decode()
    assert len(pictures(new_html)) == 1
    assert "A red square on white." in new_html
    assert old_sources["lamp"] not in new_html


def test_review_page_lists_figure_changes(client, editor, moderator):
    draft = make_draft(by=editor)
    client.force_login(editor)
    save_figures(
        client, draft, [{"image": upload("a.png", drawing_bytes()), "alt": "Blue."}]
    )
    services.submit_for_review(version=draft, by=editor, edit_summary="Figure")
    client.force_login(moderator)
    response = client.get(reverse("admin:topics_topicversion_review", args=[draft.pk]))
    html = response.content.decode()
    assert "1 figure added" in html and "diff-figure diff-added" in html


# -- Content files ------------------------------------------------------------------


def test_import_refuses_a_bad_image_naming_file_and_problem(tmp_path):
    (tmp_path / "figures").mkdir()
    (tmp_path / "figures" / "fake.png").write_text("not really a picture\n")
    (tmp_path / "alpha.md").write_text(
        "---\ntitle: Alpha\nslug: alpha\nkind: concept\nsummary: About alpha.\n"
        "figures:\n  - file: figures/fake.png\n    alt: A fake.\n"
        "  - file: figures/missing.png\n    alt: ''\n"
        "  - file: ../outside.png\n    alt: Outside.\n---\n## Definition\n\nText.\n"
    )
    with pytest.raises(ImportFailed) as failure:
        import_content([tmp_path])
    problems = "\n".join(failure.value.problems)
    assert "figure 1: “" in problems and "fake.png” is a text file" in problems
    assert "figure 2: “alt” is required" in problems
    assert "figure 2: no image file at" in problems
    assert (
        "figure 3: “../outside.png” must be a path below the topic file's folder"
        in (problems)
    )
    assert not Figure.objects.exists()


def test_export_writes_figures_that_import_back(tmp_path, editor, moderator, client):
    live = live_with_figures(client, editor, moderator)
    call_command("export_topics", str(tmp_path))
    text = (tmp_path / f"{live.topic.slug}.md").read_text()
    assert "file: figures/topic/lamp.jpg" in text and "label: chart" in text
    assert (tmp_path / "figures" / "topic" / "chart.png").read_bytes() == (
        default_storage.open(live.figures.get(label="chart").image.name).read()
    )
    versions = import_content([tmp_path], publish=True)
    imported = versions[0]
    assert [
        (f.sha256, f.alt, f.caption, f.credit, f.licence, f.label)
        for f in imported.figures.all()
    ] == [
        (f.sha256, f.alt, f.caption, f.credit, f.licence, f.label)
        for f in live.figures.all()
    ]


@pytest.mark.pandoc
def test_work_cited_in_a_caption_lists_the_figure(client):
    call_command("load_demo")
    html = client.get(
        reverse("citations:work", args=["goodfellow2016"])
    ).content.decode()
    assert (
        '<a href="/topics/deep-learning/#fig-multilayer-network">'
        "Deep Learning — a figure caption</a>" in html
    )
    page = client.get("/topics/deep-learning/").content.decode()
    assert 'class="figure-ref">Figure 1</a></span> draws a small network' in page


def test_print_colours_become_srgb_without_their_cmyk_profile():
    """A CMYK JPEG (print artwork) gets RGB renditions that carry no CMYK
    colour profile: kept on RGB pixels it would shift every colour."""
    from topics import images

    buffer = io.BytesIO()
    # Pure cyan, with a profile attached as print tools do.
    icc = Image.new("RGB", (1, 1)).info.get("icc_profile") or b"not a cmyk profile"
    Image.new("CMYK", (600, 400), (255, 0, 0, 0)).save(buffer, "JPEG", icc_profile=icc)
    upload = images.check_upload(io.BytesIO(buffer.getvalue()), "print.jpg")
    _original, renditions = images.store(upload)
    for rendition in renditions:
        with default_storage.open(rendition["name"]) as handle:
            image = Image.open(io.BytesIO(handle.read()))
            assert image.mode in ("RGB", "RGBA")
            assert "icc_profile" not in image.info
            red, green, blue = image.convert("RGB").getpixel((300, 200))[:3]
            assert red < 40 and green > 200 and blue > 200, (red, green, blue)


@pytest.mark.django_db
def test_clean_media_deletes_only_old_unreferenced_files(editor):
    import os
    import time

    draft = make_draft(by=editor)
    figure = Figure(version=draft, position=1, alt="A blue rectangle.")
    services.store_figure_image(
        figure=figure, upload=check(drawing_bytes(colour=(1, 2, 3)), "kept.png")
    )
    figure.save()
    # A rolled-back upload left these behind; one is still being saved.
    orphan = default_storage.save("figures/zz/orphan-480.webp", io.BytesIO(b"x"))
    fresh = default_storage.save("figures/zz/fresh-480.webp", io.BytesIO(b"x"))
    hour_ago = time.time() - 2 * 3600
    for name in [orphan, figure.image.name, *(r["name"] for r in figure.renditions)]:
        os.utime(default_storage.path(name), (hour_ago, hour_ago))
    out = io.StringIO()
    call_command("clean_media", "--dry-run", stdout=out)
    assert orphan in out.getvalue() and default_storage.exists(orphan)
    call_command("clean_media", stdout=io.StringIO())
    assert not default_storage.exists(orphan)
    assert default_storage.exists(fresh)
    assert default_storage.exists(figure.image.name)
    assert all(default_storage.exists(r["name"]) for r in figure.renditions)
    default_storage.delete(fresh)


def check(data, name):
    from topics import images

    return images.check_upload(io.BytesIO(data), name)
