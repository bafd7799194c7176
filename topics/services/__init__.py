"""Every change editors, moderators and imports make, as a short public API.

Callers (the admin, management commands, content files, tests) use only
these names, by reference. Each is keyword-only, atomic, checks permission
and records what it did in the audit log.
"""

from .comments import add_comment, open_comments, reply_to_comment, resolve_comment
from .common import APPROVE_PERMISSION, EDIT_PERMISSION, display_name
from .drafts import (
    DraftContent,
    FigureContent,
    create_drafts,
    create_topic,
    delete_draft,
    person_for,
    record_edit,
    save_person,
    save_rows,
    start_draft,
    store_figure_image,
)
from .publishing import (
    SectionPreview,
    preview_page,
    preview_section,
    refresh_page_parts,
    rerender_version,
    rerender_versions,
)
from .validation import (
    check_parent,
    check_sections,
    figure_caption_heading,
    validate_version,
)
from .workflow import (
    approve_as_system,
    approve_version,
    publish_now,
    reject_version,
    rename_topic,
    republish_topic,
    request_changes,
    restore_version,
    submit_for_review,
    unpublish_topic,
    withdraw_from_review,
    withdraw_permalink,
)

__all__ = [
    # Drafts
    "create_topic",
    "start_draft",
    "delete_draft",
    "person_for",
    "record_edit",
    "save_rows",
    "save_person",
    "store_figure_image",
    "create_drafts",
    "DraftContent",
    "FigureContent",
    # Workflow
    "submit_for_review",
    "withdraw_from_review",
    "request_changes",
    "reject_version",
    "approve_version",
    "approve_as_system",
    "publish_now",
    "restore_version",
    "unpublish_topic",
    "republish_topic",
    "withdraw_permalink",
    "rename_topic",
    # Publishing
    "preview_page",
    "preview_section",
    "SectionPreview",
    "rerender_version",
    "rerender_versions",
    "refresh_page_parts",
    # Validation
    "add_comment",
    "reply_to_comment",
    "resolve_comment",
    "open_comments",
    "check_sections",
    "check_parent",
    "validate_version",
    "figure_caption_heading",
    # Permissions and names
    "APPROVE_PERMISSION",
    "EDIT_PERMISSION",
    "display_name",
]
