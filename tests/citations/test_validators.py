"""Citation keys (citations/validators.py): Pandoc's syntax, less the
prefixes figures use."""

import pytest

from citations.validators import validate_citation_key

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "key", ["DBLP:journals/nature/LeCunBH15", "doi:10.1038/nature14539", "a_b", "x-1.2"]
)
def test_citation_keys_accept_pandoc_syntax(key):
    validate_citation_key(key)


@pytest.mark.parametrize("key", ["fig:net", "-lead", "trail/", "sp ace"])
def test_invalid_and_reserved_keys_are_refused(key):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        validate_citation_key(key)
