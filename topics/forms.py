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


def normalise_newlines(text):
    """Browsers post textareas with CRLF; store the Markdown with LF only."""
    return (text or "").replace("\r\n", "\n").replace("\r", "\n")


class SectionForm(forms.ModelForm):
    class Meta:
        model = Section
        fields = ["kind", "heading", "position", "body"]

    def clean_body(self):
        return normalise_newlines(self.cleaned_data["body"])


class TopicVersionForm(forms.ModelForm):
    # Optimistic locking: the counter the editor's form was built from.
    seen_edit_count = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = TopicVersion
        fields = ["title", "summary", "kind", "parent", "tags", "edit_summary"]
        widgets = {"summary": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["seen_edit_count"].initial = self.instance.edit_count

    def clean_summary(self):
        return normalise_newlines(self.cleaned_data["summary"]).strip()

    def clean(self):
        cleaned = super().clean()
        if not self.instance.pk:
            return cleaned
        # The admin saves inside a transaction: this lock makes a second,
        # simultaneous save wait here and then see the first one's counter.
        current = (
            TopicVersion.objects.select_for_update(of=("self",))
            .select_related("last_edited_by")
            .get(pk=self.instance.pk)
        )
        if current.state != TopicVersion.State.DRAFT:
            raise ValidationError(
                _("This version is %(state)s now and can no longer be edited."),
                params={"state": current.get_state_display().lower()},
                code="not_editable",
            )
        seen = cleaned.get("seen_edit_count")
        if seen is not None and seen != current.edit_count:
            who = current.last_edited_by
            name = (who.get_full_name() or who.get_username()) if who else _("Someone")
            # A second save after reading this message is deliberate.
            self.data = self.data.copy()
            self.data[self.add_prefix("seen_edit_count")] = current.edit_count
            raise ValidationError(
                _(
                    "Edit conflict: %(name)s saved this draft at %(time)s, after you "
                    "opened it. Your text is still in the form below and has not been "
                    "saved. Open the draft in another tab to see their version, merge "
                    "what you need, then save again."
                ),
                params={
                    "name": name,
                    "time": current.updated_at.strftime("%H:%M:%S UTC"),
                },
                code="edit_conflict",
            )
        return cleaned

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
            if (form.has_changed() or form.instance.pk)
            and hasattr(form, "cleaned_data")
            and not self._should_delete_form(form)
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
