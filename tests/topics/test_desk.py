"""The editors' desk behind the version's admin pages (topics/desk.py,
topics/services/comments.py): preview, lookups, review comments."""

import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from tests.factories import UserFactory, WorkFactory, make_draft, make_live
from tests.topics.helpers import change_url, form_data
from topics import services
from topics.models import AuditEntry, ReviewComment, Section, VersionPage

pytestmark = pytest.mark.django_db

DEF = Section.Kind.DEFINITION


@pytest.fixture
def draft(editor, moderator):
    WorkFactory(
        key="doe2020",
        title="On examples",
        authors=[{"family": "Doe", "given": "Jane"}],
        year=2020,
    )
    live = make_live(
        author=editor,
        moderator=moderator,
        slug="entropy",
        title="Entropy",
        sections=[(DEF, "", "Entropy measures uncertainty [@doe2020].")],
    )
    return services.start_draft(topic=live.topic, by=editor)


def preview_url(version):
    return reverse("admin:topics_topicversion_preview_section", args=[version.pk])


def lookup(client, version, kind, q=""):
    url = reverse("admin:topics_topicversion_lookup", args=[version.pk, kind])
    return client.get(url, {"q": q})


# -- Preview --------------------------------------------------------------------


@pytest.mark.pandoc
def test_the_preview_renders_a_section_as_the_page_will(client, editor, draft):
    client.force_login(editor)
    response = client.post(
        preview_url(draft),
        {
            "kind": "definition",
            "heading": "",
            "body": "Entropy $H$ rises [@doe2020, p. 3].",
            "prefix": "p0",
        },
    )

    data = response.json()
    assert response.status_code == 200 and data["errors"] == []
    assert "rises (Doe, 2020, p. 3)." in re.sub(r"<[^>]+>", "", data["html"])
    assert "<math" in data["html"]
    assert 'id="p0-ref-doe2020"' in data["html"]  # ids of its own
    assert 'href="#p0-ref-doe2020"' in data["html"]
    assert "On examples" in data["html"]


def test_the_preview_names_problems_in_the_words_of_a_save(client, editor, draft):
    client.force_login(editor)
    body = "See [@nobody1999], @fig:missing and [x](topic:nowhere)."
    data = client.post(
        preview_url(draft), {"kind": "definition", "heading": "", "body": body}
    ).json()

    assert data["html"] == ""
    assert data["errors"] == [
        "Section “Definition” cites an unknown work: @nobody1999.",
        "Section “Definition” links to an unknown topic: topic:nowhere.",
        "Section “Definition” refers to an unknown figure: @fig:missing.",
    ]
    sections = [(draft.sections.get().pk, "definition", "", 1, body)]
    page = client.post(change_url(draft), form_data(draft, sections)).content.decode()
    for message in data["errors"]:
        assert message in page


def test_the_preview_stores_nothing(client, editor, draft):
    client.force_login(editor)
    before = (VersionPage.objects.count(), draft.edit_count, draft.sections.get().body)
    client.post(preview_url(draft), {"kind": "definition", "body": "New words."})

    draft.refresh_from_db()
    assert (
        VersionPage.objects.count(),
        draft.edit_count,
        draft.sections.get().body,
    ) == before


def test_only_staff_who_may_change_the_draft_may_preview(
    client, editor, moderator, draft
):
    data = {"kind": "definition", "body": "Words."}
    anonymous = client.post(preview_url(draft), data)
    assert anonymous.status_code == 302 and "/admin/login/" in anonymous["Location"]

    reader = UserFactory(is_staff=True)
    client.force_login(reader)
    assert client.post(preview_url(draft), data).status_code == 403

    client.force_login(editor)
    assert client.get(preview_url(draft)).status_code == 405
    services.submit_for_review(version=draft, by=editor, edit_summary="x")
    assert client.post(preview_url(draft), data).status_code == 403  # not a draft now


def test_the_preview_needs_the_csrf_token(editor, draft):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(editor)
    response = client.post(preview_url(draft), {"kind": "definition", "body": "x"})
    assert response.status_code == 403


# -- Lookups --------------------------------------------------------------------


def test_works_are_found_by_key_author_title_or_year(client, editor, draft):
    WorkFactory(
        key="roe2018",
        title="Of Tides",
        authors=[{"family": "Roe", "given": "Al"}],
        year=2018,
    )
    client.force_login(editor)

    def keys(q):
        return [r["value"] for r in lookup(client, draft, "works", q).json()["results"]]

    assert keys("doe") == ["doe2020"]
    assert keys("tides") == ["roe2018"]
    assert keys("2018") == ["roe2018"]
    assert keys("roe") == ["roe2018"]
    first = lookup(client, draft, "works", "doe2").json()["results"][0]
    assert first == {
        "value": "doe2020",
        "label": "doe2020",
        "detail": "Doe 2020 — On examples",
    }


def test_topics_and_figures_are_offered_too(client, editor, moderator, draft):
    make_live(author=editor, moderator=moderator, slug="heat", title="Heat")
    make_draft(by=editor, slug="hidden-draft", title="Hidden Draft")
    client.force_login(editor)

    topics = lookup(client, draft, "topics", "h").json()["results"]
    assert [t["value"] for t in topics] == ["heat"]
    assert lookup(client, draft, "figures").json() == {"results": []}
    assert lookup(client, draft, "nonsense").status_code == 404
    services.submit_for_review(version=draft, by=editor, edit_summary="x")
    assert lookup(client, draft, "works", "doe").status_code == 403


def test_lookups_take_any_input(client, editor, draft):
    client.force_login(editor)
    for q in ["%", "_", "'; drop", "x" * 5000, "[@", "\x1b"]:
        assert lookup(client, draft, "works", q).status_code == 200
    refused = lookup(client, draft, "works", "\x00")
    assert refused.status_code == 400
    assert refused.content.decode() == "The address contains a NUL character (%00)."


# -- Show changes ---------------------------------------------------------------


def test_save_and_show_changes_leads_to_the_moderators_diff(client, editor, draft):
    client.force_login(editor)
    sections = [(draft.sections.get().pk, "definition", "", 1, "Entropy, surprise.")]
    data = {**form_data(draft, sections), "_show_changes": "1"}
    response = client.post(change_url(draft), data, follow=True)

    html = response.content.decode()
    assert response.redirect_chain[-1][0] == reverse(
        "admin:topics_topicversion_review", args=[draft.pk]
    )
    assert "Saved. These are the changes moderators will review." in html
    assert "Definition changed" in html


# -- Review comments ------------------------------------------------------------


def test_a_moderator_comments_on_a_passage_and_the_authors_are_told(
    editor, moderator, draft, mailoutbox, django_capture_on_commit_callbacks
):
    services.submit_for_review(version=draft, by=editor, edit_summary="x")
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        comment = services.add_comment(
            version=draft,
            by=moderator,
            body="Which study?",
            section_heading="Definition",
            quote="measures   uncertainty",
        )

    assert comment.quote == "measures uncertainty"
    entry = AuditEntry.objects.filter(action="commented").get()
    assert entry.actor == moderator
    assert entry.comment == "Definition, on “measures uncertainty”: Which study?"
    assert [m.to for m in mailoutbox] == [[editor.email]]
    assert "Which study?" in mailoutbox[0].body


def test_only_moderators_start_comments_and_editors_answer_them(
    editor, moderator, draft
):
    with pytest.raises(PermissionDenied):
        services.add_comment(version=draft, by=editor, body="Self-review")
    comment = services.add_comment(version=draft, by=moderator, body="Source?")
    with pytest.raises(ValidationError, match="Write the reply"):
        services.reply_to_comment(comment=comment, by=editor, body="   ")
    reply = services.reply_to_comment(comment=comment, by=editor, body="Added one.")
    resolved = services.resolve_comment(comment=reply, by=editor)  # via a reply

    assert resolved.pk == comment.pk and resolved.is_resolved
    assert resolved.resolved_by == editor
    with pytest.raises(ValidationError, match="resolved already"):
        services.resolve_comment(comment=comment, by=moderator)
    assert list(
        AuditEntry.objects.filter(
            topic=draft.topic, action__in=["commented", "replied", "resolved"]
        )
        .order_by("created_at", "pk")
        .values_list("action", flat=True)
    ) == ["commented", "replied", "resolved"]


def test_a_comment_does_not_change_what_readers_see(client, editor, moderator, draft):
    from scholargate import pagecache

    token = pagecache.generation()
    services.add_comment(version=draft, by=moderator, body="Secret remark")

    assert pagecache.generation() == token
    assert "Secret remark" not in client.get("/topics/entropy/").content.decode()


def test_unresolved_comments_carry_over_to_the_next_draft(
    client, editor, moderator, draft
):
    services.submit_for_review(version=draft, by=editor, edit_summary="x")
    services.add_comment(
        version=draft,
        by=moderator,
        body="Define the units.",
        section_heading="Definition",
    )
    resolved = services.add_comment(version=draft, by=moderator, body="Typo fixed?")
    services.resolve_comment(comment=resolved, by=editor)
    services.approve_version(version=draft, by=moderator)
    nxt = services.start_draft(topic=draft.topic, by=editor)
    client.force_login(editor)

    html = client.get(change_url(nxt)).content.decode()
    assert "1 open review comment" in html
    assert "Define the units." in html and 'data-section="Definition"' in html
    assert "Typo fixed?" not in html
    assert "made on version 2" in html


def test_the_review_queue_counts_open_comments(client, editor, moderator, draft):
    services.submit_for_review(version=draft, by=editor, edit_summary="x")
    for body in ["One", "Two"]:
        services.add_comment(version=draft, by=moderator, body=body)
    client.force_login(moderator)

    html = client.get(reverse("admin:topics_submission_changelist")).content.decode()
    assert '<td class="field-open_comments">2</td>' in html


def test_comment_forms_post_back_to_where_they_came_from(
    client, editor, moderator, draft
):
    services.submit_for_review(version=draft, by=editor, edit_summary="x")
    client.force_login(moderator)
    review = reverse("admin:topics_topicversion_review", args=[draft.pk])
    response = client.post(
        reverse("admin:topics_topicversion_comment", args=[draft.pk]),
        {
            "body": "Cite it.",
            "section_heading": "Definition",
            "quote": "uncertainty",
            "next": review,
        },
    )
    assert response.status_code == 302 and response["Location"] == review
    comment = ReviewComment.objects.get()
    evil = client.post(
        reverse("admin:topics_topicversion_comment_action", args=[comment.pk, "reply"]),
        {"body": "ok", "next": "https://evil.example/"},
    )
    assert evil["Location"] == review
    client.force_login(editor)
    refused = client.post(
        reverse("admin:topics_topicversion_comment", args=[draft.pk]),
        {"body": "Me too"},
    )
    assert refused.status_code == 302
    assert ReviewComment.objects.filter(parent__isnull=True).count() == 1
    html = client.get(review).content.decode()
    assert "Only moderators can do this." in html
    assert "Comment on “Definition”" not in html  # no comment forms for editors


def test_the_change_form_runs_the_same_queries_however_many_comments(
    client, editor, moderator, draft
):
    client.force_login(editor)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(change_url(draft)).status_code == 200
        return len(queries)

    services.add_comment(version=draft, by=moderator, body="First")
    count()  # the first request fills the content-type cache
    before = count()
    for n in range(5):
        comment = services.add_comment(version=draft, by=moderator, body=f"More {n}")
        services.reply_to_comment(comment=comment, by=editor, body="Answer")
    assert count() == before


@pytest.mark.pandoc
def test_a_preview_reusing_its_citations_is_the_full_render(db, settings):
    """As the editor types, formatted citations are reused (Pandoc runs
    without citeproc): the HTML is exactly what a full render gives."""
    from django.core.cache import caches

    from topics import rendering
    from topics.models import topic_url

    works = [
        WorkFactory(
            key=f"k{i}",
            title=f"Title {i}",
            authors=[{"family": f"Fam{i % 3}", "given": "Ann"}],
            year=2000 + i % 2,
        ).to_csl()
        for i in range(6)
    ]

    def render(body, cache):
        chunks, _analyses = rendering.parse_sections(["", body])
        return rendering.render_version(
            summary="",
            sections=[rendering.SectionSource("Def", "definition", body)],
            seminal_keys=[],
            works_csl=works,
            topic_url=topic_url,
            parsed=chunks,
            page_data=False,
            citations=cache,
        ).body_html

    cache = caches["default"]
    render("One [@k0; @k1, p. 2] and @k2 said.\n\nTwo [see @k3, ch. 1], [@k4].", cache)
    typed = (
        "Other words [@k0; @k1, p. 2] and @k2 said $y$.\n\nTwo [see @k3, ch. 1], [@k4]."
    )
    assert render(typed, cache) == render(typed, None)
    # A changed citation is formatted afresh.
    changed = typed.replace("p. 2", "p. 9")
    assert "p. 9" in render(changed, cache)
