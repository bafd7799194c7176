"""The Assistant's pages: `/assistant/` (server-rendered) and
`/assistant/answer.json` (the same answer for other clients)."""

import re

from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from scholargate.middleware import accepts_control_characters
from scholargate.pagecache import public_page

from ..models import absolute_url, topic_url
from . import MAX_QUESTION, QuestionTooLong, answer, clean_question, generation

# A quoted paragraph's own links to its page (citations, figures, notes) and
# the ids that are unique on its page only.
LOCAL_LINK_RE = re.compile(r'href="#')
ID_RE = re.compile(r'\s(id)="[^"]*"')
OUTER_TAG_RE = re.compile(r"^\s*<(\w+)[^>]*>(.*)</\1>\s*$", re.DOTALL)


def quoted_html(passage, permalink):
    """A passage's HTML as quoted here: in a <div> whatever its element was
    (a list item, a description), with links into its page made links into
    its permalink, and without the ids that belong to that page."""
    html = passage.html
    match = OUTER_TAG_RE.match(html)
    inner = match.group(2) if match else html
    inner = LOCAL_LINK_RE.sub(f'href="{escape(permalink)}#', inner)
    inner = ID_RE.sub("", inner)
    return mark_safe(f'<div class="passage-text">{inner}</div>')  # noqa: S308 (sanitised at approval)


def _passages(result):
    rows = []
    for hit in result.hits:
        passage = hit.passage
        version = passage.version
        permalink = topic_url(version.topic.slug, number=version.number)
        rows.append(
            {
                "hit": hit,
                "topic": version.topic,
                "version": version,
                "title": version.title,
                "heading": passage.heading,
                "subheading": passage.subheading,
                "anchor": passage.anchor,
                "url": f"{permalink}#{passage.anchor}",
                "cite_url": reverse(
                    "topics:cite-part",
                    kwargs={
                        "slug": version.topic.slug,
                        "number": version.number,
                        "anchor": passage.anchor,
                    },
                ),
                "authors": version.page.authors,
                "html": quoted_html(passage, permalink),
            }
        )
    return rows


def _ask(request):
    """(question, result or None, error message or None)."""
    raw = request.GET.get("q", "")
    try:
        question = clean_question(raw)
    except QuestionTooLong as error:
        return (
            raw[:MAX_QUESTION],
            None,
            _(
                "Your question is %(length)d characters long; the Assistant takes "
                "questions of up to %(limit)d. Ask it in fewer words."
            )
            % {"length": error.args[0], "limit": MAX_QUESTION},
        )
    if not question:
        return "", None, None
    return question, answer(question), None


def _not_stored(response):
    """An answer that found nothing is not cached anywhere: every time it is
    asked counts towards its coverage gap."""
    response.public_page = False
    response["Cache-Control"] = "no-store"
    return response


@accepts_control_characters
@require_safe
@public_page(query=("q",), keys=("recent",))
def ask(request):
    question, result, error = _ask(request)
    context = {
        "q": question,
        "error": error,
        "max_length": MAX_QUESTION,
        "collective_author": settings.SCHOLARGATE_COLLECTIVE_AUTHOR,
    }
    if result is not None:
        if result.covered:
            result.summary = generation.summarise(question, result.hits)
        context["result"] = result
        context["passages"] = _passages(result)
    response = render(
        request,
        "topics/assistant.html",
        context,
        status=400 if error else 200,
    )
    if result is not None and not result.covered:
        _not_stored(response)
    return response


@accepts_control_characters
@require_safe
@public_page(query=("q",), keys=("recent",))
def answer_json(request):
    """`{"question", "covered", "passages": [...], "nearest_topics": [...]}`,
    passages best first."""
    question, result, error = _ask(request)
    if error or not question:
        response = JsonResponse(
            {"error": error or _("Ask a question with ?q=…")}, status=400
        )
        response["Access-Control-Allow-Origin"] = "*"
        return response
    data = {
        "question": question,
        "covered": result.covered,
        "passages": [
            {
                "topic": row["topic"].slug,
                "title": row["title"],
                "version": row["version"].number,
                "section": row["heading"],
                "anchor": row["anchor"],
                "url": absolute_url(row["url"]),
                "text": row["hit"].passage.text,
                "score": round(row["hit"].score, 4),
            }
            for row in _passages(result)
        ],
        "nearest_topics": [version.topic.slug for version in result.nearest],
    }
    response = JsonResponse(data, json_dumps_params={"ensure_ascii": False})
    response["Access-Control-Allow-Origin"] = "*"
    if not result.covered:
        _not_stored(response)
    return response
