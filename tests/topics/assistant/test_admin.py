"""The Assistant in the editors' desk: coverage gaps and related terms."""

import pytest
from django.urls import reverse

from tests.querycounts import assert_flat
from topics import assistant
from topics.models import CoverageGap, RelatedTerm

pytestmark = pytest.mark.django_db

GAPS = "admin:topics_coveragegap_changelist"


def ask_unanswerable(n):
    for i in range(n):
        assistant.answer(f"Who painted the ceiling of chapel number {i}?")


def test_editors_see_gaps_most_asked_first_and_mark_one_answered(
    client, editor, library
):
    assistant.answer("How are glaciers formed?")
    for _ in range(3):
        assistant.answer("Why is the sky blue?")
    client.force_login(editor)

    html = client.get(reverse(GAPS)).content.decode()
    assert html.index("Why is the sky blue?") < html.index("How are glaciers formed?")
    assert '<td class="field-count">3</td>' in html

    gap = CoverageGap.objects.get(normalised="sky blue")
    tides = library["tides"].topic
    response = client.post(
        reverse("admin:topics_coveragegap_change", args=[gap.pk]),
        {"answered_by": tides.pk},
    )
    assert response.status_code == 302
    gap.refresh_from_db()
    assert gap.answered_by == tides
    client.get(reverse(GAPS))  # shows the "changed successfully" message
    unanswered = client.get(reverse(GAPS), {"answered": "no"}).content.decode()
    assert "How are glaciers formed?" in unanswered
    assert "Why is the sky blue?" not in unanswered


def test_the_desk_counts_open_gaps(client, editor, library):
    ask_unanswerable(2)
    client.force_login(editor)

    html = client.get(reverse("admin:index")).content.decode()
    assert "2 questions readers asked have no reviewed answer" in html


def test_nobody_adds_a_gap_by_hand_and_only_moderators_delete(
    client, editor, moderator, library
):
    ask_unanswerable(1)
    gap = CoverageGap.objects.get()
    client.force_login(editor)
    assert client.get(reverse("admin:topics_coveragegap_add")).status_code == 403
    delete = reverse("admin:topics_coveragegap_delete", args=[gap.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    client.force_login(moderator)
    assert client.post(delete, {"post": "yes"}).status_code == 302
    assert not CoverageGap.objects.exists()


def test_editors_extend_the_related_terms(client, editor, library):
    client.force_login(editor)
    question = "Why does the ocean go up and down?"
    assert not assistant.answer(question, record=False).covered

    response = client.post(
        reverse("admin:topics_relatedterm_add"),
        {"phrase": "ocean", "terms": "sea, tides"},
    )
    assert response.status_code == 302
    client.post(
        reverse("admin:topics_relatedterm_add"),
        {"phrase": "go up and down", "terms": "rise, fall"},
    )
    assert RelatedTerm.objects.filter(phrase="ocean").exists()
    assert assistant.answer(question, record=False).covered


def test_assistant_admin_lists_have_flat_query_counts(client, moderator, library):
    client.force_login(moderator)
    ask_unanswerable(1)
    urls = [
        reverse(GAPS),
        reverse("admin:topics_relatedterm_changelist"),
    ]

    def grow():
        ask_unanswerable(8)
        gap = CoverageGap.objects.first()
        gap.answered_by = library["tides"].topic
        gap.save()
        for n in range(8):
            RelatedTerm.objects.create(phrase=f"phrase {n}", terms="words")

    assert_flat(client, urls, grow)
