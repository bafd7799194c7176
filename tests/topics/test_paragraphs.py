"""Permanent anchors of paragraphs (topics/paragraphs.py): which blocks get
one, and which ids survive from one version to the next."""

from topics import paragraphs


def page(*sections):
    """Pandoc-shaped HTML: sections of (anchor, heading, [paragraph texts])."""
    return "\n".join(
        f'<section id="{anchor}" class="level2">\n<h2>{heading}</h2>\n'
        + "\n".join(f"<p>{text}</p>" for text in texts)
        + "\n</section>"
        for anchor, heading, texts in sections
    )


def ids(html, previous=()):
    _html, found = paragraphs.anchor(html, previous=previous, salt="t:2")
    return found


A, B, C, D = (
    "Networks learn layered representations of their input data.",
    "Training adjusts every weight by following the gradient of a loss.",
    "Depth lets a network compose simple features into complex ones.",
    "Regularisation keeps a large network from memorising its data.",
)


def test_quotable_blocks_get_anchors_links_and_numbers():
    html = (
        '<section id="history" class="level2"><h2>History</h2>'
        "<p>One.</p><ul><li>Item <p>inside</p></li></ul>"
        "<dl><dt>Term</dt><dd><p>Meaning.</p></dd></dl>"
        "<blockquote><p>Quoted.</p></blockquote>"
        '<figure id="fig-x"><picture></picture><figcaption><p>Caption.</p>'
        "</figcaption></figure></section>"
        '<section id="references"><h2>References</h2><p>Not quoted.</p></section>'
    )
    out, found = paragraphs.anchor(html, salt="t:1", cite_url=lambda a: f"/c/{a}/")
    assert [(p["tag"], p["number"], p["text"]) for p in found] == [
        ("p", 1, "One."),
        ("li", 2, "Item inside"),
        ("dt", 3, "Term"),
        ("dd", 4, "Meaning."),
        ("blockquote", 5, "Quoted."),
        ("figcaption", 6, "Caption."),
    ]
    first = found[0]["id"]
    assert first.startswith("p-") and len(first) == 8
    assert f'<p id="{first}">One.<span class="para-tools">' in out
    assert f'href="#{first}" aria-label="Link to paragraph 1">¶</a>' in out
    assert f'href="/c/{first}/" aria-label="Cite paragraph 1">Cite</a>' in out
    assert '<figure id="fig-x">' in out  # a figure keeps its own anchor
    assert 'href="/c/history/" aria-label="Cite this section: History"' in out
    assert "Not quoted.</p>" in out
    assert found[0]["html"] == "<p>One.</p>"


def test_unchanged_paragraphs_keep_their_ids_through_insertions_and_deletions():
    before = ids(page(("s", "S", [A, B, C])))
    after = ids(page(("s", "S", [D, A, C])), previous=before)
    by_text = {p["text"]: p["id"] for p in before}
    assert after[1]["id"] == by_text[A] and after[2]["id"] == by_text[C]
    assert after[0]["id"] not in {p["id"] for p in before}  # new paragraph


def test_moved_paragraphs_keep_their_ids_even_across_sections():
    before = ids(page(("one", "One", [A, B]), ("two", "Two", [C])))
    after = ids(page(("one", "One", [B]), ("two", "Two", [C, A])), previous=before)
    by_text = {p["text"]: p["id"] for p in before}
    assert {p["text"]: p["id"] for p in after} == by_text


def test_a_lightly_edited_paragraph_keeps_its_id_a_rewritten_one_does_not():
    before = ids(page(("s", "S", [A, B])))
    light = A.replace("layered", "hierarchical")
    rewritten = "Something else entirely, about optimisers and schedules."
    after = ids(page(("s", "S", [light, rewritten])), previous=before)
    assert after[0]["id"] == before[0]["id"]
    assert after[1]["id"] != before[1]["id"]


def test_new_ids_never_reuse_an_id_of_the_version_before():
    before = ids(page(("s", "S", [A])))
    after = ids(page(("s", "S", ["Completely new words here."])), previous=before)
    assert after[0]["id"] != before[0]["id"]


def test_a_rerender_keeps_ids_by_position_when_only_citations_changed():
    before = ids(page(("s", "S", [A + " (Smith, 2020)", B + " (Doe, 2019)"])))
    _html, after = paragraphs.anchor(
        page(("s", "S", [A + " [1]", B + " [2]"])),
        previous=before,
        salt="t:2",
        by_position=True,
    )
    assert [p["id"] for p in after] == [p["id"] for p in before]


def test_a_preview_has_anchors_but_no_cite_links():
    out, _found = paragraphs.anchor(page(("s", "S", [A])), salt="draft")
    assert "para-link" in out and "para-cite" not in out
