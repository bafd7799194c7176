"""Drafts: creating topics, starting and saving drafts, importing content.

Nothing here is public until a moderator approves it (workflow.py).
"""

from dataclasses import dataclass, field
from functools import reduce
from operator import or_

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from taggit.models import Tag

from citations.models import Work

from .. import images, rendering
from ..models import (
    AuditEntry,
    Citation,
    Figure,
    KeyFigure,
    OldSlug,
    Person,
    PersonEdit,
    RelatedTopic,
    Section,
    SeminalWork,
    TaggedVersion,
    Topic,
    TopicLink,
    TopicVersion,
    VersionAuthor,
)
from .common import (
    accounts,
    audit,
    display_name,
    lock_topic,
    lock_version,
    notify,
    require_editor,
)

Action = AuditEntry.Action
State = TopicVersion.State
# The rows a draft copies from the version it starts from.
COPIED_ROWS = (VersionAuthor, Section, Figure, RelatedTopic, KeyFigure, SeminalWork)
# Positions are unique per version: rows are moved out of the way first.
PARKED = 1_000_000


@transaction.atomic
def create_topic(
    *,
    slug: str,
    title: str,
    kind: str,
    summary: str,
    by,
    parent: Topic | None = None,
) -> TopicVersion:
    """Create a topic with its first draft and return that draft."""
    require_editor(by)
    topic = Topic(slug=slug)
    topic.full_clean()
    topic.save()
    version = TopicVersion(
        topic=topic,
        title=title,
        kind=kind,
        summary=summary,
        parent=parent,
        created_by=by,
    )
    version.full_clean()
    version.save()
    # The editor who starts a topic is its first author (changeable).
    VersionAuthor.objects.create(version=version, person=person_for(by), position=1)
    topic.draft_version = version
    topic.save(update_fields=["draft_version"])
    audit(topic=topic, version=version, actor=by, action=Action.CREATED)
    return version


def person_for(user) -> Person:
    """The person an account writes as: linked to it, made on first use from
    the account's name."""
    person = Person.objects.filter(user=user).first()
    if person is not None:
        return person
    full = " ".join(f"{user.first_name} {user.last_name}".split())
    name = full or user.get_username()
    person = Person.objects.filter(name=name, user__isnull=True).first()
    if person is None:
        if Person.objects.filter(name=name).exists():
            name = f"{name} ({user.get_username()})"
        person = Person(
            name=name,
            family_name=user.last_name,
            given_names=user.first_name if user.last_name else "",
        )
    person.user = user
    person.save()
    return person


@transaction.atomic
def start_draft(*, topic: Topic, by) -> TopicVersion:
    """Return the topic's open version, or a new draft copied from the latest.

    The latest is the live version; a topic never published starts from its
    last rejected version, so a refusal never locks a topic for good.
    """
    require_editor(by)
    topic = lock_topic(topic)
    if topic.draft_version_id:
        return topic.draft_version
    source = topic.live_version or (
        topic.versions.filter(state=State.REJECTED).order_by("-created_at").first()
    )
    if source is None:
        raise ValidationError(_("This topic has no version to start from."))
    draft = _copy_version(source, by=by)
    topic.draft_version = draft
    topic.save(update_fields=["draft_version"])
    audit(topic=topic, version=draft, actor=by, action=Action.STARTED_DRAFT)
    return draft


@transaction.atomic
def delete_draft(*, version: TopicVersion, by) -> None:
    """Delete a draft; a topic never published goes with its only draft, so
    its slug can be used again. Recorded, and its authors are told."""
    require_editor(by)
    topic, version = lock_version(version)
    if version.state != State.DRAFT:
        raise ValidationError(_("Only a draft can be deleted."))
    people = [u for u in accounts(version) if u != by]
    title, slug = version.title, topic.slug
    alone = not topic.versions.exclude(pk=version.pk).exists()
    if topic.draft_version_id == version.pk:
        topic.draft_version = None
        topic.save(update_fields=["draft_version"])
    audit(
        topic=None if alone else topic,
        slug=slug,
        version=None,
        actor=by,
        action=Action.DELETED_DRAFT,
        comment=title,
    )
    version.delete()
    if alone:
        topic.delete()
    notify(
        people,
        _("Draft deleted: %(title)s") % {"title": title},
        _("%(who)s deleted the draft of “%(title)s” (%(slug)s).")
        % {"who": display_name(by), "title": title, "slug": slug},
    )


@transaction.atomic
def record_edit(*, version: TopicVersion, by) -> TopicVersion:
    """Note that `by` saved the draft: contributors, counter, citations."""
    if by is not None and by.pk != version.created_by_id:
        version.contributors.add(by)
    TopicVersion.objects.filter(pk=version.pk).update(
        edit_count=F("edit_count") + 1, updated_at=timezone.now(), last_edited_by=by
    )
    version.refresh_from_db(fields=["edit_count", "updated_at", "last_edited_by"])
    sync_citations([version])
    return version


@transaction.atomic
def save_rows(*, version: TopicVersion, model, rows: list, deleted: list = ()) -> None:
    """Save a draft's ordered rows (sections, figures, links) in their order.

    `rows` are the kept rows in the order the editor gave them (their
    `position`, blank or 0 meaning "at the end, in the order shown");
    they are renumbered 1, 2, 3…
    """
    if not version.is_editable:
        raise ValidationError(_("Only a draft can be edited."))
    for row in deleted:
        if row.pk:
            row.delete()
    order = sorted(
        enumerate(rows), key=lambda item: (item[1].position or PARKED, item[0])
    )
    model.objects.filter(version=version).update(position=F("position") + PARKED)
    for position, (_index, row) in enumerate(order, start=1):
        row.version = version
        row.position = position
        row.save()


@transaction.atomic
def save_person(*, person: Person, by) -> Person:
    """Validate and save a person, recording who changed them: approved
    pages list people, so reviewers see the change (services.workflow)."""
    require_editor(by)
    person.full_clean()
    person.save()
    PersonEdit.objects.create(person=person, by=by)
    return person


def store_figure_image(*, figure: Figure, upload: images.Upload) -> Figure:
    """Store a checked upload as the figure's image (saved with the figure)."""
    figure.image, figure.renditions = images.store(upload)
    figure.width, figure.height = upload.width, upload.height
    figure.sha256 = upload.sha256
    return figure


# -- Content from files and generators ------------------------------------


@dataclass
class FigureContent:
    upload: images.Upload
    alt: str = ""
    decorative: bool = False
    caption: str = ""
    credit: str = ""
    licence: str = Figure._meta.get_field("licence").default
    label: str = ""


@dataclass
class DraftContent:
    """One topic's draft as a content file (or a generator) describes it.

    Topics are named by slug, works by key and people by name.
    """

    slug: str
    title: str
    summary: str
    kind: str
    parent: str | None = None
    tags: list = field(default_factory=list)
    sections: list = field(default_factory=list)  # (heading, kind, body)
    related: list = field(default_factory=list)
    key_figures: list = field(default_factory=list)
    seminal_works: list = field(default_factory=list)
    figures: list = field(default_factory=list)  # FigureContent
    # {"name", "orcid", "affiliation"}; a name not yet known creates a person.
    authors: list = field(default_factory=list)
    edit_summary: str = ""


@transaction.atomic
def create_drafts(
    *, contents: list[DraftContent], by=None, comment: str = ""
) -> list[TopicVersion]:
    """Create a draft per content, and the topics they name, in bulk.

    References must resolve (content_files checks them first); a topic with
    an open version is refused. Each draft is recorded in the audit log with
    `comment`.
    """
    slugs = {c.slug for c in contents}
    slugs |= {s for c in contents for s in c.related}
    slugs |= {c.parent for c in contents if c.parent}
    topics = Topic.objects.select_for_update().in_bulk(list(slugs), field_name="slug")
    open_ = sorted(t.slug for t in topics.values() if t.draft_version_id)
    open_ = [slug for slug in open_ if slug in {c.slug for c in contents}]
    if open_:
        raise ValidationError(
            _("These topics have an open version: %(slugs)s.")
            % {"slugs": ", ".join(open_)}
        )
    new = [Topic(slug=slug) for slug in sorted(slugs) if slug not in topics]
    for topic in Topic.objects.bulk_create(new, batch_size=1000):
        topics[topic.slug] = topic
    versions = TopicVersion.objects.bulk_create(
        [
            TopicVersion(
                topic=topics[c.slug],
                title=c.title,
                summary=c.summary.strip(),
                kind=c.kind,
                parent=topics[c.parent] if c.parent else None,
                edit_summary=c.edit_summary,
                created_by=by,
            )
            for c in contents
        ],
        batch_size=1000,
    )
    _bulk_tags(versions, [c.tags for c in contents])
    people = _people(
        {name for c in contents for name in c.key_figures}
        | {a["name"] for c in contents for a in c.authors}
    )
    _complete_people(people, [a for c in contents for a in c.authors])
    works = Work.objects.in_bulk(
        list({k for c in contents for k in c.seminal_works}), field_name="key"
    )
    rows = {model: [] for model in COPIED_ROWS if model is not Figure}
    for version, c in zip(versions, contents, strict=True):
        rows[Section] += [
            Section(version=version, position=i, kind=kind, heading=heading, body=body)
            for i, (heading, kind, body) in enumerate(c.sections, start=1)
        ]
        rows[RelatedTopic] += [
            RelatedTopic(version=version, position=i, target=topics[slug])
            for i, slug in enumerate(c.related, start=1)
        ]
        rows[VersionAuthor] += [
            VersionAuthor(version=version, position=i, person=people[author["name"]])
            for i, author in enumerate(c.authors, start=1)
        ]
        rows[KeyFigure] += [
            KeyFigure(version=version, position=i, person=people[name])
            for i, name in enumerate(c.key_figures, start=1)
        ]
        rows[SeminalWork] += [
            SeminalWork(version=version, position=i, work=works[key])
            for i, key in enumerate(c.seminal_works, start=1)
        ]
        for i, f in enumerate(c.figures, start=1):
            figure = Figure(
                version=version,
                position=i,
                alt=" ".join(f.alt.split()),
                decorative=f.decorative,
                caption=f.caption.strip(),
                credit=f.credit.strip(),
                licence=f.licence,
                label=f.label,
            )
            store_figure_image(figure=figure, upload=f.upload)
            figure.save()
    for model, objects in rows.items():
        model.objects.bulk_create(objects, batch_size=2000)
    sync_citations(versions)
    for version in versions:
        version.topic.draft_version = version
    Topic.objects.bulk_update(
        [v.topic for v in versions], ["draft_version"], batch_size=1000
    )
    AuditEntry.objects.bulk_create(
        AuditEntry(
            topic=v.topic,
            topic_slug=v.topic.slug,
            version=v,
            actor=by,
            action=Action.CREATED,
            comment=comment,
        )
        for v in versions
    )
    return versions


def _bulk_tags(versions, names_per_version):
    """Tag the versions, creating tags not known yet (names case-insensitive)."""
    wanted = {" ".join(str(n).split()) for names in names_per_version for n in names}
    if not wanted:
        return
    known = Tag.objects.filter(reduce(or_, (Q(name__iexact=n) for n in wanted)))
    tags = {t.name.lower(): t for t in known}
    for name in sorted(wanted):
        if name.lower() not in tags:
            tag = Tag(name=name)
            tag.save()
            tags[name.lower()] = tag
    TaggedVersion.objects.bulk_create(
        [
            TaggedVersion(content_object=version, tag=tag)
            for version, names in zip(versions, names_per_version, strict=True)
            for tag in {tags[" ".join(str(n).split()).lower()] for n in names}
        ],
        batch_size=2000,
    )


def _complete_people(people, authors):
    """Give people the ORCID and affiliation a content file names for them
    (never overwriting what is known)."""
    for author in authors:
        person = people[author["name"]]
        changed = False
        for key in ("orcid", "affiliation"):
            if author.get(key) and not getattr(person, key):
                setattr(person, key, author[key])
                changed = True
        if changed:
            person.full_clean()
            person.save()


def _people(names):
    names = {" ".join(str(n).split()) for n in names}
    people = {p.name: p for p in Person.objects.filter(name__in=names)}
    for name in sorted(names - set(people)):
        person = Person(name=name)
        person.save()
        people[name] = person
    return people


# -- Derived rows -------------------------------------------------------------


def sync_citations(versions: list[TopicVersion]) -> None:
    """Rebuild the versions' Citation and TopicLink rows from their text.

    One Pandoc parse for all of them.
    """
    sections = list(Section.objects.filter(version__in=versions).order_by("pk"))
    figures = list(Figure.objects.filter(version__in=versions).order_by("pk"))
    places = [(s.version_id, {"section": s}) for s in sections]
    places += [(f.version_id, {"figure": f}) for f in figures]
    analyses = rendering.analyse_sections(
        [s.body for s in sections] + [f.caption for f in figures]
    )
    slugs = {slug for a in analyses for slug in a.topic_slugs}
    keys = {k for a in analyses for k in a.citation_keys}
    targets = dict(Topic.objects.filter(slug__in=slugs).values_list("slug", "pk"))
    for slug, pk in OldSlug.objects.filter(slug__in=slugs).values_list("slug", "topic"):
        targets.setdefault(slug, pk)
    works = {w.key: w for w in Work.objects.filter(key__in=keys)}
    TopicLink.objects.filter(version__in=versions).delete()
    Citation.objects.filter(version__in=versions).delete()
    links = {
        (version_id, targets[slug])
        for (version_id, _place), analysis in zip(places, analyses, strict=True)
        for slug in analysis.topic_slugs
        if slug in targets
    }
    TopicLink.objects.bulk_create(
        (TopicLink(version_id=v, target_id=t) for v, t in sorted(links)),
        batch_size=2000,
    )
    Citation.objects.bulk_create(
        (
            Citation(
                version_id=version_id,
                **place,
                work=works[key],
                context=analysis.citation_contexts.get(key, ""),
            )
            for (version_id, place), analysis in zip(places, analyses, strict=True)
            for key in analysis.citation_keys
            if key in works
        ),
        batch_size=2000,
    )


def _copy_version(source: TopicVersion, *, by) -> TopicVersion:
    """Copy a version with all its rows into a new draft of the same topic."""
    copy = TopicVersion.objects.create(
        topic=source.topic,
        title=source.title,
        summary=source.summary,
        kind=source.kind,
        parent=source.parent,
        created_by=by,
        based_on=source,
    )
    copy.tags.set(list(source.tags.all()))
    # Figures keep their image: the copy shares the stored file.
    new_ids = {}
    for model in COPIED_ROWS:
        rows = list(model.objects.filter(version=source))
        old_ids = [row.pk for row in rows]
        for row in rows:
            row.pk = None
            row.version = copy
        model.objects.bulk_create(rows)
        new_ids[model] = dict(zip(old_ids, (row.pk for row in rows), strict=True))
    # The same text cites the same works: the derived rows are copied too.
    Citation.objects.bulk_create(
        Citation(
            version=copy,
            section_id=new_ids[Section].get(c.section_id),
            figure_id=new_ids[Figure].get(c.figure_id),
            work_id=c.work_id,
            context=c.context,
        )
        for c in Citation.objects.filter(version=source)
    )
    TopicLink.objects.bulk_create(
        TopicLink(version=copy, target_id=target)
        for target in TopicLink.objects.filter(version=source).values_list(
            "target", flat=True
        )
    )
    return copy
