"""Work pages (citations/views.py) and the person pages beside them: every
work and person of the demo, keys in any of Pandoc's syntax, works cited in
a figure's caption."""

import pytest
from django.core.management import call_command
from django.urls import reverse

from citations.models import Work
from tests.factories import WorkFactory, make_draft, publish
from topics.models import Person

pytestmark = [pytest.mark.django_db, pytest.mark.pandoc]


def test_work_and_person_pages_for_the_whole_demo(
    client, django_assert_max_num_queries
):
    call_command("load_demo")
    for work in Work.objects.all():
        with django_assert_max_num_queries(4):
            response = client.get(work.get_absolute_url())
        assert response.status_code == 200, work.key
        html = response.content.decode()
        assert work.reference_html in html
    lecun = client.get("/works/lecun2015/").content.decode()
    assert "Deep Learning — Definition" in lecun and "<blockquote>" in lecun
    for person in Person.objects.all():
        with django_assert_max_num_queries(4):
            response = client.get(f"/people/{person.slug}/")
        assert response.status_code == 200, person.slug
    yann = client.get("/people/yann-lecun/").content.decode()
    assert "Deep Learning" in yann and "/works/lecun2015/" in yann


def test_dblp_style_keys_work_end_to_end(client, editor, moderator):
    key = "DBLP:journals/nature/LeCunBH15"
    WorkFactory(key=key, title="Deep learning")
    draft = make_draft(
        by=editor, slug="k", sections=[("definition", "", f"Cited [@{key}].")]
    )
    publish(draft, author=editor, moderator=moderator)
    html = client.get("/topics/k/").content.decode()
    assert f'href="#ref-{key}"' in html
    assert client.get(f"/works/{key}/").status_code == 200


@pytest.mark.pandoc
def test_work_cited_in_a_caption_lists_the_figure(client):
    call_command("load_demo")
    html = client.get(
        reverse("citations:work", args=["goodfellow2016"])
    ).content.decode()
    assert (
        '<a href="/topics/deep-learning/#fig-multilayer-network">'
        "Deep Learning — a figure caption</a>" in html
    )
    page = client.get("/topics/deep-learning/").content.decode()
    assert 'class="figure-ref">Figure 1</a></span> draws a small network' in page
