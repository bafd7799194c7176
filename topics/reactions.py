"""What readers could see changed: every reaction of the page cache, here.

Readers' pages are cached whole (scholargate.pagecache). Once the transaction
of a change readers could see commits, `pagecache.changed()` starts a new
cache generation, so every page shows the change at once:

- every recorded transition (`services.common.audit`): approval, restore,
  unpublish, republish, rename, withdrawal of a permalink;
- re-rendered approved pages (`services.publishing`);
- a work, a person or a tag saved or deleted (their pages list topics, and
  approved pages list them), connected below;
- refreshed references of works (`citations.services`, which cannot import
  this app, calls `pagecache.changed` itself).

Saving a draft changes nothing readers see and starts nothing.

The keys passed to `changed` name what changed, and the HTTP caches in front
of the site drop exactly the pages showing it (each page names what it shows
in its `xkey` header, scholargate.pagecache.shows):

- `topic-<id>`, `work-<id>`, `person-<id>`, `tag-<id>`: every page showing
  the row: its own pages, the topic pages that show it (stored per page:
  `VersionPage.shows`, `version_keys`), the lists that name it;
- `<one of those>-list`: the row's own pages, which list the topics related
  to it (a topic's sub-topics and the topics referring to it; the topics
  of a person, a tag or a work);
- `works`, `people`, `tags`: pages listing rows of that kind by name;
- `recent`: pages listing topics by date, title or rank (home, feeds, the
  lists, search, the Assistant), which any topic's change can reorder;
- `all`: every page (a re-render of every page).

A topic's change purges its key, "recent", and the `-list` key of each row
its live version and the one before it show: a topic it started or stopped
naming as parent, related or linked, its authors' and key figures' pages,
its tags' and its works' pages. A page that merely shows one of those rows
(a sibling's breadcrumbs, another topic by the same author) stays cached.
"""

from django.db import transaction
from django.db.models.signals import post_delete, post_save

from scholargate import pagecache
from scholargate.pagecache import purge


def topic_key(topic_id) -> str:
    return f"topic-{topic_id}"


def topic_changed(topic) -> None:
    """A topic's public pages may have changed (after commit)."""
    if not purge.enabled():
        pagecache.changed(topic_key(topic.pk))
        return
    topic_id = topic.pk
    # Read once the change has committed: an approval stores the new page
    # after its audit entry.
    transaction.on_commit(lambda: pagecache.changed(*topic_keys(topic_id)), robust=True)


def topic_keys(topic_id) -> set[str]:
    """The keys a change of the topic purges: its own, "recent", and the
    lists of the rows its two latest approved versions show."""
    from .models import TopicVersion, VersionPage

    keys = {topic_key(topic_id), "recent"}
    shown = (
        VersionPage.objects.filter(
            version__topic_id=topic_id,
            version__state__in=TopicVersion.APPROVED_STATES,
        )
        .order_by("-version__number")
        .values_list("shows", flat=True)[:2]
    )
    for page_keys in shown:
        keys.update(list_key(key) for key in page_keys)
    return keys


def list_key(key) -> str:
    """The key of a row's own pages, which list the topics related to it."""
    return f"{key}-list"


def version_keys(version) -> list[str]:
    """The keys of the rows a version's page shows besides its topic: the
    topics it names as parent, related or in its text, its authors and key
    figures, the works it cites or lists, its tags."""
    topics = {version.parent_id}
    topics.update(version.related_links.values_list("target_id", flat=True))
    topics.update(version.text_links.values_list("target_id", flat=True))
    people = set(version.author_links.values_list("person_id", flat=True))
    people.update(version.key_figure_links.values_list("person_id", flat=True))
    works = set(version.citations.values_list("work_id", flat=True))
    works.update(version.seminal_work_links.values_list("work_id", flat=True))
    tags = version.tagged_items.values_list("tag_id", flat=True)
    keys = {topic_key(pk) for pk in topics if pk and pk != version.topic_id}
    keys.update(f"person-{pk}" for pk in people)
    keys.update(f"work-{pk}" for pk in works)
    keys.update(f"tag-{pk}" for pk in tags)
    return sorted(keys)


def site_changed() -> None:
    """Every page may have changed (a re-render of all of them)."""
    pagecache.changed("all")


# The key of the pages that list rows of a kind by name (a tag cloud).
GROUP_KEYS = {"person": "people", "work": "works", "tag": "tags"}


def _row_changed(sender, instance, **kwargs):
    name = sender._meta.model_name
    pagecache.changed(f"{name}-{instance.pk}", GROUP_KEYS[name])


def connect() -> None:
    """Connect the model signals above (TopicsConfig.ready)."""
    from taggit.models import Tag

    from citations.models import Work

    from .models import Person

    for model in (Person, Work, Tag):
        post_save.connect(_row_changed, sender=model)
        post_delete.connect(_row_changed, sender=model)
