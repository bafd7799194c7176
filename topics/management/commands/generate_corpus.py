"""A synthetic encyclopedia for benchmarks: never loaded by the demo.

Topics get realistic section lengths, tags, related topics, topic links and
citations; some get several approved versions. Versions are rendered with
Pandoc in parallel processes, like real approvals.
"""

import random
from concurrent.futures import ProcessPoolExecutor, as_completed

from django.core.management.base import BaseCommand
from django.db import connections, transaction
from tqdm import tqdm

from citations.models import Work
from citations.services import refresh_references
from topics import services
from topics.models import (
    Citation,
    Kind,
    RelatedTopic,
    Section,
    TaggedVersion,
    Topic,
    TopicLink,
    TopicVersion,
)

WORDS = """
network learning model data layer representation gradient optimisation theory
method inference probability statistics estimation signal feature training
neural deep kernel bayesian graph structure language vision memory attention
sequence convolution recurrent generative adversarial variational entropy
information measure function approximation error loss regularisation sparse
dimension manifold embedding cluster classification regression decision tree
forest boosting ensemble sample distribution likelihood prior posterior markov
chain process stochastic dynamic control reinforcement reward policy agent
environment search planning logic knowledge reasoning semantic symbol concept
cognition perception neuron synapse cortex brain evolution biology protein
gene cell physics energy quantum field particle wave spectrum frequency time
series forecast economics market game equilibrium strategy social behaviour
experiment evidence hypothesis causal effect intervention bias variance
""".split()
CONNECTIVES = ["of", "in", "and", "for", "with", "under", "between", "across"]
TAGS = [f"{a} {b}" for a in WORDS[:40:3] for b in WORDS[40:80:4]]
KINDS = [Kind.CONCEPT, Kind.METHOD, Kind.THEORY]
SECTION_KINDS = [
    ("definition", "Definition"),
    ("scope", "Scope"),
    ("history", "History"),
    ("key_theories", "Key theories"),
    ("relevance", "Applications"),
    ("debates", "Debates"),
    ("faq", "FAQ"),
]


def theme(rng):
    """The words one topic is about: real entries keep to their subject, so
    a word such as "network" appears in a fraction of them, not in all."""
    return rng.sample(WORDS, 12)


def word(rng, topic_words):
    return rng.choice(topic_words if topic_words and rng.random() < 0.99 else WORDS)


def sentence(rng, cite_keys=(), link_slug=None, topic_words=None):
    words = [word(rng, topic_words) for _ in range(rng.randint(9, 22))]
    for i in range(3, len(words), rng.randint(4, 7)):
        words[i] = rng.choice(CONNECTIVES)
    text = " ".join(words).capitalize()
    if link_slug and rng.random() < 0.5:
        text += f" as in [a related topic](topic:{link_slug})"
    if cite_keys:
        text += " [" + "; ".join(f"@{k}" for k in cite_keys) + "]"
    return text + "."


def paragraph(rng, keys, slugs, sentences, topic_words=None):
    out = []
    for _ in range(sentences):
        cited = (
            rng.sample(keys, rng.randint(1, 2)) if keys and rng.random() < 0.25 else []
        )
        link = rng.choice(slugs) if slugs and rng.random() < 0.05 else None
        out.append(sentence(rng, cited, link, topic_words))
    return " ".join(out)


def _publish_chunk(version_ids):
    try:
        services.publish_generated(version_ids)
    finally:
        connections.close_all()
    return len(version_ids)


class Command(BaseCommand):
    help = "Generate a synthetic corpus of published topics for benchmarks."

    def add_arguments(self, parser):
        parser.add_argument("--topics", type=int, default=1000)
        parser.add_argument("--works", type=int, default=400)
        parser.add_argument("--processes", type=int, default=2)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument(
            "--history",
            type=int,
            default=1,
            help="Number of approved versions of the first generated topic.",
        )
        parser.add_argument(
            "--revised",
            type=float,
            default=0.05,
            help="Share of topics that get a second and third version.",
        )

    def handle(self, *, topics, works, processes, seed, revised, history, **options):
        rng = random.Random(seed)
        quiet = options["verbosity"] < 1
        prefix = f"gen{seed}"
        keys = self._works(prefix, works, rng)
        version_ids = self._topics(prefix, topics, keys, rng)
        self._publish(version_ids, processes, quiet, "Rendering")
        revisable = rng.sample(version_ids, int(len(version_ids) * revised))
        for round_ in (2, 3):
            drafts = self._revise(revisable, rng, round_)
            self._publish(drafts, processes, quiet, f"Version {round_}")
        for round_ in range(2, history + 1):
            self._publish(self._revise(version_ids[:1], rng, round_), 1, True, "")
        self.stdout.write(
            self.style.SUCCESS(
                f"{topics} topics generated, {len(revisable)} with 3 versions; "
                f"{Topic.objects.live().count()} live topics in all."
            )
        )

    def _works(self, prefix, count, rng):
        rows = []
        for i in range(count):
            rows.append(
                Work(
                    key=f"{prefix}w{i}",
                    entry_type=rng.choice(["article", "book", "inproceedings"]),
                    title=" ".join(rng.choice(WORDS) for _ in range(6)).capitalize(),
                    authors=[
                        {"family": rng.choice(WORDS).capitalize(), "given": "A."}
                        for _ in range(rng.randint(1, 4))
                    ],
                    year=rng.randint(1950, 2025),
                    container_title="Journal of " + rng.choice(WORDS).capitalize(),
                    volume=str(rng.randint(1, 60)),
                    pages=f"{rng.randint(1, 400)}–{rng.randint(401, 800)}",
                )
            )
        created = Work.objects.bulk_create(rows, batch_size=1000)
        for work in created:
            work.author_index = Work.index_names(work.authors)
        Work.objects.bulk_update(created, ["author_index"], batch_size=1000)
        refresh_references(Work.objects.filter(key__startswith=prefix))
        return [w.key for w in created]

    @transaction.atomic
    def _topics(self, prefix, count, keys, rng):
        fields = max(1, count // 100)
        topic_rows = Topic.objects.bulk_create(
            [Topic(slug=f"{prefix}-topic-{i}") for i in range(count)], batch_size=2000
        )
        versions = []
        themes = [theme(rng) for _ in topic_rows]
        for i, topic in enumerate(topic_rows):
            title = " ".join(rng.choice(themes[i]) for _ in range(rng.randint(2, 3)))
            is_field = i < fields
            parent = None if is_field else topic_rows[rng.randrange(0, max(1, i))]
            versions.append(
                TopicVersion(
                    topic=topic,
                    title=f"{title.title()} {i}",
                    summary=sentence(rng, topic_words=themes[i])
                    + " "
                    + sentence(rng, topic_words=themes[i]),
                    kind=Kind.FIELD if is_field else rng.choice(KINDS),
                    parent=parent,
                    edit_summary="Generated",
                )
            )
        versions = TopicVersion.objects.bulk_create(versions, batch_size=2000)
        slugs = [t.slug for t in topic_rows]
        sections, related, tagged, links = [], [], [], []
        tag_objects = self._tags()
        for i, version in enumerate(versions):
            earlier = slugs[: max(1, i)]
            chosen = rng.sample(SECTION_KINDS, rng.randint(3, 6))
            chosen.sort(key=SECTION_KINDS.index)
            for position, (kind, heading) in enumerate(chosen, start=1):
                if kind in ("key_theories", "debates", "faq"):
                    body = "\n\n".join(
                        f"{sentence(rng, topic_words=themes[i])[:-1]}\n: "
                        f"{paragraph(rng, keys, earlier, 3, themes[i])}"
                        for _ in range(rng.randint(2, 3))
                    )
                else:
                    body = "\n\n".join(
                        paragraph(rng, keys, earlier, rng.randint(3, 6), themes[i])
                        for _ in range(rng.randint(1, 3))
                    )
                sections.append(
                    Section(
                        version=version,
                        kind=kind,
                        heading=heading,
                        body=body,
                        position=position,
                    )
                )
            targets = rng.sample(range(len(versions)), rng.randint(0, 5))
            for position, target in enumerate(t for t in targets if t != i):
                related.append(
                    RelatedTopic(
                        version=version,
                        target=topic_rows[target],
                        position=position + 1,
                    )
                )
            for tag in rng.sample(tag_objects, rng.randint(2, 4)):
                tagged.append(TaggedVersion(content_object=version, tag=tag))
        Section.objects.bulk_create(sections, batch_size=2000)
        RelatedTopic.objects.bulk_create(related, batch_size=2000)
        TaggedVersion.objects.bulk_create(tagged, batch_size=2000)
        self._derived_rows(versions, links)
        Topic.objects.bulk_update(
            [
                Topic(pk=v.topic_id, slug=slugs[i], draft_version_id=v.pk)
                for i, v in enumerate(versions)
            ],
            ["draft_version"],
            batch_size=2000,
        )
        return [v.pk for v in versions]

    def _tags(self):
        from taggit.models import Tag

        existing = {t.name: t for t in Tag.objects.filter(name__in=TAGS)}
        new = [
            Tag(name=name, slug=name.replace(" ", "-"))
            for name in TAGS
            if name not in existing
        ]
        Tag.objects.bulk_create(new, ignore_conflicts=True)
        return list(Tag.objects.filter(name__in=TAGS))

    def _derived_rows(self, versions, links):
        """Citation and TopicLink rows, read from the generated text."""
        import re

        works = dict(Work.objects.values_list("key", "pk"))
        topics = dict(Topic.objects.values_list("slug", "pk"))
        citations, links = [], []
        for section in Section.objects.filter(version__in=versions).iterator(2000):
            for key in dict.fromkeys(re.findall(r"@([\w]+)", section.body)):
                if key in works:
                    citations.append(
                        Citation(
                            version_id=section.version_id,
                            section=section,
                            work_id=works[key],
                        )
                    )
            for slug in dict.fromkeys(re.findall(r"\(topic:([\w-]+)\)", section.body)):
                links.append(
                    TopicLink(version_id=section.version_id, target_id=topics[slug])
                )
        Citation.objects.bulk_create(citations, batch_size=2000, ignore_conflicts=True)
        TopicLink.objects.bulk_create(links, batch_size=2000, ignore_conflicts=True)

    def _revise(self, version_ids, rng, round_):
        drafts = []
        topics = Topic.objects.filter(versions__pk__in=version_ids).select_related(
            "live_version"
        )
        for topic in topics:
            draft = services.start_generated_draft(topic)
            section = draft.sections.order_by("?").first()
            if section:
                section.body += f"\n\nRevision {round_}: " + sentence(rng)
                section.save(update_fields=["body"])
            drafts.append(draft.pk)
        return drafts

    def _publish(self, version_ids, processes, quiet, label):
        chunks = [version_ids[i : i + 25] for i in range(0, len(version_ids), 25)]
        bar = tqdm(total=len(version_ids), desc=label, unit="version", disable=quiet)
        if processes <= 1:
            for chunk in chunks:
                services.publish_generated(chunk)
                bar.update(len(chunk))
        else:
            connections.close_all()
            with ProcessPoolExecutor(processes) as pool:
                for future in as_completed(
                    [pool.submit(_publish_chunk, c) for c in chunks]
                ):
                    bar.update(future.result())
        bar.close()
