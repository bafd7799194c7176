"""Purges of the HTTP caches in front of the site, by surrogate key.

Every anonymous page names what it shows in its `xkey` header (`public_page`,
`shows`). Once a change readers could see commits, `changed(*keys)` hands the
keys to a thread of this process, which sends each cache server listed in
HTTP_CACHE_PURGE_URLS one `PURGE` request per batch of keys, with the keys
in an `xkey-purge` header (Varnish with varnish-modules' xkey: see
deploy/varnish/scholargate.vcl). The moderator's request never waits for it.

A failed purge is tried again (HTTP_CACHE_PURGE_RETRIES times, waiting
longer each time) and then logged; it never fails what caused it. Each
server is sent to on its own thread, so one that is down delays no other.

A reader's request may read the data just before the change commits and
reach the cache just after the purge; with read replicas, a page fetched
again at once may be read from a replica that has not replayed the change.
So the keys are purged a second time (as MediaWiki's "rebound" purges),
HTTP_CACHE_REBOUND_SECONDS later, plus the most a replica still used can be
behind; with replicas the in-app cache starts a new generation then too.
What a process still holds when it exits is sent first (atexit; commands
whose worker processes end with os._exit call `wait`).
"""

import atexit
import logging
import queue
import threading
import time
import urllib.error
import urllib.request

from django.conf import settings

log = logging.getLogger(__name__)

# Varnish refuses request headers over 8 KB by default (http_req_hdr_len).
HEADER_BUDGET = 4000

_queue: queue.Queue = queue.Queue()
_lock = threading.Lock()
_worker: threading.Thread | None = None


def enabled() -> bool:
    return bool(settings.HTTP_CACHE_PURGE_URLS)


def rebound_seconds() -> float:
    """When the second purge goes: after a page rendered before the change
    can have reached the cache, and after a replica still used has it."""
    seconds = settings.HTTP_CACHE_REBOUND_SECONDS
    if replicas_in_use():
        seconds += settings.REPLICA_MAX_LAG_SECONDS + settings.REPLICA_CHECK_SECONDS
    return seconds


def send(keys) -> None:
    """Purge `keys` from every cache server now, from this process's thread,
    and once more rebound_seconds() later: a page a reader's request read
    before the change but the cache stored after the first purge (or read
    from a replica behind) is dropped then. With replicas, the in-app cache
    starts a new generation then too."""
    keys = frozenset(keys)
    if not keys or not (enabled() or replicas_in_use()):
        return
    _start()
    now = time.monotonic()
    if enabled():
        _queue.put((now, keys, False))
    _queue.put((now + rebound_seconds(), keys, replicas_in_use()))


def replicas_in_use() -> bool:
    """Whether readers' pages may be read from replicas (scholargate/dbrouter.py)."""
    return bool(settings.REPLICA_ALIASES and settings.DATABASE_ROUTERS)


def wait(timeout: float = 30) -> bool:
    """Send at once everything handed over so far, rebounds included, and
    wait until it is sent (or given up); True if it was in time. For tests,
    and commands that exit soon after a change."""
    if _worker is None:
        return True
    done = threading.Event()
    _queue.put((0.0, done, False))
    return done.wait(timeout)


def _start() -> None:
    global _worker
    with _lock:
        if _worker is None:
            # A command or a worker that exits sends what it still holds.
            atexit.register(wait, 10)
        if _worker is None or not _worker.is_alive():
            _worker = threading.Thread(target=_run, name="cache-purges", daemon=True)
            _worker.start()


def _run() -> None:
    pending = []  # (due, keys, is_rebound)
    while True:
        timeout = None
        if pending:
            timeout = max(0.0, min(item[0] for item in pending) - time.monotonic())
        try:
            pending.append(_queue.get(timeout=timeout))
        except queue.Empty:
            pass
        # Whatever else was handed over meanwhile goes in the same batch.
        while True:
            try:
                pending.append(_queue.get_nowait())
            except queue.Empty:
                break
        flush = [item[1] for item in pending if isinstance(item[1], threading.Event)]
        now = float("inf") if flush else time.monotonic()
        due = [
            item
            for item in pending
            if item[0] <= now and not isinstance(item[1], threading.Event)
        ]
        pending = [item for item in pending if item[0] > now]
        try:
            _send(due)
        except Exception:  # never let the thread die
            log.exception("Cache purges failed")
        for event in flush:
            event.set()


def _send(items) -> None:
    if any(is_rebound for _due, _keys, is_rebound in items):
        from .generations import new_generation

        new_generation()
    keys = sorted(frozenset().union(*(keys for _due, keys, _r in items)))
    if not keys or not enabled():
        return
    values = batches(keys)

    def purge_all(url):
        for value in values:
            _purge(url, value)

    # Each server on its own: one that does not answer (its retries take
    # seconds) never holds back the others.
    senders = [
        threading.Thread(target=purge_all, args=(url,), name=f"purge {url}")
        for url in settings.HTTP_CACHE_PURGE_URLS
    ]
    for sender in senders:
        sender.start()
    for sender in senders:
        sender.join()


def batches(keys: list[str]) -> list[str]:
    """The keys as `xkey-purge` header values, each within HEADER_BUDGET."""
    values, current = [], []
    size = 0
    for key in keys:
        if current and size + len(key) + 1 > HEADER_BUDGET:
            values.append(" ".join(current))
            current, size = [], 0
        current.append(key)
        size += len(key) + 1
    if current:
        values.append(" ".join(current))
    return values


def _purge(url: str, value: str) -> bool:
    attempts = 1 + settings.HTTP_CACHE_PURGE_RETRIES
    problem = ""
    for attempt in range(attempts):
        if attempt:
            time.sleep(0.25 * 4 ** (attempt - 1))  # 0.25 s, 1 s, 4 s...
        request = urllib.request.Request(
            url, method="PURGE", headers={"xkey-purge": value}
        )
        try:
            with urllib.request.urlopen(request, timeout=5) as response:
                response.read()
            return True
        except urllib.error.HTTPError as error:
            problem = f"HTTP {error.code}"
            if error.code < 500:
                break  # refused: trying again will not help
        except (OSError, ValueError) as error:
            problem = str(getattr(error, "reason", error))
    log.warning(
        "Cache purge failed after %d attempt(s): %s answered %s (keys: %s)",
        attempt + 1,
        url,
        problem,
        value[:200],
    )
    return False
