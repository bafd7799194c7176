"""Keep a server process's long-lived objects out of the garbage collector's
way.

A worker holds some 160,000 objects once it has answered a few pages: the
code, compiled templates, URL patterns, translations, caches. Python's full
collections walk all of them; on a long admin page (a 30-section draft makes
about ten collections) one request in fifteen waited 40–80 ms for one, which
was the whole of the page's p95 (measured in process at 10,000 topics:
p95 157–166 ms, 106 ms with these objects frozen; the median unchanged).

After each of a worker's first requests (once the response has been sent),
what is still alive is collected and then moved out of the collector's
sight with gc.freeze(); later objects are collected as usual. Frozen objects
are still freed when nothing refers to them; only reference cycles among
them stay. Connected by the WSGI entry point only: tests and commands are
left alone.
"""

import gc

from django.core.signals import request_finished

WARM_REQUESTS = 20

_answered = 0


def _freeze(**_kwargs):
    global _answered
    _answered += 1
    gc.collect()
    gc.freeze()
    if _answered >= WARM_REQUESTS:
        request_finished.disconnect(_freeze)


def freeze_after_warm_up():
    request_finished.connect(_freeze)
