"""Content that tests in more than one module build.

Each module keeps its own fixture (`entry`, `corpus`, `live`), which calls
one of these; the fixtures' names and what they return are unchanged.
`submit_change` is called by the tests themselves.
"""

import datetime

from django.utils import timezone

from tests.factories import WorkFactory, make_draft, make_live, publish
from topics import services
from topics.models import (
    KeyFigure,
    Person,
    RelatedTopic,
    Section,
    TopicVersion,
)

NET_TEXT = "A network of units. See [models](topic:machine-learning)."
GD_TEXT = "Trains many neural networks by following the gradient."


def linked_entry(editor, moderator):
    """A published topic with a parent, a child, related topics and citations."""
    WorkFactory(key="doe2020", title="On examples")
    field = make_live(
        author=editor,
        moderator=moderator,
        slug="field",
        title="The Field",
        kind="field",
    )
    draft = make_draft(
        by=editor,
        slug="topic",
        title="The Topic",
        parent=field.topic,
        sections=[
            (Section.Kind.DEFINITION, "", "A definition with $x^2$ [@doe2020, p. 3]."),
            (Section.Kind.SCOPE, "", ""),
            (Section.Kind.RELEVANCE, "Clinical relevance", "Matters [@doe2020]."),
        ],
    )
    method = make_live(
        author=editor,
        moderator=moderator,
        slug="a-method",
        title="A Method",
        kind="method",
    )
    concept = make_live(
        author=editor, moderator=moderator, slug="a-concept", title="A Concept"
    )
    hidden = make_draft(by=editor, slug="unpublished", title="Unpublished Thing")
    for position, target in enumerate([method.topic, concept.topic, hidden.topic], 1):
        RelatedTopic.objects.create(version=draft, target=target, position=position)
    KeyFigure.objects.create(
        version=draft, person=Person.objects.create(name="Ada Lovelace"), position=1
    )
    draft.tags.add("examples")
    live = publish(draft, author=editor, moderator=moderator)
    make_live(
        author=editor,
        moderator=moderator,
        slug="child",
        title="A Child",
        parent=live.topic,
    )
    return live


def cited_entry(editor, moderator):
    """“Entropy”, citing doe2020, approved twice: (version 1, version 2).

    Version 1 is dated 5 March 2024 and rendered again with that date.
    """
    WorkFactory(
        key="doe2020", title="On examples", authors=[{"family": "Doe", "given": "Jane"}]
    )
    draft = make_draft(
        by=editor,
        slug="entropy",
        title="Entropy",
        sections=[
            (
                Section.Kind.DEFINITION,
                "",
                "Entropy measures uncertainty [@doe2020, p. 2].",
            ),
            (Section.Kind.FAQ, "", "Is it disorder?\n: Only loosely."),
        ],
    )
    KeyFigure.objects.create(
        version=draft, person=Person.objects.create(name="Claude Shannon"), position=1
    )
    draft.tags.add("information theory")
    v1 = publish(draft, author=editor, moderator=moderator)
    # Version 1 was approved long ago; its permalink must carry that date.
    past = timezone.make_aware(datetime.datetime(2024, 3, 5, 12, 0))
    TopicVersion.objects.filter(pk=v1.pk).update(approved_at=past)
    v1.refresh_from_db()
    services.rerender_version(version_id=v1.pk)
    v2 = publish(
        services.start_draft(topic=v1.topic, by=editor),
        author=editor,
        moderator=moderator,
        summary="Two",
    )
    return v1, v2


def live_citing_a_work(editor, moderator):
    """“Entropy”, live, citing smith2020 (that Work is at `.work`)."""
    work = WorkFactory(key="smith2020", title="Original title of the study")
    version = make_live(
        author=editor,
        moderator=moderator,
        slug="entropy",
        title="Entropy",
        sections=[("definition", "", "Entropy measures disorder [@smith2020].")],
    )
    version.work = work
    return version


def submit_change(editor, moderator, text="Changed text about the subject."):
    live = make_live(
        author=editor,
        moderator=moderator,
        sections=[("definition", "", "Original text about the subject.")],
    )
    draft = services.start_draft(topic=live.topic, by=editor)
    Section.objects.filter(version=draft).update(body=text)
    services.submit_for_review(version=draft, by=editor, edit_summary="Sharper wording")
    return draft


def discovery_corpus(editor, moderator):
    """A few live topics, one draft, tags and links between them."""
    ml = make_live(
        author=editor, moderator=moderator, slug="machine-learning",
        title="Machine Learning", kind="field",
        sections=[("definition", "", "Learning from data with statistical models.")],
    )  # fmt: skip
    net = make_draft(
        by=editor, slug="neural-network", title="Neural Network",
        parent=ml.topic,
        sections=[("definition", "", NET_TEXT)],
    )  # fmt: skip
    net.tags.add("neural networks", "models")
    net = publish(net, author=editor, moderator=moderator)
    body = make_draft(
        by=editor, slug="gradient-descent", title="Gradient Descent", kind="method",
        parent=ml.topic,
        sections=[("definition", "", GD_TEXT)],
    )  # fmt: skip
    body.tags.add("optimization")
    RelatedTopic.objects.create(version=body, target=net.topic, position=1)
    body = publish(body, author=editor, moderator=moderator)
    godel = make_live(
        author=editor, moderator=moderator, slug="godel", title="Gödel Numbering",
        sections=[("definition", "", "Kurt Gödel encoded formulas as numbers.")],
    )  # fmt: skip
    draft = make_draft(
        by=editor, slug="secret", title="Secret Network Draft",
        sections=[("definition", "", "Unpublished network text.")],
    )  # fmt: skip
    draft.tags.add("draft-only-tag")
    return {"ml": ml, "net": net, "gd": body, "godel": godel, "draft": draft}
