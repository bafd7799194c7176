"""What happened to topics: the audit log and former addresses."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .topics import Topic, TopicVersion


class OldSlug(models.Model):
    """A former address of a topic; it redirects (301) to the current one."""

    slug = models.SlugField(_("old slug"), max_length=200, unique=True)
    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="old_slugs")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("old slug")
        verbose_name_plural = _("old slugs")

    def __str__(self):
        return f"{self.slug} → {self.topic.slug}"


class AuditEntry(models.Model):
    class Action(models.TextChoices):
        CREATED = "created", _("Created topic")
        STARTED_DRAFT = "started_draft", _("Started a draft")
        SUBMITTED = "submitted", _("Submitted for review")
        WITHDRAWN = "withdrawn", _("Withdrew from review")
        CHANGES_REQUESTED = "changes_requested", _("Requested changes")
        REJECTED = "rejected", _("Rejected")
        APPROVED = "approved", _("Approved")
        IMPORTED = "imported", _("Imported and published")
        RESTORED = "restored", _("Restored an old version")
        UNPUBLISHED = "unpublished", _("Unpublished the topic")
        REPUBLISHED = "republished", _("Republished the topic")
        PERMALINK_WITHDRAWN = "permalink_withdrawn", _("Withdrew a permalink")
        RENAMED = "renamed", _("Renamed the topic")
        DELETED_DRAFT = "deleted_draft", _("Deleted a draft")
        COMMENTED = "commented", _("Commented")
        REPLIED = "replied", _("Replied to a comment")
        RESOLVED = "resolved", _("Resolved a comment")

    # Kept when a topic that was never published is deleted with its only
    # draft: the entry then names it by `topic_slug`.
    topic = models.ForeignKey(
        Topic,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="audit_entries",
    )
    topic_slug = models.CharField(_("topic"), max_length=200, blank=True)
    version = models.ForeignKey(
        TopicVersion,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="audit_entries",
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Empty for system actions such as imports."),
    )
    action = models.CharField(_("action"), max_length=24, choices=Action)
    comment = models.TextField(_("comment"), blank=True)
    created_at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit log")

    def __str__(self):
        return f"{self.get_action_display()}: {self.topic or self.topic_slug}"


class PersonEdit(models.Model):
    """Who changed a person, and when (as citations.WorkEdit for works)."""

    person = models.ForeignKey(
        "topics.Person", on_delete=models.CASCADE, related_name="edits"
    )
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-at"]
        verbose_name = _("edit of a person")
        verbose_name_plural = _("edits of people")

    def __str__(self):
        return f"{self.person} ({self.at:%Y-%m-%d %H:%M})"
