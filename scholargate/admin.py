from django.contrib import admin
from django.contrib.admin.apps import AdminConfig


class ScholarGateAdminSite(admin.AdminSite):
    site_header = "ScholarGate editorial desk"
    site_title = "ScholarGate"
    index_title = "Editorial desk"
    index_template = "admin/scholargate_index.html"

    def index(self, request, extra_context=None):
        from topics.models import CoverageGap, TopicVersion

        extra_context = extra_context or {}
        if request.user.has_perm("topics.approve_topicversion"):
            extra_context["pending_reviews"] = TopicVersion.objects.filter(
                state=TopicVersion.State.SUBMITTED
            ).count()
        if request.user.has_perm("topics.view_coveragegap"):
            extra_context["open_gaps"] = CoverageGap.objects.filter(
                answered_by__isnull=True
            ).count()
        extra_context["my_open_versions"] = (
            TopicVersion.objects.open()
            .filter(created_by=request.user)
            .select_related("topic")
            .order_by("-updated_at")[:10]
        )
        return super().index(request, extra_context)


class ScholarGateAdminConfig(AdminConfig):
    default_site = "scholargate.admin.ScholarGateAdminSite"
