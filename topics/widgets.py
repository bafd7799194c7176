"""Form widgets that render in Python rather than through templates.

A draft of 30 sections puts some 280 widgets on the admin change form; each
template render costs about a millisecond, most of the page's time. These
widgets give byte-for-byte the HTML of Django's own templates (input.html,
textarea.html, select.html with its options, attrs.html) from the same
`get_context()`, so ids, names, values and attributes are unchanged.
"""

import functools

from django import forms
from django.forms.renderers import DjangoTemplates
from django.utils.html import conditional_escape, escape
from django.utils.safestring import mark_safe


def _attrs(attrs):
    """Django's attrs.html: `name="value"`, bare `name` for True, nothing
    for False."""
    parts = []
    for name, value in attrs.items():
        if value is False or value is None:
            continue
        if value is True:
            parts.append(f" {escape(name)}")
        else:
            parts.append(f' {escape(name)}="{escape(str(value))}"')
    return "".join(parts)


class FastInput:
    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        shown = "" if widget["value"] is None else f' value="{escape(widget["value"])}"'
        return mark_safe(
            f'<input type="{escape(widget["type"])}" name="{escape(widget["name"])}"'
            f"{shown}{_attrs(widget['attrs'])}>"
        )


class FastTextInput(FastInput, forms.TextInput):
    pass


class FastNumberInput(FastInput, forms.NumberInput):
    pass


class FastHiddenInput(FastInput, forms.HiddenInput):
    pass


class FastCheckboxInput(FastInput, forms.CheckboxInput):
    pass


class FastTextarea(forms.Textarea):
    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        text = escape(widget["value"]) if widget["value"] else ""
        return mark_safe(
            f'<textarea name="{escape(widget["name"])}"{_attrs(widget["attrs"])}>\n'
            f"{text}</textarea>"
        )


class FastSelect(forms.Select):
    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        options = []
        for group_name, group, _index in widget["optgroups"]:
            rendered = "".join(
                f'<option value="{escape(str(option["value"]))}"'
                f"{_attrs(option['attrs'])}>{escape(str(option['label']))}</option>"
                for option in group
            )
            if group_name:
                rendered = (
                    f'<optgroup label="{escape(group_name)}">{rendered}</optgroup>'
                )
            options.append(rendered)
        return mark_safe(
            f'<select name="{escape(widget["name"])}"{_attrs(widget["attrs"])}>'
            f"{''.join(options)}</select>"
        )


FAST = {
    forms.TextInput: FastTextInput,
    forms.NumberInput: FastNumberInput,
    forms.HiddenInput: FastHiddenInput,
    forms.CheckboxInput: FastCheckboxInput,
    forms.Textarea: FastTextarea,
    forms.Select: FastSelect,
}


@functools.cache
def _fast_class(cls):
    """The Python-rendered version of a widget class: itself a subclass of
    one of FAST's (the admin's AdminTextareaWidget, say) that keeps its
    base's template; None for any other widget."""
    for base, fast in FAST.items():
        if issubclass(cls, base) and cls.template_name == base.template_name:
            if cls is base:
                return fast
            return type(f"Fast{cls.__name__}", (cls,), {"render": fast.render})
    return None


class FastRenderer(DjangoTemplates):
    """The form renderer, with labels and error lists written in Python
    (Django's label.html and errors/list/ul.html); anything else by template."""

    def render(self, template_name, context, request=None):
        if template_name == "django/forms/label.html":
            label = conditional_escape(context["label"])
            if not context["use_tag"]:
                return mark_safe(label)
            tag = context.get("tag") or "label"
            return mark_safe(f"<{tag}{_attrs(context['attrs'] or {})}>{label}</{tag}>")
        if template_name in (
            "django/forms/errors/list/default.html",
            "django/forms/errors/list/ul.html",
        ):
            errors = context["errors"]
            if not errors:
                return ""
            field_id = getattr(errors, "field_id", None)
            id_attr = f' id="{escape(field_id)}_error"' if field_id else ""
            items = "".join(f"<li>{conditional_escape(e)}</li>" for e in errors)
            return mark_safe(
                f'<ul class="{escape(context["error_class"])}"{id_attr}>{items}</ul>'
            )
        return super().render(template_name, context, request)


def faster(form):
    """Swap the form's widgets that render a stock template for
    Python-rendered ones (keeping their state), and its renderer for
    FastRenderer."""
    form.renderer = FAST_RENDERER
    for field in form.fields.values():
        fast = _fast_class(type(field.widget))
        if fast is not None:
            widget = fast.__new__(fast)
            widget.__dict__.update(field.widget.__dict__)
            field.widget = widget


FAST_RENDERER = FastRenderer()
