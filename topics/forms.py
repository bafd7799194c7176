from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from . import images
from .models import Figure, Kind, Section, Topic, TopicVersion, slug_validator
from .services import (
    check_parent,
    check_sections,
    figure_caption_heading,
    store_figure_image,
)
from .widgets import faster


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
        faster(self)

    def clean_summary(self):
        summary = normalise_newlines(self.cleaned_data["summary"]).strip()
        _analyses, errors = check_sections([(_("Summary"), summary)])
        if errors[0]:
            raise ValidationError(errors[0])
        return summary

    def clean(self):
        cleaned = super().clean()
        if not self.instance.pk:
            return cleaned
        # The admin saves inside a transaction: this lock makes a second,
        # simultaneous save wait here and then see the first one's counter.
        current = TopicVersion.objects.select_for_update().get(pk=self.instance.pk)
        if current.state != TopicVersion.State.DRAFT:
            raise ValidationError(
                _("This version is %(state)s now and can no longer be edited."),
                params={"state": current.get_state_display().lower()},
                code="not_editable",
            )
        seen = cleaned.get("seen_edit_count")
        if seen is not None and seen != current.edit_count:
            # Read after the lock, not joined to it: a row locked after waiting
            # is re-read by PostgreSQL, but a joined row would be the one that
            # went with its old version (often "nobody" for a new draft).
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


def kept_forms(formset):
    """The forms of an inline formset that will be saved, in their order."""
    return [
        form
        for form in formset.forms
        if (form.has_changed() or form.instance.pk)
        and hasattr(form, "cleaned_data")
        and not (formset.can_delete and form.cleaned_data.get("DELETE"))
    ]


class FastInlineFormSet(forms.BaseInlineFormSet):
    """An inline formset whose forms render in Python (widgets.py): a long
    draft's change form has hundreds of widgets."""

    def add_fields(self, form, index):
        super().add_fields(form, index)
        faster(form)


class SiblingFormSet(FastInlineFormSet):
    """An inline formset that knows the other formsets of its page.

    `siblings` is a dict shared by the formsets of one admin request
    (ModelAdmin.get_formset_kwargs), keyed by model.
    """

    def __init__(self, *args, siblings=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.siblings = siblings if siblings is not None else {}
        self.siblings[self.model] = self


class FigureForm(forms.ModelForm):
    """A figure; a new image is checked here and stored only on save."""

    upload = None

    class Meta:
        model = Figure
        fields = [
            "image",
            "alt",
            "decorative",
            "caption",
            "credit",
            "licence",
            "label",
            "position",
        ]
        widgets = {
            "alt": forms.Textarea(attrs={"rows": 2}),
            "caption": forms.Textarea(attrs={"rows": 3}),
        }

    def clean_image(self):
        image = self.cleaned_data.get("image")
        if isinstance(image, UploadedFile):
            self.upload = images.check_upload(image, image.name)
        return image

    def clean_caption(self):
        return normalise_newlines(self.cleaned_data["caption"]).strip()

    def save(self, commit=True):
        figure = super().save(commit=False)
        if self.upload is not None:
            store_figure_image(figure=figure, upload=self.upload)
        if commit:
            figure.save()
        return figure


class FigureInlineFormSet(SiblingFormSet):
    """Labels are unique in a version; captions may cite works and figures."""

    def labels(self):
        """The labels the version will have once saved."""
        if self._errors is None:
            self.full_clean()
        return [
            label for f in kept_forms(self) if (label := f.cleaned_data.get("label"))
        ]

    def clean(self):
        super().clean()
        forms_ = kept_forms(self)
        seen = set()
        for form in forms_:
            label = form.cleaned_data.get("label")
            if label and label in seen:
                form.add_error(
                    "label",
                    ValidationError(
                        _("Another figure has the label “%(label)s”."),
                        params={"label": label},
                    ),
                )
            if label:
                seen.add(label)
        captions = [
            (
                str(figure_caption_heading(n, f.cleaned_data.get("label"))),
                f.cleaned_data.get("caption") or "",
            )
            for n, f in enumerate(forms_, start=1)
        ]
        if not any(body for _heading, body in captions):
            return
        _analyses, errors = check_sections(captions, figure_labels=seen)
        for form, messages in zip(forms_, errors, strict=True):
            for message in messages:
                form.add_error("caption", message)
        if any(errors):
            raise ValidationError(
                _("Some captions refer to works or figures that do not exist.")
            )


class SectionInlineFormSet(SiblingFormSet):
    """Check every section's citations and links in one Pandoc run."""

    def figure_labels(self):
        figures = self.siblings.get(Figure)
        if figures is not None:
            return figures.labels()
        if self.instance.pk:
            return list(
                self.instance.figures.exclude(label="").values_list("label", flat=True)
            )
        return []

    def clean(self):
        super().clean()
        live_forms = kept_forms(self)
        sections = []
        for form in live_forms:
            data = form.cleaned_data
            kind = data.get("kind") or Section.Kind.OTHER
            heading = data.get("heading") or Section.Kind(kind).label
            sections.append((str(heading), data.get("body") or ""))
        if not sections:
            return
        _analyses, errors = check_sections(sections, figure_labels=self.figure_labels())
        for form, messages in zip(live_forms, errors, strict=True):
            for message in messages:
                form.add_error("body", message)
        if any(errors):
            raise ValidationError(
                _("Some sections cannot be saved as they are: see the message at each.")
            )
