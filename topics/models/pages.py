"""The page of an approved version, as readers get it."""

from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.utils.translation import gettext_lazy as _

from .topics import TopicVersion


class VersionPage(models.Model):
    """Everything derived from a version when it is approved, in one place.

    Only the publishing service writes it (topics/services/publishing.py):
    Pandoc renders the text once, with the works as they were then (DESIGN
    "Frozen pages"), and the parts around the text are rendered from their
    templates at the same time. A reader's request reads this row and two
    small lists around it; it never runs Pandoc or a template of the parts.

    Why the parts are stored as HTML: a cold topic page must serve at least a
    quarter of the requests per second of a trivial view (bench/pages.py);
    rendering the header, contents, key figures, cite box and head per
    request cost about a third of that budget.
    """

    version = models.OneToOneField(
        TopicVersion,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="page",
        verbose_name=_("version"),
    )
    # The text, rendered by Pandoc and sanitised.
    summary_html = models.TextField(blank=True)
    body_html = models.TextField(blank=True)
    toc = models.JSONField(default=list, blank=True)
    # As the version was approved: its authors (CSL names, as one line, and
    # as people with ORCID and affiliation),
    # the works it cites (CSL-JSON: a re-render in another style changes
    # formatting only), the definition and FAQ as plain text, key figures
    # and tags, and "cite this entry" in the site's citation styles.
    byline = models.CharField(max_length=500, blank=True)
    author_names = models.JSONField(default=list, blank=True)
    # The authors as people: [{name, slug, csl, orcid?, affiliation?}].
    authors = models.JSONField(default=list, blank=True)
    works_csl = models.JSONField(default=list, blank=True)
    structured = models.JSONField(default=dict, blank=True)
    cite_html = models.JSONField(default=dict, blank=True)
    # What a reader can quote, with its permanent anchor (topics/paragraphs.py):
    # [{id, section, heading, number, tag, text, html}].
    paragraphs = models.JSONField(default=list, blank=True)
    # The surrogate keys of the rows the page shows besides its topic
    # (topics/reactions.py, version_keys): an HTTP cache in front drops the
    # page when one of them changes, and approving the version purges them.
    shows = models.JSONField(default=list, blank=True)
    # The parts of the page around the text, rendered from their templates
    # (topics/includes/*.html): the head's metadata, the header (title, lede,
    # byline), the contents, the key figures, and tags + versions + cite.
    head_html = models.TextField(blank=True)
    header_html = models.TextField(blank=True)
    toc_html = models.TextField(blank=True)
    people_html = models.TextField(blank=True)
    entry_html = models.TextField(blank=True)
    # Search: the plain text, and on PostgreSQL its weighted tsvector
    # (title A, summary B, text C).
    search_text = models.TextField(blank=True)
    search_vector = SearchVectorField(null=True, blank=True)
    # Title (A) and summary (B) alone: small, so every topic whose title or
    # summary holds a common word can be ranked (topics/search.py).
    head_vector = SearchVectorField(null=True, blank=True)
    rendered_at = models.DateTimeField(_("rendered"), auto_now=True)

    class Meta:
        verbose_name = _("version page")
        verbose_name_plural = _("version pages")

    def __str__(self):
        return str(self.version_id)
