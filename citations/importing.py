"""BibTeX import with a preview: new, updated, unchanged or error per entry."""

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models.functions import Lower

from .bibtex import parse_bibtex
from .models import Work
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


def preview_bibtex(text):
    """Return one Outcome per entry of `text`, comparing with the database."""
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
            first = seen_keys[entry.key]
            reason = f"the key {entry.key} is used twice (first at line {first})"
        elif doi and doi in seen_dois:
            key, line = seen_dois[doi]
            reason = f"duplicate of {key} (line {line}): same DOI {values['doi']}"
        elif doi and doi_owner.get(doi, entry.key) != entry.key:
            reason = (
                f"its DOI {values['doi']} belongs to the work {doi_owner[doi]} already"
            )
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
                Outcome(entry.key, entry.line, "error", f"{entry.key}: {reason}")
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
def apply_bibtex(outcomes):
    """Write new and updated works (never those in error); return counts."""
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
        refresh_references(touched)
    counts = {status: 0 for status in ("new", "updated", "unchanged", "error")}
    for outcome in outcomes:
        counts[outcome.status] += 1
    return counts
