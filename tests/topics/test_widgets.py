"""Widgets and the section inline written in Python (topics/widgets.py,
topics/templatetags/desk.py) give the HTML Django's templates give."""

import re

import pytest
from django import forms
from django.contrib.admin import widgets as admin_widgets

from tests.factories import make_draft
from tests.topics.helpers import change_url
from topics import admin as topics_admin
from topics import widgets


def normalised(html):
    html = re.sub(r">\s+<", "><", html.strip())
    return re.sub(r"\s+", " ", html)


@pytest.mark.parametrize(
    ("widget", "name", "value"),
    [
        (
            forms.TextInput(attrs={"class": "vTextField", "maxlength": 200}),
            "h",
            'It\'s "x" <b>',
        ),
        (forms.NumberInput(attrs={"min": 0}), "position", 3),
        (forms.HiddenInput(), "id", None),
        (forms.CheckboxInput(), "DELETE", True),
        (forms.CheckboxInput(), "DELETE", False),
        (forms.Textarea(attrs={"rows": 4, "required": True}), "body", "A & B\n\n<x>"),
        (forms.Textarea(), "body", ""),
        (forms.Select(choices=[("a", "A & a"), ("b", "B")]), "kind", "b"),
        (forms.Select(choices=[("g", [("x", "X")]), ("b", "B")]), "kind", "x"),
        (admin_widgets.AdminTextareaWidget(), "body", "Text"),
        (admin_widgets.AdminIntegerFieldWidget(), "position", 2),
    ],
)
def test_python_widgets_give_the_templates_html(widget, name, value):
    fast = widgets._fast_class(type(widget))
    assert fast is not None
    copy = fast.__new__(fast)
    copy.__dict__.update(widget.__dict__)

    attrs = {"id": f"id_{name}"}
    rendered = copy.render(name, value, attrs)
    assert hasattr(rendered, "__html__")  # safe: templates must not escape it
    assert normalised(rendered) == normalised(widget.render(name, value, attrs))


def test_widgets_with_templates_of_their_own_are_left_alone():
    assert widgets._fast_class(admin_widgets.AdminFileWidget) is None
    assert widgets._fast_class(forms.CheckboxSelectMultiple) is None


@pytest.mark.django_db
def test_the_section_inline_is_the_admins_stacked_inline(client, editor, monkeypatch):
    draft = make_draft(
        by=editor,
        sections=[
            ("definition", "", "First & <b>text</b>."),
            ("other", "Applications", ""),
        ],
    )
    client.force_login(editor)

    def sections_group(html):
        start = html.index('id="sections-group"')
        return normalised(html[start : html.index("</fieldset>\n</div>", start)])

    ours = sections_group(client.get(change_url(draft)).content.decode())
    monkeypatch.setattr(
        topics_admin.SectionInline, "template", "admin/edit_inline/stacked.html"
    )
    monkeypatch.setattr(
        topics_admin.SiblingFormSet, "add_fields", forms.BaseInlineFormSet.add_fields
    )
    stock = sections_group(client.get(change_url(draft)).content.decode())

    assert ours == stock
    # With errors too.
    data_error = client.post(change_url(draft), {"sections-TOTAL_FORMS": "x"})
    assert data_error.status_code in (200, 400)
