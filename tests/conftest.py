import os
import shutil

import pytest
from django.contrib.auth.models import Group

from tests.factories import UserFactory

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def pytest_collection_modifyitems(config, items):
    """Skip browser and PostgreSQL tests visibly where those are missing.

    CI sets SCHOLARGATE_REQUIRE_BROWSER / _POSTGRES: there they must run.
    """
    from django.db import connection

    have_chromium = os.path.exists(CHROMIUM) and shutil.which(CHROMIUM)
    on_postgres = connection.vendor == "postgresql"
    for item in items:
        if "browser" in item.keywords and not have_chromium:
            if os.environ.get("SCHOLARGATE_REQUIRE_BROWSER"):
                raise pytest.UsageError(f"{CHROMIUM} is required here but missing.")
            item.add_marker(
                pytest.mark.skip(reason=f"browser test: {CHROMIUM} not found")
            )
        if "postgres" in item.keywords and not on_postgres:
            if os.environ.get("SCHOLARGATE_REQUIRE_POSTGRES"):
                raise pytest.UsageError("PostgreSQL is required here (DATABASE_URL).")
            item.add_marker(
                pytest.mark.skip(
                    reason="PostgreSQL test: DATABASE_URL is not PostgreSQL"
                )
            )


@pytest.fixture(autouse=True)
def fresh_page_generation():
    """Each test starts in a generation of its own: no page cached by an earlier
    test (or an earlier run, with Redis) is ever served to it."""
    from scholargate import pagecache

    pagecache._bump_now()


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": CHROMIUM_ARGS,
    }


@pytest.fixture
def editor(db):
    user = UserFactory(username="ed", first_name="Edith", last_name="Editor")
    user.groups.add(Group.objects.get(name="Editors"))
    return user


@pytest.fixture
def moderator(db):
    user = UserFactory(username="mod", first_name="Mona", last_name="Moderator")
    user.groups.add(Group.objects.get(name="Moderators"))
    return user


@pytest.fixture
def second_moderator(db):
    user = UserFactory(username="mod2", first_name="Max", last_name="Moderator")
    user.groups.add(Group.objects.get(name="Moderators"))
    return user
