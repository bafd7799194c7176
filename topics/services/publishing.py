"""The page as approved: Pandoc renders a version once and it is stored.

A version's page (models.VersionPage) holds everything derived from it:
the text rendered by Pandoc with the works as they were at approval, the
parts of the page around the text rendered from their templates, the cite
texts and the search text. Only this module writes it:

- `preview_page`: the same page in memory, for a draft's preview;
- `publish_pages`: render and store, when versions are approved;
- `rerender_version`: again in another citation style (formatting only);
- `refresh_page_parts`: the parts around the text after a rename.

Pandoc runs here and in validation, never in a reader's request.
"""

from dataclasses import dataclass

from django.conf import settings
from django.core.cache import caches
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import prefetch_related_objects
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from citations import formatting
from citations.models import Work

from .. import citing, images, metadata, paragraphs, reactions, rendering, search
from ..assistant import index as assistant_index
from ..models import Section, Topic, TopicVersion, VersionPage, topic_url
from .validation import parse_versions

# "Cite this entry" is shown in these styles whatever the site's style.
CITE_STYLES = {"apa": "apa", "chicago": "chicago-author-date"}
TEXT_FIELDS = [
    "summary_html",
    "body_html",
    "paragraphs",
    "toc",
    "structured",
    "search_text",
]
PART_FIELDS = ["head_html", "header_html", "toc_html", "people_html", "entry_html"]


def works_for(version: TopicVersion) -> list[dict]:
    """Return the CSL-JSON of every work the version cites or lists, as now."""
    seminal = version.seminal_work_links.values_list("work__key", flat=True)
    cited = set(version.citations.values_list("work__key", flat=True)) | set(seminal)
    return [w.to_csl() for w in Work.objects.filter(key__in=cited).order_by("key")]


def figure_source(figure) -> rendering.FigureSource:
    return rendering.FigureSource(
        label=figure.label,
        alt="" if figure.decorative else figure.alt,
        caption=figure.caption,
        credit=figure.credit,
        licence_name=figure.get_licence_display(),
        licence_url=figure.licence_url,
        picture=images.picture_data(figure.renditions),
    )


def _render_text(
    page: VersionPage, *, style=None, previous=(), keep_ids=False, parsed=None
):
    """Run Pandoc on the version's text into the page (nothing saved), and
    give its paragraphs their anchors: kept from `previous` (the paragraphs of
    the version before), by position when `keep_ids` (a re-render).

    Raise ValidationError when Pandoc cannot render it within its limits.
    """
    try:
        rendered = rendering.render_version(**_spec(page, style, parsed))
    except (formatting.PandocLimit, ValueError) as error:
        raise _render_error(page.version, error) from None
    _apply(page, rendered, previous=previous, keep_ids=keep_ids)


def _render_texts(pages, *, style=None, previous, keep_ids=False, parsed=None):
    """_render_text for many pages: one Pandoc run for all their HTML. A
    batch Pandoc stops (a limit) is done again page by page, to name the
    version at fault."""
    parsed = parsed or {}
    specs = [_spec(page, style, parsed.get(page.version.pk)) for page in pages]
    try:
        results = rendering.render_versions(specs)
    except (formatting.PandocLimit, formatting.PandocFailed):
        results = [None] * len(pages)
    for page, result in zip(pages, results, strict=True):
        if result is None:
            _render_text(page, style=style, previous=previous(page), keep_ids=keep_ids)
        elif isinstance(result, ValueError):
            raise _render_error(page.version, result)
        else:
            _apply(page, result, previous=previous(page), keep_ids=keep_ids)


def _spec(page: VersionPage, style=None, parsed=None) -> dict:
    """What rendering.render_version takes for the page's version. `parsed`:
    (chunks, analyses) of validation.version_sections, when already read."""
    version = page.version
    sections = [
        rendering.SectionSource(s.display_heading, s.kind, s.body)
        for s in version.sections.all()
    ]
    chunks = None
    if parsed is not None and parsed[0] is not None:
        # The summary, the sections that have text, the captions.
        chunks = parsed[0]
        chunks = (
            chunks[:1]
            + [c for c, s in zip(chunks[1:], sections, strict=False) if s.body.strip()]
            + chunks[1 + len(sections) :]
        )
    return {
        "summary": version.summary,
        "sections": sections,
        "seminal_keys": [
            link.work.key for link in version.seminal_work_links.select_related("work")
        ],
        "works_csl": page.works_csl,
        "topic_url": topic_url,
        "work_url": lambda key: reverse("citations:work", kwargs={"key": key}),
        "style": style,
        "figures": [figure_source(f) for f in version.figures.all()],
        "parsed": chunks,
    }


def _render_error(version, error) -> ValidationError:
    if isinstance(error, formatting.PandocLimit):
        message = (
            _(
                "“%(title)s” could not be rendered within the memory limit: look "
                "for unbalanced brackets ([ ]), deeply nested lists or a very "
                "long text."
            )
            if error.reason == "memory"
            else _(
                "“%(title)s” could not be rendered in time: look for unbalanced "
                "brackets ([ ]), deeply nested lists or a very long text."
            )
        )
        return ValidationError(message % {"title": version.title})
    return ValidationError(
        _("“%(title)s” could not be rendered: %(problem)s")
        % {"title": version.title, "problem": error}
    )


def _apply(page: VersionPage, rendered, *, previous, keep_ids) -> None:
    version = page.version
    # Key figures and tags are part of the version: kept with its page.
    people = [
        {
            "name": k.person.name,
            "slug": k.person.slug,
            "description": k.person.description,
        }
        for k in version.key_figure_links.select_related("person")
    ]
    tags = [{"name": t.name, "slug": t.slug} for t in version.tags.order_by("name")]
    page.summary_html = rendered.summary_html
    page.body_html, page.paragraphs = paragraphs.anchor(
        rendered.body_html,
        previous=previous,
        salt=f"{version.topic.slug}:{version.number or 'draft'}",
        cite_url=_cite_url(version) if version.number else None,
        by_position=keep_ids,
    )
    page.toc = rendered.toc
    page.structured = {**rendered.structured, "key_figures": people, "tags": tags}
    names = [p["name"] for p in people] + [t["name"] for t in tags]
    page.search_text = " ".join([rendered.plain_text, *names])


def _cite_url(version):
    slug, number = version.topic.slug, version.number

    def cite_url(anchor):
        return topic_url(slug, number=number) + f"cite/{anchor}/"

    return cite_url


def _previous_paragraphs(version: TopicVersion) -> list:
    """The paragraphs of the version readers see now (the one this replaces)."""
    live_id = version.topic.live_version_id
    if not live_id or live_id == version.pk:
        return []
    page = VersionPage.objects.filter(pk=live_id).only("paragraphs").first()
    return page.paragraphs if page else []


def _new_page(version: TopicVersion) -> VersionPage:
    """A page for the version with its works and authors as they are now."""
    people = [link.person for link in version.author_links.select_related("person")]
    return VersionPage(
        version=version,
        works_csl=works_for(version),
        authors=[person.author_data() for person in people],
        author_names=[person.csl_name() for person in people],
        byline=", ".join(person.name for person in people),
    )


def _cite_texts(pages: list[VersionPage]) -> None:
    """Set each page's "cite this entry" texts: one Pandoc run per style."""
    items = {id(page): citing.entry_item(page) for page in pages}
    formatted = {
        name: formatting.format_references(list(items.values()), style)
        for name, style in CITE_STYLES.items()
    }
    for page in pages:
        item_id = items[id(page)]["id"]
        page.cite_html = {
            name: formatted[name].get(item_id, "") for name in CITE_STYLES
        }


def fill_parts(page: VersionPage) -> None:
    """Render the parts of the page around the text from their templates."""
    version = page.version
    topic = version.topic
    context = {
        "page": page,
        "version": version,
        "topic": topic,
        "key_figures": page.structured.get("key_figures", []),
        "tags": page.structured.get("tags", []),
        # The first approval renders its parts before the topic records it.
        "first_published": topic.first_published_at or version.approved_at,
        "collective_author": settings.SCHOLARGATE_COLLECTIVE_AUTHOR,
    }
    page.header_html = render_to_string("topics/includes/header.html", context)
    page.toc_html = render_to_string("topics/includes/toc.html", context)
    page.people_html = render_to_string("topics/includes/aside_people.html", context)
    page.entry_html = render_to_string("topics/includes/aside_entry.html", context)
    page.head_html = ""
    if version.number:
        context.update(metadata.head_context(page))
        page.head_html = render_to_string("topics/includes/head.html", context)


def preview_page(version: TopicVersion) -> VersionPage:
    """Render an open version's page in memory (nothing is stored)."""
    page = _new_page(version)
    _render_text(page)
    fill_parts(page)
    return page


@dataclass
class SectionPreview:
    html: str  # sanitised, as the page will show the section
    errors: list  # the messages saving the text would give


def preview_section(*, version: TopicVersion, heading: str, kind: str, body: str):
    """Render one section's text as it stands in the editor (nothing is
    stored): Pandoc, citeproc in the site's style with its reference list,
    topic links, the figures it refers to (numbered within the preview),
    MathML, sanitised. Problems come back in the words saving would use.

    The text is parsed once: the same parse gives the checks and the page.
    """
    from .validation import check_sections

    if kind not in Section.Kind.values:
        kind = Section.Kind.OTHER
    heading = Section(kind=kind, heading=heading.strip()).display_heading
    figures = list(version.figures.all())
    if len(body) > settings.SECTION_MAX_CHARS:
        _analyses, errors = check_sections([(heading, body)])
        return SectionPreview("", errors[0])
    bodies = ["", body, *[f.caption for f in figures]]
    chunks, analyses = rendering.parse_sections(bodies)
    _analyses, errors = check_sections(
        [(heading, body)],
        figure_labels=[f.label for f in figures if f.label],
        analyses=[analyses[1]],
    )
    if errors[0] or chunks is None:
        problems = errors[0] or [
            _("Figure captions could not be read: correct them and save.")
        ]
        return SectionPreview("", problems)
    wanted = {label.lower().removeprefix("fig:") for label in analyses[1].figure_labels}
    shown = [i for i, f in enumerate(figures) if f.label and f.label.lower() in wanted]
    keys = set(analyses[1].citation_keys)
    for i in shown:
        keys |= set(analyses[2 + i].citation_keys)
    works = [w.to_csl() for w in Work.objects.filter(key__in=keys).order_by("key")]
    try:
        rendered = rendering.render_version(
            summary="",
            sections=[rendering.SectionSource(heading, kind, body)],
            seminal_keys=[],
            works_csl=works,
            topic_url=topic_url,
            work_url=lambda key: reverse("citations:work", kwargs={"key": key}),
            figures=[figure_source(figures[i]) for i in shown],
            parsed=[chunks[0], chunks[1], *[chunks[2 + i] for i in shown]]
            if body.strip()
            else None,
            page_data=False,
            citations=caches["default"],
        )
    except formatting.PandocLimit:
        return SectionPreview(
            "",
            [
                _(
                    "Section “%(section)s” could not be rendered in time: look "
                    "for unbalanced brackets ([ ]), deeply nested lists or a very "
                    "long text."
                )
                % {"section": heading}
            ],
        )
    except ValueError as error:
        return SectionPreview("", [str(error)])
    return SectionPreview(rendered.body_html, [])


def publish_pages(versions: list[TopicVersion], *, parsed=None) -> list[VersionPage]:
    """Render and store the pages of versions being approved.

    The texts of all of them are one Pandoc run, and their cite texts two.
    `parsed`: {version id: (chunks, analyses)} from validation, when read.
    Called inside the approval's transaction.
    """
    pages = [_new_page(version) for version in versions]
    for page in pages:
        page.shows = reactions.version_keys(page.version)
    _render_texts(
        pages,
        previous=lambda page: _previous_paragraphs(page.version),
        parsed=parsed,
    )
    _cite_texts(pages)
    for page in pages:
        fill_parts(page)
    VersionPage.objects.bulk_create(pages)
    for page in pages:
        search.index_page(page)
    assistant_index.index_pages(pages)
    return pages


def rerender_version(*, version_id: int, style: str | None = None) -> VersionPage:
    """Re-render one approved version in a style (see rerender_versions)."""
    return rerender_versions(version_ids=[version_id], style=style)[0]


@transaction.atomic
def rerender_versions(
    *, version_ids: list[int], style: str | None = None
) -> list[VersionPage]:
    """Re-render approved versions in a style, with their stored works.

    Formatting only: the text, the works and the authors are those of the
    approval. Their texts are read in one Pandoc run and rendered in
    another, their cite texts in two. The re-render command calls it from
    worker processes, a batch at a time.
    """
    pages = list(
        VersionPage.objects.select_for_update(of=("self",))
        .select_related("version__topic")
        .filter(version_id__in=version_ids)
        .order_by("pk")
    )
    versions = [page.version for page in pages]
    prefetch_related_objects(versions, "sections", "figures")
    _render_texts(
        pages,
        style=style,
        previous=lambda page: page.paragraphs,
        keep_ids=True,
        parsed=parse_versions(versions, checking=False),
    )
    _cite_texts(pages)
    now = timezone.now()
    for page in pages:
        fill_parts(page)
        page.rendered_at = now
    VersionPage.objects.bulk_update(
        pages, [*TEXT_FIELDS, "cite_html", *PART_FIELDS, "rendered_at"]
    )
    for page in pages:
        search.index_page(page)
    assistant_index.index_pages(
        [p for p in pages if p.version.state == TopicVersion.State.PUBLISHED]
    )
    for topic_id in sorted({version.topic_id for version in versions}):
        reactions.topic_changed(Topic(pk=topic_id))
    return pages


def refresh_page_parts(*, topic: Topic | None = None, batch: int = 500) -> int:
    """Render the parts around the text of every approved page of `topic`
    (all topics if None) again, with their cite texts; return how many.

    A rename needs it (the parts link to the topic's own pages: permalinks,
    history, cite), and so does a change of the parts' templates.
    """
    pages = (
        VersionPage.objects.select_related("version__topic")
        .defer("body_html", "search_text", "search_vector")
        .order_by("pk")
    )
    if topic is not None:
        pages = pages.filter(version__topic=topic)
    done = 0
    chunk = []
    for page in pages.iterator(chunk_size=batch):
        if topic is not None:
            page.version.topic = topic
        chunk.append(page)
        if len(chunk) == batch:
            done += _refresh(chunk)
            chunk = []
    done += _refresh(chunk)
    if topic is None:
        reactions.site_changed()
    return done


def _refresh(pages: list[VersionPage]) -> int:
    if not pages:
        return 0
    _cite_texts(pages)
    for page in pages:
        fill_parts(page)
    VersionPage.objects.bulk_update(pages, ["cite_html", *PART_FIELDS])
    return len(pages)
