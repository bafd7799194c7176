from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect
from django.template.defaultfilters import filesizeformat
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from .bibtex import works_to_bibtex
from .forms import WorkForm
from .importing import apply_bibtex, check_size, preview_bibtex
from .models import Work
from .services import save_work


class BibtexImportForm(forms.Form):
    file = forms.FileField(label=_("BibTeX file"), required=False)
    text = forms.CharField(
        label=_("or paste BibTeX"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 12, "cols": 90}),
    )

    def clean(self):
        cleaned = super().clean()
        upload = cleaned.get("file")
        if upload:
            if upload.size > settings.BIBTEX_MAX_BYTES:
                raise forms.ValidationError(
                    _("The file is %(size)s; the limit is %(limit)s.")
                    % {
                        "size": filesizeformat(upload.size),
                        "limit": filesizeformat(settings.BIBTEX_MAX_BYTES),
                    }
                )
            try:
                cleaned["text"] = upload.read().decode("utf-8-sig")
            except UnicodeDecodeError as error:
                raise forms.ValidationError(
                    _("The file is not UTF-8 text; save it as UTF-8 and try again.")
                ) from error
        if not cleaned.get("text", "").strip():
            raise forms.ValidationError(_("Upload a .bib file or paste BibTeX."))
        check_size(cleaned["text"])
        return cleaned


@admin.register(Work)
class WorkAdmin(admin.ModelAdmin):
    form = WorkForm
    list_display = ["key", "short_label_column", "title", "entry_type", "doi"]
    list_filter = ["entry_type"]
    search_fields = ["key", "title", "doi", "container_title", "author_index"]
    actions = ["export_bibtex"]
    readonly_fields = ["reference", "cited_in"]
    fieldsets = [
        (None, {"fields": ["reference", "cited_in"]}),
        (
            None,
            {
                "fields": [
                    "key",
                    "entry_type",
                    "authors",
                    "has_more_authors",
                    "editors",
                    "title",
                    "year",
                    "month",
                ]
            },
        ),
        (
            _("Where it appeared"),
            {
                "fields": [
                    "container_title",
                    ("volume", "number", "pages"),
                    ("publisher", "address", "edition"),
                ]
            },
        ),
        (_("Identifiers"), {"fields": ["doi", "url", "isbn", "note"]}),
    ]

    @admin.display(description=_("author, year"))
    def short_label_column(self, work):
        return work.short_label()

    @admin.display(description=_("formatted"))
    def reference(self, work):
        return mark_safe(work.reference_html) if work.reference_html else "—"

    @admin.display(description=_("cited in"))
    def cited_in(self, work):
        """Live topics citing the work: a correction reaches them when re-approved."""
        live = (
            work.citations.filter(
                version__state="published", version__topic__is_unpublished=False
            )
            .select_related("version__topic")
            .order_by("version__title")
        )
        topics = {c.version.topic_id: c.version for c in live}
        if not topics:
            return _("No published topic cites this work.")
        return format_html(
            "{}<ul>{}</ul>",
            _(
                "A correction appears in these topics with their next approved "
                "version; their current pages keep the work as it was approved."
            ),
            format_html_join(
                "",
                '<li><a href="{}">{}</a></li>',
                ((v.topic.get_absolute_url(), v.title) for v in topics.values()),
            ),
        )

    def save_model(self, request, obj, form, change):
        save_work(work=obj, by=request.user)

    @admin.action(description=_("Export selected works as BibTeX"))
    def export_bibtex(self, request, queryset):
        response = HttpResponse(
            works_to_bibtex(queryset),
            content_type="application/x-bibtex; charset=utf-8",
        )
        response["Content-Disposition"] = 'attachment; filename="works.bib"'
        return response

    def get_urls(self):
        return [
            path(
                "import/",
                self.admin_site.admin_view(self.import_view),
                name="citations_work_import",
            ),
        ] + super().get_urls()

    def changelist_view(self, request, extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "import_url": reverse("admin:citations_work_import"),
        }
        return super().changelist_view(request, extra_context)

    def import_view(self, request):
        """Upload or paste BibTeX, see what each entry would do, then confirm."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = BibtexImportForm(request.POST or None, request.FILES or None)
        outcomes = None
        if request.method == "POST" and form.is_valid():
            outcomes = preview_bibtex(form.cleaned_data["text"])
            if "confirm" in request.POST:
                counts = apply_bibtex(outcomes, by=request.user)
                level = messages.WARNING if counts["error"] else messages.SUCCESS
                self.message_user(
                    request,
                    _(
                        "%(new)d new, %(updated)d updated, %(unchanged)d unchanged; "
                        "%(error)d entries with errors were not imported."
                    )
                    % counts,
                    level,
                )
                return redirect("admin:citations_work_changelist")
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("Import BibTeX"),
            "form": form,
            "outcomes": outcomes,
            "text": form.cleaned_data.get("text", "")
            if form.is_bound and form.is_valid()
            else "",
            "importable": outcomes
            and any(o.status in {"new", "updated"} for o in outcomes),
        }
        return TemplateResponse(request, "admin/citations/work/import.html", context)
