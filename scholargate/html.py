"""Sanitising HTML written by Pandoc, with an allowlist made for its output.

nh3's defaults would delete MathML and the ids that anchors need; Pandoc on
its own lets javascript: links and attribute-borne event handlers through.
"""

import nh3
from django.conf import settings

MATHML_TAGS = {
    "math", "semantics", "annotation", "mrow", "mi", "mn", "mo", "ms", "mtext",
    "mspace", "msup", "msub", "msubsup", "mfrac", "msqrt", "mroot", "mstyle",
    "mpadded", "mphantom", "menclose", "merror", "mtable", "mtr", "mtd",
    "mlabeledtr", "munder", "mover", "munderover", "mmultiscripts",
    "mprescripts", "none",
}  # fmt: skip
HTML_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "caption", "cite", "code", "col",
    "colgroup", "dd", "del", "div", "dl", "dt", "em", "figcaption", "figure",
    "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "ins", "kbd", "li", "mark",
    "ol", "p", "picture", "pre", "q", "s", "section", "small", "source", "span",
    "strong", "sub",
    "sup", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "u", "ul",
}  # fmt: skip
MATHML_ATTRIBUTES = {
    "display", "xmlns", "mathvariant", "stretchy", "form", "fence", "separator",
    "lspace", "rspace", "accent", "accentunder", "columnalign", "rowalign",
    "rowspacing", "columnspacing", "encoding", "linethickness", "largeop",
    "movablelimits", "symmetric", "minsize", "maxsize", "displaystyle",
    "scriptlevel", "width", "height", "depth", "notation", "columnlines",
    "rowlines", "frame", "framespacing", "equalrows", "equalcolumns", "align",
}  # fmt: skip


def _media_only(element, attribute, value):
    """Images only from the site itself or its media store (CSP img-src):
    an image from elsewhere would tell another site who reads what."""
    if element in ("img", "source") and attribute in ("src", "srcset"):
        origins = tuple(settings.MEDIA_ORIGINS)
        urls = [part.split()[0] for part in value.split(",") if part.strip()]
        for url in urls:
            local = url.startswith("/") and not url.startswith("//")
            if not (local or (origins and url.startswith(origins))):
                return None
    return value


SANITISER = nh3.Cleaner(
    attribute_filter=_media_only,
    tags=HTML_TAGS | MATHML_TAGS,
    clean_content_tags={"script", "style"},
    attributes={
        "*": {"id", "class", "role", "title", "lang", "dir"},
        "a": {"href"},
        "span": {"data-cites"},
        "ol": {"start", "type"},
        "td": {"colspan", "rowspan"},
        "th": {"colspan", "rowspan", "scope"},
        "img": {
            "src",
            "alt",
            "width",
            "height",
            "srcset",
            "sizes",
            "loading",
            "decoding",
        },
        "source": {"srcset", "sizes", "type", "width", "height"},
        **{tag: MATHML_ATTRIBUTES for tag in MATHML_TAGS},
    },
    generic_attribute_prefixes={"aria-"},
    url_schemes={"http", "https", "mailto"},
    link_rel=None,
    strip_comments=True,
)


def sanitise(html):
    """Return HTML safe to show: scripts, handlers, styles and bad URLs gone."""
    return SANITISER.clean(html)
