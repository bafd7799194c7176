"""The HTTP cache tier: a real varnishd with the shipped configuration
(deploy/varnish/scholargate.vcl) in front of the live test server, purged by
surrogate key after changes (scholargate/pagecache/purge.py)."""

import logging
import os
import shutil
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from scholargate.pagecache import purge
from tests.factories import make_draft, make_live, publish
from topics import services
from topics.models import Topic

VCL = Path(__file__).resolve().parents[2] / "deploy" / "varnish" / "scholargate.vcl"

pytestmark = pytest.mark.django_db(transaction=True)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def varnish(live_server, settings, tmp_path):
    """varnishd on the loopback with the shipped VCL, its backend the live
    server; the site sends its purges there."""
    binary = shutil.which("varnishd") or "/usr/sbin/varnishd"
    if not os.path.exists(binary):
        if os.environ.get("SCHOLARGATE_REQUIRE_VARNISH"):
            raise pytest.UsageError("varnishd is required here but missing.")
        pytest.skip("Varnish test: varnishd not found (apt-get install varnish)")
    backend_port = live_server.url.rsplit(":", 1)[1]
    vcl = VCL.read_text()
    assert '.port = "8000";' in vcl
    (tmp_path / "site.vcl").write_text(
        vcl.replace('.port = "8000";', f'.port = "{backend_port}";')
    )
    port, purge_port = free_port(), free_port()
    # No jail (-j none): it runs as the tests' user, root or not.
    command = f"""{binary} -F -j none -n {tmp_path / "varnish"}
        -a 127.0.0.1:{port} -a purge=127.0.0.1:{purge_port} -T 127.0.0.1:0
        -f {tmp_path / "site.vcl"}
        -s malloc,64m -p http_resp_hdr_len=65536 -p http_resp_size=98304"""
    process = subprocess.Popen(
        command.split(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                output = process.stdout.read().decode() if process.stdout else ""
                process.kill()
                pytest.fail(f"varnishd did not start:\n{output}")
            time.sleep(0.1)
    settings.HTTP_CACHE_PURGE_URLS = [f"http://127.0.0.1:{purge_port}/"]
    yield url
    purge.wait()  # rebounds included: none may reach the next test's cache
    process.terminate()
    process.wait(10)


def fetch(base, path, **headers):
    """(status, X-Cache, body, headers) of a GET through Varnish."""
    request = urllib.request.Request(base + path, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            body = response.read().decode()
            return (
                response.status,
                response.headers.get("X-Cache"),
                body,
                response.headers,
            )
    except urllib.error.HTTPError as error:
        return error.code, error.headers.get("X-Cache"), "", error.headers


@pytest.fixture
def site(editor, moderator):
    """Heat, with Entropy as its sub-topic; and Basalt, unrelated."""
    heat = make_live(author=editor, moderator=moderator, slug="heat", title="Heat")
    make_live(
        author=editor,
        moderator=moderator,
        slug="entropy",
        title="Entropy",
        parent=heat.topic,
    )
    make_live(author=editor, moderator=moderator, slug="basalt", title="Basalt")
    purge.wait()
    return heat


def retitle(slug, title, *, editor, moderator):
    draft = services.start_draft(topic=Topic.objects.get(slug=slug), by=editor)
    draft.title = title
    draft.save()
    services.record_edit(version=draft, by=editor)
    publish(draft, author=editor, moderator=moderator, summary="Retitled")


def test_pages_are_served_from_varnish_with_the_keys_of_what_they_show(varnish, site):
    status, first, body, _ = fetch(varnish, "/topics/heat/")
    assert (status, first) == (200, "MISS")
    assert "Entropy" in body
    status, again, cached, headers = fetch(varnish, "/topics/heat/")
    assert (status, again) == (200, "HIT") and cached == body
    # The keys are for the cache: readers never see them...
    assert "xkey" not in headers
    # ...unless asked for, and they name the topic and its sub-topic.
    entropy = Topic.objects.get(slug="entropy")
    *_, debug = fetch(varnish, "/topics/heat/", **{"DEBUG-XKEY": "1"})
    keys = debug["xkey"].split()
    assert {f"topic-{site.topic_id}", f"topic-{entropy.pk}", "all"} <= set(keys)


def test_an_approval_purges_exactly_the_pages_that_show_the_topic(
    varnish, site, editor, second_moderator
):
    pages = ["/topics/heat/", "/topics/entropy/", "/topics/basalt/", "/"]
    for path in pages:
        fetch(varnish, path)
        assert fetch(varnish, path)[1] == "HIT", path

    retitle(
        "entropy", "Thermodynamic entropy", editor=editor, moderator=second_moderator
    )
    assert purge.wait()

    # The topic, its parent's page listing it, and the home page's recent list.
    for path in ("/topics/entropy/", "/topics/heat/", "/"):
        status, cache, body, _ = fetch(varnish, path)
        assert (status, cache) == (200, "MISS"), path
        assert "Thermodynamic entropy" in body, path
    # An unrelated page stays in the cache.
    status, cache, body, _ = fetch(varnish, "/topics/basalt/")
    assert (status, cache) == (200, "HIT")
    assert "Thermodynamic entropy" not in body


def test_signed_in_users_and_writers_go_past_the_cache(varnish, site, client, editor):
    client.force_login(editor)
    session = client.cookies["sessionid"].value
    for cookie in (f"sessionid={session}", "sg_primary=1"):
        for _ in range(2):
            status, cache, _body, _ = fetch(varnish, "/topics/heat/", Cookie=cookie)
            assert (status, cache) == (200, "MISS"), cookie
    assert "staff-bar" in _body or cookie == "sg_primary=1"
    # The signed-in editor's page (with the staff bar) was never stored for
    # readers, and a cookie that is not the site's does not matter.
    fetch(varnish, "/topics/heat/")
    status, cache, body, _ = fetch(varnish, "/topics/heat/", Cookie="_ga=1")
    assert (status, cache) == (200, "HIT")
    assert "staff-bar" not in body


def test_purges_come_only_from_the_application_servers(varnish, site, settings):
    """Only on the purge address, and naming keys: a reader's PURGE (through
    the public address, as behind a TLS proxy on the same host) is refused."""
    fetch(varnish, "/topics/heat/")
    for base, headers, code in [
        (varnish, {"xkey-purge": "all"}, 403),
        (settings.HTTP_CACHE_PURGE_URLS[0].rstrip("/"), {}, 400),
    ]:
        request = urllib.request.Request(base + "/", method="PURGE", headers=headers)
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(request, timeout=5)
        assert refused.value.code == code
    assert fetch(varnish, "/topics/heat/")[1] == "HIT"


def test_a_failed_purge_is_retried_logged_and_never_fails_the_approval(
    settings, editor, moderator, caplog, monkeypatch
):
    settings.HTTP_CACHE_PURGE_URLS = [f"http://127.0.0.1:{free_port()}/"]
    settings.HTTP_CACHE_PURGE_RETRIES = 1
    caplog.set_level(logging.WARNING, logger="scholargate.pagecache.purge")
    # Purges wait until the approval has returned: one sent in the
    # moderator's request would hold it here 5 s, then be recorded first.
    go, tried = threading.Event(), []
    real = purge._purge

    def held(url, value):
        go.wait(5)
        tried.append(url)
        return real(url, value)

    monkeypatch.setattr(purge, "_purge", held)
    version = make_draft(by=editor, slug="quartz", title="Quartz")
    live = publish(version, author=editor, moderator=moderator)

    assert live.topic.live_version_id == live.pk
    assert tried == []  # the approval did not wait for the purge
    go.set()
    assert purge.wait()
    assert set(tried) == set(settings.HTTP_CACHE_PURGE_URLS)  # and its rebound
    failures = [r.getMessage() for r in caplog.records]
    assert any(
        "Cache purge failed after 2 attempt(s)" in m and f"topic-{live.topic_id}" in m
        for m in failures
    ), failures


def test_the_keys_are_purged_again_a_little_later(settings, monkeypatch):
    """A page read just before a change but stored by the cache just after
    the first purge is dropped by the second ("rebound")."""
    settings.HTTP_CACHE_PURGE_URLS = ["http://cache-a.invalid/", "http://cache-b/"]
    settings.HTTP_CACHE_REBOUND_SECONDS = 1.0
    sent = []
    monkeypatch.setattr(
        purge, "_purge", lambda url, value: sent.append((time.monotonic(), url, value))
    )
    started = time.monotonic()
    purge.send({"topic-7", "recent"})
    deadline = time.monotonic() + 5
    while len(sent) < 4 and time.monotonic() < deadline:
        time.sleep(0.02)
    assert sorted((url, value) for _t, url, value in sent) == [
        ("http://cache-a.invalid/", "recent topic-7"),
        ("http://cache-a.invalid/", "recent topic-7"),
        ("http://cache-b/", "recent topic-7"),
        ("http://cache-b/", "recent topic-7"),
    ]
    first, last = min(t for t, *_ in sent), max(t for t, *_ in sent)
    assert first - started < 0.5 and last - started >= 1.0
