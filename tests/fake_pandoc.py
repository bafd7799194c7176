"""A stand-in for Pandoc in tests that are not about rendering.

Pandoc costs 20–150 ms a run and most tests only need a version to be
approved, listed or diffed. This stand-in reads what a text refers to with
regular expressions (citation keys, @fig: labels, topic: links, headings
and unclosed fences, with the real messages) and renders escaped paragraphs,
so workflow, admin and view tests run without it. Tests about rendering,
citation formatting and content files are marked `pandoc` and run the real
one (tests/conftest.py).
"""

import re
from html import escape

from topics import rendering

KEY = re.compile(r"(?<![\w@])@([A-Za-z0-9_](?:[\w:.#$%&+?<>~/-]*[A-Za-z0-9_])?)")
TOPIC_LINK = re.compile(r"\]\(topic:([^)\s]+)\)")
HEADING = re.compile(r"^(#{1,2}) +(.+?)\s*#*\s*$", re.MULTILINE)
FENCE = re.compile(r"^ {0,3}(```|~~~|:::)", re.MULTILINE)


def analyse_sections(bodies):
    analyses = []
    for body in bodies:
        analysis = rendering.SectionAnalysis()
        analyses.append(analysis)
        if len(FENCE.findall(body)) % 2:
            analysis.problems.append(
                "a code block or fenced div (``` or :::) is not closed"
            )
            continue
        for hashes, text in HEADING.findall(body):
            analysis.problems.append(
                f"the heading “{text}” is level {len(hashes)}; headings inside a "
                "section start at level 3 (###)"
            )
        for key in KEY.findall(body):
            if not key.lower().startswith("fig:"):
                analysis.citation_count += 1
            target = (
                analysis.figure_labels
                if key.lower().startswith("fig:")
                else analysis.citation_keys
            )
            if key not in target:
                target.append(key)
                analysis.citation_contexts[key] = rendering.sentence_with(
                    _plain(body), key
                )
        for slug in TOPIC_LINK.findall(body):
            slug = slug.strip("/")
            if slug not in analysis.topic_slugs:
                analysis.topic_slugs.append(slug)
    return analyses


def _plain(text):
    return " ".join(re.sub(r"[\[\]]|\(topic:[^)]*\)", "", text).split())


def _paragraphs(text):
    return "".join(
        f"<p>{escape(_plain(block))}</p>" for block in text.split("\n\n") if block
    )


def render_version(
    *, summary, sections, seminal_keys, works_csl, topic_url, figures=(), **kwargs
):
    unknown = {
        label
        for s in sections
        for label in analyse_sections([s.body])[0].figure_labels
        if label.lower().removeprefix("fig:")
        not in {f.label.lower() for f in figures if f.label}
    }
    if unknown:
        raise ValueError("unknown figure: " + ", ".join(sorted(unknown)))
    toc, taken, body = [], set(), []
    definition, faq = [], []
    for source in (s for s in sections if s.body.strip()):
        anchor = rendering.unique_anchor(source.heading, taken)
        toc.append([anchor, source.heading])
        body.append(
            f'<section id="{anchor}" class="level2"><h2 class="section-{source.kind}">'
            f"{escape(source.heading)}</h2>{_paragraphs(source.body)}</section>"
        )
        if source.kind == "definition":
            definition.append(_plain(source.body))
        if source.kind == "faq":
            faq += [
                [_plain(term), _plain(answer)]
                for term, answer in re.findall(r"^(.+)\n: (.+)$", source.body, re.M)
            ]
    keys = [k for k in seminal_keys] + [
        k for s in sections for k in analyse_sections([s.body])[0].citation_keys
    ]
    if keys:
        toc.append(["references", "References"])
        body.append(
            '<section id="references"><h2>References</h2><div id="refs">'
            + "".join(
                f'<div id="ref-{escape(k)}">{escape(k)}</div>'
                for k in dict.fromkeys(keys)
            )
            + "</div></section>"
        )
    plain = " ".join(_plain(s.body) for s in sections)
    return rendering.Rendered(
        summary_html=escape(_plain(summary)),
        body_html="".join(body),
        toc=toc,
        structured={"definition": " ".join(definition), "faq": faq},
        plain_text=plain,
    )


def format_references(items, style=None):
    """ "Family (year). Title." for each CSL-JSON item."""
    formatted = {}
    for item in items:
        names = ", ".join(
            n.get("family") or n.get("literal", "") for n in item.get("author", [])
        )
        year = ((item.get("issued") or {}).get("date-parts") or [[""]])[0][0]
        formatted[item["id"]] = escape(f"{names} ({year}). {item.get('title', '')}.")
    return formatted


def parse_sections(bodies):
    """Chunks the fake render_version ignores, and the analyses."""
    return [[] for _body in bodies], analyse_sections(bodies)


def parse_many(body_lists):
    return [parse_sections(bodies) for bodies in body_lists]


def render_versions(specs):
    results = []
    for spec in specs:
        try:
            results.append(render_version(**spec))
        except ValueError as error:
            results.append(error)
    return results


def install(monkeypatch):
    from citations import formatting

    monkeypatch.setattr(rendering, "analyse_sections", analyse_sections)
    monkeypatch.setattr(rendering, "parse_sections", parse_sections)
    monkeypatch.setattr(rendering, "render_version", render_version)
    monkeypatch.setattr(rendering, "parse_many", parse_many)
    monkeypatch.setattr(rendering, "render_versions", render_versions)
    monkeypatch.setattr(formatting, "format_references", format_references)

    def refuse(*args, **kwargs):
        raise AssertionError(
            "Pandoc ran in a test not marked `pandoc`: mark it if it checks rendering."
        )

    monkeypatch.setattr(formatting, "pandoc", refuse)
    monkeypatch.setattr(formatting, "_run", refuse)
