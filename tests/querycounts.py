"""Assert that pages run no more queries after the data grows."""

from django.db import connection
from django.test.utils import CaptureQueriesContext, override_settings


def count_queries(client, url):
    """The queries of one full render: the page cache is off."""
    with override_settings(PAGE_CACHE=False), CaptureQueriesContext(connection) as q:
        response = client.get(url)
    queries = q
    assert response.status_code == 200, (url, response.status_code)
    return len(queries.captured_queries)


def assert_flat(client, urls, grow, ceiling=25):
    """Count each page's queries, grow the data, and count again."""
    before = {url: count_queries(client, url) for url in urls}
    for url, count in before.items():
        assert count <= ceiling, f"{url}: {count} queries"
    grow()
    after = {url: count_queries(client, url) for url in urls}
    grew = {url: (before[url], after[url]) for url in urls if after[url] > before[url]}
    assert not grew, f"query counts grew with the data: {grew}"
    return before
