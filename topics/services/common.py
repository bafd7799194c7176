"""What every service needs: permissions, row locks, the audit log, mail."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.mail import send_mass_mail
from django.db import transaction
from django.utils.translation import gettext as _

from .. import reactions
from ..models import AuditEntry, Topic, TopicVersion

APPROVE_PERMISSION = "topics.approve_topicversion"
EDIT_PERMISSION = "topics.change_topicversion"


def require_moderator(user) -> None:
    if user is None or not user.has_perm(APPROVE_PERMISSION):
        raise PermissionDenied(_("Only moderators can do this."))


def require_editor(user) -> None:
    if user is None or not user.has_perm(EDIT_PERMISSION):
        raise PermissionDenied(_("Only editors can do this."))


# FOR NO KEY UPDATE: a transition never changes a topic's or a version's
# key, so rows of other topics that point at a locked one (links, parents)
# can still be written meanwhile; FOR UPDATE would make two approvals that
# link each other's topics deadlock.


def lock_version(version: TopicVersion) -> tuple[Topic, TopicVersion]:
    """Lock the topic and the version (in that order) and return fresh rows."""
    topic = Topic.objects.select_for_update(no_key=True).get(pk=version.topic_id)
    locked = TopicVersion.objects.select_for_update(no_key=True).get(pk=version.pk)
    locked.topic = topic
    return topic, locked


def lock_topic(topic: Topic) -> Topic:
    return Topic.objects.select_for_update(no_key=True).get(pk=topic.pk)


def audit(
    *, topic, version, actor, action, comment="", slug="", readers_see_it=True
) -> AuditEntry:
    """Record a transition; what readers see may have changed with it (not
    with `readers_see_it=False`: a review comment, say).

    `topic` is None for a topic deleted in the same transaction (`slug`
    names it then).
    """
    if topic is not None and readers_see_it:
        reactions.topic_changed(topic)
    return AuditEntry.objects.create(
        topic=topic,
        topic_slug=topic.slug if topic is not None else slug,
        version=version,
        actor=actor,
        action=action,
        comment=comment,
    )


def notify(recipients, subject: str, body: str) -> None:
    """Mail each recipient once the transaction commits."""
    addresses = sorted({r.email for r in recipients if r is not None and r.email})
    if not addresses:
        return
    messages = [(subject, body, settings.DEFAULT_FROM_EMAIL, [a]) for a in addresses]
    transaction.on_commit(lambda: send_mass_mail(messages, fail_silently=True))


def moderators():
    """Every active account that may approve versions."""
    return get_user_model().objects.with_perm(APPROVE_PERMISSION, is_active=True)


def accounts(version: TopicVersion) -> list:
    """The accounts that typed or edited a version, its creator first: they
    get its mails, and none of them may approve it (the four-eyes rule)."""
    people = [version.created_by] if version.created_by else []
    people += [u for u in version.contributors.all() if u not in people]
    return people


def sources_edited_by(version: TopicVersion, user) -> bool:
    """Whether `user` changed a work the version cites or lists, or one of its
    authors or key figures, since the version readers see now was approved
    (or since this one was started): such a change goes live with it."""
    from citations.models import WorkEdit

    from ..models import PersonEdit

    live = version.topic.live_version
    since = live.approved_at if live is not None else version.created_at
    works = set(version.citations.values_list("work", flat=True))
    works |= set(version.seminal_work_links.values_list("work", flat=True))
    people = set(version.key_figure_links.values_list("person", flat=True))
    people |= set(version.author_links.values_list("person", flat=True))
    return (
        WorkEdit.objects.filter(work__in=works, by=user, at__gte=since).exists()
        or PersonEdit.objects.filter(person__in=people, by=user, at__gte=since).exists()
    )


def display_name(user) -> str:
    return user.get_full_name() or user.get_username()
