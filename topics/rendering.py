"""Render versions with Pandoc and sanitise the result with nh3.

Rendering costs about 0.1–0.2 s per version, so it runs in services (on
approval, on preview, in the re-render command), never in a reader's request.
The module works on plain data (no models), so bulk jobs can call it from
worker processes.
"""

import hashlib
import json
import re
import secrets
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from html.parser import HTMLParser
from itertools import accumulate
from pathlib import Path

from django.conf import settings
from django.utils.html import escape
from django.utils.text import slugify
from django.utils.translation import gettext as _

from citations.formatting import (
    PandocLimit,
    api_version,
    citeproc_html,
    citeproc_html_batch,
    formats_each_citation_alone,
    pandoc,
)
from scholargate.html import sanitise

# Pandoc Markdown with every way of passing raw markup through switched off:
# editors' HTML or TeX shows as text instead of reaching the page.
MARKDOWN = "markdown-raw_html-raw_attribute-raw_tex"
RESERVED_ANCHORS = {
    "summary", "contents", "references", "seminal-works", "footnotes", "figures",
}  # fmt: skip
FIGURE_SIZES = "(min-width: 46rem) 44rem, calc(100vw - 2.5rem)"

# -- Reading the AST --------------------------------------------------------


def walk(node, visit):
    """Call visit(element) on every Pandoc element below node, depth first."""
    if isinstance(node, dict):
        if "t" in node:
            visit(node)
        for value in node.values():
            walk(value, visit)
    elif isinstance(node, list):
        for item in node:
            walk(item, visit)


def stringify(node):
    """Return the plain text of Pandoc elements (citations as their text)."""
    if isinstance(node, list):
        return "".join(stringify(item) for item in node)
    if not isinstance(node, dict) or "t" not in node:
        return ""
    kind, content = node["t"], node.get("c")
    if kind == "Str":
        return content
    if kind in {"Space", "SoftBreak", "LineBreak"}:
        return " "
    if kind in {"Code", "Math"}:
        return content[1]
    if kind == "Cite":
        return stringify(content[1]).replace("@", "")
    if kind in {"Note", "RawInline", "RawBlock"}:
        return ""
    if kind in {"Link", "Image", "Span"}:
        return stringify(content[1])
    if kind in {"Para", "Plain", "Header"} or isinstance(content, list):
        text = stringify(content[2] if kind == "Header" else content)
        return text + (" " if kind in {"Para", "Plain"} else "")
    return ""


SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z(\[“\"])")


def sentence_with(text, needle):
    """Return the sentence of `text` that contains `needle`."""
    text = " ".join(text.split())
    for sentence in SENTENCE_END.split(text):
        if needle in sentence:
            return sentence
    return text


@dataclass
class SectionAnalysis:
    """What a section's Markdown refers to, and what is wrong with it."""

    citation_keys: list = field(default_factory=list)
    citation_count: int = 0  # in-text citations of works, repeats included
    citation_contexts: dict = field(default_factory=dict)  # key -> sentence
    figure_labels: list = field(default_factory=list)
    topic_slugs: list = field(default_factory=list)
    problems: list = field(default_factory=list)


def _analyse_blocks(blocks):
    result = SectionAnalysis()
    paragraph = [""]

    def visit(el):
        if el["t"] in {"Para", "Plain"}:
            paragraph[0] = stringify(el)
        if el["t"] == "Cite":
            for citation in el["c"][0]:
                key = citation["citationId"]
                if not key.lower().startswith("fig:"):
                    result.citation_count += 1
                target = (
                    result.figure_labels
                    if key.lower().startswith("fig:")
                    else result.citation_keys
                )
                if key not in target:
                    target.append(key)
                    result.citation_contexts[key] = sentence_with(paragraph[0], key)
        elif el["t"] == "Link":
            url = el["c"][2][0]
            if url.startswith("topic:"):
                slug = url.removeprefix("topic:").strip("/")
                if slug not in result.topic_slugs:
                    result.topic_slugs.append(slug)
        elif el["t"] == "Header" and el["c"][0] <= 2:
            result.problems.append(
                _(
                    "the heading “%(heading)s” is level %(level)d; headings inside a "
                    "section start at level 3 (###)"
                )
                % {"heading": stringify(el["c"][2]), "level": el["c"][0]}
            )

    walk(blocks, visit)
    return result


# Parsing every text of a version in one Pandoc run should take well under a
# second; past PARSE_TIME_LIMIT each text is parsed alone (at most
# SECTION_TIME_LIMIT each, SEARCH_TIME_LIMIT in all) to name the one at fault.
# The three together stay under 10 s, far from gunicorn's 30 s timeout.
PARSE_TIME_LIMIT = 4
SECTION_TIME_LIMIT = 1.5
SEARCH_TIME_LIMIT = 5
# Deeper than this, a Pandoc document is nested lists or quotes no article
# needs, and Python's recursion over it would fail.
MAX_DEPTH = 200


class TooDeep(Exception):
    pass


JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')
NOT_BRACKET = re.compile(r"[^\[\]{}]+")
BRACKET_STEP = {"[": 1, "{": 1, "]": -1, "}": -1}


def _depth(raw: str) -> int:
    """The nesting depth of a JSON text (its values inside the deepest
    brackets count as one more), from its brackets outside strings: a
    batch's AST in a few milliseconds, where walking the parsed value took
    a fifth of a second."""
    brackets = NOT_BRACKET.sub("", JSON_STRING.sub("", raw))
    return max(accumulate(map(BRACKET_STEP.__getitem__, brackets)), default=0) + 1


def _parse(markdown, time_limit):
    """Pandoc's AST of Markdown; PandocLimit or TooDeep when it is too much."""
    raw = pandoc(markdown, "json", MARKDOWN, time_limit=time_limit)
    if _depth(raw) > MAX_DEPTH:
        raise TooDeep
    try:
        return json.loads(raw)
    except RecursionError:
        raise TooDeep from None


def _limit_problem(error):
    if isinstance(error, TooDeep):
        return _(
            "this section nests lists or quotes too deeply to be read; "
            "use at most a few levels"
        )
    if error.reason == "memory":
        return _(
            "this section needs more memory than allowed to be read; look for "
            "unbalanced brackets ([ ]) or deeply nested lists"
        )
    return _(
        "this section could not be read in time; look for unbalanced brackets "
        "([ ]) or deeply nested lists"
    )


def _sentinel_index(block, sentinel):
    if block["t"] == "Header" and block["c"][0] == 1:
        text = stringify(block["c"][2])
        if text.startswith(sentinel):
            return int(text.removeprefix(sentinel))
    return None


def _combined_markdown(bodies, sentinel):
    return "".join(f"\n\n# {sentinel}{i}\n\n{body}\n" for i, body in enumerate(bodies))


def _new_sentinel():
    # Random per run, so no text an editor writes can pose as a section break.
    return f"SGBREAK{secrets.token_hex(8)}X"


def _split_sections(bodies):
    """Parse all bodies in one Pandoc run; return one block list per body.

    A body that swallows what follows it (an unclosed code fence, say) breaks
    the split, and one that Pandoc cannot read within its limits stops it;
    then each body is parsed alone to find the culprit. Returns (chunks,
    problems): chunks is None when a body has a problem.
    """
    sentinel = _new_sentinel()
    try:
        ast = _parse(_combined_markdown(bodies, sentinel), PARSE_TIME_LIMIT)
    except (PandocLimit, TooDeep):
        return None, _culprits(bodies)
    chunks, current = [], None
    for block in ast["blocks"]:
        index = _sentinel_index(block, sentinel)
        if index is not None and index == len(chunks):
            current = []
            chunks.append(current)
        elif current is not None:
            current.append(block)
    if len(chunks) == len(bodies):
        return chunks, [None] * len(bodies)
    problems = []
    for body in bodies:
        try:
            probe = _parse(_combined_markdown([body, ""], sentinel), SECTION_TIME_LIMIT)
        except (PandocLimit, TooDeep) as error:
            problems.append(_limit_problem(error))
            continue
        closed = sum(_sentinel_index(b, sentinel) is not None for b in probe["blocks"])
        problems.append(
            None
            if closed == 2
            else _("a code block or fenced div (``` or :::) is not closed")
        )
    return None, problems


def _culprits(bodies):
    """Which bodies Pandoc cannot read within the limits, each parsed alone
    until two are found or SEARCH_TIME_LIMIT is spent."""
    problems = [None] * len(bodies)
    started = time.monotonic()
    # The longest first: a pathological text is usually the largest one.
    for index in sorted(range(len(bodies)), key=lambda i: -len(bodies[i])):
        if time.monotonic() - started > SEARCH_TIME_LIMIT:
            break
        try:
            _parse(bodies[index], SECTION_TIME_LIMIT)
        except (PandocLimit, TooDeep) as error:
            problems[index] = _limit_problem(error)
            if sum(p is not None for p in problems) == 2:
                break
    if not any(problems):
        longest = max(range(len(bodies)), key=lambda i: len(bodies[i]))
        problems[longest] = _(
            "the text could not be read in time; look for unbalanced brackets "
            "([ ]) or deeply nested lists here first"
        )
    return problems


def analyse_sections(bodies):
    """Return a SectionAnalysis for each Markdown body, from Pandoc's AST."""
    return parse_sections(bodies)[1]


def parse_sections(bodies):
    """(chunks, analyses) of Markdown bodies parsed in one Pandoc run: chunks
    (one block list per body, None when a body has a problem) can be given
    back to render_version so that the text is not parsed twice."""
    if not bodies:
        return [], []
    chunks, problems = _split_sections(bodies)
    if chunks is None:
        return None, [SectionAnalysis(problems=[p] if p else []) for p in problems]
    return chunks, [_analyse_blocks(blocks) for blocks in chunks]


# Markdown whose meaning reaches across a document: footnotes, link
# reference definitions, headings (their identifiers are made unique across
# the document) and numbered examples. Versions with none of it read the same
# together as alone.
# Generous on purpose (inside quotes and lists too): a text it takes for
# one is only read alone.
LINE_PREFIX = r"^[ \t>*+\-\d.)]*"
DOCUMENT_WIDE = re.compile(
    r"\[\^"  # footnotes
    r"|\[[^\]\n]+\]:"  # link reference definitions
    rf"|{LINE_PREFIX}#|^[ \t>]*(=+|-+)[ \t]*$"  # headings
    rf"|\(@|{LINE_PREFIX}@[\w-]*[.)]",  # numbered examples
    re.M,
)


def parse_many(body_lists: list[list[str]]) -> list[tuple]:
    """parse_sections for many versions' bodies: (chunks, analyses) each.

    Versions whose texts cannot affect one another (no DOCUMENT_WIDE syntax)
    are read in one Pandoc run, the others alone; when the shared run finds
    a problem, each version is read alone to place it.
    """
    results = [None] * len(body_lists)
    shared = []
    for index, bodies in enumerate(body_lists):
        if any(DOCUMENT_WIDE.search(body) for body in bodies):
            results[index] = parse_sections(bodies)
        else:
            shared.append(index)
    flat = [body for index in shared for body in body_lists[index]]
    chunks = _split_sections(flat)[0] if flat else []
    start = 0
    for index in shared:
        count = len(body_lists[index])
        if chunks is None:
            results[index] = parse_sections(body_lists[index])
        elif count:
            own = chunks[start : start + count]
            results[index] = (own, [_analyse_blocks(blocks) for blocks in own])
        else:
            results[index] = ([], [])
        start += count
    return results


# -- Rendering --------------------------------------------------------------


@dataclass
class SectionSource:
    heading: str
    kind: str
    body: str


@dataclass
class FigureSource:
    """A figure as the renderer needs it; `picture` comes from images.picture_data."""

    label: str
    alt: str
    caption: str
    credit: str
    licence_name: str
    licence_url: str
    picture: dict | None

    def anchor(self, number):
        return f"fig-{self.label}" if self.label else f"figure-{number}"


@dataclass
class Rendered:
    summary_html: str
    body_html: str
    toc: list
    structured: dict = field(default_factory=dict)
    plain_text: str = ""


def _str_inlines(text):
    inlines = []
    for i, word in enumerate(text.split()):
        if i:
            inlines.append({"t": "Space"})
        inlines.append({"t": "Str", "c": word})
    return inlines


def _header(anchor, text, classes=()):
    return {"t": "Header", "c": [2, [anchor, list(classes), []], _str_inlines(text)]}


def unique_anchor(text, taken):
    base = slugify(text) or "section"
    anchor, n = base, 2
    while anchor in taken or anchor in RESERVED_ANCHORS:
        anchor, n = f"{base}-{n}", n + 1
    taken.add(anchor)
    return anchor


class _CitationNumberer:
    """Give every in-text citation an id and remember where it stands."""

    def __init__(self, transform_link, figure_anchors=None):
        self.count = 0
        self.places = {}  # key -> [(citation id, label)]
        self.transform_link = transform_link
        self.figure_anchors = figure_anchors or {}  # label -> (anchor, number)

    def rewrite(self, node, label):
        """Return node with each Cite wrapped in a Span carrying an id."""
        if isinstance(node, list):
            return [self._element(self.rewrite(item, label), label) for item in node]
        if isinstance(node, dict) and "t" in node and node["t"] != "Cite":
            if "c" in node:
                node["c"] = self.rewrite(node["c"], label)
        return node

    def _element(self, el, label):
        if not isinstance(el, dict) or "t" not in el:
            return el
        if el["t"] == "Link":
            self.transform_link(el)
        elif el["t"] == "Image":
            # Images come from figures, uploaded and checked. One written in
            # Markdown would make every reader's browser fetch it from
            # wherever it lives: it becomes a link to it instead.
            attr, alt, (url, title) = el["c"]
            return {"t": "Link", "c": [attr, alt or _str_inlines(url), [url, title]]}
        elif el["t"] == "Cite":
            figures = [c for c in el["c"][0] if _is_figure_key(c["citationId"])]
            if figures:
                return self._figure_links(el, figures, label)
            self.count += 1
            cite_id = f"cite-{self.count}"
            for citation in el["c"][0]:
                self.places.setdefault(citation["citationId"], []).append(
                    (cite_id, label)
                )
            return _cite_span(cite_id, el)
        return el

    def _figure_links(self, el, figures, label):
        """Turn @fig:label into a link "Figure N"; other keys stay citations."""
        inlines = []
        for citation in figures:
            anchor, number = self.figure_anchors[_figure_label(citation["citationId"])]
            if inlines:
                inlines += [{"t": "Str", "c": ","}, {"t": "Space"}]
            inlines.append(
                {
                    "t": "Link",
                    "c": [
                        ["", ["figure-ref"], []],
                        _str_inlines(_("Figure %(number)d") % {"number": number}),
                        [f"#{anchor}", ""],
                    ],
                }
            )
        rest = [c for c in el["c"][0] if c not in figures]
        if rest:
            inlines += [{"t": "Str", "c": ";"}, {"t": "Space"}]
            inlines.append(self._element({"t": "Cite", "c": [rest, []]}, label))
        normal = figures[0]["citationMode"]["t"] == "NormalCitation"
        if normal:
            inlines = [{"t": "Str", "c": "("}, *inlines, {"t": "Str", "c": ")"}]
        return {"t": "Span", "c": [["", [], []], inlines]}


def _is_figure_key(key):
    return key.lower().startswith("fig:")


def _figure_label(key):
    return key[4:].lower()


def _figure_places(chunks):
    """Return {figure label: (chunk, block, order)} of first references."""
    first = {}
    for chunk_index, blocks in enumerate(chunks):
        for block_index, block in enumerate(blocks):

            def visit(el, where=(chunk_index, block_index)):
                if el["t"] == "Cite":
                    for citation in el["c"][0]:
                        key = citation["citationId"]
                        if _is_figure_key(key):
                            place = (*where, len(first))
                            first.setdefault(_figure_label(key), place)

            walk(block, visit)
    return first


def _figure_block(figure, number, caption_blocks, numberer):
    """A Pandoc Figure: the picture as raw HTML, the caption as Markdown."""
    anchor = figure.anchor(number)
    label = _("Figure %(number)d") % {"number": number}
    caption = numberer.rewrite(caption_blocks, label)
    lead = [{"t": "Strong", "c": _str_inlines(f"{label}.")}]
    if caption and caption[0]["t"] in {"Para", "Plain"}:
        first = caption[0]
        caption[0] = {"t": first["t"], "c": [*lead, {"t": "Space"}, *first["c"]]}
    else:
        caption.insert(0, {"t": "Plain", "c": lead})
    credit = []
    if figure.credit:
        credit += _str_inlines(f"{figure.credit}.")
    if figure.licence_name:
        if credit:
            credit.append({"t": "Space"})
        name = _str_inlines(figure.licence_name)
        credit += (
            [{"t": "Link", "c": [["", [], []], name, [figure.licence_url, ""]]}]
            if figure.licence_url
            else name
        )
    if credit:
        span = {"t": "Span", "c": [["", ["figure-credit"], []], credit]}
        caption.append({"t": "Plain", "c": [span]})
    return {
        "t": "Figure",
        "c": [
            [anchor, ["sg-figure"], []],
            [None, caption],
            [{"t": "RawBlock", "c": ["html", _picture_html(figure, number)]}],
        ],
    }


def _picture_html(figure, number):
    picture = figure.picture
    if not picture:
        return ""
    alt = escape(figure.alt)
    lazy = ' loading="lazy"' if number > 1 else ""
    source = (
        f'<source type="image/webp" srcset="{escape(picture["srcset"])}" '
        f'sizes="{FIGURE_SIZES}">'
        if picture["srcset"]
        else ""
    )
    return (
        f"<picture>{source}"
        f'<img src="{escape(picture["src"])}" alt="{alt}" '
        f'width="{picture["width"]}" height="{picture["height"]}"{lazy} '
        f'decoding="async"></picture>'
    )


def _meta_string(text):
    return {"t": "MetaString", "c": text}


def _references_meta(places, work_url):
    """The citing places of each work, for the backlinks Lua filter."""
    refs = {}
    for key, entries in places.items():
        seen, items = {}, []
        for cite_id, label in entries:
            seen[label] = seen.get(label, 0) + 1
            text = label if seen[label] == 1 else f"{label} ({seen[label]})"
            items.append(
                {"t": "MetaList", "c": [_meta_string(cite_id), _meta_string(text)]}
            )
        ref = {"places": {"t": "MetaList", "c": items}}
        if work_url:
            ref["work"] = _meta_string(work_url(key))
        refs[key] = {"t": "MetaMap", "c": ref}
    return {"t": "MetaMap", "c": refs}


BACKLINKS_FILTER = Path(__file__).parent / "lua" / "backlinks.lua"
SUMMARY_RE = re.compile(r'^\s*<div id="sg-summary">(?P<html>.*?)</div>\s*', re.DOTALL)


def render_version(*, citations=None, **spec) -> Rendered:
    """Render a whole version as one document and return its sanitised HTML.

    `spec` is what _prepare takes. `citations`, a cache (a preview as the
    editor types): see _with_cached_citations.
    """
    prepared = _prepare(**spec)
    ast, works_csl, style = prepared.ast, prepared.works_csl, prepared.style
    if citations is not None:
        html = _with_cached_citations(ast, prepared.blocks, works_csl, style, citations)
    else:
        html = citeproc_html(
            ast,
            works_csl,
            style,
            [f"--lua-filter={BACKLINKS_FILTER}", "--mathml", "--section-divs"],
        )
    return _finish(prepared, html)


def render_versions(specs: list[dict]) -> list:
    """render_version for many versions: their citations and HTML in one
    Pandoc run, each as it would be alone (tested). Returns a Rendered per
    spec, or the ValueError that version's text raised.
    """
    prepared, results = [], []
    for spec in specs:
        try:
            prepared.append(_prepare(**spec))
        except ValueError as error:
            prepared.append(error)
    ready = [p for p in prepared if not isinstance(p, ValueError)]
    styles = {p.style for p in ready}
    htmls = {}
    for style in styles:
        batch = [p for p in ready if p.style == style]
        output = citeproc_html_batch(
            [(p.ast, p.works_csl) for p in batch],
            style,
            filters=[BACKLINKS_FILTER],
            mathml=True,
            section_divs=True,
        )
        htmls.update({id(p): html for p, html in zip(batch, output, strict=True)})
    for p in prepared:
        results.append(p if isinstance(p, ValueError) else _finish(p, htmls[id(p)]))
    return results


@dataclass
class _Prepared:
    ast: dict
    blocks: list
    works_csl: list
    style: str | None
    toc: list
    structured: dict
    page_data: bool


def _prepare(
    *,
    summary,
    sections,
    seminal_keys,
    works_csl,
    topic_url,
    work_url=None,
    style=None,
    figures=(),
    seminal_heading="Seminal works",
    references_heading="References",
    figures_heading="Figures",
    parsed=None,
    page_data=True,
) -> _Prepared:
    """The Pandoc document of a whole version, before citeproc and HTML.

    `sections` is a list of SectionSource (empty ones are skipped),
    `works_csl` the CSL-JSON items of every cited or seminal work, and
    `topic_url(slug)` the address of another topic for [text](topic:slug)
    and `work_url(key)` the page of a work, linked from its reference.
    `figures` (FigureSource) are numbered in the order the page shows them:
    each after the paragraph that first refers to it, the others at the end.
    `parsed`: the chunks parse_sections returned for the same bodies
    (summary, non-empty sections, captions), when already parsed;
    `page_data=False` (a preview) skips the structured data and plain text.
    """
    sections = [s for s in sections if s.body.strip()]
    figures = list(figures)
    bodies = [summary] + [s.body for s in sections] + [f.caption for f in figures]
    if parsed is not None:
        # Chunks from parse_sections of these very bodies (a preview).
        chunks = parsed
    else:
        chunks, problems = _split_sections(bodies)
        if chunks is None:
            raise ValueError("; ".join(p for p in problems if p))
    summary_blocks = chunks[0]
    chunks, captions = chunks[1 : len(sections) + 1], chunks[len(sections) + 1 :]

    by_label = {f.label.lower(): i for i, f in enumerate(figures) if f.label}
    first = _figure_places(chunks)
    placed = sorted(
        (place, by_label[label]) for label, place in first.items() if label in by_label
    )
    unknown = sorted(set(first) - set(by_label))
    if unknown:
        raise ValueError("unknown figure: " + ", ".join(f"@fig:{u}" for u in unknown))
    order = [index for _place, index in placed]
    order += [i for i in range(len(figures)) if i not in order]
    numbers = {index: n for n, index in enumerate(order, start=1)}
    after = {}  # (chunk, block) -> figure indexes shown after that block
    for (chunk, block, _order), index in placed:
        after.setdefault((chunk, block), []).append(index)
    figure_anchors = {
        f.label.lower(): (f.anchor(numbers[i]), numbers[i])
        for i, f in enumerate(figures)
        if f.label
    }

    def transform_link(el):
        url = el["c"][2][0]
        if url.startswith("topic:"):
            el["c"][2][0] = topic_url(url.removeprefix("topic:").strip("/"))

    numberer = _CitationNumberer(transform_link, figure_anchors)

    def figure(index):
        return _figure_block(figures[index], numbers[index], captions[index], numberer)

    blocks = [{"t": "Div", "c": [["sg-summary", [], []], summary_blocks]}]
    toc = []
    # Section anchors never take a figure's.
    taken = {f.anchor(numbers[i]) for i, f in enumerate(figures)}
    for chunk_index, (source, section_blocks) in enumerate(
        zip(sections, chunks, strict=True)
    ):
        anchor = unique_anchor(source.heading, taken)
        toc.append([anchor, source.heading])
        blocks.append(_header(anchor, source.heading, [f"section-{source.kind}"]))
        for block_index, block in enumerate(section_blocks):
            blocks.extend(numberer.rewrite([block], source.heading))
            for index in after.get((chunk_index, block_index), []):
                blocks.append(figure(index))

    unplaced = [i for i in order if i not in {i for _p, i in placed}]
    if unplaced:
        toc.append(["figures", figures_heading])
        blocks.append(_header("figures", figures_heading))
        blocks.extend(figure(index) for index in unplaced)

    if seminal_keys:
        toc.append(["seminal-works", seminal_heading])
        blocks.append(_header("seminal-works", seminal_heading))
        items = []
        for key in seminal_keys:
            cite = _cite([_citation(key, "AuthorInText")])
            items.append(
                [{"t": "Plain", "c": numberer.rewrite([cite], seminal_heading)}]
            )
        blocks.append({"t": "BulletList", "c": items})

    has_references = bool(numberer.places)
    if has_references:
        toc.append(["references", references_heading])
        blocks.append(_header("references", references_heading))
        blocks.append(_references_div())

    structured = (
        _structured(
            blocks, {a: s.kind for (a, _h), s in zip(toc, sections, strict=False)}
        )
        if page_data
        else {}
    )
    meta = {
        "link-citations": {"t": "MetaBool", "c": True},
        "link-bibliography": {"t": "MetaBool", "c": True},
        "lang": _meta_string(settings.LANGUAGE_CODE),
    }
    if has_references:
        meta["sg-refs"] = _references_meta(numberer.places, work_url)
    ast = {"pandoc-api-version": api_version(), "meta": meta, "blocks": blocks}
    return _Prepared(ast, blocks, works_csl, style, toc, structured, page_data)


def _finish(prepared: _Prepared, html: str) -> Rendered:
    """The Rendered version from Pandoc's HTML of its prepared document (one
    run: citeproc, then the backlinks filter, then HTML)."""
    match = SUMMARY_RE.match(html)
    summary_html = sanitise(match["html"]).strip() if match else ""
    if summary_html.startswith("<p>") and summary_html.endswith("</p>"):
        summary_html = summary_html[3:-4]
    body = html[match.end() :] if match else html
    return Rendered(
        summary_html=summary_html,
        body_html=sanitise(body),
        toc=prepared.toc,
        structured=prepared.structured,
        plain_text=_plain(prepared.blocks) if prepared.page_data else "",
    )


# -- Citations kept between previews ------------------------------------------


class _Marked(HTMLParser):
    """Where the citation spans (id cite-N) and the reference list (id refs)
    start and end in Pandoc's HTML."""

    WANTED = re.compile(r"cite-\d+|refs")

    def __init__(self, html):
        super().__init__(convert_charrefs=False)
        self.line_starts = [0]
        for index, char in enumerate(html):
            if char == "\n":
                self.line_starts.append(index + 1)
        self.open = []  # (tag, id or None, start offset)
        self.found = {}  # id -> (start, end)
        self.feed(html)
        self.close()

    def _offset(self):
        line, column = self.getpos()
        return self.line_starts[line - 1] + column

    def handle_starttag(self, tag, attrs):
        if tag in VOID_TAGS:
            return
        found = dict(attrs).get("id") or ""
        self.open.append(
            (tag, found if self.WANTED.fullmatch(found) else None, self._offset())
        )

    def handle_endtag(self, tag):
        while self.open:
            open_tag, found, start = self.open.pop()
            if found:
                self.found[found] = (start, self._offset() + len(f"</{open_tag}>"))
            if open_tag == tag:
                break


VOID_TAGS = {"img", "br", "hr", "input", "meta", "link", "source", "col", "wbr"}


def _replace_marked(html, replacements):
    spans = _Marked(html).found
    for marked, (start, end) in sorted(spans.items(), key=lambda i: -i[1][0]):
        if marked in replacements:
            html = html[:start] + replacements[marked] + html[end:]
    return html


def _with_cached_citations(ast, blocks, works_csl, style, cache):
    """The HTML of `ast`, reusing formatted citations while they do not change.

    Citeproc is most of a preview's time (100–190 ms for twenty works) and,
    as an editor types, its output hardly changes. Pandoc renders the text
    without citeproc and the citations and the reference list are put back.

    In styles where a citation's text depends only on itself and the set of
    works cited (formats_each_citation_alone: APA, MLA…), each citation is
    kept on its own, keyed by the style, the works and the citation. A new
    or changed one is formatted in a small document of the new citations, on
    a second Pandoc beside the one rendering the text. It names the works
    the new citations could be confused with (_confusable) or, when the
    reference list changes too (its links back follow the citations'
    places), every cited work. In other styles, the citations are kept all
    together, keyed by every citation in order, and any change formats them
    all again. Either way the HTML is the full render's (tested).
    """
    cited = _cited_spans(blocks)
    cited_keys = dict.fromkeys(
        c["citationId"] for _id, cluster in cited for c in cluster
    )
    style_name = style or settings.SCHOLARGATE_CITATION_STYLE
    options = ["--mathml", "--section-divs"]
    if not cited:
        return pandoc(json.dumps(ast), "html5", "json", options)
    if not formats_each_citation_alone(style):
        return _with_all_citations_kept(ast, cited, works_csl, style, cache, options)
    # Disambiguation looks at every work cited: they are part of the key.
    world = _digest([style_name, works_csl, sorted(cited_keys)])
    refs_key = f"sg:preview-refs:{_digest([world, ast['meta'].get('sg-refs')])}"
    keys = {cite_id: f"sg:preview-cite:{_digest([world, c])}" for cite_id, c in cited}
    kept = cache.get_many([refs_key, *keys.values()])
    new = {}  # cache key -> citation, the ones to format
    for cite_id, citation in cited:
        if keys[cite_id] not in kept:
            new.setdefault(keys[cite_id], citation)
    if not new and refs_key in kept:
        html = pandoc(json.dumps(ast), "html5", "json", options)
    else:
        # Citeproc takes about 5 ms for each work it is given. The reference
        # list needs every cited work; a citation alone needs only the works
        # it could be confused with.
        need_refs = refs_key not in kept
        if need_refs:
            named = cited_keys
        else:
            new_keys = {c["citationId"] for cluster in new.values() for c in cluster}
            named = _confusable(new_keys, works_csl, cited_keys)
        small = _citations_document(ast, new.values(), named, with_refs=need_refs)
        items = [w for w in works_csl if w["id"] in named]
        with ThreadPoolExecutor(max_workers=2) as pool:
            text = pool.submit(pandoc, json.dumps(ast), "html5", "json", options)
            formatted = citeproc_html(
                small, items, style, [f"--lua-filter={BACKLINKS_FILTER}", *options]
            )
            html = text.result()
        spans = _Marked(formatted).found
        fresh = {
            key: _inner(formatted, *spans[f"cite-{n}"])
            for n, key in enumerate(new, start=1)
        }
        if need_refs:
            fresh[refs_key] = formatted[slice(*spans["refs"])]
        cache.set_many(fresh, 3600)
        kept.update(fresh)
    replacements = {
        cite_id: f'<span id="{cite_id}" class="cite">{kept[keys[cite_id]]}</span>'
        for cite_id, _citation in cited
    }
    replacements["refs"] = kept[refs_key]  # a text that cites has a list
    return _replace_marked(html, replacements)


def _with_all_citations_kept(ast, cited, works_csl, style, cache, options):
    key = "sg:preview-citations:" + _digest(
        [
            style or settings.SCHOLARGATE_CITATION_STYLE,
            works_csl,
            [citation for _cite_id, citation in cited],
            ast["meta"].get("sg-refs"),
        ]
    )
    kept = cache.get(key)
    if kept is None:
        html = citeproc_html(
            ast, works_csl, style, [f"--lua-filter={BACKLINKS_FILTER}", *options]
        )
        spans = _Marked(html).found
        wanted = [*(cite_id for cite_id, _citation in cited), "refs"]
        cache.set(key, {m: html[slice(*spans[m])] for m in wanted if m in spans}, 3600)
        return html
    html = pandoc(json.dumps(ast), "html5", "json", options)
    return _replace_marked(html, kept)


def _cited_spans(blocks):
    """[(cite id, the citations citeproc formats)] of the text, in order."""
    found = []

    def visit(el):
        if el["t"] != "Span":
            return
        (cite_id, classes, _attributes), content = el["c"]
        # The numberer's spans only: an editor's [text]{.cite} is text.
        if (
            classes == ["cite"]
            and CITE_ID.fullmatch(cite_id)
            and len(content) == 1
            and content[0]["t"] == "Cite"
        ):
            citation = [{k: c[k] for k in CITATION_FIELDS} for c in content[0]["c"][0]]
            found.append((cite_id, citation))

    walk(blocks, visit)
    return found


CITE_ID = re.compile(r"cite-\d+")
# What citeproc reads of a citation (its number and hash are Pandoc's own).
CITATION_FIELDS = ("citationId", "citationMode", "citationPrefix", "citationSuffix")


def _citation(key, mode="NormalCitation"):
    return {
        "citationId": key,
        "citationPrefix": [],
        "citationSuffix": [],
        "citationMode": {"t": mode},
    }


def _cite(citations):
    return {
        "t": "Cite",
        "c": [[{**c, "citationNoteNum": 0, "citationHash": 0} for c in citations], []],
    }


def _cite_span(cite_id, cite):
    """A citation with the id its links back point to (_CitationNumberer)."""
    return {"t": "Span", "c": [[cite_id, ["cite"], []], [cite]]}


def _references_div():
    """Where citeproc puts the reference list."""
    return {"t": "Div", "c": [["refs", ["references"], []], []]}


def _citations_document(ast, clusters, named, *, with_refs):
    """A small document for citeproc: each citation in a paragraph of its own
    (ids cite-1, cite-2...), `named` works cited through `nocite` so that
    disambiguation sees them as in the whole text, and, `with_refs`, the
    reference list."""
    blocks = [
        {"t": "Para", "c": [_cite_span(f"cite-{n}", _cite(cluster))]}
        for n, cluster in enumerate(clusters, start=1)
    ]
    nocite = {"t": "MetaInlines", "c": [_cite([_citation(k) for k in named])]}
    return {
        "pandoc-api-version": ast["pandoc-api-version"],
        "meta": {**ast["meta"], "nocite": nocite},
        "blocks": blocks + ([_references_div()] if with_refs else []),
    }


def _confusable(keys, works_csl, cited):
    """The cited works that citations of `keys` could be confused with, so
    that disambiguation (initials, more names, year suffixes) has what it
    needs: those sharing a family name with them. Two citations can only
    read the same, or two names differ only by given name, when they share
    a family name. A cited work without authors (cited by its title) brings
    in every cited work."""
    works = {w["id"]: w for w in works_csl if w["id"] in cited}
    if any(not w.get("author") for w in works.values()):
        return dict(works)
    families = {
        key: {(n.get("family") or n.get("literal") or "").casefold() for n in _names(w)}
        for key, w in works.items()
    }
    wanted = set().union(*(families.get(k, set()) for k in keys))
    return {k: w for k, w in works.items() if k in keys or families[k] & wanted}


def _names(work):
    """Every name in a CSL-JSON item (authors, editors, translators...)."""
    for value in work.values():
        if isinstance(value, list) and value and isinstance(value[0], dict):
            if {"family", "given", "literal"} & value[0].keys():
                yield from value


def _inner(html, start, end):
    """The content of the element html[start:end]."""
    return html[html.index(">", start) + 1 : html.rindex("</", start, end)]


def _digest(value):
    return hashlib.sha256(json.dumps(value, sort_keys=True).encode()).hexdigest()


def _without_citations(node):
    if isinstance(node, list):
        return [
            _without_citations(item)
            for item in node
            if not (isinstance(item, dict) and item.get("t") == "Cite")
        ]
    if isinstance(node, dict):
        return {key: _without_citations(value) for key, value in node.items()}
    return node


def _plain(node):
    text = " ".join(stringify(_without_citations(node)).split())
    return re.sub(r"\s+([.,;:)])", r"\1", text).replace("( ", "(").replace("()", "")


def _structured(blocks, kinds):
    """Return the definition and the FAQ as plain text, for schema.org data."""
    definition, faq, current = [], [], None
    for block in blocks:
        if block["t"] == "Header" and block["c"][0] == 2:
            current = kinds.get(block["c"][1][0])
            continue
        if current == "definition" and block["t"] in {"Para", "Plain"}:
            definition.append(_plain(block))
        elif current == "faq" and block["t"] == "DefinitionList":
            for term, answers in block["c"]:
                answer = " ".join(_plain(b) for a in answers for b in a)
                faq.append([_plain(term), answer])
    return {"definition": " ".join(definition), "faq": faq}
