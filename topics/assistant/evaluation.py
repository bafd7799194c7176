"""How well the Assistant answers a question set (manage.py assistant_eval).

A question file (YAML or JSON) holds `covered` questions, each with the
`topic` (slug) that should answer it and a `phrase` the answering paragraph
holds (or a list of phrases, any of which will do: a question two paragraphs
answer), and `uncovered` questions, which nothing on the site answers.
"""

import json
import statistics
import time
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from . import answer


class QuestionFileError(ValueError):
    pass


@dataclass
class Outcome:
    question: str
    covered: bool  # what the Assistant said
    rank: int | None = None  # of the first right passage (covered questions)
    expected: str = ""  # the topic, for covered questions
    top: str = ""  # "topic: start of text" of the first passage
    milliseconds: float = 0.0


@dataclass
class Report:
    covered: list = field(default_factory=list)
    uncovered: list = field(default_factory=list)

    def share(self, outcomes, test):
        return sum(1 for o in outcomes if test(o)) / len(outcomes) if outcomes else 0.0

    @property
    def figures(self):
        times = sorted(o.milliseconds for o in self.covered + self.uncovered)
        return {
            "questions": len(times),
            "hit@1": self.share(self.covered, lambda o: o.rank == 1),
            "hit@3": self.share(
                self.covered, lambda o: o.rank is not None and o.rank <= 3
            ),
            "mrr": (
                sum(1 / o.rank for o in self.covered if o.rank) / len(self.covered)
                if self.covered
                else 0.0
            ),
            "uncovered_refused": self.share(self.uncovered, lambda o: not o.covered),
            "covered_refused": self.share(self.covered, lambda o: not o.covered),
            "p50_ms": statistics.median(times) if times else 0.0,
            "p95_ms": _percentile(times, 95),
        }


def _percentile(values, percent):
    if not values:
        return 0.0
    return values[min(len(values) - 1, round(percent / 100 * len(values) + 0.5) - 1)]


def read_questions(path) -> dict:
    """The question file as {"covered": [...], "uncovered": [...]}."""
    path = Path(path)
    try:
        raw = path.read_text(encoding="utf-8")
        data = json.loads(raw) if path.suffix == ".json" else yaml.safe_load(raw)
    except (OSError, ValueError, yaml.YAMLError) as error:
        raise QuestionFileError(f"{path}: {error}") from error
    if not isinstance(data, dict):
        raise QuestionFileError(f"{path}: expected 'covered' and 'uncovered' lists.")
    covered, uncovered = data.get("covered") or [], data.get("uncovered") or []
    for number, item in enumerate(covered, start=1):
        if isinstance(item, dict) and isinstance(item.get("phrase"), str):
            item = {**item, "phrase": [item["phrase"]]}
            covered[number - 1] = item
        if not (
            isinstance(item, dict)
            and all(
                isinstance(item.get(key), str) and item[key].strip()
                for key in ("question", "topic")
            )
            and isinstance(item.get("phrase"), list)
            and item["phrase"]
            and all(isinstance(p, str) and p.strip() for p in item["phrase"])
        ):
            raise QuestionFileError(
                f"{path}: covered question {number} needs 'question', 'topic' "
                "and 'phrase'."
            )
    for number, item in enumerate(uncovered, start=1):
        if not isinstance(item, dict) or not isinstance(item.get("question"), str):
            raise QuestionFileError(
                f"{path}: uncovered question {number} needs 'question'."
            )
    return {"covered": covered, "uncovered": uncovered}


def _ask(question):
    start = time.perf_counter()
    result = answer(question, record=False)
    elapsed = (time.perf_counter() - start) * 1000
    top = ""
    if result.hits:
        first = result.hits[0]
        top = f"{first.topic.slug}: {first.passage.text[:60]}"
    return result, elapsed, top


def evaluate(questions: dict) -> Report:
    report = Report()
    for item in questions["covered"]:
        result, elapsed, top = _ask(item["question"])
        rank = next(
            (
                position
                for position, hit in enumerate(result.hits, start=1)
                if hit.topic.slug == item["topic"]
                and any(phrase in hit.passage.text for phrase in item["phrase"])
            ),
            None,
        )
        report.covered.append(
            Outcome(item["question"], result.covered, rank, item["topic"], top, elapsed)
        )
    for item in questions["uncovered"]:
        result, elapsed, top = _ask(item["question"])
        report.uncovered.append(
            Outcome(item["question"], result.covered, top=top, milliseconds=elapsed)
        )
    return report
