"""The accuracy harness: the corpus generator and the runner, with a fake engine."""

from __future__ import annotations

import itertools
import json
import re
import sys
from collections import Counter
from pathlib import Path

import pytest

from banzu.similarity.harness.__main__ import evaluate, main
from banzu.similarity.harness.corpus import (
    KINDS,
    MAX_PASSAGE,
    MIN_PASSAGE,
    GroundTruth,
    _normalise,
    change_script,
    generate,
)

SMALL = {"documents": 20, "chars_per_document": 6000}
_SENTENCE_END = re.compile(r"[。！？!?；;…]+(?=.)")

# A stand-in for banzu-similarity: reads truth.json beside the edition folder and reports every
# planted case exactly, as the JSON contract says.
FAKE_ENGINE = """
import argparse, json
from pathlib import Path

parser = argparse.ArgumentParser()
parser.add_argument("command")
parser.add_argument("dirs", nargs="+", type=Path)
parser.add_argument("--archive", action="append", default=[])
parser.add_argument("--template", action="append", default=[])
parser.add_argument("--owners")
parser.add_argument("--json", type=Path, required=True)
args = parser.parse_args()
edition = args.dirs[0]
truth = json.loads((edition.parent / "truth.json").read_text(encoding="utf-8"))
documents = []
for path in sorted(edition.glob("*.txt")):
    chars = len(path.read_text(encoding="utf-8"))
    sources = {}
    covered = set()
    for case in truth["cases"]:
        if case["target"] != path.name:
            continue
        source = sources.setdefault(case["source"], {
            "id": case["source"], "archive": case["source_archive"], "passages": []})
        source["passages"].append({
            "start": case["target_start"], "end": case["target_end"],
            "source_start": case["source_start"], "source_end": case["source_end"]})
        covered.update(range(case["target_start"], case["target_end"]))
    documents.append({
        "id": path.name, "chars": chars, "copied_chars": len(covered),
        "copy_ratio": len(covered) / chars, "sources": list(sources.values())})
args.json.write_text(json.dumps({"documents": documents, "stats": {}}), encoding="utf-8")
"""


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, GroundTruth]:
    out = tmp_path_factory.mktemp("corpus")
    return out, generate(out, seed=7, **SMALL)


def text(out: Path, doc: str) -> str:
    folder = "archive" if doc.startswith("a") else "edition"
    return (out / folder / doc).read_text(encoding="utf-8")


def files(out: Path) -> dict[str, bytes]:
    return {str(p.relative_to(out)): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}


def test_the_generator_is_deterministic_per_seed(tmp_path, corpus):
    out, _ = corpus
    again = tmp_path / "again"
    generate(again, seed=7, **SMALL)
    assert files(again) == files(out)
    other = tmp_path / "other"
    generate(other, seed=8, **SMALL)
    assert files(other)["edition/e001.txt"] != files(out)["edition/e001.txt"]


def test_layout_and_owners(corpus):
    out, truth = corpus
    assert len(truth.edition) == 20
    assert len(truth.archive) == 10
    assert all((out / "edition" / d).exists() for d in truth.edition)
    assert all((out / "archive" / d).exists() for d in truth.archive)
    owners = dict(line.split(",") for line in (out / "owners.csv").read_text().splitlines())
    assert owners == truth.owners
    assert set(owners) == set(truth.edition) | set(truth.archive)
    assert GroundTruth.load(out).cases == truth.cases


def test_every_kind_appears_with_lengths_in_range(corpus):
    _, truth = corpus
    kinds = Counter(case.kind for case in truth.cases)
    assert set(kinds) == set(KINDS)
    passages = [case for case in truth.cases if case.kind != "interleaved"]
    assert all(MIN_PASSAGE <= case.length <= MAX_PASSAGE for case in passages)
    sentences = [case for case in truth.cases if case.kind == "interleaved"]
    assert all(20 <= case.length <= 120 for case in sentences)
    assert any(case.same_enterprise for case in truth.cases)
    assert any(case.mirror for case in truth.cases)
    assert truth.unrelated
    related = {case.target for case in truth.cases}
    assert not related & set(truth.unrelated)


def test_offsets_point_at_the_planted_text(corpus):
    out, truth = corpus
    for case in truth.cases:
        target = text(out, case.target)[case.target_start : case.target_end]
        source = text(out, case.source)[case.source_start : case.source_end]
        if not case.mirror:
            assert case.source_end - case.source_start == case.length
        if case.kind == "exact":
            assert target == source
        elif case.kind == "digits":
            assert re.sub(r"\d+", "#", target) == re.sub(r"\d+", "#", source)
        elif case.kind == "reordered":
            assert sorted(target) == sorted(source)
            assert target != source
        elif case.kind == "traditional" and not case.mirror:
            assert target == change_script(source)
            assert target != source
        elif case.kind == "punctuation":  # the same letters, digits and hanzi once normalised
            assert target != source
            assert _normalise(target) == _normalise(source)
        elif case.kind == "interleaved":  # one sentence, at most names and digits changed
            assert len(_SENTENCE_END.findall(target)) <= 1
            assert len(_SENTENCE_END.findall(source)) <= 1
        elif case.kind == "heavily_reworded" and not case.mirror:
            # Hardly a 13-character run survives, one change per 8 to 10 source characters.
            runs = {_normalise(source)[i : i + 13] for i in range(len(_normalise(source)) - 12)}
            kept = [r for r in runs if r in _normalise(target)]
            assert len(kept) < 0.1 * len(runs), (len(kept), len(runs))


def test_interleaved_sentences_have_the_copiers_own_text_between(corpus):
    out, truth = corpus
    cases = sorted(
        (c for c in truth.cases if c.kind == "interleaved" and not c.mirror),
        key=lambda c: (c.target, c.target_start),
    )
    pairs = [(a, b) for a, b in itertools.pairwise(cases) if a.target == b.target]
    assert pairs
    for first, second in pairs:
        if second.target_start - first.target_end < 200:
            between = text(out, first.target)[first.target_end : second.target_start]
            assert len(_normalise(between)) >= 4
            assert _normalise(between) not in _normalise(text(out, first.source))


def test_template_text_appears_in_many_documents(corpus):
    out, truth = corpus
    template = (out / "template" / "notice.txt").read_text(encoding="utf-8")
    assert len(template) >= 400
    documents = truth.edition + truth.archive
    holders = [d for d in documents if template in text(out, d)]
    assert len(holders) >= len(documents) // 3
    assert set(holders) == set(truth.template_occurrences)
    for doc, spans in truth.template_occurrences.items():
        for start, end in spans:
            assert text(out, doc)[start:end] == template
    for case in truth.cases:  # no planted copy overlaps template text in its source
        for start, end in truth.template_occurrences.get(case.source, []):
            assert case.source_end <= start or end <= case.source_start


def test_nothing_detected_scores_zero(corpus):
    _, truth = corpus
    result = evaluate(truth, {"documents": [], "stats": {}})
    assert result.overall.plagdet == 0.0
    assert result.overall.recall == 0.0


def test_the_runner_with_a_perfect_fake_engine(tmp_path, capsys):
    engine = tmp_path / "fake_engine.py"
    engine.write_text(FAKE_ENGINE, encoding="utf-8")
    figures = tmp_path / "figures.json"
    code = main(
        [
            "--seed", "3", "--documents", "12", "--chars", "5000",
            "--engine", f"{sys.executable} {engine}",
            "--json", str(figures), "--check",
        ]
    )  # fmt: skip
    printed = capsys.readouterr().out
    assert code == 0, printed
    overall = next(line for line in printed.splitlines() if line.startswith("overall:"))
    assert "precision 1.000  recall 1.000  granularity 1.000  plagdet 1.000" in overall
    for kind in KINDS:
        assert re.search(rf"^  {kind} +.*plagdet 1\.000", printed, re.M), printed
    assert "copied characters on template text: 0; goal 0: ok" in printed
    data = json.loads(figures.read_text())
    assert data["passed"] is True
    assert data["unrelated_max_copy_ratio"] == 0.0
