import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# Pandoc's citation key syntax: starts with a letter, digit or "_"; internal
# punctuation from :.#$%&-+?<>~/ is allowed between alphanumerics.
CITATION_KEY_RE = re.compile(r"^[A-Za-z0-9_]+(?:[:.#$%&\-+?<>~/]+[A-Za-z0-9_]+)*$")
RESERVED_PREFIXES = ("fig:",)


def validate_citation_key(value):
    if not CITATION_KEY_RE.match(value):
        raise ValidationError(
            _(
                "“%(key)s” is not a valid citation key: use letters, digits and "
                "_, with : . # $ %% & - + ? < > ~ / only between them."
            ),
            code="invalid_key",
            params={"key": value},
        )
    if value.lower().startswith(RESERVED_PREFIXES):
        raise ValidationError(
            _("Citation keys starting with “fig:” are reserved for figures."),
            code="reserved_key",
        )
