"""Editorial workflow: every change of a version's state happens here.

Each service is atomic, checks permissions, locks the rows it changes,
records an audit entry and sends its mail only once the transaction commits.
"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mass_mail
from django.db import transaction
from django.db.models import F, Max, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from citations.formatting import format_references
from citations.models import Work
from scholargate import pagecache

from . import citing, images, metadata, rendering, search
from .models import (
    AuditEntry,
    Citation,
    Figure,
    KeyFigure,
    OldSlug,
    RelatedTopic,
    Section,
    SeminalWork,
    Topic,
    TopicLink,
    TopicVersion,
    slug_validator,
)

APPROVE_PERMISSION = "topics.approve_topicversion"
State = TopicVersion.State
Action = AuditEntry.Action


# -- Checks shared by forms, imports and services ---------------------------


def check_sections(sections, *, figure_labels=(), pending_slugs=(), pending_keys=()):
    """Check what section texts refer to; return analyses and errors.

    The errors are one list of messages per section.
    `sections` is a list of (heading, body). Citation keys must name a Work,
    topic links a Topic and @fig: labels a figure of the version; keys and
    slugs being created in the same run count as known.
    """
    analyses = rendering.analyse_sections([body for _heading, body in sections])
    keys = {k for a in analyses for k in a.citation_keys}
    slugs = {s for a in analyses for s in a.topic_slugs}
    known_keys = set(Work.objects.filter(key__in=keys).values_list("key", flat=True))
    known_keys |= set(pending_keys)
    known_slugs = set(
        Topic.objects.filter(slug__in=slugs).values_list("slug", flat=True)
    )
    known_slugs |= set(
        OldSlug.objects.filter(slug__in=slugs).values_list("slug", flat=True)
    )
    known_slugs |= set(pending_slugs)
    labels = {label.lower() for label in figure_labels}
    errors = []
    for (heading, _body), analysis in zip(sections, analyses, strict=True):
        errors.append(found := [])
        for problem in analysis.problems:
            found.append(
                _("Section “%(section)s”: %(problem)s.")
                % {"section": heading, "problem": problem}
            )
        for key in analysis.citation_keys:
            if key not in known_keys:
                found.append(
                    _("Section “%(section)s” cites an unknown work: @%(key)s.")
                    % {"section": heading, "key": key}
                )
        for slug in analysis.topic_slugs:
            if slug not in known_slugs:
                found.append(
                    _(
                        "Section “%(section)s” links to an unknown topic: "
                        "topic:%(slug)s."
                    )
                    % {"section": heading, "slug": slug}
                )
        for label in analysis.figure_labels:
            if label.lower().removeprefix("fig:") not in labels:
                found.append(
                    _("Section “%(section)s” refers to an unknown figure: @%(label)s.")
                    % {"section": heading, "label": label}
                )
    return analyses, errors


def check_parent(*, topic, parent):
    """Raise ValidationError if making `parent` the parent of `topic` loops."""
    if parent is None or topic is None:
        return
    seen = set()
    current = parent
    while current is not None and current.pk not in seen:
        if current.pk == topic.pk:
            raise ValidationError(
                _("“%(parent)s” cannot be the parent: it is “%(topic)s” or below it.")
                % {"parent": parent.slug, "topic": topic.slug},
                code="parent_cycle",
            )
        seen.add(current.pk)
        version = current.draft_version or current.live_version
        current = version.parent if version else None


# -- Helpers -----------------------------------------------------------------


def _require_moderator(user):
    if user is None or not user.has_perm(APPROVE_PERMISSION):
        raise PermissionDenied(_("Only moderators can do this."))


def _require_editor(user):
    if user is None or not user.has_perm("topics.change_topicversion"):
        raise PermissionDenied(_("Only editors can do this."))


def _lock_version(version):
    """Lock the topic and the version (in that order) and return fresh rows."""
    topic = Topic.objects.select_for_update().get(pk=version.topic_id)
    locked = TopicVersion.objects.select_for_update().get(pk=version.pk)
    locked.topic = topic
    return topic, locked


def _audit(*, topic, version, actor, action, comment=""):
    # Every recorded action may change what readers see somewhere.
    pagecache.bump()
    return AuditEntry.objects.create(
        topic=topic, version=version, actor=actor, action=action, comment=comment
    )


def _notify(recipients, subject, body):
    addresses = sorted({r.email for r in recipients if r is not None and r.email})
    if not addresses:
        return
    messages = [(subject, body, settings.DEFAULT_FROM_EMAIL, [a]) for a in addresses]
    transaction.on_commit(lambda: send_mass_mail(messages, fail_silently=True))


def _moderators():
    User = get_user_model()
    return User.objects.filter(
        Q(groups__permissions__codename="approve_topicversion")
        | Q(user_permissions__codename="approve_topicversion")
        | Q(is_superuser=True),
        is_active=True,
    ).distinct()


def _authors(version):
    people = [version.created_by] if version.created_by else []
    people += [u for u in version.contributors.all() if u not in people]
    return people


def display_name(user):
    return user.get_full_name() or user.get_username()


# -- Content -----------------------------------------------------------------


@transaction.atomic
def create_topic(*, slug, title, kind, summary, by, parent=None):
    """Create a topic with its first draft and return that draft."""
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
    topic.draft_version = version
    topic.save(update_fields=["draft_version"])
    _audit(topic=topic, version=version, actor=by, action=Action.CREATED)
    return version


def sync_citations(version):
    """Rebuild the version's Citation and TopicLink rows from its text."""
    sections = list(version.sections.all())
    figures = list(version.figures.all())
    analyses = rendering.analyse_sections(
        [s.body for s in sections] + [f.caption for f in figures]
    )
    slugs = {slug for a in analyses for slug in a.topic_slugs}
    version.text_links.all().delete()
    targets = set(Topic.objects.filter(slug__in=slugs).values_list("pk", flat=True))
    targets |= set(
        OldSlug.objects.filter(slug__in=slugs).values_list("topic", flat=True)
    )
    TopicLink.objects.bulk_create(
        TopicLink(version=version, target_id=pk) for pk in targets
    )
    wanted = {k for a in analyses for k in a.citation_keys}
    works = {w.key: w for w in Work.objects.filter(key__in=wanted)}
    version.citations.all().delete()
    places = [{"section": s} for s in sections] + [{"figure": f} for f in figures]
    Citation.objects.bulk_create(
        Citation(
            version=version,
            **place,
            work=works[key],
            context=analysis.citation_contexts.get(key, ""),
        )
        for place, analysis in zip(places, analyses, strict=True)
        for key in analysis.citation_keys
        if key in works
    )


@transaction.atomic
def record_edit(*, version, by):
    """Note that `by` saved the draft: contributors, counter, citations."""
    if by is not None and by.pk != version.created_by_id:
        version.contributors.add(by)
    TopicVersion.objects.filter(pk=version.pk).update(
        edit_count=F("edit_count") + 1, updated_at=timezone.now(), last_edited_by=by
    )
    version.refresh_from_db(fields=["edit_count", "updated_at", "last_edited_by"])
    sync_citations(version)


def record_import(*, version, by):
    """Record that a version was created from a content file."""
    _audit(
        topic=version.topic,
        version=version,
        actor=by,
        action=Action.CREATED,
        comment=_("Imported from a content file."),
    )


def _copy_version(source, *, by):
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
    for model in (Section, Figure, RelatedTopic, KeyFigure, SeminalWork):
        rows = list(model.objects.filter(version=source))
        for row in rows:
            row.pk = None
            row.id = None
            row.version = copy
        model.objects.bulk_create(rows)
    sync_citations(copy)
    return copy


@transaction.atomic
def start_draft(*, topic, by):
    """Return the topic's open version, or a new draft copied from the live one."""
    _require_editor(by)
    topic = Topic.objects.select_for_update().get(pk=topic.pk)
    if topic.draft_version_id:
        return topic.draft_version
    if topic.live_version_id is None:
        raise ValidationError(_("This topic has no version to start from."))
    draft = _copy_version(topic.live_version, by=by)
    topic.draft_version = draft
    topic.save(update_fields=["draft_version"])
    _audit(topic=topic, version=draft, actor=by, action=Action.STARTED_DRAFT)
    return draft


def validate_version(version):
    """Raise ValidationError listing every unresolved reference of a version."""
    sections = [(s.display_heading, s.body) for s in version.sections.all()]
    figures = list(version.figures.all())
    sections += [
        (figure_caption_heading(n, f.label), f.caption)
        for n, f in enumerate(figures, start=1)
    ]
    _analyses, found = check_sections(
        sections, figure_labels=[f.label for f in figures if f.label]
    )
    errors = [message for messages in found for message in messages]
    try:
        check_parent(topic=version.topic, parent=version.parent)
    except ValidationError as error:
        errors.extend(error.messages)
    if errors:
        raise ValidationError(errors)


# -- Workflow ----------------------------------------------------------------


@transaction.atomic
def submit_for_review(*, version, by, edit_summary):
    """Put a draft in the moderators' queue; it is read-only from now on."""
    _require_editor(by)
    topic, version = _lock_version(version)
    if version.state != State.DRAFT:
        raise ValidationError(_("Only a draft can be submitted for review."))
    edit_summary = (edit_summary or "").strip()
    if not edit_summary:
        raise ValidationError(_("Say what changed in an edit summary."))
    validate_version(version)
    version.edit_summary = edit_summary
    version.state = State.SUBMITTED
    version.submitted_at = timezone.now()
    version.save(update_fields=["edit_summary", "state", "submitted_at"])
    _audit(
        topic=topic,
        version=version,
        actor=by,
        action=Action.SUBMITTED,
        comment=edit_summary,
    )
    _notify(
        [m for m in _moderators() if m != by],
        _("Review requested: %s") % version.title,
        _("%(who)s submitted “%(title)s” for review: %(summary)s")
        % {"who": display_name(by), "title": version.title, "summary": edit_summary},
    )
    return version


def works_for(version):
    """Return the CSL-JSON of every work the version cites or lists, as now."""
    seminal = version.seminal_work_links.values_list("work__key", flat=True)
    cited = set(version.citations.values_list("work__key", flat=True)) | set(seminal)
    return [w.to_csl() for w in Work.objects.filter(key__in=cited).order_by("key")]


def render_version(version, *, works_csl=None, style=None):
    """Render a version; with `works_csl`, as the works were then (frozen)."""
    sections = [
        rendering.SectionSource(s.display_heading, s.kind, s.body)
        for s in version.sections.all()
    ]
    seminal_keys = [
        link.work.key for link in version.seminal_work_links.select_related("work")
    ]
    return rendering.render_version(
        summary=version.summary,
        sections=sections,
        seminal_keys=seminal_keys,
        works_csl=works_for(version) if works_csl is None else works_csl,
        topic_url=lambda slug: reverse("topics:detail", kwargs={"slug": slug}),
        work_url=lambda key: reverse("citations:work", kwargs={"key": key}),
        style=style,
        figures=[figure_source(f) for f in version.figures.all()],
    )


def figure_source(figure):
    return rendering.FigureSource(
        label=figure.label,
        alt="" if figure.decorative else figure.alt,
        caption=figure.caption,
        credit=figure.credit,
        licence_name=figure.get_licence_display(),
        licence_url=figure.licence_url,
        picture=images.picture_data(figure.renditions),
    )


def figure_caption_heading(number, label):
    """How a caption is named in validation messages."""
    if label:
        return _("Caption of figure %(number)s (%(label)s)") % {
            "number": number,
            "label": label,
        }
    return _("Caption of figure %(number)s") % {"number": number}


def prepare_preview(version):
    """Render an open version in memory (not saved) for its preview page."""
    _store_rendering(version, render_version(version), cite=False)
    return version


def _csl_name(user):
    if user.last_name:
        return {"family": user.last_name, "given": user.first_name}
    return {"literal": user.get_username()}


def _store_rendering(version, rendered, *, cite=True):
    version.summary_html = rendered.summary_html
    version.body_html = rendered.body_html
    version.toc = rendered.toc
    # Key figures and tags are part of the version: frozen with its page.
    people = [
        {
            "name": k.person.name,
            "slug": k.person.slug,
            "description": k.person.description,
        }
        for k in version.key_figure_links.select_related("person")
    ]
    tags = [{"name": t.name, "slug": t.slug} for t in version.tags.order_by("name")]
    version.structured = {**rendered.structured, "key_figures": people, "tags": tags}
    names = [p["name"] for p in people] + [t["name"] for t in tags]
    version.search_text = " ".join([rendered.plain_text, *names])
    if not cite:
        return
    version.cite_html = _cite_texts([version])[version.pk]


# "Cite this entry" is shown in these styles whatever the site's style.
CITE_STYLES = {"apa": "apa", "chicago": "chicago-author-date"}


def _cite_texts(versions):
    """Return {version pk: {style name: HTML}}: one Pandoc run per style."""
    items = {version.pk: citing.entry_item(version) for version in versions}
    formatted = {
        name: format_references(list(items.values()), style)
        for name, style in CITE_STYLES.items()
    }
    return {
        pk: {name: formatted[name].get(item["id"], "") for name in CITE_STYLES}
        for pk, item in items.items()
    }


def _freeze(version):
    """Render the approved page once, with the works as they are now."""
    version.works_csl = works_for(version)
    authors = _authors(version)
    version.author_names = [_csl_name(u) for u in authors]
    version.byline = ", ".join(display_name(u) for u in authors)
    _store_rendering(version, render_version(version, works_csl=version.works_csl))


FROZEN_PARTS = [
    "frozen_head",
    "frozen_header",
    "frozen_toc",
    "frozen_people",
    "frozen_entry",
]
FROZEN_FIELDS = [
    "summary_html",
    "body_html",
    "toc",
    "structured",
    "cite_html",
    "search_text",
    *FROZEN_PARTS,
]


def freeze_parts(version):
    """Render the parts of an approved version's page that only it decides."""
    context = {
        "version": version,
        "topic": version.topic,
        "key_figures": version.structured.get("key_figures", []),
        "tags": version.structured.get("tags", []),
        # The first approval freezes its parts before the topic records it.
        "first_published": version.topic.first_published_at or version.approved_at,
    }
    version.frozen_header = render_to_string("topics/includes/header.html", context)
    version.frozen_toc = render_to_string("topics/includes/toc.html", context)
    version.frozen_people = render_to_string(
        "topics/includes/aside_people.html", context
    )
    version.frozen_entry = render_to_string("topics/includes/aside_entry.html", context)
    nonce, canonical_mark, crumbs_mark = metadata.new_marks()
    context.update(
        metadata.head_context(
            version,
            context["tags"],
            context["key_figures"],
            canonical=canonical_mark,
            breadcrumbs=None,
            crumbs_mark=crumbs_mark,
        )
    )
    head = render_to_string("topics/includes/head.html", context)
    version.frozen_head = f"{nonce}\n{head}"


def rerender_approved(version_id, style=None):
    """Re-render an approved version in a style, with its frozen works.

    Formatting only: the text and the works are those of the approval.
    The re-render command calls it from worker processes.
    """
    version = TopicVersion.objects.select_related("topic").get(pk=version_id)
    if not version.works_csl:
        # Approved before works were frozen with the version: freeze them now.
        version.works_csl = works_for(version)
    if not version.author_names:
        version.author_names = [_csl_name(u) for u in _authors(version)]
    rendered = render_version(version, works_csl=version.works_csl, style=style)
    _store_rendering(version, rendered)
    freeze_parts(version)
    version.save(update_fields=[*FROZEN_FIELDS, "works_csl", "author_names"])
    sync_citations(version)  # derived from the unchanged text
    search.index_version(version)
    pagecache.bump()


@transaction.atomic
def approve_version(*, version, by, comment="", expected_edit_count=None, system=False):
    """Publish exactly the reviewed version; the previous live one is superseded.

    `expected_edit_count` is the edit counter the reviewer saw: a version
    withdrawn, edited and resubmitted since then is refused. A `system`
    approval (imports) has no acting user and skips the four-eyes rule.
    """
    if not system:
        _require_moderator(by)
    topic, version = _lock_version(version)
    if version.state != State.SUBMITTED:
        raise ValidationError(
            _("This version is %(state)s; only a submitted version can be approved.")
            % {"state": version.get_state_display().lower()}
        )
    if expected_edit_count is not None and expected_edit_count != version.edit_count:
        raise ValidationError(
            _("This version changed after you opened it; review it again.")
        )
    if not system and not settings.SCHOLARGATE_ALLOW_SELF_APPROVAL:
        if version.has_author(by):
            raise PermissionDenied(
                _(
                    "You wrote or edited this version; "
                    "another moderator must approve it."
                )
            )
    validate_version(version)
    _number(topic, version, by=None if system else by)
    _freeze(version)
    freeze_parts(version)
    version.save()
    search.index_version(version)
    _set_live(topic, version)
    _audit(
        topic=topic,
        version=version,
        actor=None if system else by,
        action=Action.IMPORTED if system else Action.APPROVED,
        comment=comment,
    )
    if not system:
        _notify(
            _authors(version),
            _("Published: %s") % version.title,
            _("“%(title)s” was approved as version %(number)s.%(comment)s")
            % {
                "title": version.title,
                "number": version.number,
                "comment": f"\n\n{comment}" if comment else "",
            },
        )
    return version


def _number(topic, version, *, by):
    """Supersede the live version; give this one the next number."""
    if topic.live_version_id:
        TopicVersion.objects.filter(pk=topic.live_version_id).update(
            state=State.SUPERSEDED
        )
    last = topic.versions.aggregate(n=Max("number"))["n"] or 0
    version.number = last + 1
    version.state = State.PUBLISHED
    version.approved_at = timezone.now()
    version.approved_by = by


def _set_live(topic, version):
    topic.live_version = version
    topic.first_published_at = topic.first_published_at or version.approved_at
    if topic.draft_version_id == version.pk:
        topic.draft_version = None
    topic.save(update_fields=["live_version", "draft_version", "first_published_at"])


@transaction.atomic
def publish_now(*, version, by, edit_summary):
    """Submit and approve in one step (the foundation's simple publish)."""
    if version.state == State.DRAFT:
        version = submit_for_review(version=version, by=by, edit_summary=edit_summary)
    return approve_version(version=version, by=by)


@transaction.atomic
def publish_imported(*, version, edit_summary):
    """Publish an imported version as a recorded system action."""
    topic, version = _lock_version(version)
    version.edit_summary = edit_summary
    version.state = State.SUBMITTED
    version.submitted_at = timezone.now()
    version.save(update_fields=["edit_summary", "state", "submitted_at"])
    return approve_version(version=version, by=None, system=True)


def _require_open_review(version, expected_edit_count):
    if version.state != State.SUBMITTED:
        raise ValidationError(
            _("This version is %(state)s; it is no longer waiting for review.")
            % {"state": version.get_state_display().lower()}
        )
    if expected_edit_count is not None and expected_edit_count != version.edit_count:
        raise ValidationError(
            _("This version changed after you opened it; review it again.")
        )


def _required_comment(comment, what):
    comment = (comment or "").strip()
    if not comment:
        raise ValidationError(
            _("Say why in a comment: the editor needs it to %s.") % what
        )
    return comment


@transaction.atomic
def withdraw(*, version, by):
    """Take a submitted version back out of the queue to keep editing it."""
    topic, version = _lock_version(version)
    if not (version.has_author(by) or by.has_perm(APPROVE_PERMISSION)):
        raise PermissionDenied(_("Only its authors or a moderator can withdraw it."))
    _require_open_review(version, None)
    version.state = State.DRAFT
    version.submitted_at = None
    version.save(update_fields=["state", "submitted_at"])
    _audit(topic=topic, version=version, actor=by, action=Action.WITHDRAWN)
    return version


@transaction.atomic
def request_changes(*, version, by, comment, expected_edit_count=None):
    """Send a submitted version back to its authors as a draft, with a comment."""
    _require_moderator(by)
    topic, version = _lock_version(version)
    _require_open_review(version, expected_edit_count)
    comment = _required_comment(comment, _("know what to change"))
    version.state = State.DRAFT
    version.submitted_at = None
    version.save(update_fields=["state", "submitted_at"])
    _audit(
        topic=topic,
        version=version,
        actor=by,
        action=Action.CHANGES_REQUESTED,
        comment=comment,
    )
    _notify(
        _authors(version),
        _("Changes requested: %s") % version.title,
        _("%(who)s asked for changes to “%(title)s”:\n\n%(comment)s")
        % {"who": display_name(by), "title": version.title, "comment": comment},
    )
    return version


@transaction.atomic
def reject_version(*, version, by, comment, expected_edit_count=None):
    """Refuse a submitted version; its topic may then start a new draft."""
    _require_moderator(by)
    topic, version = _lock_version(version)
    _require_open_review(version, expected_edit_count)
    comment = _required_comment(comment, _("understand the decision"))
    version.state = State.REJECTED
    version.save(update_fields=["state"])
    topic.draft_version = None
    topic.save(update_fields=["draft_version"])
    _audit(
        topic=topic, version=version, actor=by, action=Action.REJECTED, comment=comment
    )
    _notify(
        _authors(version),
        _("Rejected: %s") % version.title,
        _("%(who)s rejected “%(title)s”:\n\n%(comment)s")
        % {"who": display_name(by), "title": version.title, "comment": comment},
    )
    return version


@transaction.atomic
def restore_version(*, version, by, comment=""):
    """Copy an approved version into a new version, submitted for review at once."""
    _require_moderator(by)
    topic, version = _lock_version(version)
    if version.state not in TopicVersion.APPROVED_STATES:
        raise ValidationError(_("Only an approved version can be restored."))
    if topic.draft_version_id:
        raise ValidationError(
            _(
                "“%(topic)s” has an open version (%(state)s); approve, reject or "
                "withdraw it before restoring an old one."
            )
            % {
                "topic": topic.slug,
                "state": topic.draft_version.get_state_display().lower(),
            }
        )
    copy = _copy_version(version, by=by)
    copy.state = State.SUBMITTED
    copy.submitted_at = timezone.now()
    copy.edit_summary = _("Restored version %(number)s.%(comment)s") % {
        "number": version.number,
        "comment": f" {comment.strip()}" if comment.strip() else "",
    }
    copy.save(update_fields=["state", "submitted_at", "edit_summary"])
    topic.draft_version = copy
    topic.save(update_fields=["draft_version"])
    _audit(
        topic=topic,
        version=copy,
        actor=by,
        action=Action.RESTORED,
        comment=copy.edit_summary,
    )
    _notify(
        [m for m in _moderators() if m != by],
        _("Review requested: %s") % copy.title,
        _("%(who)s restored version %(number)s of “%(title)s”; it needs a review.")
        % {"who": display_name(by), "number": version.number, "title": copy.title},
    )
    return copy


@transaction.atomic
def unpublish_topic(*, topic, by, reason):
    """Take a topic down: its page and every permalink answer 410 Gone."""
    _require_moderator(by)
    topic = Topic.objects.select_for_update().get(pk=topic.pk)
    reason = _required_comment(reason, _("know why the topic was taken down"))
    if topic.live_version_id is None:
        raise ValidationError(_("This topic has never been published."))
    topic.is_withdrawn = True
    topic.withdrawn_reason = reason
    topic.save(update_fields=["is_withdrawn", "withdrawn_reason"])
    _audit(
        topic=topic,
        version=topic.live_version,
        actor=by,
        action=Action.UNPUBLISHED,
        comment=reason,
    )
    return topic


@transaction.atomic
def republish_topic(*, topic, by, comment=""):
    """Lift a take-down: the live version is shown again."""
    _require_moderator(by)
    topic = Topic.objects.select_for_update().get(pk=topic.pk)
    if not topic.is_withdrawn:
        raise ValidationError(_("This topic is not unpublished."))
    topic.is_withdrawn = False
    topic.withdrawn_reason = ""
    topic.save(update_fields=["is_withdrawn", "withdrawn_reason"])
    _audit(
        topic=topic,
        version=topic.live_version,
        actor=by,
        action=Action.REPUBLISHED,
        comment=comment,
    )
    return topic


@transaction.atomic
def withdraw_version_permalink(*, version, by, reason):
    """Take down one superseded version's permalink (it answers 410 Gone)."""
    _require_moderator(by)
    topic, version = _lock_version(version)
    reason = _required_comment(reason, _("know why the version was taken down"))
    if version.state == State.PUBLISHED:
        raise ValidationError(
            _(
                "The live version cannot be withdrawn on its own: approve a "
                "corrected version, or unpublish the topic."
            )
        )
    if version.state != State.SUPERSEDED:
        raise ValidationError(_("Only an approved version has a permalink."))
    version.is_withdrawn = True
    version.save(update_fields=["is_withdrawn"])
    _audit(
        topic=topic,
        version=version,
        actor=by,
        action=Action.PERMALINK_WITHDRAWN,
        comment=reason,
    )
    return version


@transaction.atomic
def rename_topic(*, topic, new_slug, by):
    """Give a topic a new slug; the old one keeps redirecting (301)."""
    _require_moderator(by)
    topic = Topic.objects.select_for_update().get(pk=topic.pk)
    new_slug = (new_slug or "").strip()
    slug_validator(new_slug)
    if new_slug == topic.slug:
        raise ValidationError(_("That is the topic's slug already."))
    taken = Topic.objects.filter(slug=new_slug).exists() or (
        OldSlug.objects.filter(slug=new_slug).exclude(topic=topic).exists()
    )
    if taken:
        raise ValidationError(
            _("The slug “%s” is in use (or redirects to another topic).") % new_slug
        )
    OldSlug.objects.filter(slug=new_slug, topic=topic).delete()
    OldSlug.objects.create(slug=topic.slug, topic=topic)
    old = topic.slug
    topic.slug = new_slug
    topic.save(update_fields=["slug"])
    # The frozen parts link to the topic's own pages (permalinks, history,
    # cite): they take the new address; the text's links redirect.
    approved = list(topic.versions.approved())
    for version in approved:
        version.topic = topic
        freeze_parts(version)
    TopicVersion.objects.bulk_update(approved, FROZEN_PARTS)
    _audit(
        topic=topic,
        version=topic.live_version,
        actor=by,
        action=Action.RENAMED,
        comment=f"{old} → {new_slug}",
    )
    return topic


# -- Generated corpora (benchmarks) ------------------------------------------


@transaction.atomic
def start_generated_draft(topic):
    """Copy a topic's live version into a draft, as a system action."""
    topic = Topic.objects.select_for_update().get(pk=topic.pk)
    draft = _copy_version(topic.live_version, by=None)
    topic.draft_version = draft
    topic.save(update_fields=["draft_version"])
    return draft


def publish_generated(version_ids):
    """Approve generated drafts as system actions, like `approve_version`.

    The content was generated valid, so it is not parsed a second time, and
    the "cite this entry" texts of the batch take two Pandoc runs in all.
    """
    versions = list(
        TopicVersion.objects.filter(pk__in=version_ids, state=State.DRAFT)
        .select_related("topic")
        .order_by("pk")
    )
    for version in versions:
        with transaction.atomic():
            topic = Topic.objects.select_for_update().get(pk=version.topic_id)
            version.topic = topic
            _number(topic, version, by=None)
            version.submitted_at = version.approved_at
            version.works_csl = works_for(version)
            rendered = render_version(version, works_csl=version.works_csl)
            _store_rendering(version, rendered, cite=False)
            version.save()
            _set_live(topic, version)
            _audit(topic=topic, version=version, actor=None, action=Action.IMPORTED)
    texts = _cite_texts(versions)
    for version in versions:
        version.cite_html = texts[version.pk]
        freeze_parts(version)
    TopicVersion.objects.bulk_update(versions, ["cite_html", *FROZEN_PARTS])
    pagecache.bump()  # pages rendered before the parts were stored
    for version in versions:
        search.index_version(version)


def set_figure_image(figure, upload):
    """Store a checked upload (images.Upload) as the figure's image."""
    figure.image, figure.renditions = images.store(upload)
    figure.width, figure.height = upload.width, upload.height
    figure.sha256 = upload.sha256
