from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .models import Work, names_to_text


def parse_name(text):
    """Return a CSL name from "Family, Given", "Given Family" or "{Org}"."""
    text = " ".join(text.split())
    if text.startswith("{") and text.endswith("}"):
        return {"literal": text[1:-1].strip()}
    if "," in text:
        family, given = (part.strip() for part in text.split(",", 1))
        return {"family": family, "given": given} if given else {"family": family}
    if " " in text:
        given, family = text.rsplit(" ", 1)
        return {"family": family, "given": given}
    return {"family": text}


class NamesField(forms.CharField):
    widget = forms.Textarea(attrs={"rows": 4})

    def prepare_value(self, value):
        if isinstance(value, list):
            return names_to_text(value)
        return value

    def to_python(self, value):
        lines = [line.strip() for line in (value or "").splitlines() if line.strip()]
        names = [parse_name(line) for line in lines]
        for line, name in zip(lines, names, strict=True):
            if not (name.get("family") or name.get("literal")):
                raise ValidationError(_("Cannot read the name “%s”.") % line)
        return names


class WorkForm(forms.ModelForm):
    authors = NamesField(
        label=_("Authors"),
        required=False,
        help_text=Work._meta.get_field("authors").help_text,
    )
    editors = NamesField(label=_("Editors"), required=False)
    url = forms.URLField(
        label=_("URL"), max_length=500, required=False, assume_scheme="https"
    )

    class Meta:
        model = Work
        fields = [
            "key", "entry_type", "authors", "editors", "title", "year", "month",
            "container_title", "volume", "number", "pages", "publisher", "address",
            "edition", "doi", "url", "isbn", "note",
        ]  # fmt: skip

    def clean_doi(self):
        doi = self.cleaned_data["doi"].strip()
        for prefix in (
            "https://doi.org/",
            "http://doi.org/",
            "https://dx.doi.org/",
            "doi:",
        ):
            if doi.lower().startswith(prefix):
                doi = doi[len(prefix) :]
        if doi and not doi.startswith("10."):
            raise ValidationError(
                _("A DOI starts with “10.”, e.g. 10.1038/nature14539.")
            )
        return doi
