"""Topics and their versions: what editors write and moderators approve."""

import functools

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q, UniqueConstraint
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from taggit.managers import TaggableManager
from taggit.models import TaggedItemBase

from citations.models import Work

from .people import Person

slug_validator = RegexValidator(
    r"^[a-z0-9]+(?:-[a-z0-9]+)*$",
    _("Use lowercase letters, digits and single hyphens, e.g. deep-learning."),
)


class Kind(models.TextChoices):
    FIELD = "field", _("Field")
    CONCEPT = "concept", _("Concept")
    METHOD = "method", _("Method")
    THEORY = "theory", _("Theory")


# Headings for related topics grouped by the target's kind.
RELATED_GROUP_HEADINGS = {
    Kind.FIELD: _("Related fields"),
    Kind.CONCEPT: _("Related concepts"),
    Kind.METHOD: _("Methods"),
    Kind.THEORY: _("Related theories"),
}


@functools.cache
def _topic_prefix():
    return reverse("topics:detail", kwargs={"slug": "x"}).removesuffix("x/")


def topic_url(slug, *, number=None):
    """The path of a topic page, or of its approved version `number`.

    The one place that builds these addresses: links, permalinks, redirects
    and metadata all come from here, without a URL resolver call per link.
    """
    if number is None:
        return f"{_topic_prefix()}{slug}/"
    return f"{_topic_prefix()}{slug}/v/{number}/"


def absolute_url(path):
    """The address readers use for a path of this site (SITE_URL)."""
    return settings.SCHOLARGATE_SITE_URL + path


class TopicQuerySet(models.QuerySet):
    def live(self):
        """Return topics readers can see: published and not taken down."""
        return self.filter(live_version__isnull=False, is_unpublished=False)

    def by_title(self):
        """Live topics in title order, read from the index of live versions
        by title (the state says what `live` implies, so that it is used)."""
        return self.filter(live_version__state="published").order_by(
            "live_version__title", "live_version_id"
        )

    def with_listing(self):
        """Load what lists show of the live version, not its stored page."""
        return self.select_related("live_version__page").only(
            "slug",
            "is_unpublished",
            "live_version__topic_id",
            "live_version__number",
            "live_version__title",
            "live_version__kind",
            "live_version__parent_id",
            "live_version__approved_at",
            "live_version__page__summary_html",
        )


class Topic(models.Model):
    slug = models.SlugField(
        _("slug"),
        max_length=200,
        unique=True,
        validators=[slug_validator],
        help_text=_("The address of the topic: /topics/<slug>/."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    live_version = models.OneToOneField(
        "TopicVersion",
        verbose_name=_("live version"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    draft_version = models.OneToOneField(
        "TopicVersion",
        verbose_name=_("open version"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    first_published_at = models.DateTimeField(
        _("first published"), null=True, blank=True, editable=False
    )
    is_unpublished = models.BooleanField(_("unpublished"), default=False)
    unpublished_reason = models.TextField(_("reason for unpublishing"), blank=True)

    objects = TopicQuerySet.as_manager()

    class Meta:
        ordering = ["slug"]
        verbose_name = _("topic")
        verbose_name_plural = _("topics")
        indexes = [
            # The few topics taken down, which lists leave out.
            models.Index(
                fields=["live_version"],
                condition=Q(is_unpublished=True),
                name="topic_taken_down",
            ),
        ]

    def __str__(self):
        return self.slug

    def get_absolute_url(self):
        return topic_url(self.slug)

    @property
    def is_live(self):
        return self.live_version_id is not None and not self.is_unpublished

    @property
    def title(self):
        version = self.live_version or self.draft_version
        return version.title if version else self.slug


class TopicVersionQuerySet(models.QuerySet):
    def open(self):
        return self.filter(state__in=TopicVersion.OPEN_STATES)

    def approved(self):
        return self.filter(state__in=TopicVersion.APPROVED_STATES)


class TopicVersion(models.Model):
    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted for review")
        PUBLISHED = "published", _("Published")
        SUPERSEDED = "superseded", _("Superseded")
        REJECTED = "rejected", _("Rejected")

    OPEN_STATES = (State.DRAFT, State.SUBMITTED)
    APPROVED_STATES = (State.PUBLISHED, State.SUPERSEDED)

    topic = models.ForeignKey(
        Topic,
        verbose_name=_("topic"),
        on_delete=models.CASCADE,
        related_name="versions",
    )
    number = models.PositiveIntegerField(
        _("version number"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("Given when the version is approved: 1, 2, 3…"),
    )
    state = models.CharField(
        _("state"), max_length=12, choices=State, default=State.DRAFT, editable=False
    )
    title = models.CharField(_("title"), max_length=200)
    summary = models.TextField(
        _("summary"),
        help_text=_("The lede: one or two sentences, plain text or inline Markdown."),
    )
    kind = models.CharField(
        _("kind"), max_length=10, choices=Kind, default=Kind.CONCEPT
    )
    parent = models.ForeignKey(
        Topic,
        verbose_name=_("parent topic"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="child_versions",
        help_text=_("The broader topic this one belongs to (breadcrumbs, sub-topics)."),
    )
    tags = TaggableManager(_("tags"), through="TaggedVersion", blank=True)
    related_topics = models.ManyToManyField(
        Topic,
        verbose_name=_("related topics"),
        through="RelatedTopic",
        related_name="related_from_versions",
        blank=True,
    )
    key_figures = models.ManyToManyField(
        Person,
        verbose_name=_("key figures"),
        through="KeyFigure",
        related_name="topic_versions",
        blank=True,
    )
    seminal_works = models.ManyToManyField(
        Work,
        verbose_name=_("seminal works"),
        through="SeminalWork",
        related_name="seminal_in_versions",
        blank=True,
    )
    edit_summary = models.CharField(
        _("edit summary"),
        max_length=300,
        blank=True,
        help_text=_("What changed and why; shown to moderators and in the history."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    contributors = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("contributors"),
        related_name="contributed_versions",
        blank=True,
        editable=False,
    )
    based_on = models.ForeignKey(
        "self",
        verbose_name=_("based on"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    last_edited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("last saved by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    edit_count = models.PositiveIntegerField(
        _("edit counter"), default=0, editable=False
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("last saved"), auto_now=True)
    submitted_at = models.DateTimeField(
        _("submitted"), null=True, blank=True, editable=False
    )
    approved_at = models.DateTimeField(
        _("approved"), null=True, blank=True, editable=False
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approved by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    is_permalink_withdrawn = models.BooleanField(
        _("permalink withdrawn"), default=False, editable=False
    )

    objects = TopicVersionQuerySet.as_manager()

    class Meta:
        ordering = ["topic", "-number", "-created_at"]
        verbose_name = _("topic version")
        verbose_name_plural = _("topic versions")
        permissions = [
            ("approve_topicversion", _("Can approve, reject and restore versions")),
        ]
        constraints = [
            UniqueConstraint(
                fields=["topic"],
                condition=Q(state__in=["draft", "submitted"]),
                name="topicversion_one_open_per_topic",
            ),
            UniqueConstraint(
                fields=["topic"],
                condition=Q(state="published"),
                name="topicversion_one_published_per_topic",
            ),
            UniqueConstraint(
                fields=["topic", "number"], name="topicversion_unique_number"
            ),
            models.CheckConstraint(
                condition=(
                    Q(state__in=["published", "superseded"], number__isnull=False)
                    | Q(
                        state__in=["draft", "submitted", "rejected"],
                        number__isnull=True,
                    )
                ),
                name="topicversion_number_iff_approved",
            ),
        ]
        indexes = [
            models.Index(fields=["parent", "state"], name="topicversion_parent_state"),
            models.Index(
                fields=["state", "approved_at"], name="topicversion_state_approved"
            ),
            # Lists of live topics by title read it in order, 50 at a time.
            models.Index(
                fields=["title", "id"],
                condition=Q(state="published"),
                name="topicversion_live_title",
            ),
        ]

    def __str__(self):
        if self.number:
            return f"{self.title} (v{self.number})"
        return f"{self.title} ({self.get_state_display().lower()} #{self.pk})"

    def get_absolute_url(self):
        if self.number:
            return topic_url(self.topic.slug, number=self.number)
        return reverse(
            "topics:preview", kwargs={"slug": self.topic.slug, "pk": self.pk}
        )

    @property
    def is_editable(self):
        return self.state == self.State.DRAFT

    def has_author(self, user):
        """Whether `user` wrote or edited this version (the four-eyes rule)."""
        if not user.is_authenticated:
            return False
        return (
            user.pk == self.created_by_id
            or self.contributors.filter(pk=user.pk).exists()
        )

    @property
    def is_open(self):
        return self.state in self.OPEN_STATES

    @property
    def is_live(self):
        return self.state == self.State.PUBLISHED


class Submission(TopicVersion):
    """A submitted version, as the moderators' review queue shows it."""

    class Meta:
        proxy = True
        verbose_name = _("submission awaiting review")
        verbose_name_plural = _("review queue")


class TaggedVersion(TaggedItemBase):
    content_object = models.ForeignKey(
        TopicVersion, on_delete=models.CASCADE, related_name="tagged_items"
    )

    class Meta:
        verbose_name = _("tag of a version")
        verbose_name_plural = _("tags of versions")
        constraints = [
            UniqueConstraint(
                fields=["content_object", "tag"], name="taggedversion_unique"
            ),
        ]
