"""Figures (topics/images.py): what editors may upload, the renditions readers
get, how versions keep their files, and figures in an S3-compatible store
(MEDIA_STORAGE=s3, against moto's S3)."""

import io
from html.parser import HTMLParser

import pytest
from django.core.files.storage import default_storage
from django.template.defaultfilters import filesizeformat
from PIL import Image

from tests.factories import make_draft, publish
from tests.topics.helpers import (
    drawing_bytes,
    live_with_figures,
    photo_bytes,
    save_figures,
    upload,
)
from topics import images, services
from topics.diff import diff_versions
from topics.models import Figure

pytestmark = pytest.mark.django_db


# -- Figures as a page shows them --------------------------------------------


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
    assert "“bomb.png”" in html and "the limit is 24 megapixels." in html
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


# -- What readers get -----------------------------------------------------------


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
    original = photo.image.size
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


# -- An S3-compatible store -------------------------------------------------------

BUCKET = "scholargate-media"


@pytest.fixture
def s3_storage(settings):
    boto3 = pytest.importorskip("boto3", reason="the s3 extra is not installed")
    moto = pytest.importorskip("moto", reason="moto (S3 stand-in) is not installed")
    with moto.mock_aws():
        boto3.client("s3", region_name="us-east-1").create_bucket(Bucket=BUCKET)
        settings.AWS_ACCESS_KEY_ID = "test"
        settings.AWS_SECRET_ACCESS_KEY = "test"
        settings.MEDIA_ORIGINS = [f"https://{BUCKET}.s3.amazonaws.com"]
        options = {
            "bucket_name": BUCKET,
            "region_name": "us-east-1",
            "querystring_auth": False,
            "file_overwrite": False,
        }
        settings.STORAGES = {
            **settings.STORAGES,
            "default": {
                "BACKEND": "storages.backends.s3.S3Storage",
                "OPTIONS": options,
            },
            # As settings.base configures it for MEDIA_STORAGE=s3.
            "originals": {
                "BACKEND": "storages.backends.s3.S3Storage",
                "OPTIONS": {
                    **options,
                    "location": "originals",
                    "default_acl": "private",
                    "querystring_auth": True,
                },
            },
        }
        yield boto3.client("s3", region_name="us-east-1")


@pytest.mark.pandoc
def test_figures_are_stored_and_linked_in_the_bucket(s3_storage, editor):
    buffer = io.BytesIO()
    Image.new("RGB", (1200, 800), (40, 90, 170)).save(buffer, "PNG")
    upload = images.check_upload(io.BytesIO(buffer.getvalue()), "blue.png")
    draft = make_draft(by=editor, sections=[("definition", "", "See @fig:blue.")])
    figure = Figure(version=draft, position=1, alt="A blue rectangle.", label="blue")
    services.store_figure_image(figure=figure, upload=upload)
    figure.save()
    stored = {
        item["Key"]: item["Size"]
        for item in s3_storage.list_objects_v2(Bucket=BUCKET)["Contents"]
    }
    names = [f"originals/{figure.image.name}"] + [r["name"] for r in figure.renditions]
    assert set(names) == set(stored)
    # The original, with its metadata, is never public.
    grants = s3_storage.get_object_acl(Bucket=BUCKET, Key=names[0])["Grants"]
    assert not [g for g in grants if "AllUsers" in str(g.get("Grantee"))]
    assert [r["width"] for r in figure.renditions] == [480, 960, 1200, 1200]
    page = services.preview_page(draft)
    url = f"https://{BUCKET}.s3.amazonaws.com/{figure.renditions[0]['name']}"
    assert default_storage.url(figure.renditions[0]["name"]) == url
    assert f"{url} 480w" in page.body_html
    # Storing the same image again reuses the objects.
    assert images.store(upload) == (figure.image.name, figure.renditions)


def _image_bytes(image_format):
    buffer = io.BytesIO()
    image = Image.new("RGB", (300, 200), (200, 120, 40))
    if image_format == "MPO":
        # A phone camera's JPEG with a second, preview image.
        image.save(buffer, "MPO", save_all=True, append_images=[image.copy()])
    else:
        image.save(buffer, image_format)
    return buffer.getvalue()


@pytest.mark.parametrize(
    "image_format, name, stored",
    [
        ("PNG", "a.png", "image/png"),
        ("JPEG", "a.jpg", "image/jpeg"),
        ("MPO", "phone.jpg", "image/jpeg"),
        ("WEBP", "a.webp", "image/webp"),
        ("GIF", "a.gif", "image/gif"),
    ],
)
def test_every_accepted_format_uploads(client, editor, image_format, name, stored):
    """With the newest Pillow the pin allows (12.3 here), GIF and WebP uploads
    answered 500 (KeyError: 'MPO')."""
    draft = make_draft(by=editor)
    client.force_login(editor)
    response = save_figures(
        client,
        draft,
        [{"image": upload(name, _image_bytes(image_format)), "alt": "A square."}],
    )
    assert response.status_code == 302, response.content.decode()[-2000:]
    figure = Figure.objects.get(version=draft)
    assert figure.renditions[-1]["type"] == stored
    assert (figure.width, figure.height) == (300, 200)


def test_originals_with_their_metadata_are_never_served(client, editor, moderator):
    live = live_with_figures(client, editor, moderator)
    figure = live.figures.get(label="lamp")
    assert not default_storage.exists(figure.image.name)
    assert client.get(f"/media/{figure.image.name}").status_code == 404
    for rendition in figure.renditions:
        assert client.get(f"/media/{rendition['name']}").status_code == 200
