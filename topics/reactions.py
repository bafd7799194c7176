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
"""

from django.db.models.signals import post_delete, post_save

from scholargate import pagecache


def topic_key(topic_id) -> str:
    return f"topic-{topic_id}"


def topic_changed(topic) -> None:
    """A topic's public pages may have changed (after commit)."""
    pagecache.changed(topic_key(topic.pk))


def site_changed() -> None:
    """Every page may have changed (a re-render of all of them)."""
    pagecache.changed("all")


def _row_changed(sender, instance, **kwargs):
    pagecache.changed(f"{sender._meta.model_name}-{instance.pk}")


def connect() -> None:
    """Connect the model signals above (TopicsConfig.ready)."""
    from taggit.models import Tag

    from citations.models import Work

    from .models import Person

    for model in (Person, Work, Tag):
        post_save.connect(_row_changed, sender=model)
        post_delete.connect(_row_changed, sender=model)
