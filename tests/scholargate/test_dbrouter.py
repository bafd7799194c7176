"""Read replicas (scholargate/dbrouter.py) against the real streaming
replica `.ci/replica` starts on 127.0.0.1:5433: where queries go, pinning
after a write, and a replica that is down or behind."""

import logging
import os
import time

import dj_database_url
import pytest
from django.db import connections
from django.test.utils import CaptureQueriesContext

from scholargate import dbrouter
from tests.factories import make_live
from topics.models import Topic

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True, databases="__all__"),
]


@pytest.fixture
def replica(settings, editor, moderator):
    """The router on, `replica_1` pointed at the real replica of this test
    database, and a live topic the replica has received."""
    urls = os.environ.get("DATABASE_REPLICA_URLS", "")
    if not settings.REPLICA_ALIASES or not urls:
        if os.environ.get("SCHOLARGATE_REQUIRE_REPLICA"):
            raise pytest.UsageError(
                "A replica is required here (DATABASE_REPLICA_URLS)."
            )
        pytest.skip("Replica test: DATABASE_REPLICA_URLS is not set")
    port = dj_database_url.parse(urls.split(",")[0])["PORT"]
    connection = connections["replica_1"]
    saved = connection.settings_dict
    connection.close()
    connection.settings_dict = {**connections["default"].settings_dict, "PORT": port}
    settings.DATABASE_ROUTERS = ["scholargate.dbrouter.ReplicaRouter"]
    settings.REPLICA_CHECK_SECONDS = 0
    dbrouter.forget_health()
    live = make_live(author=editor, moderator=moderator, slug="heat", title="Heat")
    wait_for_replay()
    yield live
    connection.close()
    connection.settings_dict = saved
    dbrouter.forget_health()


def wait_for_replay(seconds=15):
    """Until the replica has replayed everything the primary has written so
    far (a row being there is not enough: the topic's version and its live
    pointer come in later transactions)."""
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT pg_current_wal_lsn()")
        (written,) = cursor.fetchone()
    deadline = time.monotonic() + seconds
    while True:
        with connections["replica_1"].cursor() as cursor:
            cursor.execute("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [written])
            if cursor.fetchone()[0]:
                return
        assert time.monotonic() < deadline, "the replica did not catch up"
        time.sleep(0.05)


def queries_on(client, url, **kwargs):
    with CaptureQueriesContext(connections["default"]) as primary, \
            CaptureQueriesContext(connections["replica_1"]) as replica:  # fmt: skip
        response = client.get(url, **kwargs)
    assert response.status_code == 200, response.status_code
    return len(primary), len(replica)


def test_an_anonymous_readers_page_is_read_from_the_replica(client, replica):
    primary, on_replica = queries_on(client, "/topics/heat/")

    assert on_replica > 0 and primary == 0
    with connections["replica_1"].cursor() as cursor:
        cursor.execute("SELECT pg_is_in_recovery()")
        assert cursor.fetchone() == (True,)


def test_signed_in_staff_and_the_admin_read_from_the_primary(client, editor, replica):
    client.force_login(editor)
    for url in ("/topics/heat/", "/admin/topics/topic/"):
        primary, on_replica = queries_on(client, url)
        assert primary > 0 and on_replica == 0, url


def test_a_client_that_wrote_reads_the_primary_for_a_while(client, settings, replica):
    settings.REPLICA_PIN_SECONDS = 30
    response = client.post("/assistant/", {"q": "x"})  # any write-method request
    assert response.status_code == 405
    assert response.cookies[dbrouter.PIN_COOKIE]["max-age"] == 30

    primary, on_replica = queries_on(client, "/topics/heat/")
    assert primary > 0 and on_replica == 0
    del client.cookies[dbrouter.PIN_COOKIE]  # the pin expired
    primary, on_replica = queries_on(client, "/topics/heat/")
    assert primary == 0 and on_replica > 0


def test_a_replica_that_is_down_is_skipped_with_a_log_line(client, replica, caplog):
    connection = connections["replica_1"]
    connection.close()
    connection.settings_dict = {**connection.settings_dict, "PORT": "5439"}
    dbrouter.forget_health()

    with caplog.at_level(logging.WARNING, logger="scholargate.dbrouter"):
        response = client.get("/topics/heat/")
    assert response.status_code == 200
    assert "Heat" in response.content.decode()
    assert "Replica replica_1 skipped: it does not answer" in caplog.text


def test_a_replica_too_far_behind_is_skipped(
    client, settings, replica, editor, moderator, caplog
):
    with connections["replica_1"].cursor() as cursor:
        cursor.execute("SELECT pg_wal_replay_pause()")
    try:
        make_live(author=editor, moderator=moderator, slug="cold", title="Cold")
        dbrouter.forget_health()
        settings.REPLICA_CHECK_SECONDS = 60  # one check for the whole request
        with caplog.at_level(logging.WARNING, logger="scholargate.dbrouter"):
            primary, on_replica = queries_on(client, "/topics/cold/")
        assert primary > 0 and on_replica <= 1  # the lag check only
        assert "Replica replica_1 skipped: inf s behind" in caplog.text
    finally:
        with connections["replica_1"].cursor() as cursor:
            cursor.execute("SELECT pg_wal_replay_resume()")
    wait_for_replay()
    dbrouter.forget_health()
    primary, on_replica = queries_on(client, "/topics/cold/")
    assert primary == 0 and on_replica > 1


def test_writes_and_commands_stay_on_the_primary(replica):
    from django.db import router

    assert router.db_for_write(Topic) == "default"
    assert router.db_for_read(Topic) == "default"  # outside a reader's request
    assert not router.allow_migrate("replica_1", "topics")
