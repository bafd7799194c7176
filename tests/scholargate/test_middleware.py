"""Requests refused before any view runs."""

import pytest

from tests.factories import make_live

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "url",
    [
        "/search/?q=%00",
        "/search/?q=deep%00learning",
        "/works/lecun%002015/",
        "/topics/?tag=a%00b",
        "/topics/x%00y/",
        "/admin/topics/topic/autocomplete/?term=%00",
    ],
)
def test_a_nul_character_in_the_address_is_a_clear_400(client, url):
    """PostgreSQL refuses NUL in text: such a request never reaches a query."""
    response = client.get(url)
    assert response.status_code == 400
    assert response.content.decode() == "The address contains a NUL character (%00)."


def test_ordinary_searches_pass(client, editor, moderator):
    make_live(author=editor, moderator=moderator, title="Entropy", slug="entropy")
    assert client.get("/search/?q=entropy").status_code == 200
