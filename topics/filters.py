import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .models import Kind, Topic


class TopicFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("Title or summary contains"), method="filter_q"
    )
    kind = django_filters.ChoiceFilter(
        label=_("Kind"), field_name="live_version__kind", choices=Kind.choices
    )
    tag = django_filters.CharFilter(
        label=_("Tag"), field_name="live_version__tags__slug", distinct=True
    )

    class Meta:
        model = Topic
        fields = []

    def filter_q(self, queryset, name, value):
        return queryset.filter(
            Q(live_version__title__icontains=value)
            | Q(live_version__summary__icontains=value)
        )
