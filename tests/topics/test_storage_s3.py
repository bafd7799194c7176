"""Figures in an S3-compatible store (MEDIA_STORAGE=s3), against moto's S3."""

import io

import pytest
from django.core.files.storage import default_storage
from PIL import Image

from tests.factories import make_draft
from topics import images, services
from topics.models import Figure

boto3 = pytest.importorskip("boto3", reason="the s3 extra is not installed")
moto = pytest.importorskip("moto", reason="moto (S3 stand-in) is not installed")

pytestmark = [pytest.mark.django_db, pytest.mark.pandoc]
BUCKET = "scholargate-media"


@pytest.fixture
def s3_storage(settings):
    with moto.mock_aws():
        boto3.client("s3", region_name="us-east-1").create_bucket(Bucket=BUCKET)
        settings.AWS_ACCESS_KEY_ID = "test"
        settings.AWS_SECRET_ACCESS_KEY = "test"
        settings.STORAGES = {
            **settings.STORAGES,
            "default": {
                "BACKEND": "storages.backends.s3.S3Storage",
                "OPTIONS": {
                    "bucket_name": BUCKET,
                    "region_name": "us-east-1",
                    "querystring_auth": False,
                    "file_overwrite": False,
                },
            },
        }
        yield boto3.client("s3", region_name="us-east-1")


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
    names = [figure.image.name] + [r["name"] for r in figure.renditions]
    assert set(names) == set(stored)
    assert [r["width"] for r in figure.renditions] == [480, 960, 1200, 1200]
    page = services.preview_page(draft)
    url = f"https://{BUCKET}.s3.amazonaws.com/{figure.renditions[0]['name']}"
    assert default_storage.url(figure.renditions[0]["name"]) == url
    assert f"{url} 480w" in page.body_html
    # Storing the same image again reuses the objects.
    assert images.store(upload) == (figure.image.name, figure.renditions)
