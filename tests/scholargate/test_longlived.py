"""A server process sets its long-lived objects apart from the garbage
collector after its first requests (scholargate/longlived.py)."""

import gc

import pytest
from django.core.signals import request_finished

from scholargate import longlived

pytestmark = pytest.mark.django_db


@pytest.fixture
def fresh(monkeypatch):
    monkeypatch.setattr(longlived, "_answered", 0)
    gc.unfreeze()
    yield
    request_finished.disconnect(longlived._freeze)
    gc.unfreeze()


def listening():
    return any(
        receiver() is longlived._freeze
        for _key, receiver, *_ in request_finished.receivers
    )


def test_the_first_requests_freeze_what_the_process_holds_then_it_stops(
    client, fresh, monkeypatch
):
    freezes = []
    real_freeze = gc.freeze
    monkeypatch.setattr(gc, "freeze", lambda: freezes.append(real_freeze()))
    assert gc.get_freeze_count() == 0
    longlived.freeze_after_warm_up()
    assert client.get("/health/").status_code == 200
    assert len(freezes) == 1
    assert gc.get_freeze_count() > 10_000  # the code, the URLconf, templates...
    for _ in range(longlived.WARM_REQUESTS - 1):
        assert listening()
        client.get("/health/")
    assert len(freezes) == longlived.WARM_REQUESTS
    assert not listening()
    client.get("/health/")
    assert len(freezes) == longlived.WARM_REQUESTS
