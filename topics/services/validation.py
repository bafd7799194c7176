"""Checks shared by forms, content imports and the workflow."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from citations.models import Work

from .. import rendering, selectors
from ..models import OldSlug, Topic, TopicVersion


def check_sections(
    sections, *, figure_labels=(), pending_slugs=(), pending_keys=(), analyses=None
) -> tuple[list, list[list[str]]]:
    """Check what section texts refer to; return analyses and errors.

    `sections` is a list of (heading, body). The errors are one list of
    messages per section. `analyses`: rendering's analyses of the same
    bodies, when already parsed. Citation keys must name a Work, topic links a Topic
    and @fig: labels a figure of the version; keys and slugs being created in
    the same run count as known.
    """
    limit = settings.SECTION_MAX_CHARS
    too_long = [len(body) > limit for _heading, body in sections]
    # An overlong text is not given to Pandoc at all.
    if analyses is None:
        analyses = rendering.analyse_sections(
            ["" if len(body) > limit else body for _heading, body in sections]
        )
    keys = {k for a in analyses for k in a.citation_keys}
    slugs = {s for a in analyses for s in a.topic_slugs}
    known_keys = set(Work.objects.filter(key__in=keys).values_list("key", flat=True))
    known_keys |= set(pending_keys)
    known_slugs = set(
        Topic.objects.filter(slug__in=slugs).values_list("slug", flat=True)
    )
    known_slugs |= set(
        OldSlug.objects.filter(slug__in=slugs).values_list("slug", flat=True)
    )
    known_slugs |= set(pending_slugs)
    labels = {label.lower() for label in figure_labels}
    errors = []
    total = citations = 0
    for (heading, body), analysis, long in zip(
        sections, analyses, too_long, strict=True
    ):
        errors.append(found := [])
        if long:
            found.append(
                _(
                    "Section “%(section)s” has %(length)s characters; a section has "
                    "at most %(limit)s."
                )
                % {
                    "section": heading,
                    "length": f"{len(body):,}",
                    "limit": f"{settings.SECTION_MAX_CHARS:,}",
                }
            )
        total += len(body)
        if total > settings.VERSION_MAX_CHARS >= total - len(body):
            found.append(
                _(
                    "With section “%(section)s” the text passes %(limit)s characters, "
                    "the most one version may hold: split the topic into sub-topics."
                )
                % {"section": heading, "limit": f"{settings.VERSION_MAX_CHARS:,}"}
            )
        citations += analysis.citation_count
        if citations > settings.CITATIONS_MAX >= citations - analysis.citation_count:
            found.append(
                _(
                    "With section “%(section)s” the text cites works more than "
                    "%(limit)s times, the most one version may."
                )
                % {"section": heading, "limit": f"{settings.CITATIONS_MAX:,}"}
            )
        for problem in analysis.problems:
            found.append(
                _("Section “%(section)s”: %(problem)s.")
                % {"section": heading, "problem": problem}
            )
        for key in analysis.citation_keys:
            if key not in known_keys:
                found.append(
                    _("Section “%(section)s” cites an unknown work: @%(key)s.")
                    % {"section": heading, "key": key}
                )
        for slug in analysis.topic_slugs:
            if slug not in known_slugs:
                found.append(
                    _(
                        "Section “%(section)s” links to an unknown topic: "
                        "topic:%(slug)s."
                    )
                    % {"section": heading, "slug": slug}
                )
        for label in analysis.figure_labels:
            if label.lower().removeprefix("fig:") not in labels:
                found.append(
                    _("Section “%(section)s” refers to an unknown figure: @%(label)s.")
                    % {"section": heading, "label": label}
                )
    return analyses, errors


def check_parent(*, topic: Topic | None, parent: Topic | None) -> None:
    """Raise ValidationError if making `parent` the parent of `topic` loops."""
    if parent is None or topic is None or topic.pk is None:
        return
    if selectors.reaches(parent, topic):
        raise ValidationError(
            _("“%(parent)s” cannot be the parent: it is “%(topic)s” or below it.")
            % {"parent": parent.slug, "topic": topic.slug},
            code="parent_cycle",
        )


def figure_caption_heading(number: int, label: str) -> str:
    """How a caption is named in validation messages."""
    if label:
        return _("Caption of figure %(number)s (%(label)s)") % {
            "number": number,
            "label": label,
        }
    return _("Caption of figure %(number)s") % {"number": number}


def version_sections(version: TopicVersion) -> tuple[list, list]:
    """((heading, body) of the summary, each section and each caption; the
    figures) of a version, as validation reads them."""
    sections = [(_("Summary"), version.summary)]
    sections += [(s.display_heading, s.body) for s in version.sections.all()]
    figures = list(version.figures.all())
    sections += [
        (figure_caption_heading(n, f.label), f.caption)
        for n, f in enumerate(figures, start=1)
    ]
    return sections, figures


def parse_versions(versions: list[TopicVersion], *, checking=True) -> dict:
    """{version id: (chunks, analyses)} of many versions' texts, read in as
    few Pandoc runs as give the same result (rendering.parse_many). When
    `checking`, an overlong text is not read (check_sections refuses it); a
    re-render of approved versions reads every text as it is."""
    limit = settings.SECTION_MAX_CHARS if checking else None
    lists = [
        [
            "" if limit and len(body) > limit else body
            for _h, body in version_sections(v)[0]
        ]
        for v in versions
    ]
    parsed = rendering.parse_many(lists)
    return {v.pk: result for v, result in zip(versions, parsed, strict=True)}


def validate_version(version: TopicVersion, *, parsed=None) -> None:
    """Raise ValidationError listing every unresolved reference of a version.
    `parsed`: its (chunks, analyses) from parse_versions, when read."""
    sections, figures = version_sections(version)
    _analyses, found = check_sections(
        sections,
        figure_labels=[f.label for f in figures if f.label],
        analyses=parsed[1] if parsed is not None else None,
    )
    errors = [message for messages in found for message in messages]
    try:
        check_parent(topic=version.topic, parent=version.parent)
    except ValidationError as error:
        errors.extend(error.messages)
    if errors:
        raise ValidationError(errors)
