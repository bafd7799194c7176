"""Measure the Assistant on a question file: hit@1, hit@3, MRR, refusals,
latency."""

from django.core.management.base import BaseCommand, CommandError

from topics.assistant.evaluation import QuestionFileError, evaluate, read_questions


class Command(BaseCommand):
    help = (
        "Ask the Assistant every question of FILE (YAML or JSON: 'covered' questions "
        "with 'topic' and 'phrase', 'uncovered' questions) and print hit@1, hit@3, "
        "MRR, refusal shares and latency. Records no coverage gaps."
    )

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument(
            "--warm",
            action="store_true",
            help="Ask every question once before measuring (warm caches).",
        )

    def handle(self, *args, file, warm, verbosity, **options):
        try:
            questions = read_questions(file)
        except QuestionFileError as error:
            raise CommandError(str(error)) from error
        if warm:
            evaluate(questions)
        report = evaluate(questions)
        if verbosity >= 2:
            for outcome in report.covered:
                if outcome.rank != 1:
                    self.stdout.write(
                        f"  covered, rank {outcome.rank or '-'}"
                        f"{'' if outcome.covered else ' (refused)'}: {outcome.question}"
                        f"\n    expected {outcome.expected}; "
                        f"first: {outcome.top or '-'}"
                    )
            for outcome in report.uncovered:
                if outcome.covered:
                    self.stdout.write(
                        f"  uncovered, answered: {outcome.question}\n"
                        f"    first: {outcome.top}"
                    )
        figures = report.figures
        self.stdout.write(
            f"{len(report.covered)} covered and {len(report.uncovered)} "
            "uncovered questions\n"
            f"hit@1 {figures['hit@1']:.3f}  hit@3 {figures['hit@3']:.3f}  "
            f"MRR {figures['mrr']:.3f}\n"
            f"uncovered correctly refused {figures['uncovered_refused']:.3f}  "
            f"covered wrongly refused {figures['covered_refused']:.3f}\n"
            f"latency p50 {figures['p50_ms']:.1f} ms  p95 {figures['p95_ms']:.1f} ms"
        )
