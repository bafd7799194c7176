"""Cite this entry, scholarly metadata, work and person pages, frozen works."""

import datetime
import json
from html.parser import HTMLParser

import bibtexparser
import pypandoc
import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.utils import timezone

from citations.models import Work
from tests.factories import WorkFactory, make_draft, make_live, publish
from topics import services
from topics.models import KeyFigure, Person, Section, Topic, TopicVersion

pytestmark = [pytest.mark.django_db, pytest.mark.pandoc]
SITE = "http://127.0.0.1:8000"


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


@pytest.fixture
def entry(editor, moderator):
    WorkFactory(
        key="doe2020", title="On examples", authors=[{"family": "Doe", "given": "Jane"}]
    )
    draft = make_draft(
        by=editor,
        slug="entropy",
        title="Entropy",
        sections=[
            (
                Section.Kind.DEFINITION,
                "",
                "Entropy measures uncertainty [@doe2020, p. 2].",
            ),
            (Section.Kind.FAQ, "", "Is it disorder?\n: Only loosely."),
        ],
    )
    KeyFigure.objects.create(
        version=draft, person=Person.objects.create(name="Claude Shannon"), position=1
    )
    draft.tags.add("information theory")
    v1 = publish(draft, author=editor, moderator=moderator)
    # Version 1 was approved long ago; its permalink must carry that date.
    past = timezone.make_aware(datetime.datetime(2024, 3, 5, 12, 0))
    TopicVersion.objects.filter(pk=v1.pk).update(approved_at=past)
    v1.refresh_from_db()
    services.rerender_version(version_id=v1.pk)
    v2 = publish(
        services.start_draft(topic=v1.topic, by=editor),
        author=editor,
        moderator=moderator,
        summary="Two",
    )
    return v1, v2


def test_reference_managers_read_the_entry(client, entry):
    v1, v2 = entry
    head = read_head(client.get("/topics/entropy/").content.decode())
    meta = head.meta
    get = dict(meta)
    assert get["DC.type"] == "encyclopediaArticle"
    assert get["DC.source"] == "ScholarGate"
    assert get["citation_title"] == "Entropy"
    assert [v for k, v in meta if k == "citation_author"] == ["Edith Editor"]
    assert get["citation_publication_date"] == v2.approved_at.strftime("%Y/%m/%d")
    assert get["citation_fulltext_html_url"] == f"{SITE}/topics/entropy/v/2/"
    assert get["citation_publisher"] == "ScholarGate"
    assert get["citation_language"] == "en"
    assert get["citation_keywords"] == "information theory"
    names = {k for k, _v in meta}
    assert (
        not {
            "citation_book_title",
            "citation_journal_title",
            "citation_conference_title",
        }
        & names
    )
    assert not any(k.startswith("book:") for k in names if k)
    # What Zotero saves as the item's URL: the version that was read.
    assert get["og:url"] == f"{SITE}/topics/entropy/v/2/"
    assert {"rel": "canonical", "href": f"{SITE}/topics/entropy/"} in head.links
    ld, crumbs = head.json_ld
    types = {node["@type"]: node for node in ld["@graph"]}
    types[crumbs["@type"]] = crumbs
    article = types["ScholarlyArticle"]
    assert article["headline"] == "Entropy" and article["version"] == "2"
    assert article["author"] == [{"@type": "Person", "name": "Edith Editor"}]
    assert article["citation"][0]["name"] == "On examples"
    assert article["about"][0]["name"] == "Claude Shannon"
    assert types["DefinedTerm"]["description"].startswith(
        "Entropy measures uncertainty"
    )
    faq = types["FAQPage"]["mainEntity"][0]
    assert faq["name"] == "Is it disorder?"
    assert faq["acceptedAnswer"]["text"] == "Only loosely."
    crumbs = types["BreadcrumbList"]["itemListElement"]
    assert [c["name"] for c in crumbs] == ["Home", "Entropy"]


def test_a_version_permalink_carries_its_own_date(client, entry):
    v1, _v2 = entry
    get = dict(read_head(client.get("/topics/entropy/v/1/").content.decode()).meta)
    assert get["citation_publication_date"] == "2024/03/05"
    assert get["citation_fulltext_html_url"] == f"{SITE}/topics/entropy/v/1/"
    bib = bibtexparser.parse_string(
        client.get("/topics/entropy/v/1/cite.bib").content.decode()
    )
    (item,) = bib.entries
    assert item["year"] == "2024" and item["url"] == f"{SITE}/topics/entropy/v/1/"


def test_cite_downloads_parse(client, entry, tmp_path):
    bib = bibtexparser.parse_string(
        client.get("/topics/entropy/cite.bib").content.decode()
    )
    (item,) = bib.entries
    assert item["title"] == "Entropy" and item["author"] == "Editor, Edith"
    assert item["url"] == f"{SITE}/topics/entropy/v/2/"

    ris = client.get("/topics/entropy/cite.ris").content.decode().splitlines()
    assert ris[0] == "TY  - ENCYC" and ris[-1].startswith("ER  -")
    tags = {line[:2] for line in ris}
    assert {"TY", "TI", "AU", "PY", "DA", "T2", "UR", "ER"} <= tags

    data = client.get("/topics/entropy/cite.json").json()
    path = tmp_path / "entry.json"
    path.write_text(json.dumps(data))
    html = pypandoc.convert_text(
        "---\nnocite: '@*'\n---\n",
        "html",
        format="markdown",
        extra_args=["--citeproc", f"--bibliography={path}"],
    )
    assert "Editor" in html and "Entropy" in html and "/topics/entropy/v/2/" in html
    assert client.get("/topics/entropy/cite.doc").status_code == 404


def test_cite_box_shows_apa_and_chicago(client, entry):
    html = client.get("/topics/entropy/").content.decode()
    assert "Editor, E. (20" in html  # APA
    assert "Editor, Edith. 20" in html  # Chicago
    assert "/topics/entropy/v/2/cite.ris" in html


def test_references_download_is_the_frozen_bibliography(client, entry):
    Work.objects.filter(key="doe2020").update(title="On corrected examples")
    text = client.get("/topics/entropy/references.bib").content.decode()
    (item,) = bibtexparser.parse_string(text).entries
    assert item.key == "doe2020" and item["title"] == "On examples"


def test_editing_a_cited_work_does_not_change_an_approved_page(
    client, entry, editor, moderator
):
    work = Work.objects.get(key="doe2020")
    work.title = "On corrected examples"
    work.save()
    html = client.get("/topics/entropy/").content.decode()
    assert "On examples" in html and "On corrected examples" not in html
    # The correction appears with the next approved version.
    draft = services.start_draft(topic=Topic.objects.get(slug="entropy"), by=editor)
    publish(draft, author=editor, moderator=moderator, summary="Three")
    assert "On corrected examples" in client.get("/topics/entropy/").content.decode()
    assert "On examples" in client.get("/topics/entropy/v/2/").content.decode()


def test_work_admin_lists_the_topics_a_correction_would_change(client, entry, editor):
    client.force_login(editor)
    work = Work.objects.get(key="doe2020")
    html = client.get(f"/admin/citations/work/{work.pk}/change/").content.decode()
    assert "next approved version" in html and 'href="/topics/entropy/"' in html


def test_rerender_command_changes_formatting_only(client, entry):
    before = client.get("/topics/entropy/").content.decode()
    assert "(Doe, 2020, p. 2)" in before.replace(
        '<a href="#ref-doe2020" role="doc-biblioref">', ""
    ).replace("</a>", "")
    call_command(
        "rerender_versions", "--style", "ieee", "--processes", "1", verbosity=0
    )
    after = client.get("/topics/entropy/").content.decode()
    assert "[1, p. 2]" in after.replace(
        '<a href="#ref-doe2020" role="doc-biblioref">', ""
    ).replace("</a>", "")
    assert "Entropy measures uncertainty" in after


def test_work_and_person_pages_for_the_whole_demo(
    client, django_assert_max_num_queries
):
    call_command("load_demo")
    for work in Work.objects.all():
        with django_assert_max_num_queries(4):
            response = client.get(work.get_absolute_url())
        assert response.status_code == 200, work.key
        html = response.content.decode()
        assert work.reference_html in html
    lecun = client.get("/works/lecun2015/").content.decode()
    assert "Deep Learning — Definition" in lecun and "<blockquote>" in lecun
    for person in Person.objects.all():
        with django_assert_max_num_queries(4):
            response = client.get(f"/people/{person.slug}/")
        assert response.status_code == 200, person.slug
    yann = client.get("/people/yann-lecun/").content.decode()
    assert "Deep Learning" in yann and "/works/lecun2015/" in yann


def test_dblp_style_keys_work_end_to_end(client, editor, moderator):
    key = "DBLP:journals/nature/LeCunBH15"
    WorkFactory(key=key, title="Deep learning")
    draft = make_draft(
        by=editor, slug="k", sections=[("definition", "", f"Cited [@{key}].")]
    )
    publish(draft, author=editor, moderator=moderator)
    html = client.get("/topics/k/").content.decode()
    assert f'href="#ref-{key}"' in html
    assert client.get(f"/works/{key}/").status_code == 200


def test_an_author_known_by_one_name_is_cited_everywhere(client, moderator):
    """A user without a family name is a literal name: never dropped from
    cite.bib, never an empty RIS line."""
    from tests.factories import UserFactory

    solo = UserFactory(username="hypatia", first_name="", last_name="")
    solo.groups.add(Group.objects.get(name="Editors"))
    make_live(
        author=solo,
        moderator=moderator,
        slug="one-name",
        title="One name",
        sections=[("definition", "", "Text.")],
    )
    bib = bibtexparser.parse_string(
        client.get("/topics/one-name/cite.bib").content.decode()
    )
    assert bib.entries[0]["author"] == "{hypatia}"
    ris = client.get("/topics/one-name/cite.ris").content.decode()
    assert "AU  - hypatia\r\n" in ris
    assert "AU  - \r\n" not in ris
    meta = dict(read_head(client.get("/topics/one-name/").content.decode()).meta)
    assert meta["citation_author"] == "hypatia"
