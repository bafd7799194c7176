"""Words of questions and passages: tokens, stems, stop words, question forms.

The same code reads questions and indexes passages, whatever the database,
so both engines rank alike. Stems come from the Snowball English stemmer
(`snowballstemmer`, the stemmer Sphinx and PostgreSQL's english_stem use).
"""

import functools
import re
import unicodedata

import snowballstemmer

# Letters and digits; a hyphen or apostrophe splits ("co-adaptation" is
# "co" and "adaptation"), so stems are plain words every engine can match.
WORD_RE = re.compile(r"[^\W_]+")
# Common English words and the words readers wrap a question in: they say how
# something is asked, not what about.
STOP_WORDS = frozenset(
    """
    a about above after again against all also am an and any are as at be
    because been before being below between both but by can could did do does
    doing done down during each either else ever every few for from further get
    gets got had has have having he her here hers herself him himself his how
    however i if in into is it its itself just kind kinds let lets like made
    make makes many may me might more most much must my myself no nor not now
    of off often on once one only or other others our ours ourselves out over
    own people person really same say says several shall she should so some
    such than that the their theirs them themselves then there these they thing
    things this those through thus to too under until up upon us use used uses
    using very was way ways we were what whats when where whether which while
    who whom whose why will with within without would yet you your yours
    yourself yourselves explain tell describe mean means meant called call
    exactly basically actually anyone someone something somebody plain simple
    simply briefly nutshell layman laymans term terms
    """.split()
)
# Everyday words that say little about a subject in a question ("why do
# we *need*…", "is it *hard* to *know*…"): they count at LIGHT of their weight,
# however rarely the entries use them.
LIGHT_WORDS = frozenset(
    """
    need needs needed far fewer less hard harder easy easier difficult know
    known knowing work works working happen happens happened still better best
    good bad worse worst main important matter matters big bigger small smaller
    whole real new old first last find finds found help helps show shows give
    gives take takes keep keeps change changes come comes go goes put look
    looks seem seems try tries want wants start starts end ends practice
    control controls affect affects cause causes reason reasons possible
    problem problems idea ideas thing part parts around always never
    """.split()
)
LIGHT = 0.3
# Question forms, and what kind of passage answers them best.
QUESTION_FORMS = {
    "what": "definition",
    "who": "history",
    "when": "history",
    "why": "theory",
    "how": "method",
}


@functools.cache
def _stemmer():
    return snowballstemmer.stemmer("english")


def fold(text: str) -> str:
    """Lower case, accents off ("Gödel" → "godel")."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def words(text: str) -> list[str]:
    return WORD_RE.findall(fold(text))


# British spellings as American ones, before stemming ("optimisation" and
# "optimization" are one word): the same for questions and passages.
SPELLING = [
    (re.compile(r"isation(s?)$"), r"ization\1"),
    (re.compile(r"is(e|es|ed|ing|er|ers)$"), r"iz\1"),
]


@functools.lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    """A (folded) word's stem; cached: the stemmer takes 30 µs a word, and
    indexing meets the same words again and again."""
    if len(word) > 5:
        for pattern, replacement in SPELLING:
            word = pattern.sub(replacement, word)
    return _stemmer().stemWord(word)


STOP_STEMS = frozenset(stem(word) for word in STOP_WORDS)
LIGHT_STEMS = frozenset(stem(word) for word in LIGHT_WORDS)


def is_light(stem_: str) -> bool:
    return stem_ in LIGHT_STEMS


def stems(text: str) -> list[str]:
    """Every word's stem, in order (stop words included)."""
    return [stem(word) for word in words(text)]


def content_stems(text: str) -> list[str]:
    """The stems of the words that say what a text is about, once each."""
    seen = []
    for word in words(text):
        if word in STOP_WORDS or (len(word) < 2 and not word.isdigit()):
            continue
        root = stem(word)
        if root not in seen:
            seen.append(root)
    return seen


def question_form(text: str) -> str | None:
    """What a question asks for ("definition" for "What is…"), if it says."""
    found = words(text)
    return QUESTION_FORMS.get(found[0]) if found else None


CONTROL_RE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def clean(text: str | None) -> str:
    """A question as plain text: control characters out, spaces collapsed."""
    return " ".join(CONTROL_RE.sub(" ", text or "").split())


def normalise(text: str) -> str:
    """A question reduced so that repeats group: folded words, in order,
    without the words that only make it a question."""
    kept = [w for w in words(text) if w not in STOP_WORDS]
    return " ".join(kept) or " ".join(words(text))
