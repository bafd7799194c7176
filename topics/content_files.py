"""Content files (shared/CONTENT-FORMAT.md): Markdown topics and BibTeX in and out."""

import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from taggit.models import Tag

from citations.bibtex import works_to_bibtex
from citations.importing import apply_bibtex, preview_bibtex
from citations.models import Work

from . import images, services
from .models import (
    Kind,
    Licence,
    Person,
    Section,
    Topic,
    TopicVersion,
    figure_label_validator,
    slug_validator,
)

FRONT_MATTER_KEYS = (
    "title", "slug", "kind", "summary", "parent", "tags", "related", "authors",
    "key_figures", "seminal_works", "figures",
)  # fmt: skip
REQUIRED_KEYS = ("title", "slug", "kind", "summary")
LIST_KEYS = ("tags", "related", "authors", "key_figures", "seminal_works", "figures")
AUTHOR_KEYS = ("name", "orcid", "affiliation")
ORCID_RE = re.compile(r"^\d{4}-\d{4}-\d{4}-\d{3}[\dX]$")
HEADING_KINDS = {
    "definition": Section.Kind.DEFINITION,
    "scope": Section.Kind.SCOPE,
    "core questions": Section.Kind.CORE_QUESTIONS,
    "key theories": Section.Kind.KEY_THEORIES,
    "clinical relevance": Section.Kind.RELEVANCE,
    "relevance": Section.Kind.RELEVANCE,
    "applications": Section.Kind.RELEVANCE,
    "history": Section.Kind.HISTORY,
    "debates": Section.Kind.DEBATES,
    "faq": Section.Kind.FAQ,
    "frequently asked questions": Section.Kind.FAQ,
}
FENCE_RE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
SECTION_RE = re.compile(r"^## +(.+?)\s*#*\s*$")
FIGURE_KEYS = ("file", "alt", "caption", "credit", "licence", "label", "decorative")


class ImportFailed(Exception):
    def __init__(self, problems):
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass
class TopicFile:
    path: Path
    meta: dict
    sections: list = field(default_factory=list)  # (heading, kind, body)
    figures: list = field(default_factory=list)  # (entry, images.Upload)


def section_kind(heading):
    return HEADING_KINDS.get(" ".join(heading.lower().split()), Section.Kind.OTHER)


def split_front_matter(text):
    """Return (front matter text, body, line number where the body starts)."""
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].strip() != "---":
        raise ValueError(_("the file must start with a --- front-matter block"))
    for number, line in enumerate(lines[1:], start=1):
        if line.strip() in {"---", "..."}:
            return "".join(lines[1:number]), "".join(lines[number + 1 :]), number + 2
    raise ValueError(_("the front-matter block is not closed with ---"))


def split_sections(body, first_line):
    """Split a body at level-two headings outside code fences."""
    sections, problems = [], []
    fence = None
    current = None
    for offset, line in enumerate(body.splitlines()):
        fence_match = FENCE_RE.match(line)
        if fence_match:
            marker = fence_match.group(1)
            if fence is None:
                fence = marker
            elif marker[0] == fence[0] and len(marker) >= len(fence):
                fence = None
        heading = SECTION_RE.match(line) if fence is None else None
        if heading:
            current = [heading.group(1).strip(), []]
            sections.append(current)
        elif current is None:
            if line.strip():
                problems.append(
                    (first_line + offset, _("text before the first ## heading"))
                )
        else:
            current[1].append(line)
    return [
        (heading, section_kind(heading), "\n".join(lines).strip())
        for heading, lines in sections
    ], problems


def read_topic_file(path):
    """Parse one topic file; return (TopicFile or None, [problems])."""
    problems = []

    def problem(message, line=None):
        where = f"{path}:{line}" if line else str(path)
        problems.append(
            _("%(where)s: %(problem)s") % {"where": where, "problem": message}
        )

    try:
        text = path.read_text(encoding="utf-8")
        front, body, body_line = split_front_matter(text)
        meta = yaml.safe_load(front) or {}
    except (ValueError, UnicodeDecodeError, yaml.YAMLError) as error:
        problem(str(error).splitlines()[0])
        return None, problems
    if not isinstance(meta, dict):
        problem(_("the front matter must be a mapping of keys to values"))
        return None, problems
    for key in meta:
        if key not in FRONT_MATTER_KEYS:
            problem(_("unknown front-matter key “%s”") % key)
    for key in REQUIRED_KEYS:
        if not meta.get(key):
            problem(_("the front-matter key “%s” is required") % key)
    for key in LIST_KEYS:
        if key in meta and not isinstance(meta[key], list):
            problem(_("“%s” must be a list") % key)
    if meta.get("kind") and meta["kind"] not in Kind.values:
        problem(
            _("kind “%(kind)s” is not one of %(kinds)s")
            % {"kind": meta["kind"], "kinds": ", ".join(Kind.values)}
        )
    slug = str(meta.get("slug", ""))
    if slug and not re.fullmatch(slug_validator.regex, slug):
        problem(
            _("“%s” is not a valid slug (lowercase words joined by hyphens)") % slug
        )
    figures = []
    if isinstance(meta.get("figures"), list):
        figures = read_figures(path, meta["figures"], problem)
    if isinstance(meta.get("authors"), list):
        meta["authors"] = read_authors(meta["authors"], problem)
    sections, section_problems = split_sections(body, body_line)
    for line, message in section_problems:
        problem(message, line)
        break
    for message in _overlong(meta, sections):
        problem(message)
    if problems:
        return None, problems
    return TopicFile(path=path, meta=meta, sections=sections, figures=figures), problems


def _max(model, field):
    return model._meta.get_field(field).max_length


def _overlong(meta, sections):
    """What is longer than the database keeps (the database would refuse it
    with an error instead of a problem in the list)."""
    limits = [
        (_("the title"), [meta.get("title")], _max(TopicVersion, "title")),
        (_("the slug"), [meta.get("slug")], _max(Topic, "slug")),
        (_("a tag"), meta.get("tags") or [], _max(Tag, "name")),
        (_("a key figure's name"), meta.get("key_figures") or [], _max(Person, "name")),
        (
            _("an author's name"),
            [a["name"] for a in meta.get("authors") or [] if isinstance(a, dict)],
            _max(Person, "name"),
        ),
        (
            _("an affiliation"),
            [
                a["affiliation"]
                for a in meta.get("authors") or []
                if isinstance(a, dict)
            ],
            _max(Person, "affiliation"),
        ),
        (_("a heading"), [h for h, _kind, _body in sections], _max(Section, "heading")),
    ]
    for what, values, limit in limits:
        for value in values if isinstance(values, list) else []:
            if value is not None and len(str(value)) > limit:
                yield _("%(what)s has %(length)s characters; at most %(limit)s") % {
                    "what": what,
                    "length": len(str(value)),
                    "limit": limit,
                }


def read_authors(entries, problem):
    """The `authors:` entries as {name, orcid, affiliation} (a plain name is
    a name alone)."""
    authors = []
    for number, entry in enumerate(entries, start=1):
        where = _("author %d") % number
        if not isinstance(entry, dict):
            entry = {"name": entry}
        for key in entry:
            if key not in AUTHOR_KEYS:
                problem(
                    _("%(where)s: unknown key “%(key)s”") % {"where": where, "key": key}
                )
        name = " ".join(str(entry.get("name") or "").split())
        if not name:
            problem(_("%s: “name” is required") % where)
            continue
        orcid = str(entry.get("orcid") or "")
        if orcid and not ORCID_RE.match(orcid):
            problem(
                _("%(where)s: “%(orcid)s” is not an ORCID iD (0000-0002-1825-0097)")
                % {"where": where, "orcid": orcid}
            )
        authors.append(
            {
                "name": name,
                "orcid": orcid,
                "affiliation": " ".join(str(entry.get("affiliation") or "").split()),
            }
        )
    return authors


def read_figures(path, entries, problem):
    """Check the `figures:` entries of a topic file and the images they name.

    The images get the same checks as uploads in the admin.
    """
    figures, labels = [], set()
    for number, entry in enumerate(entries, start=1):
        where = _("figure %d") % number
        if not isinstance(entry, dict):
            problem(_("%s: must be a mapping with at least file and alt") % where)
            continue
        entry = {key: "" if value is None else value for key, value in entry.items()}
        for key in entry:
            if key not in FIGURE_KEYS:
                problem(
                    _("%(where)s: unknown key “%(key)s”") % {"where": where, "key": key}
                )
        decorative = entry.get("decorative") is True
        if not entry.get("file"):
            problem(_("%s: “file” is required") % where)
            continue
        if not str(entry.get("alt", "")).strip() and not decorative:
            problem(
                _("%(where)s: “alt” is required: describe what the image shows")
                % {"where": where}
            )
        licence = str(entry.get("licence") or Licence.CC_BY_4)
        if licence not in Licence.values:
            problem(
                _("%(where)s: licence “%(licence)s” is not one of %(licences)s")
                % {
                    "where": where,
                    "licence": licence,
                    "licences": ", ".join(Licence.values),
                }
            )
        label = str(entry.get("label", ""))
        if label:
            try:
                figure_label_validator(label)
            except ValidationError as error:
                problem(f"{where}: {label}: {' '.join(error.messages)}")
            if label in labels:
                problem(
                    _("%(where)s: the label “%(label)s” is used twice")
                    % {"where": where, "label": label}
                )
            labels.add(label)
        relative = Path(str(entry["file"]))
        if relative.is_absolute() or ".." in relative.parts:
            problem(
                _("%(where)s: “%(file)s” must be a path below the topic file's folder")
                % {"where": where, "file": relative}
            )
            continue
        image_path = path.parent / relative
        if not image_path.is_file():
            problem(
                _("%(where)s: no image file at %(file)s")
                % {"where": where, "file": image_path}
            )
            continue
        try:
            with image_path.open("rb") as handle:
                upload = images.check_upload(handle, str(image_path))
        except ValidationError as error:
            problem(f"{where}: {' '.join(error.messages)}")
            continue
        figures.append((entry, upload))
    return figures


def collect_paths(paths):
    files = []
    for path in map(Path, paths):
        if path.is_dir():
            files += sorted(p for p in path.rglob("*") if p.suffix in {".md", ".bib"})
        elif path.exists():
            files.append(path)
        else:
            raise ImportFailed([_("%s: no such file or directory") % path])
    return files


def _check_references(topic_files, work_entries):
    """Return every unresolved reference across the run and the database."""
    problems = []
    run_slugs = {str(t.meta["slug"]) for t in topic_files}
    run_keys = {e.key for e in work_entries}
    slugs_used = set(run_slugs)
    for t in topic_files:
        slugs_used |= {str(s) for s in t.meta.get("related", [])}
        if t.meta.get("parent"):
            slugs_used.add(str(t.meta["parent"]))
    db_slugs = set(
        Topic.objects.filter(slug__in=slugs_used).values_list("slug", flat=True)
    )
    known_slugs = run_slugs | db_slugs
    seminal = {str(k) for t in topic_files for k in t.meta.get("seminal_works", [])}
    known_keys = run_keys | set(
        Work.objects.filter(key__in=seminal).values_list("key", flat=True)
    )
    seen = {}
    for t in topic_files:
        slug = str(t.meta["slug"])
        if slug in seen:
            problems.append(
                _("%(path)s: the slug “%(slug)s” is also used by %(other)s")
                % {"path": t.path, "slug": slug, "other": seen[slug]}
            )
        seen[slug] = t.path
        parent = t.meta.get("parent")
        if parent and str(parent) not in known_slugs:
            problems.append(
                _("%(path)s: unknown parent topic “%(slug)s”")
                % {"path": t.path, "slug": parent}
            )
        if parent and str(parent) == slug:
            problems.append(_("%s: a topic cannot be its own parent") % t.path)
        for related in t.meta.get("related", []):
            if str(related) not in known_slugs:
                problems.append(
                    _("%(path)s: unknown related topic “%(slug)s”")
                    % {"path": t.path, "slug": related}
                )
        for key in t.meta.get("seminal_works", []):
            if str(key) not in known_keys:
                problems.append(
                    _("%(path)s: unknown seminal work “%(key)s”")
                    % {"path": t.path, "key": key}
                )
        _analyses, errors = services.check_sections(
            [(heading, body) for heading, _kind, body in t.sections]
            + [
                (
                    services.figure_caption_heading(n, str(entry.get("label", ""))),
                    str(entry.get("caption", "")),
                )
                for n, (entry, _upload) in enumerate(t.figures, start=1)
            ],
            figure_labels=[
                str(entry["label"])
                for entry, _upload in t.figures
                if entry.get("label")
            ],
            pending_slugs=run_slugs,
            pending_keys=run_keys,
        )
        problems += [f"{t.path}: {m}" for messages in errors for m in messages]
    problems += _check_parent_cycles(topic_files)
    existing = Topic.objects.filter(slug__in=run_slugs, draft_version__isnull=False)
    for topic in existing:
        problems.append(
            _("%s: the topic has an open version; publish or discard it first")
            % topic.slug
        )
    return problems


def _check_parent_cycles(topic_files):
    parents = {}
    for topic in Topic.objects.select_related(
        "live_version__parent", "draft_version__parent"
    ):
        version = topic.draft_version or topic.live_version
        if version and version.parent:
            parents[topic.slug] = version.parent.slug
    for t in topic_files:
        parents[str(t.meta["slug"])] = (
            str(t.meta["parent"]) if t.meta.get("parent") else None
        )
    problems = []
    for t in topic_files:
        start = str(t.meta["slug"])
        seen, current = set(), parents.get(start)
        while current and current not in seen:
            if current == start:
                problems.append(
                    _("%(path)s: the parent chain of “%(slug)s” loops back to it")
                    % {"path": t.path, "slug": start}
                )
                break
            seen.add(current)
            current = parents.get(current)
    return problems


def _draft_content(t: TopicFile) -> services.DraftContent:
    meta = t.meta
    return services.DraftContent(
        slug=str(meta["slug"]),
        title=str(meta["title"]),
        summary=str(meta["summary"]).strip(),
        kind=meta["kind"],
        parent=str(meta["parent"]) if meta.get("parent") else None,
        tags=[str(tag) for tag in meta.get("tags", [])],
        sections=t.sections,
        related=[str(slug) for slug in meta.get("related", [])],
        key_figures=[str(name) for name in meta.get("key_figures", [])],
        authors=meta.get("authors", []),
        seminal_works=[str(key) for key in meta.get("seminal_works", [])],
        figures=[
            services.FigureContent(
                upload=upload,
                alt=str(entry.get("alt", "")),
                decorative=entry.get("decorative") is True,
                caption=str(entry.get("caption", "")),
                credit=str(entry.get("credit", "")),
                licence=str(entry.get("licence") or Licence.CC_BY_4),
                label=str(entry.get("label", "")),
            )
            for entry, upload in t.figures
        ],
    )


def import_content(paths, *, publish=False, by=None, progress=None):
    """Import topic files and bibliographies as one transaction.

    Raise ImportFailed listing every problem found; nothing is written then.
    Return the imported versions.
    """
    problems, topic_files, work_entries = [], [], []
    for path in collect_paths(paths):
        if path.suffix == ".bib":
            try:
                outcomes = preview_bibtex(path.read_text(encoding="utf-8"))
            except ValidationError as error:
                problems.append(
                    _("%(where)s: %(problem)s")
                    % {"where": path, "problem": " ".join(error.messages)}
                )
                continue
            for outcome in outcomes:
                if outcome.status == "error":
                    problems.append(f"{path}:{outcome.line}: {outcome.reason}")
                else:
                    work_entries.append(outcome)
        else:
            topic_file, file_problems = read_topic_file(path)
            problems += file_problems
            if topic_file:
                topic_files.append(topic_file)
    if problems:
        raise ImportFailed(problems)
    problems = _check_references(topic_files, work_entries)
    if problems:
        raise ImportFailed(problems)
    with transaction.atomic():
        apply_bibtex(work_entries, by=by)
        versions = services.create_drafts(
            contents=[_draft_content(t) for t in topic_files],
            by=by,
            comment=_("Imported from a content file."),
        )
        if publish:
            batches = [versions[i : i + 25] for i in range(0, len(versions), 25)]
            for batch in progress(batches) if progress else batches:
                services.approve_as_system(versions=batch, edit_summary=_("Imported"))
    return versions


# -- Export ------------------------------------------------------------------


def topic_to_markdown(version, figure_files=()):
    """The content file of a version; `figure_files` are the image paths
    (relative to the file) of its figures, in order."""
    meta = {
        "title": version.title,
        "slug": version.topic.slug,
        "kind": version.kind,
        "summary": version.summary,
    }
    if version.parent:
        meta["parent"] = version.parent.slug
    tags = sorted(tag.name for tag in version.tags.all())
    if tags:
        meta["tags"] = tags
    related = [
        link.target.slug for link in version.related_links.select_related("target")
    ]
    if related:
        meta["related"] = related
    authors = [
        {
            key: value
            for key, value in (
                ("name", link.person.name),
                ("orcid", link.person.orcid),
                ("affiliation", link.person.affiliation),
            )
            if value
        }
        for link in version.author_links.select_related("person")
    ]
    if authors:
        meta["authors"] = [a["name"] if len(a) == 1 else a for a in authors]
    people = [
        link.person.name for link in version.key_figure_links.select_related("person")
    ]
    if people:
        meta["key_figures"] = people
    seminal = [
        link.work.key for link in version.seminal_work_links.select_related("work")
    ]
    if seminal:
        meta["seminal_works"] = seminal
    figures = []
    for figure, file in zip(version.figures.all(), figure_files, strict=True):
        entry = {"file": file, "alt": figure.alt}
        if figure.decorative:
            entry["decorative"] = True
        for key in ("caption", "credit", "licence", "label"):
            if getattr(figure, key):
                entry[key] = getattr(figure, key)
        figures.append(entry)
    if figures:
        meta["figures"] = figures
    front = yaml.safe_dump(meta, sort_keys=False, allow_unicode=True, width=88)
    body = "\n".join(
        f"## {section.display_heading}\n\n{section.body.strip()}\n"
        for section in version.sections.all()
    )
    return f"---\n{front}---\n{body}"


def export_content(directory, slugs=None):
    """Write live topics and their works to `directory`; return the paths."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    topics = (
        Topic.objects.live().select_related("live_version__parent").order_by("slug")
    )
    if slugs:
        topics = topics.filter(slug__in=slugs)
    written, keys = [], set()
    for topic in topics:
        version = topic.live_version
        version.topic = topic
        files = _export_figures(version, directory, topic.slug)
        written += [directory / file for file in files]
        path = directory / f"{topic.slug}.md"
        path.write_text(topic_to_markdown(version, files), encoding="utf-8")
        written.append(path)
        keys |= set(version.citations.values_list("work__key", flat=True))
        keys |= set(version.seminal_work_links.values_list("work__key", flat=True))
    if keys:
        path = directory / "bibliography.bib"
        path.write_text(
            works_to_bibtex(Work.objects.filter(key__in=keys)), encoding="utf-8"
        )
        written.append(path)
    return written


def _export_figures(version, directory, slug):
    """Copy a version's images to figures/<slug>/; return their relative paths."""
    files = []
    for number, figure in enumerate(version.figures.all(), start=1):
        extension = figure.image.name.rsplit(".", 1)[-1]
        # Labels have no "_": an unlabelled figure's file never takes a label's.
        file = f"figures/{slug}/{figure.label or f'figure_{number}'}.{extension}"
        target = directory / file
        target.parent.mkdir(parents=True, exist_ok=True)
        with figure.image.open("rb") as source:
            target.write_bytes(source.read())
        files.append(file)
    return files
