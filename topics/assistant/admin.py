"""The Assistant in the editors' desk: unanswered questions (coverage gaps)
and the related terms that teach it readers' words."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from ..models import CoverageGap, RelatedTerm


class AnsweredFilter(admin.SimpleListFilter):
    title = _("answered")
    parameter_name = "answered"

    def lookups(self, request, model_admin):
        return [("no", _("Not yet")), ("yes", _("By a topic"))]

    def queryset(self, request, queryset):
        if self.value() == "no":
            return queryset.filter(answered_by__isnull=True)
        if self.value() == "yes":
            return queryset.filter(answered_by__isnull=False)
        return queryset


@admin.register(CoverageGap)
class CoverageGapAdmin(admin.ModelAdmin):
    """Questions readers asked that no reviewed paragraph answered, most
    asked first. Only the question is kept: no address, no account."""

    list_display = ["example", "count", "first_asked", "last_asked", "answered_by"]
    list_filter = [AnsweredFilter, "last_asked"]
    search_fields = ["normalised", "example"]
    date_hierarchy = "last_asked"
    list_select_related = ["answered_by"]
    readonly_fields = ["normalised", "example", "count", "first_asked", "last_asked"]
    fields = [*readonly_fields, "answered_by"]
    autocomplete_fields = ["answered_by"]
    list_per_page = 50

    def has_add_permission(self, request):
        return False


@admin.register(RelatedTerm)
class RelatedTermAdmin(admin.ModelAdmin):
    list_display = ["phrase", "terms"]
    search_fields = ["phrase", "terms"]
    list_per_page = 100
