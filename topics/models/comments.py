"""Review comments anchored to the text of a version."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .topics import Topic, TopicVersion


class ReviewCommentQuerySet(models.QuerySet):
    def open(self):
        return self.filter(resolved_at__isnull=True, parent__isnull=True)


class ReviewComment(models.Model):
    """A moderator's comment on a section of a version, or on a passage of
    it (the quoted words are kept), and the replies to it.

    Comments belong to the topic: one left unresolved on a version is shown
    beside the same section of the topic's next draft, until someone marks
    it resolved. Readers never see them.
    """

    topic = models.ForeignKey(
        Topic, on_delete=models.CASCADE, related_name="review_comments"
    )
    version = models.ForeignKey(
        TopicVersion,
        verbose_name=_("on version"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="review_comments",
    )
    parent = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="replies"
    )
    # Where it is anchored: the section's heading as shown (and its place,
    # for a section renamed since), and the words selected, if any.
    section_heading = models.CharField(_("section"), max_length=200, blank=True)
    section_position = models.PositiveIntegerField(null=True, blank=True)
    quote = models.TextField(_("quoted passage"), blank=True)
    body = models.TextField(_("comment"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = ReviewCommentQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("review comment")
        verbose_name_plural = _("review comments")
        indexes = [models.Index(fields=["topic", "resolved_at"])]

    def __str__(self):
        return self.body[:60]

    @property
    def is_resolved(self):
        return self.resolved_at is not None
