"""Read replicas: anonymous readers' queries on a replica, everything else on
the primary.

`ReplicaMiddleware` lets a request read from a replica only when it is an
anonymous reader's GET or HEAD: no session cookie (so nobody signed in), not
the admin, and no pin cookie. A request that changes something (any other
method) sets the pin cookie for REPLICA_PIN_SECONDS, so the client that
wrote reads its own change from the primary. Outside requests (commands,
services, the shell) everything is on the primary.

`ReplicaRouter` sends reads allowed on a replica to one that answers and is
at most REPLICA_MAX_LAG_SECONDS behind, checked at most every
REPLICA_CHECK_SECONDS per process; a replica that is down or behind is
skipped with a log line, and the primary serves. Writes and migrations are
the primary's.

A small router of our own rather than django-multidb-router: its pinning is
the same idea, but it has no notion of a replica that is down or behind,
which is the part that keeps pages up.
"""

import contextvars
import logging
import random
import time

from django.conf import settings
from django.db import DatabaseError, connections

log = logging.getLogger(__name__)

PIN_COOKIE = "sg_primary"
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
_may_use_replica = contextvars.ContextVar("may_use_replica", default=False)
_health = {}  # alias -> (checked at, usable)

# Caught up: it has replayed all it received. Behind: the age of the last
# transaction replayed (it grows while nothing new is replayed).
LAG_SQL = """
SELECT pg_is_in_recovery(),
       pg_is_wal_replay_paused(),
       pg_last_wal_receive_lsn() IS NOT DISTINCT FROM pg_last_wal_replay_lsn(),
       EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp())
"""


def replica_lag(alias) -> float | None:
    """Seconds the replica is behind (0 when caught up), None when it is not
    a replica."""
    with connections[alias].cursor() as cursor:
        cursor.execute(LAG_SQL)
        in_recovery, paused, caught_up, age = cursor.fetchone()
    if not in_recovery:
        return None
    if paused:
        return float("inf")
    return 0.0 if caught_up else float(age or 0.0)


def usable(alias) -> bool:
    now = time.monotonic()
    checked = _health.get(alias)
    if checked and now - checked[0] < settings.REPLICA_CHECK_SECONDS:
        return checked[1]
    try:
        lag = replica_lag(alias)
    except DatabaseError as error:
        connections[alias].close()
        log.warning("Replica %s skipped: it does not answer (%s).", alias, error)
        ok = False
    else:
        ok = lag is not None and lag <= settings.REPLICA_MAX_LAG_SECONDS
        if not ok:
            log.warning(
                "Replica %s skipped: %s.",
                alias,
                "it is not in recovery" if lag is None else f"{lag:.1f} s behind",
            )
    _health[alias] = (now, ok)
    return ok


def forget_health():
    """Check every replica again on its next use."""
    _health.clear()


class ReplicaRouter:
    def db_for_read(self, model, **hints):
        if not _may_use_replica.get():
            return "default"
        aliases = [a for a in settings.REPLICA_ALIASES if usable(a)]
        return random.choice(aliases) if aliases else "default"

    def db_for_write(self, model, **hints):
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == "default"


def may_use_replica(request) -> bool:
    return (
        request.method in ("GET", "HEAD")
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and PIN_COOKIE not in request.COOKIES
        and not request.path.startswith("/admin/")
    )


class ReplicaMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _may_use_replica.set(may_use_replica(request))
        try:
            response = self.get_response(request)
        finally:
            _may_use_replica.reset(token)
        if request.method not in SAFE_METHODS and settings.REPLICA_ALIASES:
            response.set_cookie(
                PIN_COOKIE,
                "1",
                max_age=settings.REPLICA_PIN_SECONDS,
                secure=request.is_secure(),
                httponly=True,
                samesite="Lax",
            )
        return response
