import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .models import Kind, Topic


class SearchFilter(django_filters.FilterSet):
    """Filters for search and the topic list; their state lives in the URL."""

    kind = django_filters.ChoiceFilter(
        label=_("Kind"), field_name="live_version__kind", choices=Kind.choices
    )
    # Tags as slugs (?tag=a&tag=b or ?tag=a,b): topics with all of them. A text
    # field, because a list of every tag grows with the encyclopedia.
    tag = django_filters.CharFilter(
        label=_("Tags (slugs, all of)"),
        method="filter_tags",
        widget=forms.TextInput(attrs={"placeholder": "e.g. deep-learning"}),
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

    def filter_tags(self, queryset, name, value):
        slugs = {
            slug.strip()
            for raw in self.data.getlist("tag")
            for slug in raw.split(",")
            if slug.strip()
        }
        for slug in sorted(slugs):
            queryset = queryset.filter(live_version__tags__slug=slug)
        return queryset


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
