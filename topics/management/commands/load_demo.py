import secrets
from pathlib import Path

import yaml
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand
from django.db import transaction

from topics.content_files import import_content
from topics.models import RelatedTerm, Topic

DEMO_CONTENT = Path(__file__).resolve().parents[2] / "demo_content"
DEMO_ACCOUNTS = [
    # username, first, last, group, password used when DEBUG is on
    ("editor", "Dana", "Whitfield", "Editors", "editor-demo-pass"),
    ("moderator", "Moritz", "Keller", "Moderators", "moderator-demo-pass"),
]


class Command(BaseCommand):
    help = "Load the demo encyclopedia and the demo accounts, once."

    @transaction.atomic
    def handle(self, **options):
        User = get_user_model()
        for username, first, last, group, password in DEMO_ACCOUNTS:
            if User.objects.filter(username=username).exists():
                continue
            user = User.objects.create_user(
                username,
                email=f"{username}@example.org",
                password=password if settings.DEBUG else secrets.token_urlsafe(24),
                first_name=first,
                last_name=last,
                is_staff=True,
            )
            user.groups.add(Group.objects.get(name=group))
            self.stdout.write(f"Created the demo account “{username}”.")
        if Topic.objects.exists():
            self.stdout.write("Demo content is loaded already; nothing to do.")
        else:
            editor = User.objects.get(username="editor")
            versions = import_content([DEMO_CONTENT], publish=True, by=editor)
            self.stdout.write(
                self.style.SUCCESS(f"Loaded {len(versions)} demo topics.")
            )
        related = yaml.safe_load((DEMO_CONTENT / "related-terms.yaml").read_text())
        for phrase, terms in related.items():
            RelatedTerm.objects.get_or_create(phrase=phrase, defaults={"terms": terms})
        if settings.DEBUG:
            self.stdout.write("Demo accounts (sign in at /admin/):")
            for username, _first, _last, group, password in DEMO_ACCOUNTS:
                self.stdout.write(f"  {username} / {password}  ({group})")
