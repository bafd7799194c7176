"""A synthetic encyclopedia for benchmarks: never part of the site.

    .venv/bin/python bench/corpus.py --topics N [--history 20] [--processes 2]

Topics get realistic section lengths, tags, related topics, topic links and
citations; some get several approved versions. Everything is written
through the site's services, like a content import: drafts in bulk, then
approvals as system actions, rendered with Pandoc in parallel processes.
"""

import argparse
import os
import random
import sys
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "scholargate.settings.dev")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.contrib.auth.models import Group  # noqa: E402
from django.db import connections  # noqa: E402
from tqdm import tqdm  # noqa: E402

from citations.models import Work  # noqa: E402
from citations.services import refresh_references  # noqa: E402
from topics import services  # noqa: E402
from topics.models import Kind, Section, Topic, TopicVersion  # noqa: E402

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


BATCH = 100  # versions per approval: as rerender_versions


def _publish_chunk(version_ids):
    try:
        versions = list(TopicVersion.objects.filter(pk__in=version_ids))
        services.approve_as_system(versions=versions, edit_summary="Generated")
    finally:
        connections.close_all()
    return len(version_ids)


def publish(version_ids, processes, quiet, label):
    chunks = [version_ids[i : i + BATCH] for i in range(0, len(version_ids), BATCH)]
    bar = tqdm(total=len(version_ids), desc=label, unit="version", disable=quiet)
    if processes <= 1:
        for chunk in chunks:
            bar.update(_publish_chunk(chunk))
    else:
        connections.close_all()
        with ProcessPoolExecutor(processes) as pool:
            for future in as_completed(
                [pool.submit(_publish_chunk, c) for c in chunks]
            ):
                bar.update(future.result())
    bar.close()


def make_works(prefix, count, rng):
    rows = [
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
        for i in range(count)
    ]
    for work in rows:
        work.author_index = Work.index_names(work.authors)
    Work.objects.bulk_create(rows, batch_size=1000)
    refresh_references(Work.objects.filter(key__startswith=prefix))
    return [w.key for w in rows]


def topic_contents(prefix, count, keys, rng, start=0):
    """DraftContent for `count` topics; the first in a hundred are fields."""
    fields = max(1, count // 100)
    slugs = [f"{prefix}-topic-{i}" for i in range(count)]
    themes = [theme(rng) for _ in slugs]
    contents = []
    for i, slug in enumerate(slugs):
        words = themes[i]
        title = " ".join(rng.choice(words) for _ in range(rng.randint(2, 3)))
        is_field = i < fields
        earlier = slugs[: max(1, i)]
        chosen = rng.sample(SECTION_KINDS, rng.randint(3, 6))
        chosen.sort(key=SECTION_KINDS.index)
        sections = []
        for kind, heading in chosen:
            if kind in ("key_theories", "debates", "faq"):
                body = "\n\n".join(
                    f"{sentence(rng, topic_words=words)[:-1]}\n: "
                    f"{paragraph(rng, keys, earlier, 3, words)}"
                    for _ in range(rng.randint(2, 3))
                )
            else:
                body = "\n\n".join(
                    paragraph(rng, keys, earlier, rng.randint(3, 6), words)
                    for _ in range(rng.randint(1, 3))
                )
            sections.append((heading, kind, body))
        targets = rng.sample(range(count), min(count, rng.randint(0, 5)))
        contents.append(
            services.DraftContent(
                slug=slug,
                title=f"{title.title()} {i}",
                summary=sentence(rng, topic_words=words)
                + " "
                + sentence(rng, topic_words=words),
                kind=Kind.FIELD if is_field else rng.choice(KINDS),
                parent=None if is_field else slugs[rng.randrange(0, max(1, i))],
                tags=rng.sample(TAGS, rng.randint(2, 4)),
                sections=sections,
                related=[slugs[t] for t in targets if t != i],
                edit_summary="Generated",
            )
        )
    return contents


def revise(topic_ids, rng, round_, by):
    """Start a draft of each topic, change one section, save it."""
    drafts = []
    for topic in Topic.objects.filter(pk__in=topic_ids):
        draft = services.start_draft(topic=topic, by=by)
        sections = list(draft.sections.all())
        if sections:
            rng.choice(sections).body += f"\n\nRevision {round_}: " + sentence(rng)
            services.save_rows(version=draft, model=Section, rows=sections)
            services.record_edit(version=draft, by=by)
        drafts.append(draft.pk)
    return drafts


def robot():
    user, created = get_user_model().objects.get_or_create(
        username="corpus-generator", defaults={"is_staff": True}
    )
    if created:
        user.groups.add(Group.objects.get(name="Editors"))
    return user


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
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
    parser.add_argument("--quiet", action="store_true")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    prefix = f"gen{args.seed}"
    keys = make_works(prefix, args.works, rng)
    contents = topic_contents(prefix, args.topics, keys, rng)
    version_ids = []
    for i in tqdm(range(0, len(contents), 2000), desc="Drafts", disable=args.quiet):
        versions = services.create_drafts(contents=contents[i : i + 2000])
        version_ids += [v.pk for v in versions]
    publish(version_ids, args.processes, args.quiet, "Rendering")
    topic_ids = list(
        TopicVersion.objects.filter(pk__in=version_ids)
        .order_by("pk")
        .values_list("topic", flat=True)
    )
    by = robot()
    revisable = rng.sample(topic_ids, int(len(topic_ids) * args.revised))
    for round_ in (2, 3):
        drafts = revise(revisable, rng, round_, by)
        publish(drafts, args.processes, args.quiet, f"Version {round_}")
    for round_ in range(2, args.history + 1):
        publish(revise(topic_ids[:1], rng, round_, by), 1, True, "")
    print(
        f"{args.topics} topics generated, {len(revisable)} with 3 versions; "
        f"{Topic.objects.live().count()} live topics in all."
    )


if __name__ == "__main__":
    main()
