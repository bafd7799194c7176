"""The encyclopedia's models, one module per concern, all importable from here."""

from .assistant import CoverageGap, Passage, RelatedTerm, TermFrequency
from .comments import ReviewComment
from .pages import VersionPage
from .people import Person
from .records import AuditEntry, OldSlug, PersonEdit
from .rows import (
    ALT_REQUIRED,
    LICENCE_URLS,
    Citation,
    Figure,
    KeyFigure,
    Licence,
    RelatedTopic,
    Section,
    SeminalWork,
    StableKeyed,
    TopicLink,
    VersionAuthor,
    figure_label_validator,
)
from .topics import (
    RELATED_GROUP_HEADINGS,
    Kind,
    Submission,
    TaggedVersion,
    Topic,
    TopicVersion,
    absolute_url,
    slug_validator,
    topic_url,
)

__all__ = [
    "ALT_REQUIRED",
    "LICENCE_URLS",
    "RELATED_GROUP_HEADINGS",
    "AuditEntry",
    "Citation",
    "CoverageGap",
    "Figure",
    "KeyFigure",
    "Kind",
    "Licence",
    "OldSlug",
    "Passage",
    "Person",
    "PersonEdit",
    "RelatedTerm",
    "ReviewComment",
    "RelatedTopic",
    "Section",
    "SeminalWork",
    "StableKeyed",
    "Submission",
    "TaggedVersion",
    "TermFrequency",
    "Topic",
    "TopicLink",
    "TopicVersion",
    "VersionAuthor",
    "VersionPage",
    "absolute_url",
    "figure_label_validator",
    "slug_validator",
    "topic_url",
]
