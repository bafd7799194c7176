"""Topic files in and out (topics/content_files.py), through the import and
export commands: drafts and works from Markdown and BibTeX, every problem
listed and nothing written, figures, and a round trip of the demo."""

from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from citations.models import Work
from tests.topics.helpers import live_with_figures
from topics.content_files import ImportFailed, import_content
from topics.models import AuditEntry, Figure, Person, Topic, TopicVersion

pytestmark = pytest.mark.django_db
DEMO = Path(__file__).resolve().parents[2] / "topics" / "demo_content"
BIB = """@article{doe2020,
  author = {Doe, Jane and M{\\"u}ller, J{\\"o}rg},
  title = {On {Examples}},
  journal = {Journal of Examples},
  year = {2020},
  volume = {3},
  pages = {1--10},
  doi = {https://doi.org/10.1234/EX.1}
}
"""


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def topic_file(slug="alpha", front="", body="## Definition\n\nAlpha [@doe2020].\n"):
    return (
        f"---\ntitle: {slug.title()}\nslug: {slug}\nkind: concept\n"
        f"summary: About {slug}.\n{front}---\n{body}"
    )


def snapshot():
    """Every live topic's content, as readers and editors would compare it."""
    result = {}
    for topic in Topic.objects.live().select_related("live_version__parent"):
        v = topic.live_version
        result[topic.slug] = {
            "title": v.title,
            "summary": v.summary,
            "kind": v.kind,
            "parent": v.parent.slug if v.parent else None,
            "tags": sorted(v.tags.names()),
            "sections": [(s.kind, s.display_heading, s.body) for s in v.sections.all()],
            "related": [link.target.slug for link in v.related_links.all()],
            "key_figures": [link.person.name for link in v.key_figure_links.all()],
            "authors": [
                (a.person.name, a.person.orcid, a.person.affiliation)
                for a in v.author_links.all()
            ],
            "seminal": [link.work.key for link in v.seminal_work_links.all()],
            "cited": sorted(v.citations.values_list("work__key", flat=True)),
            "figures": [
                (f.sha256, f.alt, f.decorative, f.caption, f.credit, f.licence, f.label)
                for f in v.figures.all()
            ],
            "body_html": v.page.body_html,
        }
    works = {
        w.key: (w.entry_type, w.authors, w.title, w.year, w.container_title, w.volume,
                w.number, w.pages, w.publisher, w.doi, w.isbn)
        for w in Work.objects.all()
    }  # fmt: skip
    return result, works


def test_import_creates_drafts_and_bib_works(tmp_path):
    write(tmp_path, "refs.bib", BIB)
    write(
        tmp_path,
        "alpha.md",
        topic_file(front="tags: [one, two]\nkey_figures: [Ada Lovelace]\n"),
    )
    call_command("import_topics", str(tmp_path))
    version = TopicVersion.objects.get(topic__slug="alpha")
    assert version.state == "draft"
    assert sorted(version.tags.names()) == ["one", "two"]
    work = Work.objects.get(key="doe2020")
    assert work.authors == [
        {"family": "Doe", "given": "Jane"},
        {"family": "Müller", "given": "Jörg"},
    ]
    assert (work.title, work.doi, work.pages) == ("On Examples", "10.1234/EX.1", "1–10")
    assert Person.objects.filter(name="Ada Lovelace").exists()
    assert Topic.objects.live().count() == 0


def test_import_with_publish_records_a_system_approval(tmp_path):
    write(tmp_path, "refs.bib", BIB)
    write(tmp_path, "alpha.md", topic_file())
    call_command("import_topics", str(tmp_path), "--publish")
    topic = Topic.objects.get(slug="alpha")
    assert topic.live_version.number == 1
    entry = AuditEntry.objects.get(topic=topic, action="imported")
    assert entry.actor is None


def test_a_failed_import_writes_nothing_and_lists_every_problem(tmp_path):
    write(tmp_path, "refs.bib", BIB)
    write(tmp_path, "alpha.md", topic_file(front="parent: nowhere\ncolour: blue\n"))
    write(
        tmp_path,
        "beta.md",
        topic_file(
            "beta", body="## History\n\nCites [@nosuchkey] and [x](topic:gamma).\n"
        ),
    )
    write(
        tmp_path,
        "delta.md",
        topic_file("delta", body="Text before.\n\n## Scope\n\nx\n"),
    )
    write(
        tmp_path,
        "eps.md",
        topic_file("eps", front="kind: wrong\n").replace("kind: concept\n", ""),
    )
    with pytest.raises(CommandError) as error:
        call_command("import_topics", str(tmp_path), "--publish")
    message = str(error.value)
    assert "Nothing was imported" in message
    assert "alpha.md: unknown front-matter key “colour”" in message
    assert "delta.md:7: text before the first ## heading" in message
    assert (
        "eps.md: kind “wrong” is not one of field, concept, method, theory" in message
    )
    assert Work.objects.count() == 0 and Topic.objects.count() == 0
    write(tmp_path, "alpha.md", topic_file(front="parent: nowhere\n"))
    for name in ("delta.md", "eps.md"):
        (tmp_path / name).unlink()
    with pytest.raises(CommandError) as error:
        call_command("import_topics", str(tmp_path))
    message = str(error.value)
    assert "alpha.md: unknown parent topic “nowhere”" in message
    assert "beta.md: Section “History” cites an unknown work: @nosuchkey." in message
    assert (
        "beta.md: Section “History” links to an unknown topic: topic:gamma." in message
    )
    assert Work.objects.count() == 0 and Topic.objects.count() == 0


def test_parent_cycles_within_a_run_are_refused(tmp_path):
    write(tmp_path, "refs.bib", BIB)
    write(tmp_path, "alpha.md", topic_file(front="parent: beta\n"))
    write(tmp_path, "beta.md", topic_file("beta", front="parent: alpha\n"))
    with pytest.raises(CommandError, match="loops back"):
        call_command("import_topics", str(tmp_path))


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


def test_export_then_import_into_an_empty_database_reproduces_the_demo(tmp_path):
    call_command("load_demo")
    before = snapshot()
    assert len(before[0]) >= 10 and len(before[1]) >= 15
    call_command("export_topics", str(tmp_path / "export"))
    exported = sorted(
        str(p.relative_to(tmp_path / "export"))
        for p in (tmp_path / "export").rglob("*")
        if p.is_file()
    )
    assert "bibliography.bib" in exported and "deep-learning.md" in exported
    assert "figures/deep-learning/multilayer-network.png" in exported
    assert sum(1 for v in before[0].values() for _f in v["figures"]) == 3
    # Empty the database, then import what was exported.
    AuditEntry.objects.all().delete()
    Topic.objects.update(live_version=None, draft_version=None)
    TopicVersion.objects.all().delete()
    Topic.objects.all().delete()
    Work.objects.all().delete()
    Person.objects.all().delete()
    call_command("import_topics", str(tmp_path / "export"), "--publish")
    assert snapshot() == before
    # Exports are stable: exporting again gives the same files.
    call_command("export_topics", str(tmp_path / "again"))
    for name in exported:
        assert (tmp_path / "again" / name).read_bytes() == (
            tmp_path / "export" / name
        ).read_bytes()


def test_export_writes_figures_that_import_back(tmp_path, editor, moderator, client):
    live = live_with_figures(client, editor, moderator)
    call_command("export_topics", str(tmp_path))
    text = (tmp_path / f"{live.topic.slug}.md").read_text()
    assert "file: figures/topic/lamp.jpg" in text and "label: chart" in text
    assert (tmp_path / "figures" / "topic" / "chart.png").read_bytes() == (
        live.figures.get(label="chart").image.read()
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


def test_overlong_values_are_problems_in_the_list_not_a_traceback(tmp_path, settings):
    settings.SECTION_MAX_CHARS = 500
    write(tmp_path, "refs.bib", BIB)
    write(
        tmp_path,
        "alpha.md",
        topic_file(
            front=f"tags: [{'t' * 101}]\nkey_figures: [{'N' * 201}]\n",
            body=f"## {'H' * 201}\n\nText.\n\n## Long\n\n{'word ' * 200}\n",
        ).replace("title: Alpha", f"title: {'T' * 201}"),
    )
    with pytest.raises(ImportFailed) as failure:
        import_content([tmp_path])
    problems = "\n".join(failure.value.problems)
    assert "the title has 201 characters; at most 200" in problems
    assert "a tag has 101 characters; at most 100" in problems
    assert "a key figure's name has 201 characters; at most 200" in problems
    assert "a heading has 201 characters; at most 200" in problems
    assert Topic.objects.count() == 0 and Work.objects.count() == 0
    write(
        tmp_path,
        "alpha.md",
        topic_file(body=f"## Long\n\n{'word ' * 200}\n"),
    )
    with pytest.raises(ImportFailed) as failure:
        import_content([tmp_path])
    (problem,) = failure.value.problems
    assert problem.endswith(
        "alpha.md: Section “Long” has 999 characters; a section has at most 500."
    )


def test_a_bibliography_over_the_size_limit_is_a_problem(tmp_path, settings):
    settings.BIBTEX_MAX_BYTES = 100
    write(tmp_path, "refs.bib", BIB)
    with pytest.raises(ImportFailed) as failure:
        import_content([tmp_path])
    assert "refs.bib: The BibTeX is" in failure.value.problems[0]
    assert "the limit is 100\xa0bytes." in failure.value.problems[0]


def test_authors_round_trip_through_content_files(tmp_path, editor, moderator):
    write(tmp_path, "refs.bib", BIB)
    write(
        tmp_path,
        "alpha.md",
        topic_file(
            front=(
                "authors:\n"
                "  - name: Ada Example\n"
                "    orcid: 0000-0002-1825-0097\n"
                "    affiliation: University of Somewhere\n"
                "  - Ben Sample\n"
            )
        ),
    )
    (version,) = import_content([tmp_path], publish=True)
    people = [link.person for link in version.author_links.all()]
    assert [(p.name, p.orcid, p.affiliation) for p in people] == [
        ("Ada Example", "0000-0002-1825-0097", "University of Somewhere"),
        ("Ben Sample", "", ""),
    ]
    call_command("export_topics", str(tmp_path / "out"))
    text = (tmp_path / "out" / "alpha.md").read_text()
    assert (
        "authors:\n- name: Ada Example\n  orcid: 0000-0002-1825-0097\n"
        "  affiliation: University of Somewhere\n- Ben Sample\n"
    ) in text


def test_author_entries_are_checked(tmp_path):
    write(tmp_path, "refs.bib", BIB)
    write(
        tmp_path,
        "alpha.md",
        topic_file(
            front="authors:\n  - name: X\n    orcid: 1234\n    email: x@y\n  - {}\n"
        ),
    )
    with pytest.raises(ImportFailed) as failure:
        import_content([tmp_path])
    problems = "\n".join(failure.value.problems)
    assert "author 1: “1234” is not an ORCID iD (0000-0002-1825-0097)" in problems
    assert "author 1: unknown key “email”" in problems
    assert "author 2: “name” is required" in problems
