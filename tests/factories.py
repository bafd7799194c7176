import factory
from django.contrib.auth import get_user_model

from citations.models import Work
from topics import services
from topics.models import Section, TopicVersion


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    is_staff = True
    password = factory.django.Password("pass")


class WorkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Work

    key = factory.Sequence(lambda n: f"author{n}2020")
    entry_type = Work.EntryType.ARTICLE
    title = factory.Sequence(lambda n: f"A study of things, part {n}")
    authors = factory.LazyFunction(lambda: [{"family": "Doe", "given": "Jane"}])
    year = 2020
    container_title = "Journal of Examples"


class SectionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Section

    kind = Section.Kind.DEFINITION
    body = "Some text."
    position = factory.Sequence(lambda n: n + 1)


def make_draft(
    *, by, slug="topic", title="Topic", kind="concept", parent=None, sections=()
):
    """Create a topic whose first draft has the given (kind, heading, body) sections."""
    version = services.create_topic(
        slug=slug,
        title=title,
        kind=kind,
        summary=f"About {title}.",
        by=by,
        parent=parent,
    )
    if sections:
        services.save_rows(
            version=version,
            model=Section,
            rows=[
                Section(kind=section_kind, heading=heading, body=body)
                for section_kind, heading, body in sections
            ],
        )
        services.record_edit(version=version, by=by)
    return version


def publish(version, *, author, moderator, summary="First version"):
    """Submit as `author` and approve as `moderator`; return the live version."""
    version = services.submit_for_review(
        version=version, by=author, edit_summary=summary
    )
    return services.approve_version(version=version, by=moderator)


def make_live(*, author, moderator, **kwargs) -> TopicVersion:
    return publish(make_draft(by=author, **kwargs), author=author, moderator=moderator)
