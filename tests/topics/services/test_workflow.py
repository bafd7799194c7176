"""Every transition of the editorial workflow, and every refusal
(topics/services/workflow.py): approval and its numbering, the mails each
transition sends, restore, take-downs, renames and concurrent decisions."""

import threading

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection

from tests.factories import make_draft, make_live, publish
from tests.topics import scenarios
from topics import services
from topics.models import AuditEntry, Section, Topic, TopicVersion

pytestmark = pytest.mark.django_db
State = TopicVersion.State


def submitted(editor, **kwargs):
    draft = make_draft(by=editor, sections=[("definition", "", "Text.")], **kwargs)
    return services.submit_for_review(version=draft, by=editor, edit_summary="New")


def last_action(version):
    return AuditEntry.objects.filter(version=version).first().action


class TestTransitions:
    def test_submit_makes_the_draft_read_only_and_queued(self, editor):
        version = submitted(editor)
        assert version.state == State.SUBMITTED and not version.is_editable
        assert last_action(version) == AuditEntry.Action.SUBMITTED

    def test_withdraw_returns_a_submission_to_draft(self, editor):
        version = services.withdraw_from_review(version=submitted(editor), by=editor)
        assert version.state == State.DRAFT
        assert last_action(version) == AuditEntry.Action.WITHDRAWN

    def test_someone_else_cannot_withdraw(self, editor):
        from tests.factories import UserFactory

        stranger = UserFactory()
        with pytest.raises(PermissionDenied):
            services.withdraw_from_review(version=submitted(editor), by=stranger)

    def test_request_changes_needs_a_comment_and_reopens_the_draft(
        self, editor, moderator
    ):
        version = submitted(editor)
        with pytest.raises(ValidationError, match="Say why in a comment"):
            services.request_changes(version=version, by=moderator, comment=" ")
        version = services.request_changes(
            version=version, by=moderator, comment="Cite a source."
        )
        assert version.state == State.DRAFT
        entry = AuditEntry.objects.get(version=version, action="changes_requested")
        assert (entry.actor, entry.comment) == (moderator, "Cite a source.")

    def test_reject_closes_the_version_and_frees_the_topic(self, editor, moderator):
        version = services.reject_version(
            version=submitted(editor), by=moderator, comment="Out of scope."
        )
        assert version.state == State.REJECTED
        topic = Topic.objects.get(pk=version.topic_id)
        assert topic.draft_version is None
        # The same topic, never published, can be worked on again: the new
        # draft starts from the rejected text.
        draft = services.start_draft(topic=topic, by=editor)
        assert draft.state == State.DRAFT and draft.based_on == version
        assert draft.sections.get().body == "Text."
        assert Topic.objects.get(pk=topic.pk).draft_version == draft

    def test_approving_a_version_edited_after_submission_is_refused(
        self, editor, moderator
    ):
        version = submitted(editor)
        seen = version.edit_count
        services.withdraw_from_review(version=version, by=editor)
        services.record_edit(version=version, by=editor)
        services.submit_for_review(version=version, by=editor, edit_summary="Again")
        with pytest.raises(ValidationError, match="changed after you opened it"):
            services.approve_version(
                version=version, by=moderator, expected_edit_count=seen
            )
        version.refresh_from_db()
        assert version.state == State.SUBMITTED

    def test_approving_an_already_decided_version_is_refused(
        self, editor, moderator, second_moderator
    ):
        version = submitted(editor)
        services.approve_version(version=version, by=moderator)
        with pytest.raises(ValidationError, match="only a submitted version"):
            services.approve_version(version=version, by=second_moderator)
        with pytest.raises(ValidationError, match="no longer waiting for review"):
            services.reject_version(version=version, by=second_moderator, comment="No")

    def test_contributor_cannot_approve(self, editor, moderator):
        draft = make_draft(by=editor)
        services.record_edit(version=draft, by=moderator)
        services.submit_for_review(version=draft, by=editor, edit_summary="x")
        with pytest.raises(PermissionDenied):
            services.approve_version(version=draft, by=moderator)

    @pytest.mark.parametrize(
        "action",
        ["request_changes", "reject_version", "restore_version"],
    )
    def test_editors_cannot_call_moderator_actions(self, editor, moderator, action):
        live = make_live(
            author=editor, moderator=moderator, sections=[("definition", "", "x")]
        )
        target = live if action == "restore_version" else submitted(editor, slug="s")
        with pytest.raises(PermissionDenied):
            getattr(services, action)(version=target, by=editor, comment="x")

    def test_take_downs_are_for_moderators(self, editor, moderator):
        live = make_live(author=editor, moderator=moderator)
        with pytest.raises(PermissionDenied):
            services.unpublish_topic(topic=live.topic, by=editor, reason="x")
        with pytest.raises(PermissionDenied):
            services.withdraw_permalink(version=live, by=editor, reason="x")


def test_restore_goes_through_review_and_becomes_a_new_number(
    client, editor, moderator, second_moderator
):
    v1 = make_live(
        author=editor, moderator=moderator, sections=[("definition", "", "Old text.")]
    )
    draft = services.start_draft(topic=v1.topic, by=editor)
    Section.objects.filter(version=draft).update(body="New text.")
    publish(draft, author=editor, moderator=moderator, summary="Rewrite")
    assert "New text." in client.get("/topics/topic/").content.decode()

    restored = services.restore_version(version=v1, by=moderator, comment="Vandalism.")
    assert restored.state == State.SUBMITTED and restored.created_by == moderator
    assert "Restored version 1" in restored.edit_summary
    # Refused while the topic has an open version.
    with pytest.raises(ValidationError, match="has an open version"):
        services.restore_version(version=v1, by=second_moderator)
    # The restorer cannot approve it; another moderator does.
    with pytest.raises(PermissionDenied):
        services.approve_version(version=restored, by=moderator)
    services.approve_version(version=restored, by=second_moderator)
    html = client.get("/topics/topic/").content.decode()
    assert "Old text." in html and "(version 3)" in html
    history = client.get("/topics/topic/history/").content.decode()
    assert "Version 3" in history and "Version 2" in history and "Version 1" in history


def test_unpublish_and_permalink_take_downs_answer_410(client, editor, moderator):
    v1 = make_live(
        author=editor, moderator=moderator, sections=[("definition", "", "One.")]
    )
    v2 = publish(
        services.start_draft(topic=v1.topic, by=editor),
        author=editor,
        moderator=moderator,
        summary="Two",
    )
    with pytest.raises(ValidationError, match="live version cannot be withdrawn"):
        services.withdraw_permalink(version=v2, by=moderator, reason="x")
    services.withdraw_permalink(version=v1, by=moderator, reason="Libel.")
    assert client.get("/topics/topic/v/1/").status_code == 410
    assert client.get("/topics/topic/v/2/").status_code == 200
    services.unpublish_topic(topic=v1.topic, by=moderator, reason="Court order.")
    for url in ["/topics/topic/", "/topics/topic/v/2/", "/topics/topic/history/"]:
        response = client.get(url)
        assert response.status_code == 410
        assert "withdrawn" in response.content.decode()
    assert AuditEntry.objects.get(action="unpublished").comment == "Court order."
    services.republish_topic(topic=v1.topic, by=moderator)
    assert client.get("/topics/topic/").status_code == 200


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("second", ["approve", "reject"])
def test_concurrent_decisions_leave_exactly_one_winner(
    editor, moderator, second_moderator, second
):
    version = submitted(editor)
    barrier = threading.Barrier(2)
    outcomes = []

    def decide(action, user):
        try:
            barrier.wait()
            if action == "approve":
                services.approve_version(version=version, by=user)
            else:
                services.reject_version(version=version, by=user, comment="No.")
            outcomes.append("won")
        except ValidationError as error:
            outcomes.append(error.messages[0])
        finally:
            connection.close()

    threads = [
        threading.Thread(target=decide, args=("approve", moderator)),
        threading.Thread(target=decide, args=(second, second_moderator)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes)[-1] == "won" and outcomes.count("won") == 1
    loser = next(o for o in outcomes if o != "won")
    assert "only a submitted version" in loser or "no longer waiting" in loser
    topic = Topic.objects.get(pk=version.topic_id)
    assert TopicVersion.objects.filter(topic=topic, state=State.PUBLISHED).count() <= 1
    assert (
        TopicVersion.objects.filter(
            topic=topic, state__in=["draft", "submitted"]
        ).count()
        == 0
    )


# -- Approval -------------------------------------------------------------------


def test_approval_numbers_versions_and_supersedes_the_live_one(editor, moderator):
    first = make_live(author=editor, moderator=moderator, slug="t", title="T")
    assert (first.number, first.state) == (1, State.PUBLISHED)
    assert first.topic.first_published_at == first.approved_at
    draft = services.start_draft(topic=first.topic, by=editor)
    second = publish(draft, author=editor, moderator=moderator, summary="Second")
    first.refresh_from_db()
    second.topic.refresh_from_db()
    assert (second.number, first.state) == (2, State.SUPERSEDED)
    assert second.topic.live_version == second and second.topic.draft_version is None
    actions = list(
        AuditEntry.objects.filter(topic=first.topic).values_list("action", flat=True)
    )
    assert actions.count(AuditEntry.Action.APPROVED) == 2


def test_author_cannot_approve_own_version(moderator):
    draft = make_draft(by=moderator)
    services.submit_for_review(version=draft, by=moderator, edit_summary="New")
    with pytest.raises(PermissionDenied, match="another moderator must approve"):
        services.approve_version(version=draft, by=moderator)
    draft.refresh_from_db()
    assert draft.state == State.SUBMITTED


def test_self_approval_allowed_only_by_setting(moderator, settings):
    settings.SCHOLARGATE_ALLOW_SELF_APPROVAL = True
    draft = make_draft(by=moderator)
    services.submit_for_review(version=draft, by=moderator, edit_summary="New")
    assert services.approve_version(version=draft, by=moderator).number == 1


def test_editor_cannot_approve(editor, second_moderator):
    draft = make_draft(by=second_moderator)
    services.submit_for_review(version=draft, by=second_moderator, edit_summary="x")
    with pytest.raises(PermissionDenied, match="Only moderators"):
        services.approve_version(version=draft, by=editor)


def test_only_submitted_versions_are_approved(editor, moderator):
    draft = make_draft(by=editor)
    with pytest.raises(ValidationError, match="only a submitted version"):
        services.approve_version(version=draft, by=moderator)


def test_submission_needs_an_edit_summary(editor):
    draft = make_draft(by=editor)
    with pytest.raises(ValidationError, match="edit summary"):
        services.submit_for_review(version=draft, by=editor, edit_summary="  ")


# -- Mails ----------------------------------------------------------------------


def test_approval_mails_the_author(
    editor, moderator, mailoutbox, django_capture_on_commit_callbacks
):
    draft = make_draft(by=editor)
    with django_capture_on_commit_callbacks(execute=True):
        services.submit_for_review(version=draft, by=editor, edit_summary="x")
        services.approve_version(version=draft, by=moderator)
    subjects = [(m.subject, m.to) for m in mailoutbox]
    assert ("Review requested: Topic", [moderator.email]) in subjects
    assert ("Published: Topic", [editor.email]) in subjects


def test_every_transition_mails_the_people_concerned(
    editor, moderator, second_moderator, mailoutbox, django_capture_on_commit_callbacks
):
    """Submit and restore ask the other moderators; request changes, reject
    and approve tell the authors, with the moderator's comment."""
    draft = make_draft(by=editor, sections=[(Section.Kind.DEFINITION, "", "One.")])

    def mails(action):
        mailoutbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            action()
        return sorted((m.subject, tuple(m.to), m.body) for m in mailoutbox)

    sent = mails(
        lambda: services.submit_for_review(version=draft, by=editor, edit_summary="x")
    )
    assert sorted((s, to) for s, to, _b in sent) == sorted(
        [
            ("Review requested: Topic", (moderator.email,)),
            ("Review requested: Topic", (second_moderator.email,)),
        ]
    )
    (sent,) = mails(
        lambda: services.request_changes(
            version=draft, by=moderator, comment="Cite a source."
        )
    )
    assert sent[:2] == ("Changes requested: Topic", (editor.email,))
    assert "Mona Moderator asked for changes" in sent[2] and "Cite a source." in sent[2]
    services.submit_for_review(version=draft, by=editor, edit_summary="y")
    (sent,) = mails(
        lambda: services.reject_version(
            version=draft, by=moderator, comment="Off topic."
        )
    )
    assert sent[:2] == ("Rejected: Topic", (editor.email,))
    assert "Off topic." in sent[2]
    live = make_live(author=editor, moderator=moderator, slug="other", title="Other")
    sent = mails(lambda: services.restore_version(version=live, by=second_moderator))
    assert [(s, to) for s, to, _b in sent] == [
        ("Review requested: Other", (moderator.email,))
    ]
    assert "Max Moderator restored version 1 of “Other”" in sent[0][2]


# -- Renames --------------------------------------------------------------------


@pytest.fixture
def corpus(editor, moderator):
    """A few live topics, one draft, tags and links between them."""
    return scenarios.discovery_corpus(editor, moderator)


def test_rename_refuses_a_slug_in_use(corpus, moderator):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="is in use"):
        services.rename_topic(topic=corpus["net"].topic, new_slug="godel", by=moderator)


def test_rename_to_an_overlong_slug_is_a_message(corpus, moderator):
    topic = Topic.objects.get(slug="neural-network")
    with pytest.raises(ValidationError, match="A slug has at most 200 characters."):
        services.rename_topic(topic=topic, by=moderator, new_slug="a" * 201)
    topic.refresh_from_db()
    assert topic.slug == "neural-network"


def test_editing_a_cited_work_counts_as_authorship(editor, moderator, second_moderator):
    """A moderator who corrects a work the submission cites changes what goes
    live with it: they may not approve it alone."""
    from citations.models import Work
    from citations.services import save_work
    from tests.factories import WorkFactory

    WorkFactory(key="shannon1948", title="A mathematical theory")
    live = make_live(
        author=editor,
        moderator=second_moderator,
        sections=[("definition", "", "Entropy [@shannon1948].")],
    )
    draft = services.start_draft(topic=live.topic, by=editor)
    services.submit_for_review(version=draft, by=editor, edit_summary="Same text")
    work = Work.objects.get(key="shannon1948")
    work.title = "A mathematical theory of communication"
    save_work(work=work, by=moderator)
    with pytest.raises(PermissionDenied, match="You changed a work or a person"):
        services.approve_version(version=draft, by=moderator)
    # The change is in the review's diff, with who made it.
    from topics.diff import diff_versions

    diff = diff_versions(live, draft)
    (source,) = diff.sources
    assert source.name == "shannon1948" and source.editors == ["Mona Moderator"]
    assert [(f.label, f.old, f.new) for f in source.fields] == [
        ("Title", "A mathematical theory", "A mathematical theory of communication")
    ]
    assert "1 cited work changed" in diff.summary
    services.approve_version(version=draft, by=second_moderator)


def test_editing_a_key_figure_counts_as_authorship(editor, moderator, second_moderator):
    from topics.models import KeyFigure, Person

    draft = make_draft(by=editor, sections=[("definition", "", "Text.")])
    person = Person.objects.create(name="Claude Shannon", description="Engineer")
    KeyFigure.objects.create(version=draft, person=person, position=1)
    live = publish(draft, author=editor, moderator=second_moderator)
    draft = services.start_draft(topic=live.topic, by=editor)
    services.submit_for_review(version=draft, by=editor, edit_summary="Same")
    person.description = "Mathematician and engineer"
    services.save_person(person=person, by=moderator)
    with pytest.raises(PermissionDenied):
        services.approve_version(version=draft, by=moderator)
    from topics.diff import diff_versions

    (source,) = diff_versions(live, draft).sources
    assert source.kind == "person" and source.editors == ["Mona Moderator"]
