"""Requests no page can answer sensibly, refused before any view runs."""

from django.http import HttpResponseBadRequest
from django.utils.translation import gettext as _


def accepts_control_characters(view):
    """Let a view read query values with NUL and other control characters
    itself (the Assistant takes a reader's question as typed and cleans it)."""
    view.accepts_control_characters = True
    return view


class RejectNulMiddleware:
    """Answer 400 when the address or a query value holds a NUL character.

    No text the site stores or looks up may contain one (PostgreSQL refuses
    it in text), so such a request is a mistake or a probe, not a search.
    Form fields are covered by Django's own ProhibitNullCharactersValidator;
    views marked `accepts_control_characters` clean query values themselves.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.path:
            return self._refuse()
        return self.get_response(request)

    def process_view(self, request, view, args, kwargs):
        if getattr(view, "accepts_control_characters", False):
            return None
        if any(
            "\x00" in key or "\x00" in value
            for key, values in request.GET.lists()
            for value in values
        ):
            return self._refuse()
        return None

    @staticmethod
    def _refuse():
        return HttpResponseBadRequest(
            _("The address contains a NUL character (%00)."),
            content_type="text/plain; charset=utf-8",
        )
