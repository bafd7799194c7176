"""Review comments: a moderator's remarks anchored to a section or to a
passage of a version, replies to them, and their resolution.

Every step is in the audit log and mailed to the people concerned. Comments
belong to the topic, so an unresolved one stays beside its section in the
topic's next draft. Readers never see them.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _

from ..models import AuditEntry, ReviewComment, TopicVersion
from .common import (
    accounts,
    audit,
    display_name,
    notify,
    require_editor,
    require_moderator,
)

MAX_COMMENT = 5000
MAX_QUOTE = 1000

Action = AuditEntry.Action


def _text(value, what, limit):
    value = (value or "").strip()
    if not value:
        raise ValidationError(_("Write the %(what)s.") % {"what": what})
    if len(value) > limit:
        raise ValidationError(
            _("The %(what)s has %(length)s characters; at most %(limit)s.")
            % {"what": what, "length": f"{len(value):,}", "limit": f"{limit:,}"}
        )
    return value


def _where(comment):
    place = comment.section_heading or _("the whole version")
    if comment.quote:
        return _("%(section)s, on “%(quote)s”") % {
            "section": place,
            "quote": comment.quote[:200],
        }
    return place


@transaction.atomic
def add_comment(
    *,
    version: TopicVersion,
    by,
    body: str,
    section_heading: str = "",
    section_position: int | None = None,
    quote: str = "",
) -> ReviewComment:
    """A moderator comments on a version: on a section (by its heading as
    shown), on a passage of it (the quoted words), or on the whole."""
    require_moderator(by)
    body = _text(body, _("comment"), MAX_COMMENT)
    quote = " ".join((quote or "").split())
    if len(quote) > MAX_QUOTE:
        quote = quote[:MAX_QUOTE]
    comment = ReviewComment.objects.create(
        topic=version.topic,
        version=version,
        section_heading=(section_heading or "").strip()[:200],
        section_position=section_position,
        quote=quote,
        body=body,
        author=by,
    )
    audit(
        topic=version.topic,
        version=version,
        actor=by,
        action=Action.COMMENTED,
        comment=f"{_where(comment)}: {body}",
        readers_see_it=False,
    )
    notify(
        [u for u in accounts(version) if u != by],
        _("Comment on “%(title)s”") % {"title": version.title},
        _("%(who)s commented on %(where)s:\n\n%(body)s")
        % {"who": display_name(by), "where": _where(comment), "body": body},
    )
    return comment


@transaction.atomic
def reply_to_comment(*, comment: ReviewComment, by, body: str) -> ReviewComment:
    """An editor or moderator answers a comment (in its thread)."""
    require_editor(by)
    thread = comment.parent or comment
    body = _text(body, _("reply"), MAX_COMMENT)
    reply = ReviewComment.objects.create(
        topic=thread.topic,
        version=thread.version,
        parent=thread,
        section_heading=thread.section_heading,
        body=body,
        author=by,
    )
    audit(
        topic=thread.topic,
        version=thread.version,
        actor=by,
        action=Action.REPLIED,
        comment=f"{_where(thread)}: {body}",
        readers_see_it=False,
    )
    people = [thread.author, *[r.author for r in thread.replies.all()]]
    notify(
        [u for u in people if u != by],
        _("Reply on “%(title)s”") % {"title": thread.topic.slug},
        _("%(who)s replied to the comment on %(where)s:\n\n%(body)s")
        % {"who": display_name(by), "where": _where(thread), "body": body},
    )
    return reply


@transaction.atomic
def resolve_comment(*, comment: ReviewComment, by) -> ReviewComment:
    """Mark a comment (and its thread) resolved."""
    require_editor(by)
    comment = ReviewComment.objects.select_for_update().get(
        pk=(comment.parent_id or comment.pk)
    )
    if comment.is_resolved:
        raise ValidationError(_("This comment is resolved already."))
    comment.resolved_at = timezone.now()
    comment.resolved_by = by
    comment.save(update_fields=["resolved_at", "resolved_by"])
    audit(
        topic=comment.topic,
        version=comment.version,
        actor=by,
        action=Action.RESOLVED,
        comment=f"{_where(comment)}: {comment.body[:200]}",
        readers_see_it=False,
    )
    if comment.author != by:
        notify(
            [comment.author],
            _("Comment resolved on “%(title)s”") % {"title": comment.topic.slug},
            _("%(who)s marked your comment on %(where)s as resolved.")
            % {"who": display_name(by), "where": _where(comment)},
        )
    return comment


def open_comments(topic):
    """The topic's unresolved comments, oldest first, with their replies."""
    return (
        ReviewComment.objects.open()
        .filter(topic=topic)
        .select_related("author", "version")
        .prefetch_related(
            Prefetch(
                "replies",
                queryset=ReviewComment.objects.select_related("author").order_by(
                    "created_at", "pk"
                ),
            )
        )
    )
