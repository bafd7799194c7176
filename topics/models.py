import functools
import uuid

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q, UniqueConstraint
from django.urls import reverse
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from taggit.managers import TaggableManager
from taggit.models import TaggedItemBase

from citations.models import Work
from scholargate.models import TimeStampedModel

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


class Person(TimeStampedModel):
    name = models.CharField(_("name"), max_length=200, unique=True)
    slug = models.SlugField(_("slug"), max_length=200, unique=True)
    description = models.CharField(
        _("short description"),
        max_length=300,
        blank=True,
        help_text=_("One line, e.g. “Computer scientist, pioneer of backpropagation”."),
    )
    orcid = models.CharField(
        _("ORCID iD"),
        max_length=19,
        blank=True,
        validators=[
            RegexValidator(
                r"^\d{4}-\d{4}-\d{4}-\d{3}[\dX]$",
                _("An ORCID iD looks like 0000-0002-1825-0097."),
            )
        ],
    )
    wikidata = models.CharField(
        _("Wikidata item"),
        max_length=20,
        blank=True,
        validators=[RegexValidator(r"^Q\d+$", _("A Wikidata item looks like Q92894."))],
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("person")
        verbose_name_plural = _("people")

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        if not self.slug:
            base = slugify(self.name) or "person"
            self.slug, n = base, 2
            while Person.objects.filter(slug=self.slug).exclude(pk=self.pk).exists():
                self.slug, n = f"{base}-{n}", n + 1
        super().save(*args, **kwargs)


@functools.cache
def _topic_url_prefix():
    return reverse("topics:detail", kwargs={"slug": "x"}).removesuffix("x/")


def topic_url(slug):
    """The address of a topic page, without a URL resolver call per link."""
    return f"{_topic_url_prefix()}{slug}/"


class TopicQuerySet(models.QuerySet):
    def live(self):
        """Return topics readers can see: published and not taken down."""
        return self.filter(live_version__isnull=False, is_withdrawn=False)

    def with_listing(self):
        """Load what lists show of the live version, not its stored page."""
        return self.select_related("live_version").only(
            "slug",
            "is_withdrawn",
            "live_version__topic_id",
            "live_version__number",
            "live_version__title",
            "live_version__summary_html",
            "live_version__kind",
            "live_version__parent_id",
            "live_version__approved_at",
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
    is_withdrawn = models.BooleanField(_("unpublished"), default=False)
    withdrawn_reason = models.TextField(_("reason for unpublishing"), blank=True)

    objects = TopicQuerySet.as_manager()

    class Meta:
        ordering = ["slug"]
        verbose_name = _("topic")
        verbose_name_plural = _("topics")

    def __str__(self):
        return self.slug

    def get_absolute_url(self):
        return topic_url(self.slug)

    @property
    def is_live(self):
        return self.live_version_id is not None and not self.is_withdrawn

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
    is_withdrawn = models.BooleanField(
        _("permalink withdrawn"), default=False, editable=False
    )
    # The page as approved: rendered once, served as is (DESIGN "Frozen pages").
    summary_html = models.TextField(blank=True, editable=False)
    body_html = models.TextField(blank=True, editable=False)
    toc = models.JSONField(default=list, blank=True, editable=False)
    byline = models.CharField(max_length=500, blank=True, editable=False)
    # Frozen at approval with the page: the authors as CSL names, the works
    # as CSL-JSON (a re-render in another style changes formatting only),
    # the definition and FAQ as plain text, and "cite this entry" texts.
    author_names = models.JSONField(default=list, blank=True, editable=False)
    works_csl = models.JSONField(default=list, blank=True, editable=False)
    structured = models.JSONField(default=dict, blank=True, editable=False)
    cite_html = models.JSONField(default=dict, blank=True, editable=False)
    # Search: the version's plain text, and on PostgreSQL its weighted
    # tsvector (title A, summary B, text C), both set at approval.
    # Parts of the page that depend on this version alone, rendered once at
    # approval (NULL: not yet, the page renders them): the head's metadata
    # (with the canonical address and breadcrumbs left to fill in), the
    # title, lede and byline, the table of contents, the key figures, and
    # tags + versions + "cite this entry".
    # NULL (not yet rendered) differs from "" (rendered, nothing to show).
    frozen_head = models.TextField(null=True, editable=False)  # noqa: DJ001
    frozen_header = models.TextField(null=True, editable=False)  # noqa: DJ001
    frozen_toc = models.TextField(null=True, editable=False)  # noqa: DJ001
    frozen_people = models.TextField(null=True, editable=False)  # noqa: DJ001
    frozen_entry = models.TextField(null=True, editable=False)  # noqa: DJ001
    search_text = models.TextField(blank=True, editable=False)
    search_vector = SearchVectorField(null=True, blank=True, editable=False)

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
        ]

    def __str__(self):
        if self.number:
            return f"{self.title} (v{self.number})"
        return f"{self.title} ({self.get_state_display().lower()} #{self.pk})"

    def get_absolute_url(self):
        if self.number:
            return reverse(
                "topics:version",
                kwargs={"slug": self.topic.slug, "number": self.number},
            )
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


class StableKeyed(models.Model):
    """A child row of a version whose identity survives copying to a new one."""

    stable_key = models.UUIDField(default=uuid.uuid4, editable=False)
    position = models.PositiveIntegerField(
        _("position"),
        null=False,
        blank=True,
        default=0,
        help_text=_("Order on the page; leave empty to add at the end."),
    )

    class Meta:
        abstract = True
        ordering = ["position", "id"]


class Section(StableKeyed):
    class Kind(models.TextChoices):
        DEFINITION = "definition", _("Definition")
        SCOPE = "scope", _("Scope")
        CORE_QUESTIONS = "core_questions", _("Core questions")
        KEY_THEORIES = "key_theories", _("Key theories")
        RELEVANCE = "relevance", _("Relevance")
        HISTORY = "history", _("History")
        DEBATES = "debates", _("Debates")
        FAQ = "faq", _("FAQ")
        OTHER = "other", _("Other")

    version = models.ForeignKey(
        TopicVersion, on_delete=models.CASCADE, related_name="sections"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind, default=Kind.OTHER)
    heading = models.CharField(
        _("heading"),
        max_length=200,
        blank=True,
        help_text=_("Leave empty for the kind's own name; e.g. “Applications”."),
    )
    body = models.TextField(
        _("text"),
        blank=True,
        help_text=_(
            "Markdown. Cite as [@key] or [@key, p. 12]; link topics as "
            "[text](topic:slug); math as $…$. Definition lists: a term, then "
            "“: description” on the next line."
        ),
    )

    class Meta(StableKeyed.Meta):
        verbose_name = _("section")
        verbose_name_plural = _("sections")
        constraints = [
            UniqueConstraint(
                fields=["version", "position"], name="section_unique_position"
            ),
            UniqueConstraint(
                fields=["version", "stable_key"], name="section_unique_key"
            ),
        ]

    def __str__(self):
        return self.display_heading

    @property
    def display_heading(self):
        return self.heading or self.get_kind_display()


class Licence(models.TextChoices):
    """Common licences for figures, by SPDX identifier."""

    CC_BY_4 = "CC-BY-4.0", "CC BY 4.0"
    CC_BY_SA_4 = "CC-BY-SA-4.0", "CC BY-SA 4.0"
    CC_BY_NC_4 = "CC-BY-NC-4.0", "CC BY-NC 4.0"
    CC_BY_NC_SA_4 = "CC-BY-NC-SA-4.0", "CC BY-NC-SA 4.0"
    CC_BY_ND_4 = "CC-BY-ND-4.0", "CC BY-ND 4.0"
    CC0 = "CC0-1.0", "CC0 1.0 (public domain dedication)"
    PUBLIC_DOMAIN = "public-domain", _("Public domain")
    PERMISSION = "permission", _("Used with permission")

    @classmethod
    def url(cls, value):
        return LICENCE_URLS.get(value, "")


LICENCE_URLS = {
    "CC-BY-4.0": "https://creativecommons.org/licenses/by/4.0/",
    "CC-BY-SA-4.0": "https://creativecommons.org/licenses/by-sa/4.0/",
    "CC-BY-NC-4.0": "https://creativecommons.org/licenses/by-nc/4.0/",
    "CC-BY-NC-SA-4.0": "https://creativecommons.org/licenses/by-nc-sa/4.0/",
    "CC-BY-ND-4.0": "https://creativecommons.org/licenses/by-nd/4.0/",
    "CC0-1.0": "https://creativecommons.org/publicdomain/zero/1.0/",
    "public-domain": "https://creativecommons.org/publicdomain/mark/1.0/",
}

ALT_REQUIRED = _(
    "Describe what the image shows in the alt text, or tick “decorative” if it "
    "adds nothing to the text."
)

figure_label_validator = RegexValidator(
    r"^[a-z0-9]+(?:-[a-z0-9]+)*$",
    _("Use lowercase letters, digits and single hyphens, e.g. network-diagram."),
)


class Figure(StableKeyed):
    """An image of a version, numbered on the page and referable as @fig:label.

    The file is stored under its content's hash and shared by every version
    that copies the figure, so replacing or deleting it in a new draft never
    touches what an older version shows.
    """

    version = models.ForeignKey(
        TopicVersion, on_delete=models.CASCADE, related_name="figures"
    )
    image = models.FileField(
        _("image"),
        max_length=200,
        help_text=_("PNG, JPEG, WebP or GIF."),
    )
    width = models.PositiveIntegerField(default=0, editable=False)
    height = models.PositiveIntegerField(default=0, editable=False)
    sha256 = models.CharField(max_length=64, editable=False)
    renditions = models.JSONField(default=list, editable=False)
    alt = models.TextField(
        _("alt text"),
        blank=True,
        help_text=_(
            "What the image shows, for readers who cannot see it (screen readers, "
            "slow connections)."
        ),
    )
    decorative = models.BooleanField(
        _("decorative"),
        default=False,
        help_text=_("Tick only if the image adds nothing the text does not say."),
    )
    caption = models.TextField(
        _("caption"),
        blank=True,
        help_text=_("Markdown; citations such as [@key] are allowed."),
    )
    credit = models.CharField(_("credit"), max_length=300, blank=True)
    licence = models.CharField(
        _("licence"), max_length=20, choices=Licence, default=Licence.CC_BY_4
    )
    label = models.CharField(
        _("label"),
        max_length=60,
        blank=True,
        validators=[figure_label_validator],
        help_text=_("Refer to the figure in the text as @fig:label."),
    )

    class Meta(StableKeyed.Meta):
        verbose_name = _("figure")
        verbose_name_plural = _("figures")
        constraints = [
            UniqueConstraint(
                fields=["version", "position"], name="figure_unique_position"
            ),
            UniqueConstraint(
                fields=["version", "stable_key"], name="figure_unique_key"
            ),
            UniqueConstraint(
                fields=["version", "label"],
                condition=~Q(label=""),
                name="figure_unique_label",
            ),
            models.CheckConstraint(
                condition=~Q(alt="") | Q(decorative=True),
                name="figure_alt_required",
                violation_error_message=ALT_REQUIRED,
            ),
        ]

    def __str__(self):
        return self.label or self.alt[:60] or str(_("Figure"))

    def clean(self):
        super().clean()
        self.alt = " ".join(self.alt.split())
        if not self.alt and not self.decorative:
            raise ValidationError({"alt": ALT_REQUIRED}, code="alt_required")

    @property
    def licence_url(self):
        return Licence.url(self.licence)


class RelatedTopic(StableKeyed):
    version = models.ForeignKey(
        TopicVersion, on_delete=models.CASCADE, related_name="related_links"
    )
    target = models.ForeignKey(
        Topic,
        verbose_name=_("topic"),
        on_delete=models.CASCADE,
        related_name="inbound_links",
    )

    class Meta(StableKeyed.Meta):
        verbose_name = _("related topic")
        verbose_name_plural = _("related topics")
        constraints = [
            UniqueConstraint(fields=["version", "target"], name="relatedtopic_unique"),
            UniqueConstraint(
                fields=["version", "position"], name="relatedtopic_unique_position"
            ),
        ]

    def __str__(self):
        return str(self.target)


class KeyFigure(StableKeyed):
    version = models.ForeignKey(
        TopicVersion, on_delete=models.CASCADE, related_name="key_figure_links"
    )
    person = models.ForeignKey(
        Person, verbose_name=_("person"), on_delete=models.PROTECT, related_name="+"
    )

    class Meta(StableKeyed.Meta):
        verbose_name = _("key figure")
        verbose_name_plural = _("key figures")
        constraints = [
            UniqueConstraint(fields=["version", "person"], name="keyfigure_unique"),
            UniqueConstraint(
                fields=["version", "position"], name="keyfigure_unique_position"
            ),
        ]

    def __str__(self):
        return str(self.person)


class SeminalWork(StableKeyed):
    version = models.ForeignKey(
        TopicVersion, on_delete=models.CASCADE, related_name="seminal_work_links"
    )
    work = models.ForeignKey(
        Work, verbose_name=_("work"), on_delete=models.PROTECT, related_name="+"
    )

    class Meta(StableKeyed.Meta):
        verbose_name = _("seminal work")
        verbose_name_plural = _("seminal works")
        constraints = [
            UniqueConstraint(fields=["version", "work"], name="seminalwork_unique"),
            UniqueConstraint(
                fields=["version", "position"], name="seminalwork_unique_position"
            ),
        ]

    def __str__(self):
        return str(self.work)


class Citation(models.Model):
    """A work cited in a section's text or a figure's caption, extracted when
    the version is saved."""

    version = models.ForeignKey(
        TopicVersion, on_delete=models.CASCADE, related_name="citations"
    )
    section = models.ForeignKey(
        Section, on_delete=models.CASCADE, related_name="citations", null=True
    )
    figure = models.ForeignKey(
        Figure, on_delete=models.CASCADE, related_name="citations", null=True
    )
    work = models.ForeignKey(Work, on_delete=models.PROTECT, related_name="citations")
    context = models.TextField(
        _("citing sentence"), blank=True, help_text=_("Where the work is first cited.")
    )

    class Meta:
        verbose_name = _("citation")
        verbose_name_plural = _("citations")
        constraints = [
            UniqueConstraint(fields=["section", "work"], name="citation_unique"),
            UniqueConstraint(
                fields=["figure", "work"], name="citation_unique_in_figure"
            ),
            models.CheckConstraint(
                condition=Q(section__isnull=True, figure__isnull=False)
                | Q(section__isnull=False, figure__isnull=True),
                name="citation_in_section_or_figure",
            ),
        ]

    def __str__(self):
        return f"{self.work} in {self.section or self.figure}"


class TopicLink(models.Model):
    """A [text](topic:slug) link in a section, for "Referenced by"."""

    version = models.ForeignKey(
        TopicVersion, on_delete=models.CASCADE, related_name="text_links"
    )
    target = models.ForeignKey(
        Topic, on_delete=models.CASCADE, related_name="text_links_in"
    )

    class Meta:
        verbose_name = _("link to a topic")
        verbose_name_plural = _("links to topics")
        constraints = [
            UniqueConstraint(fields=["version", "target"], name="topiclink_unique"),
        ]

    def __str__(self):
        return f"{self.version} → {self.target}"


class OldSlug(models.Model):
    """A former address of a topic; it redirects (301) to the current one."""

    slug = models.SlugField(_("old slug"), max_length=200, unique=True)
    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="old_slugs")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("old slug")
        verbose_name_plural = _("old slugs")

    def __str__(self):
        return f"{self.slug} → {self.topic.slug}"


class AuditEntry(models.Model):
    class Action(models.TextChoices):
        CREATED = "created", _("Created topic")
        STARTED_DRAFT = "started_draft", _("Started a draft")
        SUBMITTED = "submitted", _("Submitted for review")
        WITHDRAWN = "withdrawn", _("Withdrew from review")
        CHANGES_REQUESTED = "changes_requested", _("Requested changes")
        REJECTED = "rejected", _("Rejected")
        APPROVED = "approved", _("Approved")
        IMPORTED = "imported", _("Imported and published")
        RESTORED = "restored", _("Restored an old version")
        UNPUBLISHED = "unpublished", _("Unpublished the topic")
        REPUBLISHED = "republished", _("Republished the topic")
        PERMALINK_WITHDRAWN = "permalink_withdrawn", _("Withdrew a permalink")
        RENAMED = "renamed", _("Renamed the topic")

    topic = models.ForeignKey(
        Topic, on_delete=models.CASCADE, related_name="audit_entries"
    )
    version = models.ForeignKey(
        TopicVersion,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="audit_entries",
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Empty for system actions such as imports."),
    )
    action = models.CharField(_("action"), max_length=24, choices=Action)
    comment = models.TextField(_("comment"), blank=True)
    created_at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit log")

    def __str__(self):
        return f"{self.get_action_display()}: {self.topic}"
