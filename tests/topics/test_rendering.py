"""Rendering a version with Pandoc (topics/rendering.py): math, contents,
citations and their links, sanitising, topic links, seminal works, figures
numbered in order, and what the analysis reads from a section's text."""

import re

import pytest

from topics.rendering import SectionSource, analyse_sections, render_version

pytestmark = pytest.mark.pandoc

WORK = {
    "id": "lecun2015",
    "type": "article-journal",
    "title": "Deep learning",
    "author": [
        {"family": "LeCun", "given": "Yann"},
        {"family": "Bengio", "given": "Yoshua"},
        {"family": "Hinton", "given": "Geoffrey"},
    ],
    "issued": {"date-parts": [[2015]]},
    "container-title": "Nature",
    "volume": "521",
    "page": "436-444",
    "DOI": "10.1038/nature14539",
}


def render(*bodies, seminal=()):
    sections = [
        SectionSource(f"Part {i}", "other", body) for i, body in enumerate(bodies)
    ]
    return render_version(
        summary="A *lede*.",
        sections=sections,
        seminal_keys=list(seminal),
        works_csl=[WORK],
        topic_url=lambda slug: f"/topics/{slug}/",
    )


def test_formula_toc_anchor_and_citation_links_survive_sanitising():
    rendered = render("Energy is $E = mc^2$ [@lecun2015, p. 438].\n\nAgain @lecun2015.")
    html = rendered.body_html
    assert '<math display="inline"' in html and "<msup>" in html
    assert ["part-0", "Part 0"] in rendered.toc
    assert 'id="part-0"' in html
    # Each in-text citation links to the reference, which links back to each.
    assert html.count('href="#ref-lecun2015"') == 2
    assert 'id="cite-1"' in html and 'id="cite-2"' in html
    assert 'id="ref-lecun2015"' in html
    assert 'href="#cite-1"' in html and 'href="#cite-2"' in html
    assert "LeCun, Y., Bengio, Y., &amp; Hinton, G. (2015)" in html
    assert rendered.summary_html == "A <em>lede</em>."


def test_scripts_handlers_javascript_urls_and_styles_are_removed():
    html = render(
        "<script>alert(1)</script> [click](javascript:alert(2)) "
        '[x]{onclick="alert(3)" style="color:red"} <img src=x onerror=alert(4)>\n\n'
        "```{=html}\n<script>alert(5)</script>\n```"
    ).body_html
    assert "<script" not in html
    assert "javascript:" not in html
    tags = re.findall(r"<[^>]+>", html)
    assert not [tag for tag in tags if re.search(r"\s(on\w+|style)=", tag)]
    # Raw HTML shows as text instead of vanishing silently.
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_topic_links_point_at_topic_pages():
    html = render("See [networks](topic:artificial-neural-network).").body_html
    assert '<a href="/topics/artificial-neural-network/">networks</a>' in html


def test_seminal_works_are_listed_and_linked_to_references():
    html = render("No citations here.", seminal=["lecun2015"]).body_html
    assert 'id="seminal-works"' in html
    assert "LeCun et al. (" in html
    assert 'id="ref-lecun2015"' in html


def test_empty_sections_are_not_shown():
    rendered = render("Text.", "   ")
    assert [anchor for anchor, _heading in rendered.toc] == ["part-0"]


def test_definition_lists_render_as_dl():
    html = render("Term\n: Its description.").body_html
    assert "<dl>" in html and "<dt>Term</dt>" in html


@pytest.mark.parametrize(
    ("body", "keys", "labels", "slugs"),
    [
        ("[@a; @b, p. 3] and @c", ["a", "b", "c"], [], []),
        ("see @fig:net and [x](topic:foo)", [], ["fig:net"], ["foo"]),
        ("an email: someone@example.org", [], [], []),
        ("`[@code]` is not a citation", [], [], []),
    ],
)
def test_analysis_reads_keys_from_pandoc_ast(body, keys, labels, slugs):
    (analysis,) = analyse_sections([body])
    assert analysis.citation_keys == keys
    assert analysis.figure_labels == labels
    assert analysis.topic_slugs == slugs


def test_analysis_names_structure_problems():
    analyses = analyse_sections(["ok", "## Too high\n\ntext"])
    assert analyses[0].problems == []
    assert "level 2" in analyses[1].problems[0]
    # An unclosed fence in one section does not swallow the next section.
    unclosed = analyse_sections(["```\ncode without end", "next [@key]"])
    assert unclosed[1].citation_keys == ["key"]


def test_figures_are_numbered_in_the_order_the_text_mentions_them():
    from topics.rendering import FigureSource

    def figure(label):
        return FigureSource(label, f"Alt {label}", "", "", "", "", None)

    rendered = render_version(
        summary="S",
        sections=[SectionSource("Fig a", "other", "See @fig:b, then @fig:a.")],
        seminal_keys=[],
        works_csl=[],
        topic_url=lambda slug: f"/topics/{slug}/",
        figures=[figure("a"), figure("b")],
    )
    html = rendered.body_html
    assert '<a href="#fig-b" class="figure-ref">Figure 1</a>' in html
    assert '<a href="#fig-a" class="figure-ref">Figure 2</a>' in html
    assert html.index('id="fig-b"') < html.index('id="fig-a"')
    # A heading that slugifies like a figure's anchor gets another one.
    assert '<section id="fig-a-2"' in html and html.count('id="fig-a"') == 1


# -- Limits (a hostile or careless text never holds a worker for long) --------


@pytest.fixture
def short_limits(monkeypatch):
    """The reading limits, shortened: the same code path in a second or two."""
    from topics import rendering

    monkeypatch.setattr(rendering, "PARSE_TIME_LIMIT", 1)
    monkeypatch.setattr(rendering, "SECTION_TIME_LIMIT", 0.5)
    monkeypatch.setattr(rendering, "SEARCH_TIME_LIMIT", 3)


@pytest.mark.parametrize(
    "text",
    [
        "[[[[[[[[[[[x]]]]]]]]]]]",  # 23 bytes: 36 s of Pandoc before
        "[" * 27 + "x",  # 27 bytes: 900 MB after 61 s before
        "$x$ in [0, 1) " * 18,  # ordinary half-open intervals: 34 s
    ],
)
def test_texts_pandoc_cannot_read_in_time_are_named_not_waited_for(short_limits, text):
    import time

    started = time.monotonic()
    fine, slow, other = analyse_sections(["Fine [@a].", text, "Fine too."])
    assert time.monotonic() - started < 5
    assert slow.problems == [
        "this section could not be read in time; look for unbalanced brackets "
        "([ ]) or deeply nested lists"
    ]
    assert not fine.problems and not other.problems


def test_the_pandoc_child_is_killed_at_the_time_limit(settings):
    """Pandoc stopped at its limit leaves no process behind."""
    import subprocess
    import time

    from citations.formatting import PandocLimit, pandoc

    mark = f"probe-{time.time_ns()}"
    started = time.monotonic()
    with pytest.raises(PandocLimit) as stopped:
        pandoc(
            "[" * 27 + "x", "json", "markdown", [f"--metadata={mark}"], time_limit=0.5
        )
    assert stopped.value.reason == "time"
    assert time.monotonic() - started < 3
    running = subprocess.run(["pgrep", "-f", mark], capture_output=True)
    assert running.stdout.strip() == b""


def test_pandoc_runs_with_a_heap_limit(settings):
    from citations.formatting import PandocLimit, pandoc

    settings.PANDOC_MEMORY_LIMIT_MB = 8
    with pytest.raises(PandocLimit) as stopped:
        pandoc("word " * 200_000, "json", "markdown")
    assert stopped.value.reason == "memory"


def test_deeply_nested_lists_are_refused_before_anything_recurses():
    nested = "".join("  " * depth + "- item\n" for depth in range(150))
    (analysis,) = analyse_sections([nested])
    assert analysis.problems == [
        "this section nests lists or quotes too deeply to be read; "
        "use at most a few levels"
    ]


def test_text_that_looks_like_a_section_break_stays_in_its_section():
    rendered = render("# SGSECTIONBREAK1\n\nFirst part.", "Second part.")
    assert rendered.toc[:2] == [["part-0", "Part 0"], ["part-1", "Part 1"]]
    first = rendered.body_html.split('id="part-1"')[0]
    assert "SGSECTIONBREAK1" in first and "First part." in first


def test_an_image_from_another_site_becomes_a_link_to_it():
    html = render("Look: ![a cat](https://cats.example/cat.png).").body_html
    assert "<img" not in html
    assert '<a href="https://cats.example/cat.png">a cat</a>' in html


SECOND = {
    "id": "hochreiter1997",
    "type": "article-journal",
    "title": "Long short-term memory",
    "author": [
        {"family": "Hochreiter", "given": "Sepp"},
        {"family": "Schmidhuber", "given": "Jürgen"},
    ],
    "issued": {"date-parts": [[1997]]},
    "container-title": "Neural Computation",
}
BATCH_TEXTS = [
    # Citations in both styles of reference, display math, a topic link.
    "Deep nets [@lecun2015, p. 437] learn features; @hochreiter1997 add gates."
    "\n\n$$\\sum_i x_i^2$$\n\nSee [memory](topic:memory).",
    # A definition list, emphasis, a seminal work and no citation.
    "Gate\n: A *multiplicative* unit.\n\nCell\n: Carries the state.",
    # Document-wide syntax: a footnote and a heading (read alone).
    "A claim.[^1]\n\n### Aside\n\nMore [@lecun2015].\n\n[^1]: The note.",
    # The same heading in another version: alone it is "aside" again.
    "### Aside\n\nText [@hochreiter1997; @lecun2015].",
]


def batch_specs():
    return [
        {
            "summary": f"Lede {n} of *version*.",
            "sections": [
                SectionSource("Definition", "definition", text),
                SectionSource("History", "history", f"Began in {1950 + n}."),
            ],
            "seminal_keys": ["lecun2015"] if n == 1 else [],
            "works_csl": [WORK, SECOND],
            "topic_url": lambda slug: f"/topics/{slug}/",
            "work_url": lambda key: f"/works/{key}/",
        }
        for n, text in enumerate(BATCH_TEXTS)
    ]


def test_many_versions_render_in_one_run_exactly_as_each_alone():
    from topics.rendering import parse_many, parse_sections, render_versions

    alone = [render_version(**spec) for spec in batch_specs()]
    together = render_versions(batch_specs())

    assert together == alone
    assert 'id="aside"' in alone[2].body_html and 'id="aside"' in alone[3].body_html
    assert "Hochreiter" in alone[0].body_html and "<math" in alone[0].body_html
    bodies = [
        [spec["summary"]] + [s.body for s in spec["sections"]] for spec in batch_specs()
    ]
    assert parse_many(bodies) == [parse_sections(b) for b in bodies]


def test_a_text_that_swallows_what_follows_never_swallows_another_version():
    from topics.rendering import parse_many, parse_sections

    # Read together, the open div would take in the next version's text.
    bodies = [["A lede."], ["::: {.note}\nnever closed"], ["Another *lede*."]]
    parsed = parse_many(bodies)

    assert parsed == [parse_sections(b) for b in bodies]
    (third_chunks, _analyses) = parsed[2]
    assert third_chunks[0][0]["t"] == "Para"


def _works(*specs):
    return [
        {
            "id": key,
            "type": "book",
            "title": title,
            "author": [{"family": family, "given": given}],
            "issued": {"date-parts": [[year]]},
        }
        for key, family, given, year, title in specs
    ]


# Two works of one author in one year (year suffixes), two authors sharing a
# family name (initials added), and one plain work.
AMBIGUOUS = _works(
    ("zeta", "Smith", "John", 2000, "Zeta work"),
    ("alpha", "Smith", "John", 2000, "Alpha work"),
    ("karl", "Smith", "Karl", 2001, "Other work"),
    ("plain", "Okafor", "Ada", 1999, "Plain work"),
)
# Nothing to disambiguate.
DISTINCT = _works(
    ("zeta", "Smith", "John", 2000, "Zeta work"),
    ("alpha", "Smith", "John", 2003, "Alpha work"),
    ("karl", "Karlsson", "Karl", 2001, "Other work"),
    ("plain", "Okafor", "Ada", 1999, "Plain work"),
    ("new", "Nakamura", "Emi", 2010, "New work"),
)


@pytest.mark.parametrize(
    "style, works",
    [("apa", AMBIGUOUS), ("chicago-author-date", AMBIGUOUS), ("apa", DISTINCT)],
    ids=["apa-ambiguous", "chicago", "apa-distinct"],
)
def test_a_preview_formatting_citations_apart_is_the_full_render(
    style, works, settings, monkeypatch
):
    """As an editor types and changes citations, only new citations are
    formatted: in APA on their own (beside every cited work when two could be
    confused), in other styles with the whole text. The page is always
    exactly the full render: year suffixes, initials and links back."""
    from django.core.cache.backends.locmem import LocMemCache

    from topics import rendering

    settings.SCHOLARGATE_CITATION_STYLE = style
    cache = LocMemCache(f"preview-{style}-{len(works)}", {})
    runs = []  # (citations formatted, works named with nocite, works given)
    real = rendering.citeproc_html

    def counting(ast, items, *args, **kwargs):
        found = []
        rendering.walk(
            ast["blocks"], lambda el: found.append(el) if el["t"] == "Cite" else None
        )
        nocite = ast["meta"].get("nocite", {}).get("c", [{"c": [[]]}])[0]["c"][0]
        runs.append((len(found), len(nocite), len(items)))
        return real(ast, items, *args, **kwargs)

    monkeypatch.setattr(rendering, "citeproc_html", counting)

    def preview(body):
        def spec():  # rendering takes the parsed text over: one parse each
            chunks, _analyses = rendering.parse_sections(["", body])
            return dict(
                summary="",
                sections=[SectionSource("Def", "definition", body)],
                seminal_keys=[],
                works_csl=works,
                topic_url=lambda slug: f"/topics/{slug}/",
                parsed=chunks,
                page_data=False,
            )

        runs.clear()
        kept = render_version(citations=cache, **spec()).body_html
        mine = len(runs)
        assert kept == render_version(**spec()).body_html
        del runs[mine:]  # the full render's own run
        return kept

    text = (
        "First [@zeta, p. 2]. Then @alpha said. Next [see @karl; @plain, ch. 3].\n\n"
        "An editor's [own span]{.cite} and [[@plain]]{#cite-9 .cite}."
    )
    first = preview(text)
    if works is AMBIGUOUS:
        assert "2000b" in first and "2000a" in first and "K. Smith" in first
    typed = preview(text.replace("Then", "And then"))
    assert runs == []  # typing: nothing formatted
    # What citeproc is given for a new citation: in Chicago the whole text (4,
    # then 5 citations); in APA the citation alone, naming the works it could
    # be confused with (those sharing a family name), or every cited work
    # when the reference list has to be made again (its links back changed).
    changed = preview(text.replace("p. 2", "p. 7"))  # a citation's page
    assert re.search(r", (p\. )?7<", changed) and changed != typed
    moved = preview("Again [@plain, ch. 3] first. " + text)  # places shift
    assert moved.count("cite-backlink") == first.count("cite-backlink") + 1
    if style != "apa":
        assert runs == [(5, 0, 4)]
    else:
        assert runs == [(1, 4, 4)]
    preview(text.replace("p. 2", "p. 8"))
    if style != "apa":
        assert runs == [(4, 0, 4)]
    else:  # zeta: the Smiths (three in AMBIGUOUS, two in DISTINCT)
        assert runs == ([(1, 3, 3)] if works is AMBIGUOUS else [(1, 2, 2)])
    if works is DISTINCT:  # a work not cited yet: everything formatted again
        added = preview(text + " And [@new].")
        assert "Nakamura" in added
        assert runs == [(5, 5, 5)]
    # Citing only one of the two works of 2000 drops the suffix.
    only = preview("Only @alpha said [@plain].")
    assert "2000a" not in only and ("2000" in only) == (works is AMBIGUOUS)
    # No citations at all.
    assert "refs" not in preview("No citations here, $x^2$.")
