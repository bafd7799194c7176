"""What the Assistant answers from, and what it could not answer."""

from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.utils.translation import gettext_lazy as _

from .topics import Topic, TopicVersion


class Passage(models.Model):
    """A paragraph of a live version, indexed for the Assistant when the
    version is approved (never in a reader's request)."""

    version = models.ForeignKey(
        TopicVersion, on_delete=models.CASCADE, related_name="passages"
    )
    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="+")
    anchor = models.CharField(max_length=20)
    section = models.CharField(max_length=200)
    heading = models.CharField(max_length=200)
    # The term a description answers (an FAQ's question, a debate's name).
    subheading = models.CharField(max_length=300, blank=True)
    number = models.PositiveIntegerField()
    # The paragraph's HTML element: p, li, dd, figcaption...
    tag = models.CharField(max_length=12, default="p")
    position = models.PositiveIntegerField()
    text = models.TextField()
    html = models.TextField()
    # Stems (topics/assistant/text.py), space-separated: of the topic's title,
    # the section heading and the version's tags (for ranking), of the text in
    # order (for ranking and proximity), and all of them once each (what the
    # database matches: FTS5 on SQLite, this vector on PostgreSQL).
    title_stems = models.TextField(blank=True)
    heading_stems = models.TextField(blank=True)
    tag_stems = models.TextField(blank=True)
    text_stems = models.TextField(blank=True)
    terms = models.TextField(blank=True)
    search_vector = SearchVectorField(null=True, blank=True)

    class Meta:
        verbose_name = _("passage")
        verbose_name_plural = _("passages")
        constraints = [
            models.UniqueConstraint(
                fields=["version", "anchor"], name="passage_unique_anchor"
            )
        ]

    def __str__(self):
        return f"{self.version_id}#{self.anchor}"


class TermFrequency(models.Model):
    """How many live passages hold a word stem: rare words weigh more."""

    stem = models.CharField(max_length=100, primary_key=True)
    passages = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("word frequency")
        verbose_name_plural = _("word frequencies")

    def __str__(self):
        return f"{self.stem}: {self.passages}"


class RelatedTerm(models.Model):
    """Words readers use for what the entries call otherwise, e.g.
    "switch off units" for "dropout": editors extend the list."""

    phrase = models.CharField(
        _("readers' words"),
        max_length=100,
        unique=True,
        help_text=_("A word or phrase as readers ask, e.g. “switch off units”."),
    )
    terms = models.CharField(
        _("the entries' words"),
        max_length=300,
        help_text=_("Words the entries use for it, separated by commas."),
    )

    class Meta:
        ordering = ["phrase"]
        verbose_name = _("related term")
        verbose_name_plural = _("related terms (the Assistant)")

    def __str__(self):
        return self.phrase


class CoverageGap(models.Model):
    """A question the Assistant found no reviewed paragraph for: no personal
    data, only the question (normalised, so that repeats group)."""

    normalised = models.CharField(_("question"), max_length=300, unique=True)
    example = models.CharField(_("as first asked"), max_length=300)
    count = models.PositiveIntegerField(_("times asked"), default=1)
    first_asked = models.DateTimeField(_("first asked"), auto_now_add=True)
    last_asked = models.DateTimeField(_("last asked"), auto_now=True)
    answered_by = models.ForeignKey(
        Topic,
        verbose_name=_("answered by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("The topic that covers it now, once written."),
    )

    class Meta:
        ordering = ["-count", "-last_asked"]
        verbose_name = _("coverage gap")
        verbose_name_plural = _("coverage gaps (unanswered questions)")

    def __str__(self):
        return self.example
