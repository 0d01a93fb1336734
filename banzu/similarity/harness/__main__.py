"""Run the accuracy harness: generate a corpus, run the engine's command line on it, score it.

    python -m banzu.similarity.harness [--seed N | --seeds 1-5] [--documents N] [--chars N]
        [--engine CMD]

Prints the PAN measures overall and per kind of change (precision, recall, granularity), the
goals of issue 19 (interleaved copies, heavy rewording), the recall on passages of 200 characters
or more with only names, digits and punctuation changed, the copy ratio of unrelated documents and
the copied characters that fall on template text, each beside the issue's goal.
"""

from __future__ import annotations

import argparse
import json
import shlex
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from banzu.similarity.harness.corpus import KINDS, LIGHT_KINDS, Case, GroundTruth, generate
from banzu.similarity.harness.pan import (
    Passage,
    Scores,
    detecting,
    detections_from_report,
    score,
)

GOAL_PLAGDET = 0.95
GOAL_LIGHT_RECALL = 0.95
GOAL_UNRELATED_RATIO = 0.01
LIGHT_MIN_LENGTH = 200
# Issue 19: interleaved copies (each copied sentence its own case) and heavy rewording.
GOAL_INTERLEAVED_PRECISION = 0.97
GOAL_INTERLEAVED_RECALL = 0.90
GOAL_HEAVY_RECALL = 0.85


def default_engine() -> list[str]:
    script = Path(sys.prefix) / "bin" / "banzu-similarity"
    if script.exists():
        return [str(script)]
    return [sys.executable, "-m", "banzu.similarity.cli"]


def as_passage(case: Case) -> Passage:
    return Passage(
        case.target,
        case.target_start,
        case.target_end,
        case.source,
        case.source_start,
        case.source_end,
    )


@dataclass
class Result:
    overall: Scores
    per_kind: dict[str, Scores]
    light_recall: Scores
    unrelated_max: float
    unrelated_mean: float
    unrelated_missing: int
    template_chars: int

    def goals(self) -> list[tuple[str, bool]]:
        interleaved = self.per_kind["interleaved"]
        heavy = self.per_kind["heavily_reworded"]
        return [
            (f"plagdet >= {GOAL_PLAGDET:.2f}", self.overall.plagdet >= GOAL_PLAGDET),
            (
                f"interleaved precision >= {GOAL_INTERLEAVED_PRECISION:.2f}",
                interleaved.precision >= GOAL_INTERLEAVED_PRECISION,
            ),
            (
                f"interleaved recall >= {GOAL_INTERLEAVED_RECALL:.2f}",
                interleaved.recall >= GOAL_INTERLEAVED_RECALL,
            ),
            (
                f"heavily reworded recall >= {GOAL_HEAVY_RECALL:.2f}",
                heavy.recall >= GOAL_HEAVY_RECALL,
            ),
        ]

    def passed(self) -> bool:
        return (
            all(met for _, met in self.goals())
            and self.light_recall.recall >= GOAL_LIGHT_RECALL
            and self.unrelated_max < GOAL_UNRELATED_RATIO
            and self.template_chars == 0
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "overall": vars(self.overall),
            "per_kind": {k: vars(v) for k, v in self.per_kind.items()},
            "light_recall": vars(self.light_recall),
            "unrelated_max_copy_ratio": self.unrelated_max,
            "unrelated_mean_copy_ratio": self.unrelated_mean,
            "unrelated_missing": self.unrelated_missing,
            "template_copied_chars": self.template_chars,
            "passed": self.passed(),
        }


def _overlap(a: int, b: int, ranges: Sequence[tuple[int, int]]) -> int:
    return sum(max(0, min(b, hi) - max(a, lo)) for lo, hi in ranges)


def evaluate(truth: GroundTruth, report: dict[str, Any]) -> Result:
    """Score the engine's JSON ``report`` against ``truth``."""
    detections = detections_from_report(report)
    cases = [as_passage(c) for c in truth.cases]
    per_kind: dict[str, Scores] = {}
    for kind in KINDS:
        subset = [as_passage(c) for c in truth.cases if c.kind == kind]
        per_kind[kind] = score(subset, detecting(subset, detections))
    light = [
        as_passage(c) for c in truth.cases if c.kind in LIGHT_KINDS and c.length >= LIGHT_MIN_LENGTH
    ]
    ratios = {d["id"]: float(d.get("copy_ratio") or 0.0) for d in report.get("documents", [])}
    unrelated = [ratios[i] for i in truth.unrelated if i in ratios]
    template_chars = 0
    for r in detections:
        template_chars += _overlap(r.start, r.end, truth.template_occurrences.get(r.suspicious, []))
        template_chars += _overlap(
            r.source_start, r.source_end, truth.template_occurrences.get(r.source, [])
        )
    return Result(
        overall=score(cases, detections),
        per_kind=per_kind,
        light_recall=score(light, detecting(light, detections)),
        unrelated_max=max(unrelated, default=0.0),
        unrelated_mean=sum(unrelated) / len(unrelated) if unrelated else 0.0,
        unrelated_missing=len(truth.unrelated) - len(unrelated),
        template_chars=template_chars,
    )


def run_engine(engine: Sequence[str], corpus: Path, out: Path, *, owners: bool) -> float:
    command = [
        *engine,
        "scan",
        str(corpus / "edition"),
        "--archive",
        str(corpus / "archive"),
        "--template",
        str(corpus / "template" / "notice.txt"),
    ]
    if owners:
        command += ["--owners", str(corpus / "owners.csv")]
    command += ["--json", str(out)]
    started = time.perf_counter()
    subprocess.run(command, check=True)  # noqa: S603 - the command line is the caller's
    return time.perf_counter() - started


def report_lines(result: Result, truth: GroundTruth) -> list[str]:
    def mark(ok: bool) -> str:
        return "ok" if ok else "MISSED"

    lines = [f"overall: {result.overall.line()}"]
    lines.append("per kind of change:")
    for kind, scores in result.per_kind.items():
        lines.append(f"  {kind:<26} {scores.line()}")
    for goal, met in result.goals():
        lines.append(f"goal {goal}: {mark(met)}")
    light = result.light_recall
    lines.append(
        f"recall on passages >= {LIGHT_MIN_LENGTH} chars with only names/digits/punctuation "
        f"changed: {light.recall:.3f} ({light.cases} cases); goal >= {GOAL_LIGHT_RECALL:.2f}: "
        f"{mark(light.recall >= GOAL_LIGHT_RECALL)}"
    )
    missing = (
        f", {result.unrelated_missing} missing from the JSON" if result.unrelated_missing else ""
    )
    lines.append(
        f"unrelated documents ({len(truth.unrelated)}{missing}): copy ratio max "
        f"{result.unrelated_max:.4f} mean {result.unrelated_mean:.4f}; goal max < "
        f"{GOAL_UNRELATED_RATIO:.2f}: {mark(result.unrelated_max < GOAL_UNRELATED_RATIO)}"
    )
    lines.append(
        f"copied characters on template text: {result.template_chars}; goal 0: "
        f"{mark(result.template_chars == 0)}"
    )
    return lines


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m banzu.similarity.harness", description=__doc__)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--seeds",
        help="several seeds, e.g. 1-5: each corpus is run, then all are scored together",
    )
    parser.add_argument("--documents", type=int, default=40, help="edition documents")
    parser.add_argument("--archive-documents", type=int, help="default: half of --documents")
    parser.add_argument("--chars", type=int, default=15_000, help="characters per document")
    parser.add_argument("--cases", type=int, help="planted copies (default: --documents)")
    parser.add_argument("--engine", help="the engine's command (default: banzu-similarity)")
    parser.add_argument("--owners", action="store_true", help="pass --owners owners.csv")
    parser.add_argument("--keep", type=Path, help="write the corpus here and keep it")
    parser.add_argument("--json", type=Path, help="also write the figures as JSON here")
    parser.add_argument("--check", action="store_true", help="exit 1 when a goal is missed")
    args = parser.parse_args(argv)

    engine = shlex.split(args.engine) if args.engine else default_engine()
    seeds = _seeds(args.seeds) if args.seeds else [args.seed]
    truths: list[GroundTruth] = []
    reports: list[dict[str, Any]] = []
    for seed in seeds:
        with tempfile.TemporaryDirectory(prefix="banzu-harness-") as scratch:
            corpus = args.keep / f"seed{seed}" if args.keep and args.seeds else args.keep
            corpus = corpus or Path(scratch) / "corpus"
            started = time.perf_counter()
            truth = generate(
                corpus,
                seed=seed,
                documents=args.documents,
                chars_per_document=args.chars,
                archive_documents=args.archive_documents,
                cases=args.cases,
            )
            generated = time.perf_counter() - started
            out = Path(scratch) / "engine.json"
            seconds = run_engine(engine, corpus, out, owners=args.owners)
            report = json.loads(out.read_text(encoding="utf-8"))
        truths.append(truth)
        reports.append(report)
        print(
            f"corpus: seed {seed}, {len(truth.edition)} edition + {len(truth.archive)} archive "
            f"documents, {len(truth.cases)} cases ({sum(c.mirror for c in truth.cases)} "
            f"mirrored, {sum(c.same_enterprise for c in truth.cases)} same-enterprise), "
            f"generated in {generated:.1f} s; engine ran {seconds:.1f} s"
        )
    truth, report = combine(truths, reports) if len(seeds) > 1 else (truths[0], reports[0])
    result = evaluate(truth, report)
    if len(seeds) > 1:
        print(f"all {len(seeds)} seeds scored together:")
    for line in report_lines(result, truth):
        print(line)
    if args.json:
        args.json.write_text(json.dumps(result.to_json(), indent=1), encoding="utf-8")
    return 1 if args.check and not result.passed() else 0


def _seeds(text: str) -> list[int]:
    seeds: list[int] = []
    for part in text.split(","):
        first, _, last = part.partition("-")
        seeds += list(range(int(first), int(last or first) + 1))
    return seeds


def combine(
    truths: Sequence[GroundTruth], reports: Sequence[dict[str, Any]]
) -> tuple[GroundTruth, dict[str, Any]]:
    """Several corpora as one: every document id prefixed with its corpus's seed."""

    def name(seed: int, doc: str) -> str:
        return f"s{seed}/{doc}"

    cases: list[Case] = []
    documents: list[dict[str, Any]] = []
    merged = GroundTruth(0, [], [], {}, "", {}, cases, [])
    for truth, report in zip(truths, reports, strict=True):
        seed = truth.seed
        merged.edition += [name(seed, d) for d in truth.edition]
        merged.archive += [name(seed, d) for d in truth.archive]
        merged.unrelated += [name(seed, d) for d in truth.unrelated]
        merged.template_occurrences.update(
            {name(seed, d): spans for d, spans in truth.template_occurrences.items()}
        )
        cases += [
            replace(c, target=name(seed, c.target), source=name(seed, c.source))
            for c in truth.cases
        ]
        for document in report.get("documents", []):
            sources = [
                {**source, "id": name(seed, source["id"])}
                for source in document.get("sources", []) or []
            ]
            documents.append({**document, "id": name(seed, document["id"]), "sources": sources})
    return merged, {"documents": documents}


if __name__ == "__main__":
    sys.exit(main())
