"""Helpers several test modules share: the admin change form's POST data,
images made for the tests and their upload, and reading pages."""

import io
import json
import random
from html.parser import HTMLParser

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from tests.factories import make_draft, publish

# -- The admin's change form ----------------------------------------------------


def change_url(version):
    return reverse("admin:topics_topicversion_change", args=[version.pk])


def form_data(version, sections=None, **fields):
    """POST data for the change form.

    Sections are (id, kind, heading, position, body) tuples.
    """
    if sections is None:
        sections = [
            (s.pk, s.kind, s.heading, s.position, s.body)
            for s in version.sections.all()
        ]
    data = {
        "title": version.title,
        "summary": version.summary,
        "kind": version.kind,
        "parent": version.parent_id or "",
        "tags": ", ".join(version.tags.names()),
        "edit_summary": version.edit_summary,
        "sections-TOTAL_FORMS": len(sections),
        "sections-INITIAL_FORMS": sum(1 for s in sections if s[0]),
        "sections-MIN_NUM_FORMS": 0,
        "sections-MAX_NUM_FORMS": 1000,
    }
    inlines = (
        "author_links",
        "figures",
        "related_links",
        "key_figure_links",
        "seminal_work_links",
    )
    for prefix in inlines:
        data.update({f"{prefix}-TOTAL_FORMS": 0, f"{prefix}-INITIAL_FORMS": 0})
    for i, (pk, kind, heading, position, body) in enumerate(sections):
        data.update(
            {
                f"sections-{i}-id": pk or "",
                f"sections-{i}-version": version.pk,
                f"sections-{i}-kind": kind,
                f"sections-{i}-heading": heading,
                f"sections-{i}-position": position,
                f"sections-{i}-body": body,
            }
        )
    data.update(fields)
    return data


# -- Images made for the tests, uploaded through the change form ---------------


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


# -- Reading pages ----------------------------------------------------------------


def get(client, url, **headers):
    return client.get(url, headers=headers)


class HeadReader(HTMLParser):
    def __init__(self):
        super().__init__()
        self.meta, self.json_ld, self.links, self._in_ld = [], [], [], False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "meta" and "content" in attrs:
            self.meta.append(
                (attrs.get("name") or attrs.get("property"), attrs["content"])
            )
        if tag == "link":
            self.links.append(attrs)
        self._in_ld = tag == "script" and attrs.get("type") == "application/ld+json"

    def handle_data(self, data):
        if self._in_ld:
            self.json_ld.append(json.loads(data))
            self._in_ld = False


def read_head(html):
    reader = HeadReader()
    reader.feed(html)
    return reader


class ClassReader(HTMLParser):
    """Every element's classes and text (for the byline heuristic)."""

    def __init__(self):
        super().__init__()
        self.elements, self.stack = [], []

    def handle_starttag(self, tag, attrs):
        classes = (dict(attrs).get("class") or "").split()
        element = {"tag": tag, "classes": classes, "text": []}
        self.elements.append(element)
        if tag not in ("meta", "link", "img", "source", "br", "input", "hr"):
            self.stack.append(element)

    def handle_endtag(self, tag):
        while self.stack and self.stack.pop()["tag"] != tag:
            pass

    def handle_data(self, data):
        for element in self.stack:
            element["text"].append(data)


def zotero_item(html):
    """The item Zotero's Embedded Metadata translator (with its RDF import)
    makes of a page, by the rules it applies to what this site emits:

    - item type: DC.type (via the RDF translator);
    - title: citation_title; date: citation_publication_date;
    - creators: one per citation_author; when there are none, the text of an
      element whose class is "byline" or "vcard" (the byline heuristic);
    - url: og:url first (the RDF import), else citation_abstract_html_url;
    - edition (and version): prism.edition;
    - encyclopedia title: DC.source, else og:site_name;
    - abstract: description.
    """
    head = read_head(html)
    meta = {}
    for name, content in head.meta:
        meta.setdefault(name, []).append(content)

    def first(*names):
        for name in names:
            if meta.get(name):
                return meta[name][0]
        return None

    creators = meta.get("citation_author", [])
    if not creators:
        reader = ClassReader()
        reader.feed(html)
        creators = [
            " ".join("".join(e["text"]).split())
            for e in reader.elements
            if {"byline", "vcard"} & set(e["classes"])
        ]
    return {
        "itemType": first("DC.type"),
        "title": first("citation_title", "DC.title"),
        "creators": creators,
        "date": first("citation_publication_date", "DC.date"),
        "url": first("og:url", "citation_abstract_html_url"),
        "edition": first("prism.edition"),
        "encyclopediaTitle": first("DC.source", "og:site_name"),
        "abstractNote": first("description"),
    }
