"""The benchmark corpus (bench/corpus.py) is written through the services."""

import random
import sys
from pathlib import Path

import pytest
from django.db import connection

from topics.models import Topic, TopicVersion, VersionPage

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
import corpus  # noqa: E402


@pytest.mark.django_db(transaction=True)
def test_corpus_builds_published_topics_with_revisions():
    rng = random.Random(1)
    keys = corpus.make_works("gen1", 5, rng)
    contents = corpus.topic_contents("gen1", 6, keys, rng)
    ids = [v.pk for v in corpus.services.create_drafts(contents=contents)]
    corpus.publish(ids, processes=1, quiet=True, label="")
    live = Topic.objects.live().filter(slug__startswith="gen1-")
    assert live.count() == 6
    by = corpus.robot()
    revised = list(live.values_list("pk", flat=True)[:3])
    for round_ in (2, 3):
        corpus.publish(corpus.revise(revised, rng, round_, by), 1, quiet=True, label="")
    assert TopicVersion.objects.filter(topic__in=live, number=3).count() == 3
    page = live.first().live_version.page
    assert page.body_html and page.cite_html["apa"]
    if connection.vendor == "postgresql":
        assert VersionPage.objects.filter(search_vector__isnull=False).count() >= 9
