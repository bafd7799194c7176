"""The editors' desk inside the version's admin pages: a section's live
preview, lookups for what the text refers to, and review comments.

`EditorDesk` is mixed into TopicVersionAdmin; every view goes through the
admin site (signed-in staff, CSRF on POST) and checks the permission on the
version itself: change permission (an open draft) for the preview and
lookups, moderators for new comments, editors for replies and resolving.
"""

import re

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from citations.models import Work

from . import services
from .models import ReviewComment, Topic, TopicVersion

LOOKUP_LIMIT = 8
ID_RE = re.compile(r'\b(id)="')
LOCAL_HREF_RE = re.compile(r'href="#')


def _query(request):
    return " ".join(request.GET.get("q", "").replace("\x00", "").split())[:100]


class EditorDesk:
    def desk_urls(self):
        view = self.admin_site.admin_view
        return [
            path(
                "<int:pk>/preview-section/",
                view(require_POST(self.preview_section_view)),
                name="topics_topicversion_preview_section",
            ),
            path(
                "<int:pk>/lookup/<str:kind>/",
                view(require_GET(self.lookup_view)),
                name="topics_topicversion_lookup",
            ),
            path(
                "<int:pk>/comment/",
                view(require_POST(self.comment_view)),
                name="topics_topicversion_comment",
            ),
            path(
                "comments/<int:comment_id>/<str:action>/",
                view(require_POST(self.comment_action_view)),
                name="topics_topicversion_comment_action",
            ),
        ]

    def _editable(self, request, pk):
        version = get_object_or_404(TopicVersion.objects.select_related("topic"), pk=pk)
        if not self.has_change_permission(request, version):
            raise PermissionDenied
        return version

    # -- Preview and lookups -------------------------------------------------

    def preview_section_view(self, request, pk):
        """POST heading, kind, body → {"html", "errors"}; stores nothing."""
        version = self._editable(request, pk)
        preview = services.preview_section(
            version=version,
            heading=request.POST.get("heading", ""),
            kind=request.POST.get("kind", ""),
            body=request.POST.get("body", "").replace("\r\n", "\n"),
        )
        # Several previews share the page: their ids (and links to them) get
        # the preview's own prefix.
        prefix = re.sub(r"[^a-z0-9-]", "", request.POST.get("prefix", "").lower())[:40]
        html = preview.html
        if prefix:
            html = ID_RE.sub(rf'\1="{prefix}-', html)
            html = LOCAL_HREF_RE.sub(f'href="#{prefix}-', html)
        return JsonResponse({"html": html, "errors": preview.errors})

    def lookup_view(self, request, pk, kind):
        """What `[@`, `](topic:` and `@fig:` may complete to, as typed."""
        version = self._editable(request, pk)
        text = _query(request)
        if kind == "works":
            results = self._works(text)
        elif kind == "topics":
            results = self._topics(text)
        elif kind == "figures":
            labels = version.figures.exclude(label="").order_by("position")
            results = [
                {"value": f"fig:{f.label}", "label": f"fig:{f.label}", "detail": f.alt}
                for f in labels
                if text.lower().removeprefix("fig:") in f.label.lower()
            ][:LOOKUP_LIMIT]
        else:
            return JsonResponse({"error": _("Unknown lookup.")}, status=404)
        return JsonResponse({"results": results})

    @staticmethod
    def _works(text):
        works = Work.objects.order_by("key")
        for word in text.lower().split()[:4]:
            match = (
                Q(key__istartswith=word)
                | Q(title__icontains=word)
                | Q(author_index__contains=f"|{word}")
            )
            if word.isdigit() and len(word) == 4:
                match |= Q(year=int(word))
            works = works.filter(match)
        return [
            {
                "value": work.key,
                "label": work.key,
                "detail": f"{work.short_label()} — {work.title}",
            }
            for work in works.only("key", "title", "year", "authors")[:LOOKUP_LIMIT]
        ]

    @staticmethod
    def _topics(text):
        topics = Topic.objects.filter(live_version__isnull=False)
        if text:
            topics = topics.filter(
                Q(slug__istartswith=text) | Q(live_version__title__icontains=text)
            )
        rows = topics.order_by("slug").values_list("slug", "live_version__title")
        return [
            {"value": slug, "label": slug, "detail": title}
            for slug, title in rows[:LOOKUP_LIMIT]
        ]

    # -- Review comments -----------------------------------------------------

    def _back(self, request, version):
        target = request.POST.get("next", "")
        if url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=False
        ) and target.startswith("/"):
            return redirect(target)
        return redirect("admin:topics_topicversion_review", version.pk)

    def comment_view(self, request, pk):
        version = get_object_or_404(TopicVersion.objects.select_related("topic"), pk=pk)
        if not self.has_view_permission(request, version):
            raise PermissionDenied
        position = request.POST.get("section_position", "")
        try:
            services.add_comment(
                version=version,
                by=request.user,
                body=request.POST.get("body", ""),
                section_heading=request.POST.get("section_heading", ""),
                section_position=int(position) if position.isdigit() else None,
                quote=request.POST.get("quote", ""),
            )
        except (ValidationError, PermissionDenied) as error:
            self.message_user(request, " ".join(_messages(error)), messages.ERROR)
        else:
            self.message_user(request, _("Comment added."), messages.SUCCESS)
        return self._back(request, version)

    def comment_action_view(self, request, comment_id, action):
        comment = get_object_or_404(
            ReviewComment.objects.select_related("topic", "version", "author"),
            pk=comment_id,
        )
        version = comment.version
        if version is None or not self.has_view_permission(request, version):
            raise PermissionDenied
        try:
            if action == "reply":
                services.reply_to_comment(
                    comment=comment, by=request.user, body=request.POST.get("body", "")
                )
                done = _("Reply added.")
            elif action == "resolve":
                services.resolve_comment(comment=comment, by=request.user)
                done = _("Comment resolved.")
            else:
                raise PermissionDenied
        except (ValidationError, PermissionDenied) as error:
            self.message_user(request, " ".join(_messages(error)), messages.ERROR)
        else:
            self.message_user(request, done, messages.SUCCESS)
        return self._back(request, version)

    def desk_context(self, request, version):
        """What the change form and the review page need for the desk."""
        comments = list(services.open_comments(version.topic))
        context = {
            "open_comments": comments,
            "can_comment": request.user.has_perm(services.APPROVE_PERMISSION),
        }
        if version.is_editable and self.has_change_permission(request, version):
            context["desk"] = {
                "preview": reverse(
                    "admin:topics_topicversion_preview_section", args=[version.pk]
                ),
                "lookup": reverse(
                    "admin:topics_topicversion_lookup", args=[version.pk, "works"]
                ).removesuffix("works/"),
                "version": version.pk,
                "editCount": version.edit_count,
                "strings": {
                    "preview": _("Preview"),
                    "previewTitle": _("Preview of “%s”"),
                    "showPreview": _("Show preview"),
                    "hidePreview": _("Hide preview"),
                    "updating": _("Updating the preview…"),
                    "previewFailed": _("The preview could not be made: %s"),
                    "words": _("%s words"),
                    "totalWords": _("%s words in all sections"),
                    "suggestions": _(
                        "%s suggestions: up and down arrows to choose, Enter to "
                        "take one."
                    ),
                    "noSuggestions": _("No match."),
                    "unsaved": _("Text typed here on %s was not saved."),
                    "conflict": _(
                        "Someone has saved this draft since: saving the restored "
                        "text will show you the edit conflict, and nothing of "
                        "theirs is overwritten."
                    ),
                    "showRestore": _("Show what would be restored"),
                    "restore": _("Restore it"),
                    "discard": _("Discard it"),
                    "restored": _("Restored. Check it, then save."),
                    "field": _("Field"),
                },
            }
        return context


def _messages(error):
    return getattr(error, "messages", None) or [str(error)]
