"""Figure images: what an upload must be, and the renditions readers get.

An upload is checked with Pillow before anything is stored: it must really
be a PNG, JPEG, WebP or GIF image, within the size and pixel limits of the
settings. Files are stored under the SHA-256 of their content, so versions
that share a figure share its file, and a new upload never overwrites an
old version's image. Renditions (WebP at a few widths, plus one in the
original format) are made once, with the EXIF orientation applied and no
metadata (camera, location) carried over.
"""

import hashlib
import hmac
import io
import warnings
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage, storages
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from PIL import Image, ImageCms, ImageOps, UnidentifiedImageError

# MPO is how Pillow names the JPEGs of many phone cameras (a JPEG with a
# second, preview image): stored and rendered as JPEG.
ALLOWED_FORMATS = {
    "PNG": "png", "JPEG": "jpg", "MPO": "jpg", "WEBP": "webp", "GIF": "gif"
}  # fmt: skip
# Decoders by name: the JPEG one also reads MPO files (named apart in older
# Pillow, not registered on its own since Pillow 12.3).
ALLOWED_DECODERS = ["PNG", "JPEG", "WEBP", "GIF"]
ALLOWED_TEXT = "PNG, JPEG, WebP or GIF"


@dataclass
class Upload:
    """A checked image, ready to store."""

    data: bytes
    format: str
    width: int
    height: int
    sha256: str

    @property
    def extension(self):
        return ALLOWED_FORMATS[self.format]


def _looks_like_text(head):
    if b"\0" in head:
        return False
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as error:
        # A multi-byte character cut off by the end of the sample is fine.
        return error.start >= len(head) - 3
    return True


def _megapixels(pixels):
    return f"{pixels / 1_000_000:.1f}".rstrip("0").rstrip(".")


def check_upload(file, name=None):
    """Return an Upload for a file object, or raise ValidationError saying why."""
    name = name or getattr(file, "name", "") or _("the file")
    size = getattr(file, "size", None)
    limit = settings.FIGURE_MAX_BYTES
    if size is not None and size > limit:
        raise _too_large(name, size, limit)
    file.seek(0)
    data = file.read(limit + 1)
    if len(data) > limit:
        raise _too_large(name, size or len(data), limit)
    if not data:
        raise ValidationError(
            _("“%(name)s” is empty."), params={"name": name}, code="empty"
        )
    head = data[:1024]
    stripped = head.lstrip().lower()
    if stripped.startswith((b"<svg", b"<?xml")) and b"<svg" in data[:4096].lower():
        raise ValidationError(
            _(
                "“%(name)s” is an SVG drawing. SVG files can carry scripts, so they "
                "are not accepted: export the drawing as PNG or WebP and upload that."
            ),
            params={"name": name},
            code="svg",
        )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                # The format and size are in the header: check them before a
                # pixel is decoded (no decoder of another format ever runs).
                image_format, (width, height) = image.format, image.size
                if image_format not in ALLOWED_FORMATS:
                    raise _wrong_format(name, image_format)
                _check_pixels(name, width, height)
                image.verify()
            with Image.open(io.BytesIO(data), formats=ALLOWED_DECODERS) as image:
                image.load()
    except ValidationError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _too_many_pixels(name, None) from None
    except UnidentifiedImageError:
        if _looks_like_text(head):
            raise ValidationError(
                _(
                    "“%(name)s” is a text file, not an image. Upload a %(allowed)s "
                    "image."
                ),
                params={"name": name, "allowed": ALLOWED_TEXT},
                code="text",
            ) from None
        raise ValidationError(
            _("“%(name)s” is not an image. Upload a %(allowed)s image."),
            params={"name": name, "allowed": ALLOWED_TEXT},
            code="not_image",
        ) from None
    except (OSError, SyntaxError, ValueError) as error:
        raise ValidationError(
            _(
                "“%(name)s” is damaged or incomplete and cannot be read as an "
                "image (%(error)s)."
            ),
            params={"name": name, "error": error},
            code="damaged",
        ) from None
    with Image.open(io.BytesIO(data)) as image:
        oriented = ImageOps.exif_transpose(image)
        width, height = oriented.size
    return Upload(
        data=data,
        format="JPEG" if image_format == "MPO" else image_format,
        width=width,
        height=height,
        sha256=hashlib.sha256(data).hexdigest(),
    )


def _wrong_format(name, image_format):
    return ValidationError(
        _("“%(name)s” is a %(format)s image. Upload a %(allowed)s image."),
        params={"name": name, "format": image_format, "allowed": ALLOWED_TEXT},
        code="format",
    )


def _too_large(name, size, limit):
    return ValidationError(
        _("“%(name)s” is %(size)s; the limit is %(limit)s."),
        params={
            "name": name,
            "size": filesizeformat(size),
            "limit": filesizeformat(limit),
        },
        code="too_large",
    )


def _check_pixels(name, width, height):
    if width * height > settings.FIGURE_MAX_PIXELS:
        raise _too_many_pixels(name, (width, height))


def _too_many_pixels(name, size):
    limit = _megapixels(settings.FIGURE_MAX_PIXELS)
    if size is None:
        return ValidationError(
            _("“%(name)s” has too many pixels; the limit is %(limit)s megapixels."),
            params={"name": name, "limit": limit},
            code="too_many_pixels",
        )
    width, height = size
    return ValidationError(
        _(
            "“%(name)s” is %(width)s × %(height)s pixels (%(pixels)s megapixels); "
            "the limit is %(limit)s megapixels."
        ),
        params={
            "name": name,
            "width": width,
            "height": height,
            "pixels": _megapixels(width * height),
            "limit": limit,
        },
        code="too_many_pixels",
    )


# -- Storing ----------------------------------------------------------------


def _stem(sha256):
    return f"figures/{sha256[:2]}/{sha256}"


def _original_name(upload):
    """The original keeps its metadata (for exports): it is stored apart,
    never served, under a name keyed with the secret (not derivable from the
    renditions' public names, should the store ever be exposed)."""
    key = hmac.new(
        settings.SECRET_KEY.encode(), upload.sha256.encode(), hashlib.sha256
    ).hexdigest()
    return f"figures/originals/{key[:2]}/{key}.{upload.extension}"


def originals_storage():
    """Where uploaded originals live: never served (settings.ORIGINALS_ROOT)."""
    return storages["originals"]


def _save(name, data, storage=None):
    """Store bytes under a name derived from their content (once)."""
    storage = storage or default_storage
    if not storage.exists(name):
        saved = storage.save(name, ContentFile(data))
        if saved != name:
            # Another request stored the same content meanwhile: keep theirs.
            storage.delete(saved)
    return name


def _encode(image, image_format, **options):
    buffer = io.BytesIO()
    image.save(buffer, image_format, **options)
    return buffer.getvalue()


def _resized(image, width):
    height = max(1, round(image.height * width / image.width))
    return image.resize((width, height), Image.Resampling.LANCZOS)


def _webp(image, source_format, icc):
    """Lossy WebP for photographs; for drawings (PNG, GIF) the smaller of lossy
    and lossless, as flat colours and sharp lines compress far better losslessly."""
    options = {"method": 4, "icc_profile": icc}
    lossy = _encode(image, "WEBP", quality=82, **options)
    if source_format not in ("PNG", "GIF"):
        return lossy
    lossless = _encode(image, "WEBP", lossless=True, quality=80, **options)
    return min(lossy, lossless, key=len)


def _as_rgb(image, icc):
    """Return (image, ICC profile) with print colours (CMYK) turned into sRGB.

    A CMYK profile describes CMYK values only: kept on an RGB rendition it
    would shift every colour, so it is used for the conversion and dropped.
    """
    if image.mode != "CMYK":
        return image, icc
    if icc:
        try:
            converted = ImageCms.profileToProfile(
                image,
                ImageCms.ImageCmsProfile(io.BytesIO(icc)),
                ImageCms.createProfile("sRGB"),
                outputMode="RGB",
            )
        except (ImageCms.PyCMSError, OSError, ValueError):
            converted = None
        if converted is not None:
            return converted, None
    return image.convert("RGB"), None


def _for_webp(image):
    if image.mode in ("RGBA", "LA") or "transparency" in image.info:
        return image.convert("RGBA")
    return image.convert("RGB")


def store(upload):
    """Store an upload and its renditions; return (original name, renditions).

    Each rendition is {"name", "width", "height", "type"}; the last one is
    in the original format and serves as the image's plain `src`.
    """
    stem = _stem(upload.sha256)
    original = _save(_original_name(upload), upload.data, originals_storage())
    renditions = []
    with Image.open(io.BytesIO(upload.data)) as source:
        if upload.format in ("GIF", "WEBP") and getattr(source, "is_animated", False):
            # An animation stays as it is: no frame is dropped.
            animation = _save(f"{stem}.{upload.extension}", upload.data)
            return original, [
                {
                    "name": animation,
                    "width": upload.width,
                    "height": upload.height,
                    "type": Image.MIME[upload.format],
                }
            ]
        image, icc = _as_rgb(
            ImageOps.exif_transpose(source), source.info.get("icc_profile")
        )
        widths = sorted(
            {min(w, image.width) for w in settings.FIGURE_WIDTHS}
            | ({image.width} if image.width < max(settings.FIGURE_WIDTHS) else set())
        )
        webp = _for_webp(image)
        for width in widths:
            scaled = webp if width == webp.width else _resized(webp, width)
            name = _save(f"{stem}-{width}.webp", _webp(scaled, upload.format, icc))
            renditions.append(
                {
                    "name": name,
                    "width": scaled.width,
                    "height": scaled.height,
                    "type": "image/webp",
                }
            )
        width = widths[-1]
        scaled = image if width == image.width else _resized(image, width)
        options = {"icc_profile": icc} if icc else {}
        if upload.format == "JPEG":
            scaled = scaled.convert("RGB")
            options.update(quality=85, optimize=True, progressive=True)
        elif upload.format == "PNG":
            options.update(optimize=True)
        elif upload.format == "GIF":
            options = {}
        name = _save(
            f"{stem}-{width}.{upload.extension}",
            _encode(scaled, upload.format, **options),
        )
        renditions.append(
            {
                "name": name,
                "width": scaled.width,
                "height": scaled.height,
                "type": Image.MIME[upload.format],
            }
        )
    return original, renditions


def picture_data(figure_renditions):
    """Return src, srcset and size for a figure's renditions, as URLs."""
    if not figure_renditions:
        return None
    webp = [r for r in figure_renditions[:-1] if r["type"] == "image/webp"]
    fallback = figure_renditions[-1]
    return {
        "src": default_storage.url(fallback["name"]),
        "width": fallback["width"],
        "height": fallback["height"],
        "type": fallback["type"],
        "srcset": ", ".join(
            f"{default_storage.url(r['name'])} {r['width']}w" for r in webp
        ),
    }
