"""The Assistant's optional summary: a model's sentences over the retrieved
passages, each checked before a reader sees it.

Off unless settings.ASSISTANT_LLM_BASE_URL and ASSISTANT_LLM_MODEL name an
OpenAI-compatible server. The model is given the question and the retrieved
passages only, numbered, and told to cite passage numbers in every sentence.
A sentence is kept only when it cites at least one passage, cites no number
it was not given, and every quotation in it ("…" or “…”) is word for word in
a passage it cites. What is kept is shown above the passages, labelled as
machine-generated and not reviewed; it is never stored as content. A
timeout or any error of the server means no summary: the passages alone.
"""

import logging
import re
from dataclasses import dataclass, field

import httpx
from django.conf import settings

log = logging.getLogger(__name__)

MAX_TOKENS = 400
INSTRUCTIONS = (
    "You answer a reader's question using only the numbered passages given. "
    "Write at most four short sentences. End every sentence with the numbers "
    "of the passages it relies on, in square brackets, like [1] or [2][3]. "
    "When you quote, copy the passage's words exactly, inside double quotes. "
    "Do not add facts that are not in the passages. If the passages do not "
    "answer the question, reply with the single word NONE."
)
CITATION_RE = re.compile(r"\[(\d{1,3})\]")
# A sentence: up to . ! or ? (and the citations after it), or the end.
SENTENCE_RE = re.compile(r"[^.!?]+(?:[.!?]+(?:\s*\[\d{1,3}\])*|$)")
QUOTE_RE = re.compile(r"“([^”]+)”|\"([^\"]+)\"")


@dataclass
class Sentence:
    text: str  # without its citation marks
    passages: list  # the passage numbers it cites, from 1


@dataclass
class Summary:
    sentences: list = field(default_factory=list)
    dropped: int = 0  # sentences that failed the checks


def enabled() -> bool:
    return bool(settings.ASSISTANT_LLM_BASE_URL and settings.ASSISTANT_LLM_MODEL)


def _prompt(question, passages):
    numbered = "\n\n".join(
        f"[{number}] ({title} — {heading})\n{text}"
        for number, (title, heading, text) in enumerate(passages, start=1)
    )
    return f"Question: {question}\n\nPassages:\n\n{numbered}"


def _ask_model(question, passages):
    headers = {}
    if settings.ASSISTANT_LLM_API_KEY:
        headers["Authorization"] = f"Bearer {settings.ASSISTANT_LLM_API_KEY}"
    response = httpx.post(
        f"{settings.ASSISTANT_LLM_BASE_URL}/chat/completions",
        json={
            "model": settings.ASSISTANT_LLM_MODEL,
            "messages": [
                {"role": "system", "content": INSTRUCTIONS},
                {"role": "user", "content": _prompt(question, passages)},
            ],
            "temperature": 0,
            "max_tokens": MAX_TOKENS,
        },
        headers=headers,
        timeout=settings.ASSISTANT_LLM_TIMEOUT,
    )
    response.raise_for_status()
    content = response.json()["choices"][0]["message"]["content"]
    if not isinstance(content, str):
        raise ValueError("the reply has no text")
    return content


def _squash(value):
    return " ".join(value.replace("’", "'").split()).casefold()


def check(reply: str, texts: list[str]) -> Summary:
    """Keep the sentences of a model's reply that cite only the given
    passages (numbered from 1) and quote them word for word."""
    summary = Summary()
    if reply.strip().upper().rstrip(".") == "NONE":
        return summary
    for match in SENTENCE_RE.finditer(" ".join(reply.split())):
        sentence = match.group(0).strip()
        if not sentence:
            continue
        numbers = [int(n) for n in CITATION_RE.findall(sentence)]
        cited = sorted(set(numbers))
        quotes = [a or b for a, b in QUOTE_RE.findall(sentence)]
        valid = (
            cited
            and all(1 <= n <= len(texts) for n in cited)
            and all(
                any(_squash(quote) in _squash(texts[n - 1]) for n in cited)
                for quote in quotes
            )
        )
        if not valid:
            summary.dropped += 1
            continue
        plain = " ".join(CITATION_RE.sub("", sentence).split())
        plain = re.sub(r"\s+([.!?,;:])", r"\1", plain)
        summary.sentences.append(Sentence(plain, cited))
    return summary


def summarise(question: str, hits) -> Summary | None:
    """A checked summary of the passages of `hits`, or None (switched off,
    nothing kept, or the server failed or was too slow)."""
    if not enabled() or not hits:
        return None
    passages = [
        (hit.passage.version.title, hit.passage.heading, hit.passage.text)
        for hit in hits
    ]
    try:
        reply = _ask_model(question, passages)
    except (httpx.HTTPError, ValueError, KeyError, IndexError, TypeError) as error:
        log.warning("Assistant summary skipped: %s", error)
        return None
    summary = check(reply, [text for _title, _heading, text in passages])
    return summary if summary.sentences else None
