from django.conf import settings
from django.db import models
from django.db.models import Q, UniqueConstraint
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from scholargate.models import TimeStampedModel

from .validators import validate_citation_key

# BibTeX entry types and the CSL types Pandoc's citeproc expects.
CSL_TYPES = {
    "article": "article-journal",
    "book": "book",
    "inbook": "chapter",
    "incollection": "chapter",
    "inproceedings": "paper-conference",
    "phdthesis": "thesis",
    "mastersthesis": "thesis",
    "techreport": "report",
    "manual": "report",
    "online": "webpage",
    "misc": "document",
}


CSL_FIELDS = [
    ("container_title", "container-title"),
    ("volume", "volume"),
    ("number", "issue"),
    ("pages", "page"),
    ("publisher", "publisher"),
    ("address", "publisher-place"),
    ("edition", "edition"),
    ("doi", "DOI"),
    ("url", "URL"),
    ("isbn", "ISBN"),
    ("note", "note"),
]


def names_to_text(names):
    """Return names as editors type them: one "Family, Given" per line."""
    lines = []
    for name in names or []:
        if "literal" in name:
            lines.append("{" + name["literal"] + "}")
        elif name.get("given"):
            lines.append(f"{name['family']}, {name['given']}")
        else:
            lines.append(name.get("family", ""))
    return "\n".join(lines)


class WorkQuerySet(models.QuerySet):
    def for_keys(self, keys):
        return self.filter(key__in=set(keys))


class Work(TimeStampedModel):
    class EntryType(models.TextChoices):
        ARTICLE = "article", _("Journal article")
        BOOK = "book", _("Book")
        INBOOK = "inbook", _("Part of a book")
        INCOLLECTION = "incollection", _("Chapter in an edited book")
        INPROCEEDINGS = "inproceedings", _("Conference paper")
        PHDTHESIS = "phdthesis", _("PhD thesis")
        MASTERSTHESIS = "mastersthesis", _("Master's thesis")
        TECHREPORT = "techreport", _("Technical report")
        MANUAL = "manual", _("Manual")
        ONLINE = "online", _("Web page")
        MISC = "misc", _("Other")

    key = models.CharField(
        _("citation key"),
        max_length=100,
        unique=True,
        validators=[validate_citation_key],
        help_text=_("Used in text as [@key], e.g. [@lecun2015, p. 438]."),
    )
    entry_type = models.CharField(
        _("type"), max_length=20, choices=EntryType, default=EntryType.ARTICLE
    )
    authors = models.JSONField(
        _("authors"),
        default=list,
        blank=True,
        help_text=_(
            "One per line as “Family, Given”; an organisation in braces, "
            "e.g. {World Health Organization}."
        ),
    )
    editors = models.JSONField(_("editors"), default=list, blank=True)
    title = models.CharField(_("title"), max_length=500)
    year = models.PositiveSmallIntegerField(_("year"), null=True, blank=True)
    month = models.PositiveSmallIntegerField(_("month"), null=True, blank=True)
    container_title = models.CharField(
        _("journal, book or proceedings"), max_length=500, blank=True
    )
    volume = models.CharField(_("volume"), max_length=50, blank=True)
    number = models.CharField(_("issue"), max_length=50, blank=True)
    pages = models.CharField(_("pages"), max_length=50, blank=True)
    publisher = models.CharField(_("publisher"), max_length=300, blank=True)
    address = models.CharField(_("place of publication"), max_length=200, blank=True)
    edition = models.CharField(_("edition"), max_length=50, blank=True)
    doi = models.CharField(
        _("DOI"), max_length=200, blank=True, help_text=_("e.g. 10.1038/nature14539")
    )
    url = models.URLField(_("URL"), max_length=500, blank=True)
    isbn = models.CharField(_("ISBN"), max_length=40, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)
    # "and others" in BibTeX: the list of authors is incomplete.
    has_more_authors = models.BooleanField(_("more authors not listed"), default=False)
    # Derived on save, for readers' pages (no Pandoc in a request) and for
    # matching people by name.
    reference_html = models.TextField(blank=True, editable=False)
    author_index = models.TextField(blank=True, editable=False)

    objects = WorkQuerySet.as_manager()

    class Meta:
        ordering = ["key"]
        verbose_name = _("work")
        verbose_name_plural = _("works")
        constraints = [
            UniqueConstraint(
                Lower("doi"), name="work_unique_doi", condition=~Q(doi="")
            ),
        ]

    def __str__(self):
        return self.key

    def save(self, *args, **kwargs):
        self.author_index = self.index_names(self.authors)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("citations:work", kwargs={"key": self.key})

    @property
    def doi_url(self):
        return f"https://doi.org/{self.doi}" if self.doi else ""

    @property
    def authors_text(self):
        return names_to_text(self.authors)

    def short_label(self):
        """Return "LeCun et al. 2015"-style text for lists in the admin."""
        families = [a.get("family") or a.get("literal", "") for a in self.authors]
        if not families:
            who = self.title
        elif len(families) == 1:
            who = families[0]
        elif len(families) == 2:
            who = f"{families[0]} & {families[1]}"
        else:
            who = f"{families[0]} et al."
        return f"{who} {self.year or 'n.d.'}"

    @staticmethod
    def index_names(names):
        """Return "|family, given|…" in lower case, for matching people."""
        parts = []
        for name in names or []:
            if "literal" in name:
                parts.append(name["literal"].lower())
            else:
                parts.append(
                    f"{name.get('family', '')}, {name.get('given', '')}".lower()
                )
        return "|" + "|".join(parts) + "|" if parts else ""

    @classmethod
    def from_csl(cls, item):
        """Return an unsaved Work from a CSL-JSON item (as frozen in a version)."""
        types = {csl: bib for bib, csl in reversed(list(CSL_TYPES.items()))}
        issued = (item.get("issued") or {}).get("date-parts") or [[]]
        parts = issued[0] + [None, None]
        work = cls(
            key=item["id"],
            entry_type=types.get(item.get("type"), cls.EntryType.MISC),
            title=item.get("title", ""),
            authors=item.get("author", []),
            editors=item.get("editor", []),
            year=parts[0],
            month=parts[1],
        )
        for field, csl in CSL_FIELDS:
            setattr(work, field, item.get(csl, ""))
        return work

    def to_csl(self):
        """Return this work as a CSL-JSON item for Pandoc's citeproc."""
        item = {
            "id": self.key,
            "type": CSL_TYPES.get(self.entry_type, "document"),
            "title": self.title,
        }
        if self.authors:
            item["author"] = self.authors
        if self.editors:
            item["editor"] = self.editors
        if self.year:
            parts = [self.year] + ([self.month] if self.month else [])
            item["issued"] = {"date-parts": [parts]}
        for field, csl in CSL_FIELDS:
            value = getattr(self, field)
            if value:
                item[csl] = value
        return item


class WorkEdit(models.Model):
    """Who changed a work, and when: a change to a cited work reaches every
    citing topic's next approved page, so reviewers see it and its editor
    counts as an author of those versions (the four-eyes rule)."""

    work = models.ForeignKey(Work, on_delete=models.CASCADE, related_name="edits")
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-at"]
        verbose_name = _("edit of a work")
        verbose_name_plural = _("edits of works")

    def __str__(self):
        return f"{self.work} ({self.at:%Y-%m-%d %H:%M})"
