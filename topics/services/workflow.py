"""The editorial workflow: every change of a version's state happens here.

Each service is atomic, checks permissions, locks the rows it changes,
records an audit entry and sends its mail only once the transaction commits.
"""

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max, prefetch_related_objects
from django.utils import timezone
from django.utils.translation import gettext as _

from ..models import AuditEntry, OldSlug, Topic, TopicVersion, slug_validator
from . import publishing
from .common import (
    APPROVE_PERMISSION,
    accounts,
    audit,
    display_name,
    lock_topic,
    lock_version,
    moderators,
    notify,
    require_editor,
    require_moderator,
    sources_edited_by,
)
from .drafts import _copy_version
from .validation import parse_versions, validate_version

State = TopicVersion.State
Action = AuditEntry.Action


def _required_comment(comment: str, why: str) -> str:
    comment = (comment or "").strip()
    if not comment:
        raise ValidationError(
            _("Say why in a comment: the editor needs it to %(why)s.") % {"why": why}
        )
    return comment


def _require_submitted(
    version: TopicVersion, expected_edit_count: int | None, *, approving=False
):
    if version.state != State.SUBMITTED:
        message = (
            _("This version is %(state)s; only a submitted version can be approved.")
            if approving
            else _("This version is %(state)s; it is no longer waiting for review.")
        )
        raise ValidationError(message % {"state": version.get_state_display().lower()})
    if expected_edit_count is not None and expected_edit_count != version.edit_count:
        raise ValidationError(
            _("This version changed after you opened it; review it again.")
        )


def _mark_submitted(version: TopicVersion, edit_summary: str) -> None:
    version.edit_summary = edit_summary
    version.state = State.SUBMITTED
    version.submitted_at = timezone.now()
    version.save(update_fields=["edit_summary", "state", "submitted_at"])


@transaction.atomic
def submit_for_review(*, version: TopicVersion, by, edit_summary: str) -> TopicVersion:
    """Put a draft in the moderators' queue; it is read-only from now on."""
    require_editor(by)
    topic, version = lock_version(version)
    if version.state != State.DRAFT:
        raise ValidationError(_("Only a draft can be submitted for review."))
    edit_summary = (edit_summary or "").strip()
    if not edit_summary:
        raise ValidationError(_("Say what changed in an edit summary."))
    validate_version(version)
    _mark_submitted(version, edit_summary)
    audit(
        topic=topic,
        version=version,
        actor=by,
        action=Action.SUBMITTED,
        comment=edit_summary,
    )
    notify(
        moderators().exclude(pk=by.pk),
        _("Review requested: %(title)s") % {"title": version.title},
        _("%(who)s submitted “%(title)s” for review: %(summary)s")
        % {"who": display_name(by), "title": version.title, "summary": edit_summary},
    )
    return version


@transaction.atomic
def withdraw_from_review(*, version: TopicVersion, by) -> TopicVersion:
    """Take a submitted version back out of the queue to keep editing it."""
    topic, version = lock_version(version)
    if not (version.has_author(by) or by.has_perm(APPROVE_PERMISSION)):
        raise PermissionDenied(_("Only its authors or a moderator can withdraw it."))
    _require_submitted(version, None)
    version.state = State.DRAFT
    version.submitted_at = None
    version.save(update_fields=["state", "submitted_at"])
    audit(topic=topic, version=version, actor=by, action=Action.WITHDRAWN)
    return version


@transaction.atomic
def request_changes(
    *, version: TopicVersion, by, comment: str, expected_edit_count: int | None = None
) -> TopicVersion:
    """Send a submitted version back to its authors as a draft, with a comment."""
    require_moderator(by)
    topic, version = lock_version(version)
    _require_submitted(version, expected_edit_count)
    comment = _required_comment(comment, _("know what to change"))
    version.state = State.DRAFT
    version.submitted_at = None
    version.save(update_fields=["state", "submitted_at"])
    audit(
        topic=topic,
        version=version,
        actor=by,
        action=Action.CHANGES_REQUESTED,
        comment=comment,
    )
    notify(
        accounts(version),
        _("Changes requested: %(title)s") % {"title": version.title},
        _("%(who)s asked for changes to “%(title)s”:\n\n%(comment)s")
        % {"who": display_name(by), "title": version.title, "comment": comment},
    )
    return version


@transaction.atomic
def reject_version(
    *, version: TopicVersion, by, comment: str, expected_edit_count: int | None = None
) -> TopicVersion:
    """Refuse a submitted version; its topic may then start a new draft."""
    require_moderator(by)
    topic, version = lock_version(version)
    _require_submitted(version, expected_edit_count)
    comment = _required_comment(comment, _("understand the decision"))
    version.state = State.REJECTED
    version.save(update_fields=["state"])
    topic.draft_version = None
    topic.save(update_fields=["draft_version"])
    audit(
        topic=topic, version=version, actor=by, action=Action.REJECTED, comment=comment
    )
    notify(
        accounts(version),
        _("Rejected: %(title)s") % {"title": version.title},
        _("%(who)s rejected “%(title)s”:\n\n%(comment)s")
        % {"who": display_name(by), "title": version.title, "comment": comment},
    )
    return version


def _go_live(topic: Topic, versions: list[TopicVersion], *, by) -> None:
    """Supersede the live version, number and publish the approved ones.

    `versions` are submitted versions of different topics, already locked;
    `topic` is given for one version (its lock), None for several.
    """
    # Each text is read once, for its checks and its page; many versions'
    # texts in one Pandoc run.
    prefetch_related_objects(versions, "sections", "figures")
    parsed = parse_versions(versions)
    for version in versions:
        validate_version(version, parsed=parsed[version.pk])
        current = topic or version.topic
        if current.live_version_id:
            TopicVersion.objects.filter(pk=current.live_version_id).update(
                state=State.SUPERSEDED
            )
        last = current.versions.aggregate(n=Max("number"))["n"] or 0
        version.number = last + 1
        version.state = State.PUBLISHED
        version.approved_at = timezone.now()
        version.approved_by = by
        version.save(update_fields=["number", "state", "approved_at", "approved_by"])
    publishing.publish_pages(versions, parsed=parsed)
    for version in versions:
        current = topic or version.topic
        current.live_version = version
        current.first_published_at = current.first_published_at or version.approved_at
        if current.draft_version_id == version.pk:
            current.draft_version = None
        current.save(
            update_fields=["live_version", "draft_version", "first_published_at"]
        )


@transaction.atomic
def approve_version(
    *,
    version: TopicVersion,
    by,
    comment: str = "",
    expected_edit_count: int | None = None,
) -> TopicVersion:
    """Publish exactly the reviewed version; the previous live one is superseded.

    `expected_edit_count` is the edit counter the reviewer saw: a version
    withdrawn, edited and resubmitted since then is refused.
    """
    require_moderator(by)
    topic, version = lock_version(version)
    _require_submitted(version, expected_edit_count, approving=True)
    if not settings.SCHOLARGATE_ALLOW_SELF_APPROVAL:
        if version.has_author(by):
            raise PermissionDenied(
                _(
                    "You wrote or edited this version; another moderator must "
                    "approve it."
                )
            )
        if sources_edited_by(version, by):
            raise PermissionDenied(
                _(
                    "You changed a work or a person this version cites, and the "
                    "change goes live with it; another moderator must approve it."
                )
            )
    _go_live(topic, [version], by=by)
    audit(
        topic=topic,
        version=version,
        actor=by,
        action=Action.APPROVED,
        comment=comment,
    )
    notify(
        accounts(version),
        _("Published: %(title)s") % {"title": version.title},
        (
            _("“%(title)s” was approved as version %(number)s.")
            % {"title": version.title, "number": version.number}
        )
        + (f"\n\n{comment}" if comment else ""),
    )
    return version


@transaction.atomic
def approve_as_system(
    *, versions: list[TopicVersion], edit_summary: str
) -> list[TopicVersion]:
    """Submit and approve drafts as a recorded system action (imports,
    generated corpora): no acting user, so no four-eyes rule.

    The versions belong to different topics; their cite texts are formatted
    together (two Pandoc runs for all).
    """
    locked = []
    for version in sorted(versions, key=lambda v: v.topic_id):
        _topic, version = lock_version(version)
        if version.state != State.DRAFT:
            raise ValidationError(
                _("“%(title)s” is %(state)s, not a draft.")
                % {"title": version.title, "state": version.get_state_display()}
            )
        _mark_submitted(version, edit_summary)
        locked.append(version)
    _go_live(None, locked, by=None)
    for version in locked:
        audit(
            topic=version.topic,
            version=version,
            actor=None,
            action=Action.IMPORTED,
            comment=edit_summary,
        )
    return locked


@transaction.atomic
def publish_now(*, version: TopicVersion, by, edit_summary: str) -> TopicVersion:
    """Submit and approve in one step (the admin's "Publish selected drafts")."""
    if version.state == State.DRAFT:
        version = submit_for_review(version=version, by=by, edit_summary=edit_summary)
    return approve_version(version=version, by=by)


@transaction.atomic
def restore_version(*, version: TopicVersion, by, comment: str = "") -> TopicVersion:
    """Copy an approved version into a new version, submitted for review at once."""
    require_moderator(by)
    topic, version = lock_version(version)
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
    summary = _("Restored version %(number)s.") % {"number": version.number}
    if comment.strip():
        summary = f"{summary} {comment.strip()}"
    _mark_submitted(copy, summary)
    topic.draft_version = copy
    topic.save(update_fields=["draft_version"])
    audit(topic=topic, version=copy, actor=by, action=Action.RESTORED, comment=summary)
    notify(
        moderators().exclude(pk=by.pk),
        _("Review requested: %(title)s") % {"title": copy.title},
        _("%(who)s restored version %(number)s of “%(title)s”; it needs a review.")
        % {"who": display_name(by), "number": version.number, "title": copy.title},
    )
    return copy


@transaction.atomic
def unpublish_topic(*, topic: Topic, by, reason: str) -> Topic:
    """Take a topic down: its page and every permalink answer 410 Gone."""
    require_moderator(by)
    topic = lock_topic(topic)
    reason = _required_comment(reason, _("know why the topic was taken down"))
    if topic.live_version_id is None:
        raise ValidationError(_("This topic has never been published."))
    topic.is_unpublished = True
    topic.unpublished_reason = reason
    topic.save(update_fields=["is_unpublished", "unpublished_reason"])
    audit(
        topic=topic,
        version=topic.live_version,
        actor=by,
        action=Action.UNPUBLISHED,
        comment=reason,
    )
    return topic


@transaction.atomic
def republish_topic(*, topic: Topic, by, comment: str = "") -> Topic:
    """Lift a take-down: the live version is shown again."""
    require_moderator(by)
    topic = lock_topic(topic)
    if not topic.is_unpublished:
        raise ValidationError(_("This topic is not unpublished."))
    topic.is_unpublished = False
    topic.unpublished_reason = ""
    topic.save(update_fields=["is_unpublished", "unpublished_reason"])
    audit(
        topic=topic,
        version=topic.live_version,
        actor=by,
        action=Action.REPUBLISHED,
        comment=comment,
    )
    return topic


@transaction.atomic
def withdraw_permalink(*, version: TopicVersion, by, reason: str) -> TopicVersion:
    """Take down one superseded version's permalink (it answers 410 Gone)."""
    require_moderator(by)
    topic, version = lock_version(version)
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
    version.is_permalink_withdrawn = True
    version.save(update_fields=["is_permalink_withdrawn"])
    audit(
        topic=topic,
        version=version,
        actor=by,
        action=Action.PERMALINK_WITHDRAWN,
        comment=reason,
    )
    return version


@transaction.atomic
def rename_topic(*, topic: Topic, by, new_slug: str) -> Topic:
    """Give a topic a new slug; the old one keeps redirecting (301)."""
    require_moderator(by)
    topic = lock_topic(topic)
    new_slug = (new_slug or "").strip()
    slug_validator(new_slug)
    if len(new_slug) > Topic._meta.get_field("slug").max_length:
        raise ValidationError(
            _("A slug has at most %(limit)d characters.")
            % {"limit": Topic._meta.get_field("slug").max_length}
        )
    if new_slug == topic.slug:
        raise ValidationError(_("That is the topic's slug already."))
    taken = Topic.objects.filter(slug=new_slug).exists() or (
        OldSlug.objects.filter(slug=new_slug).exclude(topic=topic).exists()
    )
    if taken:
        raise ValidationError(
            _("The slug “%(slug)s” is in use (or redirects to another topic).")
            % {"slug": new_slug}
        )
    OldSlug.objects.filter(slug=new_slug, topic=topic).delete()
    OldSlug.objects.create(slug=topic.slug, topic=topic)
    old = topic.slug
    topic.slug = new_slug
    topic.save(update_fields=["slug"])
    # The parts around the text link to the topic's own pages (permalinks,
    # history, cite) and take the new address; the text's links redirect.
    publishing.refresh_page_parts(topic=topic)
    audit(
        topic=topic,
        version=topic.live_version,
        actor=by,
        action=Action.RENAMED,
        comment=f"{old} → {new_slug}",
    )
    return topic
