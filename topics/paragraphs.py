"""Permanent anchors for what a reader might quote in an approved version.

Every paragraph, list item, definition-list term and description, block
quote, display equation (a paragraph of its own) and figure (by its caption)
of the text gets an id such as `p-3f9a2c` when
the version is approved, a "¶" link to itself and a "Cite" link. Ids are
kept from the version before, so `/topics/<slug>/#p-3f9a2c` keeps working
on the live page while the paragraph is there, and `/v/<n>/#p-3f9a2c`
works forever (the old page keeps its HTML):

1. a block whose text is unchanged keeps its id, wherever it moved;
2. a block that replaced one of the same section and is at least 60%
   the same (word by word) keeps that one's id: a light edit;
3. any other block gets a new id, drawn from its text and place.

A re-render in another citation style changes the citations' text only:
the blocks keep their ids by position.

The module works on HTML strings, so it runs wherever the page is
rendered (approval, preview, bulk re-rendering).
"""

import difflib
import hashlib
from dataclasses import dataclass, field
from html import escape
from html.parser import HTMLParser

from django.utils.translation import gettext as _

BLOCKS = {"p", "li", "dt", "dd", "blockquote", "figcaption"}
# A block inside one of these is quoted with it: it gets no anchor of its own
# (a figure is quoted by its caption).
QUOTED_WHOLE = {"dt", "dd", "blockquote", "figcaption"}
VOID = {"img", "source", "br", "hr", "col", "wbr", "input", "meta", "link"}
# Sections of the page that are not the text: nothing in them is cited.
NOT_TEXT = {"references", "seminal-works", "footnotes"}
SIMILAR = 0.6
# Word comparisons past this many pairs fall back to a quick estimate.
COMPARE_LIMIT = 250_000


@dataclass
class Block:
    tag: str
    section: str
    heading: str
    start: int  # offset of "<" of the start tag
    tag_end: int  # offset just after the start tag's ">"
    end: int = -1  # offset of "<" of the end tag
    after: int = -1  # offset just after the end tag
    tools_at: int = -1  # where the links go (before the end tag by default)
    text: list = field(default_factory=list)
    id: str = ""

    @property
    def plain(self):
        return " ".join("".join(self.text).split())


class _Scanner(HTMLParser):
    # Offsets come from getpos(): line and column of each tag in the source.
    """Find the quotable blocks of Pandoc's HTML and where they start and end."""

    def __init__(self, html):
        super().__init__(convert_charrefs=True)
        self.html = html
        self.line_starts = [0]
        for index, char in enumerate(html):
            if char == "\n":
                self.line_starts.append(index + 1)
        self.stack = []  # (tag, Block or None)
        self.blocks = []
        self.sections = []  # (id, heading, h2 end offset)
        self.section = ""
        self.heading = []
        self.in_heading = False
        self.in_annotation = 0  # MathML's TeX source: not part of the text
        self.feed(html)
        self.close()

    def _offset(self):
        line, column = self.getpos()
        return self.line_starts[line - 1] + column

    def handle_starttag(self, tag, attrs):
        start = self._offset()
        tag_end = start + len(self.get_starttag_text())
        if tag == "section":
            self.section = dict(attrs).get("id") or ""
        if tag == "h2":
            self.in_heading, self.heading = True, []
        if tag == "annotation":
            self.in_annotation += 1
        if tag in VOID:
            return
        open_tags = {t for t, _block in self.stack}
        quotable = (
            tag in BLOCKS
            and self.section
            and self.section not in NOT_TEXT
            and not open_tags & QUOTED_WHOLE
            and not (tag == "p" and "li" in open_tags)
        )
        block = None
        if quotable:
            block = Block(tag, self.section, "".join(self.heading), start, tag_end)
            self.blocks.append(block)
        self.stack.append((tag, block))

    def handle_startendtag(self, tag, attrs):
        pass

    def handle_endtag(self, tag):
        offset = self._offset()
        if tag == "annotation":
            self.in_annotation -= 1
        if tag == "h2" and self.in_heading:
            self.in_heading = False
            heading = " ".join("".join(self.heading).split())
            self.sections.append((self.section, heading, offset + len("</h2>")))
        while self.stack:
            open_tag, block = self.stack.pop()
            if block is not None:
                block.end = offset
                block.after = offset + len(f"</{open_tag}>")
                block.tools_at = offset
            if open_tag == tag:
                break

    def handle_data(self, data):
        if self.in_annotation:
            return
        if self.in_heading:
            self.heading.append(data)
        for _tag, block in self.stack:
            if block is not None:
                block.text.append(data)


def _similarity(a, b):
    words_a, words_b = a.split(), b.split()
    matcher = difflib.SequenceMatcher(None, words_a, words_b, autojunk=False)
    if len(words_a) * len(words_b) > COMPARE_LIMIT:
        return matcher.quick_ratio()
    return matcher.ratio()


def _new_id(block, salt, taken):
    seed = f"{salt}:{block.section}:{block.plain}"
    for attempt in range(100):
        digest = hashlib.sha256(f"{seed}:{attempt}".encode()).hexdigest()
        candidate = f"p-{digest[:6]}"
        if candidate not in taken:
            return candidate
    raise RuntimeError("no free paragraph id")  # 16 million ids; never


def assign_ids(blocks, previous, *, salt, by_position=False):
    """Give each block an id, keeping those of `previous` (the paragraphs of
    the version before: dicts with id, section and text) by the rules in the
    module's docstring."""
    if by_position and len(previous) == len(blocks):
        for block, before in zip(blocks, previous, strict=True):
            block.id = before["id"]
        return
    unused = list(previous)
    # 1. Unchanged text, wherever it moved (the same section first).
    for block in blocks:
        same = [p for p in unused if p["text"] == block.plain]
        if same:
            match = next((p for p in same if p["section"] == block.section), same[0])
            block.id = match["id"]
            unused.remove(match)
    # 2. Light edits: the most similar remaining block of the same section.
    for block in blocks:
        if block.id:
            continue
        candidates = [
            (_similarity(p["text"], block.plain), -index, p)
            for index, p in enumerate(unused)
            if p["section"] == block.section
        ]
        if candidates:
            score, _order, match = max(candidates, key=lambda c: (c[0], c[1]))
            if score >= SIMILAR:
                block.id = match["id"]
                unused.remove(match)
    # 3. New ids, never one the version before used.
    taken = {b.id for b in blocks if b.id} | {p["id"] for p in previous}
    for block in blocks:
        if not block.id:
            block.id = _new_id(block, salt, taken)
            taken.add(block.id)


def anchor(html, *, previous=(), salt="", cite_url=None, by_position=False):
    """Return (html with anchors and links, paragraphs) for a page's text.

    `cite_url(anchor)` is the address of the citation page of a paragraph
    or section (None for a preview: no cite links). `paragraphs` is a list
    of {id, section, heading, number, tag, text, html}: `number` counts the
    section's blocks from 1, `html` is the block as rendered, without links.
    """
    scanner = _Scanner(html)
    blocks = [b for b in scanner.blocks if b.end >= 0 and b.plain]
    assign_ids(blocks, list(previous), salt=salt, by_position=by_position)
    inserts = []  # (offset, text)
    numbers = {}
    paragraphs = []
    for block in blocks:
        numbers[block.section] = numbers.get(block.section, 0) + 1
        number = numbers[block.section]
        paragraphs.append(
            {
                "id": block.id,
                "section": block.section,
                "heading": block.heading.strip(),
                "number": number,
                "tag": block.tag,
                "text": block.plain,
                "html": html[block.start : block.after],
            }
        )
        inserts.append((block.tag_end - 1, f' id="{block.id}"'))
        inserts.append((block.tools_at, _tools(block.id, number, cite_url)))
    for section, heading, offset in scanner.sections:
        if section and section not in NOT_TEXT and offset and cite_url:
            inserts.append((offset, _section_tools(section, heading, cite_url)))
    # From the end, so earlier offsets stay right.
    for offset, text in sorted(inserts, key=lambda item: item[0], reverse=True):
        html = html[:offset] + text + html[offset:]
    return html, paragraphs


def _tools(block_id, number, cite_url):
    link = (
        f'<a class="para-link" href="#{block_id}" '
        f'aria-label="{escape(_("Link to paragraph %(number)d") % {"number": number})}"'
        f">¶</a>"
    )
    if cite_url is None:
        return f'<span class="para-tools">{link}</span>'
    cite = (
        f'<a class="para-cite" href="{escape(cite_url(block_id))}" '
        f'aria-label="{escape(_("Cite paragraph %(number)d") % {"number": number})}"'
        f">{escape(_('Cite'))}</a>"
    )
    return f'<span class="para-tools">{link} {cite}</span>'


def _section_tools(section, heading, cite_url):
    label = _("Cite this section: %(heading)s") % {"heading": heading}
    return (
        f'<p class="section-tools"><a class="para-cite" '
        f'href="{escape(cite_url(section))}" aria-label="{escape(label)}">'
        f"{escape(_('Cite this section'))}</a></p>"
    )
