from django.conf import settings


def site(request):
    """Expose the site's name and content licence to every template."""
    return {
        "site_name": settings.SCHOLARGATE_SITE_NAME,
        "content_licence": settings.SCHOLARGATE_CONTENT_LICENCE,
    }
