from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .models import Kind, Section, Topic, TopicVersion, slug_validator
from .services import check_parent, check_sections


class NewTopicForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    slug = forms.CharField(
        label=_("Slug"),
        max_length=200,
        validators=[slug_validator],
        help_text=_("The address: /topics/<slug>/. Lowercase words joined by hyphens."),
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=Kind.choices)
    summary = forms.CharField(
        label=_("Summary"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The lede: one or two sentences."),
    )
    parent = forms.ModelChoiceField(
        label=_("Parent topic"), queryset=Topic.objects.all(), required=False
    )

    def clean_slug(self):
        slug = self.cleaned_data["slug"]
        if Topic.objects.filter(slug=slug).exists():
            raise ValidationError(
                _("A topic with the slug “%(slug)s” exists already."),
                params={"slug": slug},
            )
        return slug


class TopicVersionForm(forms.ModelForm):
    class Meta:
        model = TopicVersion
        fields = ["title", "summary", "kind", "parent", "tags", "edit_summary"]
        widgets = {"summary": forms.Textarea(attrs={"rows": 3})}

    def clean_parent(self):
        parent = self.cleaned_data.get("parent")
        if self.instance.pk:
            check_parent(topic=self.instance.topic, parent=parent)
        return parent


class SectionInlineFormSet(forms.BaseInlineFormSet):
    """Check every section's citations and links in one Pandoc run."""

    def clean(self):
        super().clean()
        live_forms = [
            form
            for form in self.forms
            if form.has_changed() or form.instance.pk
            if not self._should_delete_form(form) and hasattr(form, "cleaned_data")
        ]
        sections = []
        for form in live_forms:
            data = form.cleaned_data
            kind = data.get("kind") or Section.Kind.OTHER
            heading = data.get("heading") or Section.Kind(kind).label
            sections.append((str(heading), data.get("body") or ""))
        if not sections:
            return
        _analyses, errors = check_sections(sections)
        for form, messages in zip(live_forms, errors, strict=True):
            for message in messages:
                form.add_error("body", message)
        if any(errors):
            raise ValidationError(
                _("Some sections refer to works, topics or figures that do not exist.")
            )
