import os
import shutil
from pathlib import Path

import pytest
from django.contrib.auth.models import Group

from tests.factories import UserFactory

CHROMIUM = "/usr/bin/chromium"
# axe-core and the Nu Html Checker, from npm (`.ci/run` installs them here;
# locally: npm install --prefix test-artifacts/npm axe-core@4 vnu-jar).
NPM = Path(__file__).resolve().parents[1] / "test-artifacts" / "npm" / "node_modules"
AXE = NPM / "axe-core" / "axe.min.js"
VNU = NPM / "vnu-jar" / "build" / "dist" / "vnu.jar"
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
        if "a11y" in item.keywords and not (AXE.exists() and VNU.exists()):
            if os.environ.get("SCHOLARGATE_REQUIRE_BROWSER"):
                raise pytest.UsageError(f"{AXE} and {VNU} are required here.")
            item.add_marker(
                pytest.mark.skip(reason=f"accessibility check: {AXE} not found")
            )
        if "postgres" in item.keywords and not on_postgres:
            if os.environ.get("SCHOLARGATE_REQUIRE_POSTGRES"):
                raise pytest.UsageError("PostgreSQL is required here (DATABASE_URL).")
            item.add_marker(
                pytest.mark.skip(
                    reason="PostgreSQL test: DATABASE_URL is not PostgreSQL"
                )
            )


@pytest.fixture(scope="session", autouse=True)
def empty_media_folders():
    """Each run starts with empty media folders (its worker's own): files are
    named by their content, so one left by an earlier run would hide a bug."""
    from django.conf import settings

    for folder in (settings.MEDIA_ROOT, settings.ORIGINALS_ROOT):
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(autouse=True)
def pandoc_only_where_rendering_is_checked(request, monkeypatch):
    """Tests marked `pandoc` (and browser journeys) run the real Pandoc;
    the others get tests/fake_pandoc.py."""
    if "pandoc" in request.keywords or "browser" in request.keywords:
        return
    from tests import fake_pandoc

    fake_pandoc.install(monkeypatch)


@pytest.fixture(autouse=True)
def fresh_page_generation():
    """Each test starts with empty caches in a generation of its own: nothing
    cached by an earlier test (or an earlier run, with Redis) reaches it."""
    from django.core.cache import caches

    from scholargate import pagecache

    for alias in ("default", "query_pages"):
        caches[alias].clear()
    pagecache.new_generation()


class Clock:
    """The page cache's clock, moved forward by the test."""

    def __init__(self):
        import time

        self.real = time
        self.offset = 0

    def advance(self, seconds):
        self.offset += seconds

    def time(self):
        return self.real.time() + self.offset

    def time_ns(self):
        return self.real.time_ns() + int(self.offset * 1e9)


@pytest.fixture
def clock(monkeypatch):
    from scholargate.pagecache import generations

    clock = Clock()
    monkeypatch.setattr(generations, "time", clock)
    return clock


@pytest.fixture
def generation_second_over(clock):
    """Two seconds after the current generation started: pages then carry
    Last-Modified (never within a generation's first second)."""
    clock.advance(2)
    return clock


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
