from django.shortcuts import get_object_or_404, render

from scholargate.pagecache import public_page, shows, shows_topics

from .models import Work


@public_page()
def work_detail(request, key):
    """A bibliography entry and every published topic and section citing it."""
    work = get_object_or_404(Work, key=key)
    # Its citing topics change with their approvals (topics.reactions).
    shows(request, f"work-{work.pk}", f"work-{work.pk}-list", "works")
    citations = (
        work.citations.filter(
            version__state="published", version__topic__is_unpublished=False
        )
        .select_related("version__topic", "section", "figure")
        .order_by("version__title", "section__position")
    )
    seminal_in = (
        work.seminal_in_versions.filter(state="published", topic__is_unpublished=False)
        .select_related("topic")
        .order_by("title")
    )
    shows_topics(
        request,
        [c.version.topic_id for c in citations] + [v.topic_id for v in seminal_in],
    )
    return render(
        request,
        "citations/work_detail.html",
        {"work": work, "citations": citations, "seminal_in": seminal_in},
    )
