"""BibTeX import with a preview: new, updated, unchanged or error per entry."""

from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models.functions import Lower
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from .bibtex import parse_bibtex
from .models import Work, WorkEdit
from .services import refresh_references

IMPORTED_FIELDS = {
    "entry_type": Work.EntryType.MISC,
    "authors": [],
    "editors": [],
    "has_more_authors": False,
    "title": "",
    "year": None,
    "month": None,
    "container_title": "",
    "volume": "",
    "number": "",
    "pages": "",
    "publisher": "",
    "address": "",
    "edition": "",
    "doi": "",
    "url": "",
    "isbn": "",
    "note": "",
}


@dataclass
class Outcome:
    key: str
    line: int | None
    status: str  # new, updated, unchanged, error
    reason: str = ""
    fields: dict = field(default_factory=dict)
    changed: list = field(default_factory=list)


def check_size(text):
    """Raise ValidationError if BibTeX text is over BIBTEX_MAX_BYTES."""
    size = len(text.encode())
    if size > settings.BIBTEX_MAX_BYTES:
        raise ValidationError(
            _("The BibTeX is %(size)s; the limit is %(limit)s.")
            % {
                "size": filesizeformat(size),
                "limit": filesizeformat(settings.BIBTEX_MAX_BYTES),
            },
            code="too_large",
        )


def preview_bibtex(text):
    """Return one Outcome per entry of `text`, comparing with the database.

    Raise ValidationError if the text is over the size limit.
    """
    check_size(text)
    parsed = parse_bibtex(text)
    good = [p for p in parsed if not p.error]
    existing = Work.objects.in_bulk([p.key for p in good], field_name="key")
    dois = {p.fields["doi"].lower() for p in good if p.fields.get("doi")}
    doi_owner = dict(
        Work.objects.annotate(ldoi=Lower("doi"))
        .filter(ldoi__in=dois)
        .values_list("ldoi", "key")
    )
    seen_keys, seen_dois, outcomes = {}, {}, []
    for entry in parsed:
        if entry.error:
            outcomes.append(Outcome(entry.key, entry.line, "error", entry.error))
            continue
        values = {
            **IMPORTED_FIELDS,
            **{k: v for k, v in entry.fields.items() if k != "key"},
        }
        doi = values["doi"].lower()
        reason = ""
        if entry.key in seen_keys:
            reason = _("the key %(key)s is used twice (first at line %(line)s)") % {
                "key": entry.key,
                "line": seen_keys[entry.key],
            }
        elif doi and doi in seen_dois:
            key, line = seen_dois[doi]
            reason = _("duplicate of %(key)s (line %(line)s): same DOI %(doi)s") % {
                "key": key,
                "line": line,
                "doi": values["doi"],
            }
        elif doi and doi_owner.get(doi, entry.key) != entry.key:
            reason = _("its DOI %(doi)s belongs to the work %(key)s already") % {
                "doi": values["doi"],
                "key": doi_owner[doi],
            }
        seen_keys.setdefault(entry.key, entry.line)
        if doi:
            seen_dois.setdefault(doi, (entry.key, entry.line))
        if not reason:
            candidate = Work(key=entry.key, **values)
            try:
                candidate.full_clean(
                    exclude=["key"], validate_unique=False, validate_constraints=False
                )
            except ValidationError as error:
                reason = "; ".join(
                    f"{name}: {' '.join(messages)}"
                    for name, messages in error.message_dict.items()
                )
        if reason:
            outcomes.append(
                Outcome(
                    entry.key,
                    entry.line,
                    "error",
                    _("%(key)s: %(problem)s") % {"key": entry.key, "problem": reason},
                )
            )
            continue
        work = existing.get(entry.key)
        if work is None:
            outcomes.append(Outcome(entry.key, entry.line, "new", fields=values))
            continue
        changed = [
            name for name, value in values.items() if getattr(work, name) != value
        ]
        status = "updated" if changed else "unchanged"
        outcomes.append(
            Outcome(entry.key, entry.line, status, fields=values, changed=changed)
        )
    return outcomes


@transaction.atomic
def apply_bibtex(outcomes, *, by=None):
    """Write new and updated works (never those in error), recording `by` as
    their editor; return counts."""
    touched = []
    existing = Work.objects.in_bulk(
        [o.key for o in outcomes if o.status == "updated"], field_name="key"
    )
    for outcome in outcomes:
        if outcome.status == "new":
            work = Work(key=outcome.key, **outcome.fields)
        elif outcome.status == "updated":
            work = existing[outcome.key]
            for name, value in outcome.fields.items():
                setattr(work, name, value)
        else:
            continue
        work.full_clean()
        work.save()
        touched.append(work)
    if touched:
        WorkEdit.objects.bulk_create(WorkEdit(work=work, by=by) for work in touched)
        refresh_references(touched)
    counts = {status: 0 for status in ("new", "updated", "unchanged", "error")}
    for outcome in outcomes:
        counts[outcome.status] += 1
    return counts
