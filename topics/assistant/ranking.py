"""How well a passage answers a question: the same Python for every engine.

A question becomes groups of stems (each content word; a phrase of
RelatedTerm with the entries' words for it), each weighted by rarity. A
passage scores BM25-like points for each group its text holds, more where
the group is in the topic's title, the section heading or the tags, and
bonuses for naming the topic's whole title, for the question's word pairs
standing together in the text ("learning rate"), for an FAQ question (or a
debate's name) that is the reader's question, and for the kind of passage
the question's form asks for ("what is": the opening definition; "who",
"when": the history).
"""

import functools
import math
from collections import Counter
from dataclasses import dataclass

from ..models import RelatedTerm
from . import index, text

K1, B = 1.2, 0.5
AVERAGE_LENGTH = 60  # words of a passage, for BM25's length normalisation
# Words are searched by, rarest first, until together they would find more
# than SEARCH_BUDGET passages; a word in more than a COMMON share of them is
# never searched by. The others still count in the ranking.
SEARCH_BUDGET = 3000
COMMON = 0.25
# A word no passage holds weighs this share of a word one passage holds: it
# may be how the reader says it ("invented") or what nothing covers
# ("quantum"); the rest of the question decides.
UNKNOWN = 0.5
# Where a group is found, beyond the text.
IN_TITLE, IN_HEADING, IN_TAGS = 0.8, 1.0, 0.3
TITLE_BONUS = 1.0  # for naming the topic's whole title
PHRASE_BONUS = 1.0  # times the weight share of the pairs found together
SUBHEADING_BONUS = 1.0  # for an FAQ question that is the reader's
PROXIMITY_BONUS = 0.3
DEFINITION_BONUS = 1.0  # "What is <title>?": the opening paragraph
HISTORY_BONUS = 0.6  # "Who…", "When…": the history
CAPTION_PENALTY = 0.3  # a caption says what a figure shows: rarely the answer


@dataclass
class Question:
    groups: list  # [frozenset of stems], in the question's order
    weights: list  # [float], one per group
    stem_weights: dict  # {stem: float}
    searchable: list  # stems worth asking the engine for
    form: str | None

    @property
    def total(self):
        return sum(self.weights) or 1.0

    @functools.cached_property
    def pairs(self):
        """Neighbouring groups, to find side by side."""
        weighted = list(zip(self.groups, self.weights, strict=True))
        return list(zip(weighted, weighted[1:], strict=False))

    @functools.cached_property
    def asked(self):
        return frozenset(s for g in self.groups for s in g)


def groups_of(question: str) -> list[frozenset]:
    """What a question asks, in order, as groups of stems: each content word,
    and for each phrase of RelatedTerm the question uses, the phrase's and the
    entries' words together (any of them answers it)."""
    groups = [frozenset([s]) for s in text.content_stems(question)]
    asked = f" {' '.join(text.words(question))} "
    for phrase, terms in RelatedTerm.objects.values_list("phrase", "terms"):
        if f" {' '.join(text.words(phrase))} " not in asked:
            continue
        phrase_stems = frozenset(text.content_stems(phrase))
        alternatives = frozenset(
            s for term in terms.split(",") for s in text.content_stems(term)
        )
        places = [i for i, g in enumerate(groups) if g <= phrase_stems]
        at = places[0] if places else len(groups)
        groups = [g for g in groups if not g <= phrase_stems]
        if alternatives | phrase_stems:
            groups.insert(min(at, len(groups)), alternatives | phrase_stems)
    return groups


def prepare(question: str) -> Question:
    """The question's groups, weighted by rarity (IDF over live passages)."""
    groups = groups_of(question)
    stems = {s for g in groups for s in g}
    total, frequencies = index.frequencies(stems)
    total = max(total, 1)

    def weight_of(stem_):
        df = frequencies.get(stem_, 0)
        weight = math.log(1 + (total - df + 0.5) / (df + 0.5))
        if not df:
            weight = UNKNOWN * math.log(1 + (total - 0.5) / 1.5)
        return weight * (text.LIGHT if text.is_light(stem_) else 1.0)

    stem_weights = {s: weight_of(s) for s in stems}
    # A group weighs what its rarest known word weighs.
    weights = []
    for group in groups:
        known = [stem_weights[s] for s in group if frequencies.get(s)]
        weights.append(max(known) if known else max(stem_weights[s] for s in group))
    # The engine is asked for the rarest words, up to a budget of passages:
    # a word in thousands of passages finds nothing in particular (and
    # ranking thousands of matches is what costs time). A question of common
    # words only finds its passages through the topics it names.
    searchable, spent = [], 0
    for stem_ in sorted(
        (s for s in stems if frequencies.get(s)), key=lambda s: (frequencies[s], s)
    ):
        spent += frequencies[stem_]
        if frequencies[stem_] > COMMON * total or spent > SEARCH_BUDGET:
            if not searchable and frequencies[stem_] <= SEARCH_BUDGET:
                # Only common words: in a small index, the rarest of them.
                searchable.append(stem_)
            break
        searchable.append(stem_)
    return Question(
        groups, weights, stem_weights, searchable, text.question_form(question)
    )


def _proximity(positions):
    """1 when the matched words stand together, towards 0 as they spread."""
    found = [p for p in positions if p]
    if len(found) < 2:
        return 0.0
    events = sorted((pos, i) for i, ps in enumerate(found) for pos in ps)
    need, best, counts, have, left = len(found), None, Counter(), 0, 0
    for right in range(len(events)):
        counts[events[right][1]] += 1
        if counts[events[right][1]] == 1:
            have += 1
        while have == need:
            span = events[right][0] - events[left][0] + 1
            best = span if best is None else min(best, span)
            counts[events[left][1]] -= 1
            if counts[events[left][1]] == 0:
                have -= 1
            left += 1
    return (need - 1) / max(need - 1, best - 1)


def _title_share(title_stems, asked):
    """How much of a topic's title the question names (0 to 1)."""
    title = [s for s in title_stems.split() if s not in text.STOP_STEMS]
    if not title:
        return 0.0
    return sum(1 for s in title if s in asked) / len(title)


def _phrases(question, body, title):
    """The weight of the question's word pairs that stand together in the
    text (by the weights of the words found), leaving out pairs of the
    topic's title (the title bonus counts them)."""
    together = set(zip(body, body[1:], strict=False))
    weight = question.stem_weights
    found = 0.0
    for (a, _), (b, _) in question.pairs:
        if a & title and b & title:
            continue
        matches = [weight[x] + weight[y] for x in a for y in b if (x, y) in together]
        found += max(matches, default=0.0)
    return found


@functools.lru_cache(maxsize=4096)
def _stem_set(words):
    return frozenset(text.stems(words))


@dataclass
class Score:
    value: float  # what passages are ranked by
    evidence: float  # the value without the bonus for the question's form
    coverage: float  # the share of the question's weight the passage holds


def score(passage, question: Question) -> Score:
    """How well a passage answers a question. The form's bonus orders the
    passages of a question; whether the question is answered at all is
    judged on the evidence without it ("Who won the World Cup?" is not
    answered by a History paragraph for being a "who" question)."""
    title = set(passage.title_stems.split())
    heading = set(passage.heading_stems.split())
    tags = set(passage.tag_stems.split())
    body = passage.text_stems.split()
    counts = Counter(body)
    length_norm = 1 - B + B * len(body) / AVERAGE_LENGTH
    points = covered = 0.0
    positions = []
    for group, weight in zip(question.groups, question.weights, strict=True):
        # The best of the group's words found in the text, by its own weight.
        found = 0.0
        for stem_ in group:
            tf = counts[stem_]
            if tf:
                saturated = tf * (K1 + 1) / (tf + K1 * length_norm)
                found = max(found, question.stem_weights[stem_] * saturated)
        elsewhere = (
            IN_TITLE * bool(group & title)
            + IN_HEADING * bool(group & heading)
            + IN_TAGS * bool(group & tags)
        )
        if found or elsewhere:
            covered += weight
        points += found + weight * elsewhere
        positions.append([i for i, s in enumerate(body) if s in group])
    total = question.total
    names_title = _title_share(passage.title_stems, question.asked)
    value = (
        points / total
        + TITLE_BONUS * names_title**2
        + PROXIMITY_BONUS * _proximity(positions)
        + PHRASE_BONUS * _phrases(question, body, title) / total
    )
    if passage.subheading:
        # An FAQ question (or a debate's name) holding the question's words,
        # by the share of its weight it holds; it must hold some beyond the
        # topic's title, which every passage of the topic has.
        subheading = _stem_set(passage.subheading)
        pairs = list(zip(question.groups, question.weights, strict=True))
        if any((g - title) & subheading for g, _w in pairs):
            held = sum(w for g, w in pairs if g & subheading)
            value += SUBHEADING_BONUS * (held / total) ** 2
    if passage.tag == "figcaption":
        value -= CAPTION_PENALTY
    evidence = value
    form = question.form
    if form == "definition":
        if (
            passage.section == "definition"
            and passage.number == 1
            and names_title == 1
            and all(g & title for g in question.groups)
        ):
            value += DEFINITION_BONUS
    elif form == "history" and passage.section == "history":
        value += HISTORY_BONUS
    return Score(value, evidence, covered / total)
