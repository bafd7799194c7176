"""Requests no page can answer sensibly, refused before any view runs."""

from django.http import HttpResponseBadRequest
from django.utils.translation import gettext as _


class RejectNulMiddleware:
    """Answer 400 when the address or a query value holds a NUL character.

    No text the site stores or looks up may contain one (PostgreSQL refuses
    it in text), so such a request is a mistake or a probe, not a search.
    Form fields are covered by Django's own ProhibitNullCharactersValidator.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.path or any(
            "\x00" in key or "\x00" in value
            for key, values in request.GET.lists()
            for value in values
        ):
            return HttpResponseBadRequest(
                _("The address contains a NUL character (%00)."),
                content_type="text/plain; charset=utf-8",
            )
        return self.get_response(request)
