"""The child rows of a version: sections, figures, links, citations."""

import uuid

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q, UniqueConstraint
from django.utils.translation import gettext_lazy as _

from citations.models import Work

from ..images import originals_storage
from .people import Person
from .topics import Topic, TopicVersion


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
    # The upload as it came (for exports), in a store that is never served.
    image = models.FileField(
        _("image"),
        max_length=200,
        storage=originals_storage,
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


class VersionAuthor(StableKeyed):
    """An author of a version, in the order the byline names them."""

    version = models.ForeignKey(
        TopicVersion, on_delete=models.CASCADE, related_name="author_links"
    )
    person = models.ForeignKey(
        Person, verbose_name=_("person"), on_delete=models.PROTECT, related_name="+"
    )

    class Meta(StableKeyed.Meta):
        verbose_name = _("author")
        verbose_name_plural = _("authors")
        constraints = [
            UniqueConstraint(fields=["version", "person"], name="versionauthor_unique"),
            UniqueConstraint(
                fields=["version", "position"], name="versionauthor_unique_position"
            ),
        ]

    def __str__(self):
        return str(self.person)


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
