from django.apps import AppConfig
from django.db.models.signals import post_delete, post_migrate, post_save
from django.utils.translation import gettext_lazy as _


def new_page_generation(sender, **kwargs):
    """Readers' pages show people, works and tags: a change to one is seen."""
    from scholargate import pagecache

    pagecache.bump()


class TopicsConfig(AppConfig):
    name = "topics"
    verbose_name = _("Encyclopedia")

    def ready(self):
        from taggit.models import Tag

        from citations.models import Work

        from .groups import ensure_groups_after_migrate
        from .models import Person

        post_migrate.connect(ensure_groups_after_migrate, sender=self)
        for model in (Person, Work, Tag):
            post_save.connect(new_page_generation, sender=model)
            post_delete.connect(new_page_generation, sender=model)
