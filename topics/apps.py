from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class TopicsConfig(AppConfig):
    name = "topics"
    verbose_name = _("Encyclopedia")

    def ready(self):
        from . import reactions
        from .groups import ensure_groups_after_migrate

        post_migrate.connect(ensure_groups_after_migrate, sender=self)
        reactions.connect()
