from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .forms import WorkForm
from .models import Work


@admin.register(Work)
class WorkAdmin(admin.ModelAdmin):
    form = WorkForm
    list_display = ["key", "short_label_column", "title", "entry_type", "doi"]
    list_filter = ["entry_type"]
    search_fields = ["key", "title", "doi", "container_title"]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "key",
                    "entry_type",
                    "authors",
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
