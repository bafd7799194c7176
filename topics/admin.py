from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from . import services
from .forms import NewTopicForm, SectionInlineFormSet, TopicVersionForm
from .models import (
    AuditEntry,
    KeyFigure,
    Person,
    RelatedTopic,
    Section,
    SeminalWork,
    Topic,
    TopicVersion,
)

ORDERED_INLINE_MODELS = (Section, RelatedTopic, KeyFigure, SeminalWork)
PARKED = 1_000_000


def version_admin_url(version):
    return reverse("admin:topics_topicversion_change", args=[version.pk])


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
    list_display = ["name", "description", "orcid", "wikidata"]
    search_fields = ["name", "description"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    list_display = ["slug", "title_column", "live_column", "open_column", "edit_link"]
    list_filter = [("live_version", admin.EmptyFieldListFilter), "is_withdrawn"]
    search_fields = ["slug", "versions__title"]
    readonly_fields = ["slug", "live_version", "draft_version", "created_at"]
    fields = ["slug", "live_version", "draft_version", "created_at"]
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
        if topic.is_withdrawn:
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
            '<a class="button" href="{}">{}</a>',
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
        ] + super().get_urls()

    def edit_view(self, request, pk):
        """Open the topic's open version, or start a draft from the live one."""
        topic = get_object_or_404(Topic, pk=pk)
        try:
            draft = services.start_draft(topic=topic, by=request.user)
        except PermissionDenied:
            raise
        except ValidationError as error:
            self.message_user(request, " ".join(error.messages), messages.ERROR)
            return redirect("admin:topics_topic_changelist")
        return redirect(version_admin_url(draft))

    def add_view(self, request, form_url="", extra_context=None):
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = NewTopicForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            version = services.create_topic(by=request.user, **data)
            self.message_user(
                request,
                _("Topic “%s” created. Write its sections, then submit it for review.")
                % version.title,
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


class OrderedInline:
    extra = 0


class SectionInline(OrderedInline, admin.StackedInline):
    model = Section
    formset = SectionInlineFormSet
    fields = [("kind", "heading", "position"), "body"]
    extra = 0


class RelatedTopicInline(OrderedInline, admin.TabularInline):
    model = RelatedTopic
    fields = ["target", "position"]
    autocomplete_fields = ["target"]


class KeyFigureInline(OrderedInline, admin.TabularInline):
    model = KeyFigure
    fields = ["person", "position"]
    autocomplete_fields = ["person"]


class SeminalWorkInline(OrderedInline, admin.TabularInline):
    model = SeminalWork
    fields = ["work", "position"]
    autocomplete_fields = ["work"]


@admin.register(TopicVersion)
class TopicVersionAdmin(admin.ModelAdmin):
    form = TopicVersionForm
    list_display = ["title", "topic", "state", "number", "created_by", "updated_at"]
    list_filter = ["state", "kind"]
    search_fields = ["title", "topic__slug"]
    list_select_related = ["topic", "created_by"]
    autocomplete_fields = ["parent"]
    inlines = [SectionInline, RelatedTopicInline, KeyFigureInline, SeminalWorkInline]
    readonly_fields = [
        "topic",
        "state",
        "number",
        "created_by",
        "approved_at",
        "preview",
    ]
    actions = ["publish_selected"]
    fieldsets = [
        (None, {"fields": ["topic", "state", "number", "preview"]}),
        (None, {"fields": ["title", "summary", "kind", "parent", "tags"]}),
        (_("For the moderators"), {"fields": ["edit_summary"]}),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("topic", "created_by")

    @admin.display(description=_("page"))
    def preview(self, version):
        if version.number:
            label = _("View this version")
        else:
            label = _("Preview as readers will see it")
        return format_html('<a href="{}">{}</a>', version.get_absolute_url(), label)

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

    def has_approve_permission(self, request):
        return request.user.has_perm(services.APPROVE_PERMISSION)

    def save_formset(self, request, form, formset, change):
        if formset.model not in ORDERED_INLINE_MODELS:
            return super().save_formset(request, form, formset, change)
        version = form.instance
        formset.save(commit=False)
        for obj in formset.deleted_objects:
            obj.delete()
        kept = [
            (index, f)
            for index, f in enumerate(formset.forms)
            if not formset._should_delete_form(f) and (f.instance.pk or f.has_changed())
        ]
        # Blank or 0 means "at the end, in the order shown".
        kept.sort(key=lambda item: (item[1].instance.position or PARKED, item[0]))
        formset.model.objects.filter(version=version).update(
            position=F("position") + PARKED
        )
        for position, (_index, f) in enumerate(kept, start=1):
            f.instance.version = version
            f.instance.position = position
            f.instance.save()

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
                reason = " ".join(getattr(error, "messages", [str(error)]))
                self.message_user(
                    request,
                    _("“%s” was not published: ") % version.title + reason,
                    messages.ERROR,
                )
        if published:
            self.message_user(
                request, _("%d version(s) published.") % published, messages.SUCCESS
            )


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ["created_at", "topic", "version", "actor", "action", "comment"]
    list_filter = ["action", ("actor", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["topic__slug", "comment"]
    list_select_related = ["topic", "version", "actor"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
