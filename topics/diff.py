"""Differences between two versions of a topic, for reviewers and readers.

One implementation serves the admin review page and the public compare page.
Sections are matched by their stable key, so a moved or renamed section is
recognised as the same section.
"""

import difflib
import re
from dataclasses import dataclass, field

from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.utils.translation import ngettext

from citations.names import display_name

from .images import picture_data
from .models import (
    Citation,
    Figure,
    KeyFigure,
    RelatedTopic,
    Section,
    SeminalWork,
    VersionAuthor,
)

TOKEN_RE = re.compile(r"\s+|[^\s]+")
# Texts are compared level by level: paragraphs, then the sentences of a
# changed paragraph, then the words of a changed sentence. Each split keeps
# its separators, so joining the pieces gives the text back.
LEVELS = [re.compile(r"(\n\s*\n)"), re.compile(r"((?<=[.!?:;])\s+)")]
# Pieces are compared with SequenceMatcher (quadratic) only up to this many
# pieces × pieces; past it a changed piece is shown deleted and inserted
# whole. With paragraphs and sentences in between, the largest section the
# site accepts is diffed in well under a second.
DIFF_LIMIT = 250_000


def _marked(old, new):
    marks = []
    if old:
        marks.append(f"<del>{escape(old)}</del>")
    if new:
        marks.append(f"<ins>{escape(new)}</ins>")
    return "".join(marks)


def _diff(old, new, level):
    if level < len(LEVELS):
        a, b = LEVELS[level].split(old), LEVELS[level].split(new)
    else:
        a, b = TOKEN_RE.findall(old), TOKEN_RE.findall(new)
    if len(a) * len(b) > DIFF_LIMIT:
        return _marked(old, new)
    out = []
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            out.append(escape("".join(a[i1:i2])))
        elif op == "replace" and level < len(LEVELS):
            # Each changed piece against the one it replaced, one level down.
            for k in range(max(i2 - i1, j2 - j1)):
                before = a[i1 + k] if i1 + k < i2 else ""
                after = b[j1 + k] if j1 + k < j2 else ""
                if before and after:
                    out.append(_diff(before, after, level + 1))
                else:
                    out.append(_marked(before, after))
        else:
            out.append(_marked("".join(a[i1:i2]), "".join(b[j1:j2])))
    return "".join(out)


def inline_diff(old, new):
    """Return HTML of new text with word-level <del> and <ins> marks.

    Paragraphs are matched first (unchanged ones cost nothing), then the
    sentences of each changed paragraph, then the words of each changed
    sentence: bounded work whatever the length of the text.
    """
    return mark_safe(_diff(old or "", new or "", 0))


@dataclass
class FieldChange:
    label: str
    old: str
    new: str

    @property
    def inline(self):
        return inline_diff(self.old, self.new)


@dataclass
class SectionChange:
    status: str  # added, removed, changed, moved, unchanged
    heading: str
    old_heading: str = ""
    body_html: str = ""

    @property
    def is_change(self):
        return self.status != "unchanged"


@dataclass
class ListChange:
    kind: str
    label: str
    added: list = field(default_factory=list)
    removed: list = field(default_factory=list)


@dataclass
class FigureChange:
    status: str  # added, removed, changed
    name: str
    fields: list = field(default_factory=list)  # FieldChange
    old_src: str = ""
    new_src: str = ""


@dataclass
class VersionDiff:
    old: object
    new: object
    fields: list
    sections: list
    lists: list
    summary: str
    figures: list = field(default_factory=list)
    sources: list = field(default_factory=list)  # SourceChange

    @property
    def has_changes(self):
        return bool(
            self.fields
            or self.figures
            or self.sources
            or any(s.is_change for s in self.sections)
            or any(c.added or c.removed for c in self.lists)
        )


def _figure_text(figure):
    return {
        _("Image"): f"{figure.width} × {figure.height} px ({figure.sha256[:8]})",
        _("Alt text"): _("(decorative)") if figure.decorative else figure.alt,
        _("Caption"): figure.caption,
        _("Credit"): figure.credit,
        _("Licence"): figure.get_licence_display(),
        _("Label"): figure.label,
    }


def _figure_src(figure):
    picture = picture_data(figure.renditions)
    return picture["src"] if picture else ""


def _figures(old_rows, new_rows):
    """Figures added, removed and changed, matched by stable key."""
    old_by_key = {f.stable_key: f for f in old_rows}
    new_keys = {f.stable_key for f in new_rows}
    changes = []
    for number, figure in enumerate(new_rows, start=1):
        name = (
            _("Figure %(number)s (%(label)s)")
            % {"number": number, "label": figure.label}
            if figure.label
            else _("Figure %(number)s") % {"number": number}
        )
        before = old_by_key.get(figure.stable_key)
        if before is None:
            changes.append(FigureChange("added", name, new_src=_figure_src(figure)))
            continue
        old_text, new_text = _figure_text(before), _figure_text(figure)
        fields = [
            FieldChange(label, old_text[label], value)
            for label, value in new_text.items()
            if old_text[label] != value
        ]
        if fields:
            changes.append(
                FigureChange(
                    "changed",
                    name,
                    fields,
                    old_src=_figure_src(before),
                    new_src=_figure_src(figure),
                )
            )
    for figure in old_rows:
        if figure.stable_key not in new_keys:
            name = figure.label or figure.alt[:60] or _("a figure")
            changes.append(FigureChange("removed", name, old_src=_figure_src(figure)))
    return changes


def _snapshot(version):
    """Read everything the diff compares from one version: seven queries."""
    if version is None:
        return None
    return {
        "fields": {
            _("Title"): version.title,
            _("Authors"): "; ".join(
                link.person.name
                for link in VersionAuthor.objects.filter(version=version)
                .select_related("person")
                .order_by("position")
            ),
            _("Summary"): version.summary,
            _("Kind"): version.get_kind_display(),
            _("Parent topic"): version.parent.slug if version.parent_id else "",
        },
        "sections": list(Section.objects.filter(version=version)),
        "figures": list(Figure.objects.filter(version=version)),
        "tags": sorted(version.tags.names()),
        "related": [
            link.target.slug
            for link in RelatedTopic.objects.filter(version=version).select_related(
                "target"
            )
        ],
        "people": [
            link.person.name
            for link in KeyFigure.objects.filter(version=version).select_related(
                "person"
            )
        ],
        "seminal": [
            link.work.key
            for link in SeminalWork.objects.filter(version=version).select_related(
                "work"
            )
        ],
        "cited": sorted(
            set(
                Citation.objects.filter(version=version).values_list(
                    "work__key", flat=True
                )
            )
        ),
    }


def _sections(old_rows, new_rows):
    old_by_key = {s.stable_key: s for s in old_rows}
    new_keys = {s.stable_key for s in new_rows}
    old_order = [s.stable_key for s in old_rows if s.stable_key in new_keys]
    new_order = [s.stable_key for s in new_rows if s.stable_key in old_by_key]
    moved = set()
    matcher = difflib.SequenceMatcher(None, old_order, new_order, autojunk=False)
    for op, _i1, _i2, j1, j2 in matcher.get_opcodes():
        if op != "equal":
            moved |= set(new_order[j1:j2])
    changes = []
    for section in new_rows:
        before = old_by_key.get(section.stable_key)
        if before is None:
            changes.append(
                SectionChange(
                    "added", section.display_heading, body_html=escape(section.body)
                )
            )
            continue
        text_changed = before.body != section.body or before.kind != section.kind
        renamed = before.display_heading != section.display_heading
        if text_changed or renamed:
            status = "changed"
        elif section.stable_key in moved:
            status = "moved"
        else:
            status = "unchanged"
        changes.append(
            SectionChange(
                status,
                section.display_heading,
                old_heading=before.display_heading if renamed else "",
                body_html=inline_diff(before.body, section.body),
            )
        )
    for section in old_rows:
        if section.stable_key not in new_keys:
            changes.append(
                SectionChange(
                    "removed", section.display_heading, body_html=escape(section.body)
                )
            )
    return changes


def _list(kind, label, old, new):
    return ListChange(
        kind,
        label,
        added=[item for item in new if item not in old],
        removed=[item for item in old if item not in new],
    )


# How the summary counts what changed: ngettext with whole sentences, so each
# can be translated with its plural forms.
COUNTS = {
    ("section", "added"): lambda n: ngettext(
        "%(count)d section added", "%(count)d sections added", n
    ),
    ("section", "removed"): lambda n: ngettext(
        "%(count)d section removed", "%(count)d sections removed", n
    ),
    ("section", "moved"): lambda n: ngettext(
        "%(count)d section moved", "%(count)d sections moved", n
    ),
    ("figure", "added"): lambda n: ngettext(
        "%(count)d figure added", "%(count)d figures added", n
    ),
    ("figure", "removed"): lambda n: ngettext(
        "%(count)d figure removed", "%(count)d figures removed", n
    ),
    ("figure", "changed"): lambda n: ngettext(
        "%(count)d figure changed", "%(count)d figures changed", n
    ),
    ("references", "added"): lambda n: ngettext(
        "%(count)d reference added", "%(count)d references added", n
    ),
    ("references", "removed"): lambda n: ngettext(
        "%(count)d reference removed", "%(count)d references removed", n
    ),
    ("seminal", "added"): lambda n: ngettext(
        "%(count)d seminal work added", "%(count)d seminal works added", n
    ),
    ("seminal", "removed"): lambda n: ngettext(
        "%(count)d seminal work removed", "%(count)d seminal works removed", n
    ),
    ("tags", "added"): lambda n: ngettext(
        "%(count)d tag added", "%(count)d tags added", n
    ),
    ("tags", "removed"): lambda n: ngettext(
        "%(count)d tag removed", "%(count)d tags removed", n
    ),
    ("related", "added"): lambda n: ngettext(
        "%(count)d related topic added", "%(count)d related topics added", n
    ),
    ("related", "removed"): lambda n: ngettext(
        "%(count)d related topic removed", "%(count)d related topics removed", n
    ),
    ("people", "added"): lambda n: ngettext(
        "%(count)d key figure added", "%(count)d key figures added", n
    ),
    ("people", "removed"): lambda n: ngettext(
        "%(count)d key figure removed", "%(count)d key figures removed", n
    ),
    ("work", "changed"): lambda n: ngettext(
        "%(count)d cited work changed", "%(count)d cited works changed", n
    ),
    ("person", "changed"): lambda n: ngettext(
        "%(count)d key figure's details changed",
        "%(count)d key figures' details changed",
        n,
    ),
}


def _count(kind, status, count):
    return COUNTS[kind, status](count) % {"count": count}


def _summary(fields, sections, lists, figures=(), sources=()):
    parts = [_("%(what)s changed") % {"what": f.label} for f in fields]
    parts += [
        _("%(what)s changed") % {"what": s.heading}
        for s in sections
        if s.status == "changed"
    ]
    for status in ("added", "removed", "moved"):
        count = sum(1 for s in sections if s.status == status)
        if count:
            parts.append(_count("section", status, count))
    for status in ("added", "removed", "changed"):
        count = sum(1 for f in figures if f.status == status)
        if count:
            parts.append(_count("figure", status, count))
    for change in lists:
        if change.added:
            parts.append(_count(change.kind, "added", len(change.added)))
        if change.removed:
            parts.append(_count(change.kind, "removed", len(change.removed)))
    for kind in ("work", "person"):
        count = sum(1 for source in sources if source.kind == kind)
        if count:
            parts.append(_count(kind, "changed", count))
    return "; ".join(parts) if parts else _("No changes")


def diff_versions(old, new):
    """Compare two versions (old may be None for a topic's first version)."""
    before = _snapshot(old) or {
        "fields": dict.fromkeys(_snapshot_labels(), ""),
        "sections": [],
        "figures": [],
        **{k: [] for k in ("tags", "related", "people", "seminal", "cited")},
    }
    after = _snapshot(new)
    fields = [
        FieldChange(label, before["fields"][label], value)
        for label, value in after["fields"].items()
        if before["fields"][label] != value
    ]
    sections = _sections(before["sections"], after["sections"])
    figures = _figures(before["figures"], after["figures"])
    lists = [
        _list("references", _("References"), before["cited"], after["cited"]),
        _list("seminal", _("Seminal works"), before["seminal"], after["seminal"]),
        _list("tags", _("Tags"), before["tags"], after["tags"]),
        _list("related", _("Related topics"), before["related"], after["related"]),
        _list("people", _("Key figures"), before["people"], after["people"]),
    ]
    sources = source_changes(old, new)
    return VersionDiff(
        old=old,
        new=new,
        fields=fields,
        sections=sections,
        lists=lists,
        summary=_summary(fields, sections, lists, figures, sources),
        figures=figures,
        sources=sources,
    )


def _snapshot_labels():
    return [_("Title"), _("Authors"), _("Summary"), _("Kind"), _("Parent topic")]


@dataclass
class SourceChange:
    """A work the version cites, or a person it lists, changed since the live
    version was approved: the change goes live with this version."""

    kind: str  # work, person
    name: str
    fields: list = field(default_factory=list)  # FieldChange
    editors: list = field(default_factory=list)


def _csl_text(value):
    if isinstance(value, list):
        return "; ".join(
            display_name(n) if isinstance(n, dict) else str(n) for n in value
        )
    if isinstance(value, dict):
        parts = value.get("date-parts") or [[]]
        return "-".join(str(p) for p in parts[0])
    return str(value)


def _csl_fields(old, new):
    return [
        FieldChange(
            CSL_LABELS.get(key, key),
            _csl_text(old.get(key, "")),
            _csl_text(new.get(key, "")),
        )
        for key in sorted(set(old) | set(new), key=lambda k: (k != "title", k))
        if key != "id" and _csl_text(old.get(key, "")) != _csl_text(new.get(key, ""))
    ]


def source_changes(live, version):
    """What changed in the works and people `version` shows since `live` (the
    version readers see) was approved, with who changed them."""
    from citations.models import Work, WorkEdit

    from .models import PersonEdit

    if live is None or not hasattr(live, "page"):
        return []
    since = live.approved_at
    frozen_works = {item["id"]: item for item in live.page.works_csl}
    keys = set(
        Citation.objects.filter(version=version).values_list("work__key", flat=True)
    )
    keys |= set(
        SeminalWork.objects.filter(version=version).values_list("work__key", flat=True)
    )
    changes = []
    works = list(Work.objects.filter(key__in=keys & set(frozen_works)).order_by("key"))
    # An approved version shows the works as they were at its approval.
    now = (
        {item["id"]: item for item in version.page.works_csl}
        if hasattr(version, "page")
        else {work.key: work.to_csl() for work in works}
    )
    edits = _edits_by(WorkEdit.objects.filter(work__in=works, at__gte=since), "work")
    for work in works:
        fields = _csl_fields(frozen_works[work.key], now.get(work.key, {}))
        if fields:
            changes.append(
                SourceChange("work", work.key, fields, edits.get(work.pk, []))
            )
    # Key figures and authors: as the live page shows them, and as they are
    # now (or as the newer approved page shows them).
    frozen = {p["slug"]: p for p in live.page.structured.get("key_figures", [])}
    frozen |= {
        p["slug"]: {**frozen.get(p["slug"], {}), **p}
        for p in live.page.authors
        if p.get("slug")
    }
    current = None
    if hasattr(version, "page"):
        current = {p["slug"]: p for p in version.page.structured.get("key_figures", [])}
        current |= {
            p["slug"]: {**current.get(p["slug"], {}), **p}
            for p in version.page.authors
            if p.get("slug")
        }
    people = {
        link.person.pk: link.person
        for model in (KeyFigure, VersionAuthor)
        for link in model.objects.filter(version=version).select_related("person")
    }
    edits = _edits_by(
        PersonEdit.objects.filter(person__in=list(people), at__gte=since), "person"
    )
    for person in sorted(people.values(), key=lambda p: p.name):
        before = frozen.get(person.slug)
        if before is None:
            continue
        after = (
            current.get(person.slug, {})
            if current is not None
            else {
                "name": person.name,
                "description": person.description,
                "orcid": person.orcid,
                "affiliation": person.affiliation,
            }
        )
        fields = [
            FieldChange(label, before.get(key, ""), after.get(key, ""))
            for key, label in PERSON_FIELDS
            if key in before and before.get(key, "") != after.get(key, "")
        ]
        if fields:
            changes.append(
                SourceChange("person", person.name, fields, edits.get(person.pk, []))
            )
    return changes


PERSON_FIELDS = [
    ("name", _lazy("Name")),
    ("description", _lazy("Description")),
    ("orcid", "ORCID"),
    ("affiliation", _lazy("Affiliation")),
]


def _edits_by(edits, field_name):
    """{work or person id: the names of who changed it}, oldest first."""
    names = {}
    for edit in edits.select_related("by").order_by("at"):
        name = (
            (edit.by.get_full_name() or edit.by.get_username())
            if edit.by
            else _("an import")
        )
        found = names.setdefault(getattr(edit, f"{field_name}_id"), [])
        if name not in found:
            found.append(name)
    return names


CSL_LABELS = {
    "title": _lazy("Title"),
    "author": _lazy("Authors"),
    "editor": _lazy("Editors"),
    "issued": _lazy("Date"),
    "container-title": _lazy("Journal, book or proceedings"),
    "volume": _lazy("Volume"),
    "issue": _lazy("Issue"),
    "page": _lazy("Pages"),
    "publisher": _lazy("Publisher"),
    "publisher-place": _lazy("Place of publication"),
    "edition": _lazy("Edition"),
    "DOI": "DOI",
    "URL": "URL",
    "ISBN": "ISBN",
    "note": _lazy("Note"),
    "type": _lazy("Type"),
}
