from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.timesince import timesince
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from taggit.models import Tag

from . import services
from .assistant import admin as assistant_admin  # noqa: F401 (registers its models)
from .desk import EditorDesk
from .diff import diff_versions
from .forms import (
    FastInlineFormSet,
    FigureForm,
    FigureInlineFormSet,
    NewTopicForm,
    SectionForm,
    SectionInlineFormSet,
    SiblingFormSet,
    TopicVersionForm,
    kept_forms,
)
from .images import picture_data
from .models import (
    AuditEntry,
    Figure,
    KeyFigure,
    Person,
    RelatedTopic,
    ReviewComment,
    Section,
    SeminalWork,
    Submission,
    Topic,
    TopicVersion,
    VersionAuthor,
)

ORDERED_INLINE_MODELS = (
    VersionAuthor,
    Section,
    Figure,
    RelatedTopic,
    KeyFigure,
    SeminalWork,
)


def error_text(error):
    return " ".join(getattr(error, "messages", None) or [str(error)])


def version_admin_url(version):
    return reverse("admin:topics_topicversion_change", args=[version.pk])


class ModerationActions:
    """Moderator-only actions behind a confirmation page with a comment."""

    moderation_actions = {}

    def moderation_urls(self):
        info = self.opts.app_label, self.opts.model_name
        return [
            path(
                "<int:pk>/moderate/<str:action>/",
                self.admin_site.admin_view(self.moderate_view),
                name="{}_{}_moderate".format(*info),
            )
        ]

    def moderate_view(self, request, pk, action):
        if action not in self.moderation_actions:
            raise Http404
        if not request.user.has_perm(services.APPROVE_PERMISSION):
            raise PermissionDenied
        obj = get_object_or_404(self.model, pk=pk)
        spec = self.moderation_actions[action]
        back = reverse(
            f"admin:{self.opts.app_label}_{self.opts.model_name}_change", args=[pk]
        )
        if request.method == "POST":
            try:
                result = spec["service"](
                    **{spec["arg"]: obj},
                    by=request.user,
                    **{spec["comment"]: request.POST.get("comment", "")},
                )
            except ValidationError as error:
                self.message_user(request, error_text(error), messages.ERROR)
                return redirect(request.path)
            self.message_user(request, spec["done"], messages.SUCCESS)
            if isinstance(result, TopicVersion) and result.pk != obj.pk:
                return redirect("admin:topics_topicversion_review", result.pk)
            return redirect(back)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": spec["title"] % {"name": obj},
            "explanation": spec["explanation"],
            "comment_label": spec["label"],
            "comment_required": spec.get("required", True),
            "button": spec["button"],
            "back_url": back,
        }
        return TemplateResponse(request, "admin/topics/moderate.html", context)

    def available_moderation(self, obj):
        return []

    def change_view(self, request, object_id, form_url="", extra_context=None):
        obj = self.get_object(request, object_id)
        links = []
        if obj is not None and request.user.has_perm(services.APPROVE_PERMISSION):
            name = f"admin:{self.opts.app_label}_{self.opts.model_name}_moderate"
            links = [
                (
                    reverse(name, args=[obj.pk, action]),
                    self.moderation_actions[action]["button"],
                )
                for action in self.available_moderation(obj)
            ]
        extra_context = {**(extra_context or {}), "moderation_links": links}
        return super().change_view(request, object_id, form_url, extra_context)


# taggit's own admin offers a "merge tags" view that checks no permission (any
# staff account could merge) and fails on tags of versions: replaced by a
# plain one, where adding, changing or deleting takes the model permission
# (moderators; editors create tags by typing them on a draft).
admin.site.unregister(Tag)


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    ordering = ["name", "slug"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
    list_display = ["name", "affiliation", "orcid", "user"]
    search_fields = ["name", "description", "affiliation", "orcid"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["user"]
    list_select_related = ["user"]
    fieldsets = [
        (None, {"fields": ["name", "slug", "description"]}),
        (
            _("As an author"),
            {
                "fields": [
                    ("family_name", "given_names"),
                    "affiliation",
                    "orcid",
                    "user",
                ]
            },
        ),
        (_("Elsewhere"), {"fields": ["wikidata"]}),
    ]

    def get_readonly_fields(self, request, obj=None):
        # Linking an account takes seeing accounts.
        if request.user.has_perm("auth.view_user"):
            return []
        return ["user"]

    def save_model(self, request, obj, form, change):
        services.save_person(person=obj, by=request.user)


@admin.register(Topic)
class TopicAdmin(ModerationActions, admin.ModelAdmin):
    list_display = ["slug", "title_column", "live_column", "open_column", "edit_link"]
    list_filter = [("live_version", admin.EmptyFieldListFilter), "is_unpublished"]
    search_fields = ["slug", "versions__title"]
    readonly_fields = [
        "slug",
        "live_version",
        "draft_version",
        "created_at",
        "unpublished_reason",
    ]
    fields = readonly_fields
    moderation_actions = {
        "unpublish_topic": {
            "service": services.unpublish_topic,
            "arg": "topic",
            "comment": "reason",
            "title": _("Unpublish “%(name)s”"),
            "explanation": _(
                "Readers will get “410 Gone” on the topic's page and on every "
                "version's permalink. The content is kept; republishing lifts it."
            ),
            "label": _("Reason (kept in the audit log)"),
            "button": _("Unpublish the topic"),
            "done": _("The topic is unpublished."),
        },
        "rename_topic": {
            "service": services.rename_topic,
            "arg": "topic",
            "comment": "new_slug",
            "title": _("Rename “%(name)s”"),
            "explanation": _(
                "The topic moves to /topics/<new slug>/. The old address and every "
                "old permalink keep working: they redirect permanently (301)."
            ),
            "label": _("New slug (lowercase words joined by hyphens)"),
            "button": _("Rename the topic"),
            "done": _("The topic is renamed; the old address redirects."),
        },
        "republish_topic": {
            "service": services.republish_topic,
            "arg": "topic",
            "comment": "comment",
            "title": _("Republish “%(name)s”"),
            "explanation": _("Readers will see the live version again."),
            "label": _("Comment"),
            "required": False,
            "button": _("Republish the topic"),
            "done": _("The topic is published again."),
        },
    }
    list_select_related = ["live_version", "draft_version"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("live_version", "draft_version")
        )

    def get_search_results(self, request, queryset, search_term):
        queryset, _dupes = super().get_search_results(request, queryset, search_term)
        return queryset.distinct(), False

    @admin.display(description=_("title"))
    def title_column(self, topic):
        return topic.title

    @admin.display(description=_("live"))
    def live_column(self, topic):
        if topic.is_unpublished:
            return _("unpublished")
        return f"v{topic.live_version.number}" if topic.live_version else "—"

    @admin.display(description=_("open version"))
    def open_column(self, topic):
        draft = topic.draft_version
        if draft is None:
            return "—"
        return format_html(
            '<a href="{}">{}</a>', version_admin_url(draft), draft.get_state_display()
        )

    @admin.display(description="")
    def edit_link(self, topic):
        return format_html(
            '<a href="{}">{}</a>',
            reverse("admin:topics_topic_edit", args=[topic.pk]),
            _("Edit"),
        )

    def get_urls(self):
        return [
            path(
                "<int:pk>/edit/",
                self.admin_site.admin_view(self.edit_view),
                name="topics_topic_edit",
            ),
            *self.moderation_urls(),
        ] + super().get_urls()

    def available_moderation(self, topic):
        if topic.live_version_id is None:
            return []
        return [
            "rename_topic",
            "republish_topic" if topic.is_unpublished else "unpublish_topic",
        ]

    def edit_view(self, request, pk):
        """Open the topic's open version; starting a new draft takes a POST."""
        topic = get_object_or_404(Topic.objects.select_related("draft_version"), pk=pk)
        if topic.draft_version is not None:
            return redirect(version_admin_url(topic.draft_version))
        if request.method == "POST":
            try:
                draft = services.start_draft(topic=topic, by=request.user)
            except (ValidationError, PermissionDenied) as error:
                self.message_user(request, error_text(error), messages.ERROR)
                return redirect("admin:topics_topic_changelist")
            return redirect(version_admin_url(draft))
        if not request.user.has_perm(services.EDIT_PERMISSION):
            raise PermissionDenied
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("Edit “%(topic)s”") % {"topic": topic.title},
            "topic": topic,
        }
        return TemplateResponse(request, "admin/topics/topic/start_draft.html", context)

    def add_view(self, request, form_url="", extra_context=None):
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = NewTopicForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            version = services.create_topic(by=request.user, **data)
            self.message_user(
                request,
                _(
                    "Topic “%(title)s” created. Write its sections, then submit it "
                    "for review."
                )
                % {"title": version.title},
                messages.SUCCESS,
            )
            return redirect(version_admin_url(version))
        context = {
            **self.admin_site.each_context(request),
            "title": _("New topic"),
            "form": form,
            "opts": self.opts,
            **(extra_context or {}),
        }
        return TemplateResponse(request, "admin/topics/topic/new_topic.html", context)

    def has_change_permission(self, request, obj=None):
        return False if obj is not None else super().has_change_permission(request, obj)


class SameMediaInlineFormSet(helpers.InlineAdminFormSet):
    """The forms of a formset are alike: their media is the formset's (the
    stock property builds every form's wrapper to add up the same media,
    a tenth of a 30-section change form's time)."""

    @property
    def media(self):
        return self.opts.media + self.formset.media


class OrderedInline:
    extra = 0
    formset = FastInlineFormSet


class SectionInline(OrderedInline, admin.StackedInline):
    model = Section
    template = "admin/topics/topicversion/section_inline.html"
    form = SectionForm
    formset = SectionInlineFormSet
    fields = [("kind", "heading", "position"), "body"]
    extra = 0


class FigureInline(OrderedInline, admin.StackedInline):
    model = Figure
    form = FigureForm
    formset = FigureInlineFormSet
    fields = [
        ("image", "thumbnail"),
        ("alt", "decorative"),
        "caption",
        ("credit", "licence"),
        ("label", "position"),
    ]
    readonly_fields = ["thumbnail"]

    @admin.display(description=_("Shown as"))
    def thumbnail(self, figure):
        picture = picture_data(figure.renditions)
        if not picture:
            return "—"
        return format_html(
            '<img src="{}" alt="" width="160" class="figure-thumbnail"> {} × {} px',
            picture["src"],
            figure.width,
            figure.height,
        )


class RelatedTopicInline(OrderedInline, admin.TabularInline):
    model = RelatedTopic
    fields = ["target", "position"]
    autocomplete_fields = ["target"]


class VersionAuthorInline(OrderedInline, admin.TabularInline):
    model = VersionAuthor
    fields = ["person", "position"]
    autocomplete_fields = ["person"]
    verbose_name_plural = _("authors (in the order the byline names them)")


class KeyFigureInline(OrderedInline, admin.TabularInline):
    model = KeyFigure
    fields = ["person", "position"]
    autocomplete_fields = ["person"]


class SeminalWorkInline(OrderedInline, admin.TabularInline):
    model = SeminalWork
    fields = ["work", "position"]
    autocomplete_fields = ["work"]


@admin.register(TopicVersion)
class TopicVersionAdmin(EditorDesk, ModerationActions, admin.ModelAdmin):
    form = TopicVersionForm
    list_display = ["title", "topic", "state", "number", "created_by", "updated_at"]
    list_filter = ["state", "kind"]
    search_fields = ["title", "topic__slug"]
    list_select_related = ["topic", "created_by"]
    autocomplete_fields = ["parent"]
    inlines = [
        VersionAuthorInline,
        SectionInline,
        FigureInline,
        RelatedTopicInline,
        KeyFigureInline,
        SeminalWorkInline,
    ]
    readonly_fields = [
        "topic",
        "state",
        "number",
        "created_by",
        "approved_at",
        "preview",
        "review_history",
        "citation_help",
    ]
    moderation_actions = {
        "restore_version": {
            "service": services.restore_version,
            "arg": "version",
            "comment": "comment",
            "title": _("Restore %(name)s"),
            "explanation": _(
                "A copy of this version becomes a new version, submitted for review: "
                "another moderator approves it. History is not rewritten."
            ),
            "label": _("Why restore it (added to the edit summary)"),
            "required": False,
            "button": _("Restore this version"),
            "done": _("Restored as a new version, now in the review queue."),
        },
        "withdraw_permalink": {
            "service": services.withdraw_permalink,
            "arg": "version",
            "comment": "reason",
            "title": _("Withdraw the permalink of %(name)s"),
            "explanation": _(
                "Readers will get “410 Gone” at this version's permanent address. "
                "The live version and other versions are not affected."
            ),
            "label": _("Reason (kept in the audit log)"),
            "button": _("Withdraw this permalink"),
            "done": _("The permalink is withdrawn."),
        },
    }
    actions = ["publish_selected"]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "topic",
                    "state",
                    "number",
                    "preview",
                    "review_history",
                ]
            },
        ),
        (
            None,
            {
                "fields": [
                    "title",
                    "summary",
                    "kind",
                    "parent",
                    "tags",
                    "seen_edit_count",
                ]
            },
        ),
        (_("Citing works"), {"fields": ["citation_help"]}),
        (_("For the moderators"), {"fields": ["edit_summary"]}),
    ]

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is not None and not obj.is_editable:
            # Read-only views have no counter to post back.
            fieldsets = [
                (
                    name,
                    {
                        **opts,
                        "fields": [f for f in opts["fields"] if f != "seen_edit_count"],
                    },
                )
                for name, opts in fieldsets
            ]
        return fieldsets

    @admin.display(description=_("citation keys"))
    def citation_help(self, version):
        keys = sorted(set(version.citations.values_list("work__key", flat=True)))
        return format_html(
            "{} {}<br>{} <a href='{}' target='_blank' rel='noopener'>{}</a> · "
            "<a href='{}' target='_blank' rel='noopener'>{}</a>",
            _("Cite a work in a section as [@key] or [@key, p. 12]."),
            _("Keys cited in this version: %(keys)s.") % {"keys": ", ".join(keys)}
            if keys
            else "",
            _("Find a key:"),
            reverse("admin:citations_work_changelist"),
            _("search the bibliography"),
            reverse("admin:citations_work_import"),
            _("import BibTeX"),
        )

    @admin.display(description=_("review history"))
    def review_history(self, version):
        entries = version.audit_entries.select_related("actor").order_by("created_at")
        if not entries:
            return "—"
        return format_html(
            "<ul>{}</ul>",
            format_html_join(
                "",
                "<li><strong>{}</strong> — {} ({}){}</li>",
                (
                    (
                        entry.get_action_display(),
                        services.display_name(entry.actor)
                        if entry.actor
                        else _("system"),
                        timezone.localtime(entry.created_at).strftime("%Y-%m-%d %H:%M"),
                        format_html(": “{}”", entry.comment) if entry.comment else "",
                    )
                    for entry in entries
                ),
            ),
        )

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("topic", "created_by")

    @admin.display(description=_("page"))
    def preview(self, version):
        if version.number:
            label = _("View this version")
        else:
            label = _("Preview as readers will see it")
        link = format_html('<a href="{}">{}</a>', version.get_absolute_url(), label)
        if version.state == TopicVersion.State.SUBMITTED:
            link = format_html(
                '{} · <a href="{}">{}</a>',
                link,
                reverse("admin:topics_topicversion_review", args=[version.pk]),
                _("Open the review page"),
            )
        return link

    def get_urls(self):
        return [
            path(
                "<int:pk>/review/",
                self.admin_site.admin_view(self.review_view),
                name="topics_topicversion_review",
            ),
            *self.moderation_urls(),
            *self.desk_urls(),
        ] + super().get_urls()

    def available_moderation(self, version):
        actions = []
        if (
            version.state in TopicVersion.APPROVED_STATES
            and not version.is_permalink_withdrawn
        ):
            actions.append("restore_version")
            if version.state == TopicVersion.State.SUPERSEDED:
                actions.append("withdraw_permalink")
        return actions

    class Media:
        js = ["js/editor.js"]

    def get_inline_formsets(self, request, formsets, inline_instances, obj=None):
        inline_formsets = super().get_inline_formsets(
            request, formsets, inline_instances, obj
        )
        for inline_formset in inline_formsets:
            inline_formset.__class__ = SameMediaInlineFormSet
        return inline_formsets

    def change_view(self, request, object_id, form_url="", extra_context=None):
        version = self.get_object(request, object_id)
        if version is not None:
            extra_context = {
                **(extra_context or {}),
                **self.desk_context(request, version),
            }
        return super().change_view(request, object_id, form_url, extra_context)

    def response_change(self, request, obj):
        if "_show_changes" in request.POST:
            self.message_user(
                request,
                _("Saved. These are the changes moderators will review."),
                messages.SUCCESS,
            )
            return redirect("admin:topics_topicversion_review", obj.pk)
        return self._response_submit(request, obj)

    def review_view(self, request, pk):
        """The diff against the live version, and the moderator's decision."""
        version = get_object_or_404(
            TopicVersion.objects.select_related("topic", "created_by", "parent"), pk=pk
        )
        if not self.has_view_permission(request, version):
            raise PermissionDenied
        if request.method == "POST":
            return self._decide(request, version)
        live = version.topic.live_version
        if live is not None and live.pk == version.pk:
            live = version.based_on
        user = request.user
        is_moderator = user.has_perm(services.APPROVE_PERMISSION)
        submitted = version.state == TopicVersion.State.SUBMITTED
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("Review: %(title)s") % {"title": version.title},
            "version": version,
            "live": live,
            "diff": diff_versions(live, version),
            "can_decide": is_moderator and submitted,
            "can_withdraw": submitted
            and (is_moderator or version.created_by_id == user.pk),
            "history": self.review_history(version),
            **self.desk_context(request, version),
        }
        return TemplateResponse(
            request, "admin/topics/topicversion/review.html", context
        )

    def _decide(self, request, version):
        decision = request.POST.get("decision")
        comment = request.POST.get("comment", "")
        try:
            seen = int(request.POST.get("edit_count", ""))
        except ValueError:
            seen = None
        decide = {
            "approve": services.approve_version,
            "request_changes": services.request_changes,
            "reject": services.reject_version,
        }
        done = {
            "approve": _("Approved: “%(title)s” is live as version %(number)s."),
            "request_changes": _("Changes requested: “%(title)s” is a draft again."),
            "reject": _("Rejected: “%(title)s”."),
            "withdraw": _("Withdrawn: “%(title)s” is a draft again."),
        }
        if decision not in done:
            self.message_user(request, _("Choose a decision."), messages.ERROR)
            return redirect("admin:topics_topicversion_review", version.pk)
        is_moderator = request.user.has_perm(services.APPROVE_PERMISSION)
        if decision in decide and not is_moderator:
            raise PermissionDenied(_("Only moderators can decide on a submission."))
        try:
            if decision == "withdraw":
                result = services.withdraw_from_review(version=version, by=request.user)
            else:
                result = decide[decision](
                    version=version,
                    by=request.user,
                    comment=comment,
                    expected_edit_count=seen,
                )
        except (ValidationError, PermissionDenied) as error:
            self.message_user(request, error_text(error), messages.ERROR)
            return redirect("admin:topics_topicversion_review", version.pk)
        self.message_user(
            request,
            done[decision] % {"title": result.title, "number": result.number},
            messages.SUCCESS,
        )
        if decision == "withdraw":
            return redirect(version_admin_url(result))
        return redirect("admin:topics_submission_changelist")

    def _response_submit(self, request, obj):
        if "_submit_for_review" not in request.POST:
            return super().response_change(request, obj)
        try:
            services.submit_for_review(
                version=obj, by=request.user, edit_summary=obj.edit_summary
            )
        except (ValidationError, PermissionDenied) as error:
            self.message_user(
                request,
                _("Saved, but not submitted: %(reason)s")
                % {"reason": error_text(error)},
                messages.ERROR,
            )
        else:
            self.message_user(
                request,
                _("Saved and submitted for review. Moderators have been told."),
                messages.SUCCESS,
            )
        return redirect(version_admin_url(obj))

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        if obj is not None and not obj.is_editable:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and not obj.is_editable:
            return False
        return super().has_delete_permission(request, obj)

    def delete_model(self, request, obj):
        services.delete_draft(version=obj, by=request.user)

    def delete_queryset(self, request, queryset):
        for version in queryset:
            services.delete_draft(version=version, by=request.user)

    def has_approve_permission(self, request):
        return request.user.has_perm(services.APPROVE_PERMISSION)

    def get_formset_kwargs(self, request, obj, inline, prefix):
        # The sections' formset checks @fig: labels against the figures being
        # saved with them: both formsets of one request share this register.
        kwargs = super().get_formset_kwargs(request, obj, inline, prefix)
        if not issubclass(inline.formset, SiblingFormSet):
            return kwargs
        if not hasattr(request, "version_formsets"):
            request.version_formsets = {}
        return {**kwargs, "siblings": request.version_formsets}

    def save_formset(self, request, form, formset, change):
        if formset.model not in ORDERED_INLINE_MODELS:
            return super().save_formset(request, form, formset, change)
        formset.save(commit=False)
        services.save_rows(
            version=form.instance,
            model=formset.model,
            rows=[f.save(commit=False) for f in kept_forms(formset)],
            deleted=formset.deleted_objects,
        )

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        services.record_edit(version=form.instance, by=request.user)

    @admin.action(description=_("Publish selected drafts now"), permissions=["approve"])
    def publish_selected(self, request, queryset):
        published = 0
        for version in queryset.select_related("topic"):
            try:
                with transaction.atomic():
                    services.publish_now(
                        version=version,
                        by=request.user,
                        edit_summary=version.edit_summary or _("Published"),
                    )
                published += 1
            except (ValidationError, PermissionDenied) as error:
                self.message_user(
                    request,
                    _("“%(title)s” was not published: %(reason)s")
                    % {"title": version.title, "reason": error_text(error)},
                    messages.ERROR,
                )
        if published:
            self.message_user(
                request,
                ngettext(
                    "%(count)d version published.",
                    "%(count)d versions published.",
                    published,
                )
                % {"count": published},
                messages.SUCCESS,
            )


@admin.register(Submission)
class SubmissionAdmin(admin.ModelAdmin):
    """The review queue: submitted versions, oldest first."""

    list_display = [
        "title_link", "topic", "author", "edit_summary", "open_comments", "age",
    ]  # fmt: skip
    list_select_related = ["topic", "created_by"]
    search_fields = ["title", "topic__slug", "edit_summary"]
    ordering = ["submitted_at", "pk"]
    actions = None

    def get_queryset(self, request):
        unresolved = ReviewComment.objects.filter(
            topic=OuterRef("topic"), parent__isnull=True, resolved_at__isnull=True
        )
        return (
            super()
            .get_queryset(request)
            .filter(state=TopicVersion.State.SUBMITTED)
            .annotate(
                unresolved=Coalesce(
                    Subquery(
                        unresolved.order_by()
                        .values("topic")
                        .annotate(n=Count("pk"))
                        .values("n")
                    ),
                    0,
                )
            )
        )

    @admin.display(description=_("open comments"), ordering="unresolved")
    def open_comments(self, version):
        return version.unresolved or "—"

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm("topics.view_topicversion")

    def has_module_permission(self, request):
        return self.has_view_permission(request)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "title": _("Review queue")}
        return super().changelist_view(request, extra_context)

    @admin.display(description=_("title"), ordering="title")
    def title_link(self, version):
        return format_html(
            '<a href="{}">{}</a>',
            reverse("admin:topics_topicversion_review", args=[version.pk]),
            version.title,
        )

    @admin.display(description=_("author"), ordering="created_by__username")
    def author(self, version):
        return services.display_name(version.created_by) if version.created_by else "—"

    @admin.display(description=_("waiting for"), ordering="submitted_at")
    def age(self, version):
        return timesince(version.submitted_at) if version.submitted_at else "—"


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ["created_at", "topic_slug", "version", "actor", "action", "comment"]
    list_filter = [
        "action",
        ("actor", admin.RelatedOnlyFieldListFilter),
        ("topic", admin.RelatedOnlyFieldListFilter),
    ]
    search_fields = ["topic__slug", "comment"]
    list_select_related = ["topic", "version", "actor"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
