"""People: the key figures of a topic."""

from django.core.validators import RegexValidator
from django.db import models
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from scholargate.models import TimeStampedModel


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
