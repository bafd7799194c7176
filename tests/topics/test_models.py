import pytest

from topics.models import Person

pytestmark = pytest.mark.django_db


def test_people_with_the_same_slug_get_distinct_addresses():
    first = Person.objects.create(name="Jürgen Schmidhuber")
    second = Person.objects.create(name="Jurgen Schmidhuber")
    assert (first.slug, second.slug) == ("jurgen-schmidhuber", "jurgen-schmidhuber-2")
