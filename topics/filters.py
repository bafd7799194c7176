import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from taggit.models import Tag

from .models import Kind, Topic


class SearchFilter(django_filters.FilterSet):
    """Filters for search and the topic list; their state lives in the URL."""

    kind = django_filters.ChoiceFilter(
        label=_("Kind"), field_name="live_version__kind", choices=Kind.choices
    )
    tag = django_filters.ModelMultipleChoiceFilter(
        label=_("Tags (all of)"),
        field_name="live_version__tags__slug",
        to_field_name="slug",
        queryset=Tag.objects.all(),
        conjoined=True,
        widget=forms.SelectMultiple(attrs={"size": 4}),
    )
    parent = django_filters.CharFilter(
        label=_("Within (parent slug)"), field_name="live_version__parent__slug"
    )
    revised_since = django_filters.DateFilter(
        label=_("Revised since"),
        field_name="live_version__approved_at",
        lookup_expr="date__gte",
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    class Meta:
        model = Topic
        fields = []


class TopicFilter(SearchFilter):
    """The topic list adds a plain title or summary filter."""

    q = django_filters.CharFilter(
        label=_("Title or summary contains"), method="filter_q"
    )

    class Meta(SearchFilter.Meta):
        fields = []

    def filter_q(self, queryset, name, value):
        return queryset.filter(
            Q(live_version__title__icontains=value)
            | Q(live_version__summary__icontains=value)
        )
