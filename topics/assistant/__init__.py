"""The Assistant: a reader's question answered with reviewed paragraphs.

It generates nothing by default: it finds the paragraphs of live, approved
versions that best answer the question and quotes them whole, each with its
permanent anchor. When none answers well enough it says so, and the question
is recorded as a coverage gap for editors.

- `answer(question)`: the public interface (views, the JSON contract and
  `manage.py assistant_eval` call it);
- `index.index_pages(pages)`: called by the publishing service at approval;
- engines.py: where candidates come from (one class per database);
- ranking.py: how well a passage answers a question;
- text.py: words, stems, stop words and question forms;
- generation.py: the optional machine-written summary, off by default.

Ranking (ranking.py) is the same for every database: candidates by the
engine, then a score in Python from the stems stored with each passage.
"""

from collections import Counter
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from ..models import CoverageGap
from . import engines, index, ranking, text

MAX_QUESTION = 300
MAX_PASSAGES = 5
MIN_PASSAGES = 3
# A question is answered when the best passage scores at least SCORE_MIN
# and holds at least COVERAGE_MIN of the question's weight: chosen on the
# shipped question set (manage.py assistant_eval; figures in the README's
# "Assistant" section).
SCORE_MIN = 0.7
COVERAGE_MIN = 0.15
# When nothing answers: up to NEAREST topics whose best passage scores at
# least NEAREST_MIN.
NEAREST, NEAREST_MIN = 3, 0.3


class QuestionTooLong(ValueError):
    pass


@dataclass
class Hit:
    passage: object
    score: float
    evidence: float
    coverage: float

    @property
    def version(self):
        return self.passage.version

    @property
    def topic(self):
        return self.passage.version.topic


@dataclass
class Answer:
    question: str
    normalised: str
    covered: bool
    hits: list = field(default_factory=list)
    nearest: list = field(default_factory=list)  # live versions, best first
    summary: object = None  # generation.Summary, when switched on


def clean_question(raw: str | None) -> str:
    """The question as plain text; QuestionTooLong past MAX_QUESTION."""
    question = text.clean(raw)
    if len(question) > MAX_QUESTION:
        raise QuestionTooLong(len(question))
    return question


def answer(question: str, *, record: bool = True) -> Answer:
    """The paragraphs that best answer a (clean) question, best first."""
    normalised = text.normalise(question)[:MAX_QUESTION]
    result = Answer(question=question, normalised=normalised, covered=False)
    asked = ranking.prepare(question)
    if not asked.groups:
        if record and normalised:
            _record_gap(question, normalised)
        return result
    search = engines.engine()
    ids = []
    if asked.searchable:
        ids = search.candidates(
            asked.searchable, all_of=False, limit=engines.CANDIDATES
        )
    ids += search.of_topics(index.named_topics(asked.asked))
    scored = []
    for passage in engines.passages(set(ids)):
        found = ranking.score(passage, asked)
        scored.append(Hit(passage, found.value, found.evidence, found.coverage))
    scored.sort(
        key=lambda h: (-h.score, h.passage.version.topic.slug, h.passage.position)
    )
    nearest, seen = [], set()
    for hit in scored:
        if hit.score >= NEAREST_MIN and hit.topic.pk not in seen:
            seen.add(hit.topic.pk)
            nearest.append(hit.version)
    result.nearest = nearest[:NEAREST]
    if any(h.evidence >= SCORE_MIN and h.coverage >= COVERAGE_MIN for h in scored):
        top = scored[0].score
        chosen, per_topic = [], Counter()
        for hit in scored:
            if len(chosen) == MAX_PASSAGES:
                break
            if hit.score < SCORE_MIN / 2 or (
                len(chosen) >= MIN_PASSAGES and hit.score < 0.6 * top
            ):
                break
            if per_topic[hit.topic.pk] == 3:
                continue
            per_topic[hit.topic.pk] += 1
            chosen.append(hit)
        result.covered, result.hits = True, chosen
    elif record:
        _record_gap(question, normalised)
    return result


@transaction.atomic
def _record_gap(question: str, normalised: str) -> None:
    """Count a question nothing answered (no account, no address: the
    question alone)."""
    updated = CoverageGap.objects.filter(normalised=normalised).update(
        count=F("count") + 1, last_asked=timezone.now()
    )
    if not updated:
        CoverageGap.objects.get_or_create(
            normalised=normalised, defaults={"example": question[:300]}
        )
