"""Cite this entry (topics/citing.py): BibTeX, RIS and CSL-JSON downloads,
the cite box, the frozen bibliography, authors known by one name."""

import json

import bibtexparser
import pypandoc
import pytest
from django.contrib.auth.models import Group

from citations.models import Work
from tests.factories import make_live
from tests.topics import scenarios
from tests.topics.helpers import read_head

pytestmark = [pytest.mark.django_db, pytest.mark.pandoc]
SITE = "http://127.0.0.1:8000"


@pytest.fixture
def entry(editor, moderator):
    """“Entropy”, citing doe2020, approved twice: (version 1, version 2)."""
    return scenarios.cited_entry(editor, moderator)


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


def test_a_line_break_in_a_title_cannot_add_a_ris_tag(client, editor, moderator):
    from topics.models import TopicVersion

    live = make_live(
        author=editor, moderator=moderator, slug="lines", title="Two", sections=[]
    )
    TopicVersion.objects.filter(pk=live.pk).update(title="Two\r\nER  - \r\nTY  - X")
    ris = client.get("/topics/lines/cite.ris").content.decode()
    lines = ris.split("\r\n")
    assert "TI  - Two ER - TY - X" in lines
    assert [line[:2] for line in lines if line].count("TY") == 1
    assert lines[-2] == "ER  - "


def test_an_unpaired_brace_in_a_title_keeps_cite_bib_valid(client, editor, moderator):
    make_live(
        author=editor,
        moderator=moderator,
        slug="braces",
        title="Sets } of { things }",
        sections=[("definition", "", "Text.")],
    )
    library = bibtexparser.parse_string(
        client.get("/topics/braces/cite.bib").content.decode()
    )
    assert not library.failed_blocks
    assert library.entries[0]["title"] == r"Sets \} of \{ things \}"


def test_after_a_rename_cite_this_entry_names_the_new_address(client, entry, moderator):
    from topics import services
    from topics.models import Topic

    topic = Topic.objects.get(slug="entropy")
    services.rename_topic(topic=topic, by=moderator, new_slug="information-entropy")
    html = client.get("/topics/information-entropy/").content.decode()
    cite = html.split('id="cite"')[1].split("</section>")[0]
    assert "/topics/information-entropy/v/2/" in cite
    assert "/topics/entropy/" not in cite
    bib = client.get("/topics/information-entropy/cite.bib").content.decode()
    assert "/topics/information-entropy/v/2/" in bib


def test_cite_bib_has_version_and_permalink_and_no_access_date(client, entry):
    library = bibtexparser.parse_string(
        client.get("/topics/entropy/v/1/cite.bib").content.decode()
    )
    entry_ = library.entries[0]
    assert entry_["version"] == "1" and entry_["note"] == "Version 1"
    assert entry_["url"] == "http://127.0.0.1:8000/topics/entropy/v/1/"
    assert "urldate" not in entry_.fields_dict


def test_a_paragraph_and_a_section_are_cited_with_their_anchor(client, entry):
    from topics.models import Topic

    page = Topic.objects.get(slug="entropy").live_version.page
    paragraph = page.paragraphs[0]
    url = f"/topics/entropy/v/2/cite/{paragraph['id']}/"
    html = client.get(url).content.decode()
    link = f"http://127.0.0.1:8000/topics/entropy/v/2/#{paragraph['id']}"
    assert f'<a href="{link}">{link}</a>' in html
    assert "Editor, E. (" in html and ", section “Definition”, paragraph 1." in html
    assert "Editor, Edith. " in html  # Chicago
    bib = bibtexparser.parse_string(
        html.split('<pre class="cite-bibtex">')[1].split("</pre>")[0]
    )
    (cited,) = bib.entries
    assert cited["url"] == link and cited["version"] == "2"
    assert "paragraph 1" in cited["note"]
    # The panel the page opens in place: the texts alone.
    panel = client.get(url + "?panel=1").content.decode()
    assert panel.lstrip().startswith('<div class="cite-part">')
    section = client.get("/topics/entropy/v/2/cite/definition/").content.decode()
    assert "section “Definition”." in section
    assert client.get("/topics/entropy/v/2/cite/p-000000/").status_code == 404
