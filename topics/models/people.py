"""People: the authors of versions and the key figures of topics."""

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from scholargate.models import TimeStampedModel


class Person(TimeStampedModel):
    """A named scholar: an author of versions, a key figure of topics, or
    both. Authors are people, not accounts: the one who types the text is
    often not the one who wrote it."""

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
    family_name = models.CharField(
        _("family name"),
        max_length=150,
        blank=True,
        help_text=_(
            "For citations (“LeCun, Y.”). Leave empty to take the name's last word; "
            "an organisation keeps its name whole if it has one word."
        ),
    )
    given_names = models.CharField(_("given names"), max_length=150, blank=True)
    affiliation = models.CharField(
        _("affiliation"),
        max_length=300,
        blank=True,
        help_text=_("As the person would write it, e.g. “University of Montreal”."),
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="person",
        help_text=_("The editor's account of this person, if they have one."),
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("person")
        verbose_name_plural = _("people")

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.name = " ".join(self.name.split())
        if not self.slug:
            base = slugify(self.name) or "person"
            self.slug, n = base, 2
            while Person.objects.filter(slug=self.slug).exclude(pk=self.pk).exists():
                self.slug, n = f"{base}-{n}", n + 1
        super().save(*args, **kwargs)

    def csl_name(self) -> dict:
        """The person as a CSL name, for citations in every format."""
        if self.family_name:
            name = {"family": self.family_name}
            if self.given_names:
                name["given"] = self.given_names
            return name
        given, _space, family = self.name.rpartition(" ")
        if not given:
            return {"literal": self.name}
        return {"family": family, "given": given}

    def author_data(self) -> dict:
        """What a version's page keeps of one of its authors."""
        return {
            "name": self.name,
            "slug": self.slug,
            "csl": self.csl_name(),
            "orcid": self.orcid,
            "affiliation": self.affiliation,
        }
