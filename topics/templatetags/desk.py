"""`{% inline_fieldsets %}`: an inline form's fieldsets as the admin's
includes/fieldset.html writes them, in Python. The sections of a long draft
are thirty such forms; through the template they took a third of the change
form's time. A fieldset with a name, a description or a read-only field is
left to the template."""

from django import template
from django.contrib.admin.helpers import AdminReadonlyField
from django.template.loader import render_to_string
from django.utils.html import escape
from django.utils.safestring import mark_safe

register = template.Library()


def _field(field, single):
    bound = field.field
    box = ["flex-container"]
    parts = []
    if not single:
        box.append("fieldBox")
        if bound.name:
            box.append(f"field-{bound.name}")
        if bound.errors:
            box.append("errors")
        if bound.is_hidden:
            box.append("hidden")
        parts.append(str(field.errors()))
    if field.is_checkbox:
        box.append("checkbox-row")
        inside = f"{bound}{field.label_tag()}"
    else:
        inside = f"{field.label_tag()}{bound}"
    parts.append(f'<div class="{" ".join(box)}">{inside}</div>')
    if bound.help_text:
        hidden = " hidden" if bound.is_hidden else ""
        label_id = bound.id_for_label
        id_attr = f' id="{escape(label_id)}_helptext"' if label_id else ""
        parts.append(
            f'<div class="help{hidden}"{id_attr}><div>{bound.help_text}</div></div>'
        )
    return f"<div>{''.join(parts)}</div>"


def _fieldset(fieldset):
    rows = []
    for line in fieldset:
        fields = list(line)
        single = len(line.fields) == 1
        classes = ["form-row"]
        errors = line.errors() if single else ""
        if single and errors:
            classes.append("errors")
        if not line.has_visible_field:
            classes.append("hidden")
        classes += [f"field-{f.field.name}" for f in fields if f.field.name]
        body = "".join(_field(f, single) for f in fields)
        if not single:
            body = f'<div class="flex-container form-multiline">{body}</div>'
        rows.append(f'<div class="{" ".join(classes)}">{errors}{body}</div>')
    return (
        f'<fieldset class="module aligned {escape(fieldset.classes)}">'
        f"{''.join(rows)}</fieldset>"
    )


@register.simple_tag
def inline_fieldsets(inline_admin_form, parent_counter):
    out = []
    for index, fieldset in enumerate(inline_admin_form):
        plain = not (fieldset.name or fieldset.description) and not any(
            isinstance(field, AdminReadonlyField) for line in fieldset for field in line
        )
        if plain:
            out.append(_fieldset(fieldset))
        else:
            out.append(
                render_to_string(
                    "admin/includes/fieldset.html",
                    {
                        "fieldset": fieldset,
                        "heading_level": 4,
                        "prefix": fieldset.formset.prefix,
                        "id_prefix": parent_counter,
                        "id_suffix": index,
                    },
                )
            )
    return mark_safe("".join(out))  # noqa: S308 (escaped piece by piece)
