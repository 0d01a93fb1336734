"""The automatic checks of the provincial screening, as pure functions over plain inputs.

Each check returns an `Outcome`: the check's code, a status, a short reason for the admin and
the figures behind it. Nothing here reads the database or the file store; the service
(`services_checks`) gathers the inputs and saves the results. The Word/PDF agreement compares
the two texts after the similarity engine's normalisation (punctuation, white space, full-width
forms, traditional characters and figures do not count as differences): sentences are matched
first, then the characters of the sentences that differ, so a 60-page pair costs milliseconds.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from banzu.applications.rules import REQUIRED_DOCUMENTS, enterprise_core_name
from banzu.screening.enums import CheckCode, CheckStatus
from banzu.similarity import format_ratio
from banzu.similarity.extract import Extracted
from banzu.similarity.normalize import Normalized, normalize

MAX_DIFFERENCES = 20
EXCERPT_CHARS = 40
# Character matches shorter than this inside differing sentences are chance (a common word).
MIN_CHAR_MATCH = 4
# Above this product of lengths, two differing regions are not compared character by character.
MAX_REFINE = 4_000_000
_SENTENCE_END = re.compile(r"[。！？；!?;]")
_CJK = "\u3000-\u9fff\uff00-\uffef"
_CJK_BREAK = re.compile(f"(?<=[{_CJK}])\\s+(?=[{_CJK}])")


@dataclass(frozen=True)
class Outcome:
    code: str
    status: str
    reason: str
    data: dict[str, Any] = field(default_factory=dict)


def _listing(items: Iterable[str]) -> str:
    return ", ".join(items)


def _percent(ratio: float) -> str:
    return format_ratio(ratio)


def reaches(ratio: float, threshold: float) -> bool:
    """Whether a ratio reaches a threshold as the screener reads both: the shown figures are
    compared, so 29.96% (shown 30.0%) reaches a flag of 30% and never reads as below it."""
    return _shown(ratio) >= _shown(threshold)


def _shown(ratio: float) -> Decimal:
    return Decimal(format_ratio(ratio).removesuffix("%"))


# --- fields and files -----------------------------------------------------------------------


def check_fields(missing: Sequence[str], labels: Mapping[str, str]) -> Outcome:
    """`missing`: the names of the empty required fields (application and enterprise)."""
    if not missing:
        return Outcome(CheckCode.FIELDS, CheckStatus.PASS, _("All required fields are filled in."))
    names = [labels.get(name, name) for name in missing]
    reason = ngettext(
        "%(count)d required field is empty: %(fields)s.",
        "%(count)d required fields are empty: %(fields)s.",
        len(names),
    ) % {"count": len(names), "fields": _listing(names)}
    return Outcome(CheckCode.FIELDS, CheckStatus.FAIL, reason, {"missing": list(missing)})


def check_files(present_kinds: Iterable[str], labels: Mapping[str, str]) -> Outcome:
    present = set(present_kinds)
    missing = [kind for kind in REQUIRED_DOCUMENTS if kind not in present]
    if not missing:
        return Outcome(CheckCode.FILES, CheckStatus.PASS, _("All required files are uploaded."))
    reason = _("Missing files: %(files)s.") % {
        "files": _listing(labels.get(kind, kind) for kind in missing)
    }
    return Outcome(CheckCode.FILES, CheckStatus.FAIL, reason, {"missing": missing})


# --- Word and PDF agreement -----------------------------------------------------------------


@dataclass(frozen=True)
class Difference:
    """Original offsets, end exclusive, of a passage found in one text and not the other (an
    empty span marks where the other text's passage would be)."""

    word_start: int
    word_end: int
    pdf_start: int
    pdf_end: int
    word_excerpt: str
    pdf_excerpt: str

    @property
    def size(self) -> int:
        return max(self.word_end - self.word_start, self.pdf_end - self.pdf_start)


@dataclass(frozen=True)
class Agreement:
    ratio: float  # the smaller of the two coverages
    word_coverage: float
    pdf_coverage: float
    difference_count: int
    differences: list[Difference]  # the largest MAX_DIFFERENCES, in Word order


def _chunks(text: str, normalized: Normalized) -> list[tuple[int, int]]:
    """Normalised [start, end) of each sentence of the original text (empty ones left out)."""
    ends = [match.end() for match in _SENTENCE_END.finditer(text)] + [len(text)]
    bounds = [int(b) for b in normalized.offsets.searchsorted(ends)]
    chunks, start = [], 0
    for end in bounds:
        if end > start:
            chunks.append((start, end))
            start = end
    return chunks


def _matching_blocks(a: Normalized, b: Normalized, a_text: str, b_text: str) -> list[tuple]:
    """(a_start, b_start, size) of the matching runs, in order in both texts."""
    a_chunks, b_chunks = _chunks(a_text, a), _chunks(b_text, b)
    a_codes, b_codes = a.text(), b.text()
    a_keys = [a_codes[s:e] for s, e in a_chunks]
    b_keys = [b_codes[s:e] for s, e in b_chunks]
    blocks: list[tuple[int, int, int]] = []
    matcher = difflib.SequenceMatcher(None, a_keys, b_keys, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        a_start = a_chunks[i1][0] if i1 < i2 else 0
        b_start = b_chunks[j1][0] if j1 < j2 else 0
        if op == "equal":
            for (s, e), (t, _u) in zip(a_chunks[i1:i2], b_chunks[j1:j2], strict=True):
                blocks.append((s, t, e - s))
        elif op == "replace":
            a_end, b_end = a_chunks[i2 - 1][1], b_chunks[j2 - 1][1]
            if (a_end - a_start) * (b_end - b_start) > MAX_REFINE:
                continue
            inner = difflib.SequenceMatcher(
                None, a_codes[a_start:a_end], b_codes[b_start:b_end], autojunk=False
            )
            blocks.extend(
                (a_start + i, b_start + j, size)
                for i, j, size in inner.get_matching_blocks()
                if size >= MIN_CHAR_MATCH
            )
    return blocks


def _excerpt(text: str, start: int, end: int) -> str:
    # A line break between two Chinese characters (a PDF's line end) is no space.
    piece = " ".join(_CJK_BREAK.sub("", text[start:end]).split())
    return piece if len(piece) <= EXCERPT_CHARS else piece[:EXCERPT_CHARS] + "…"


def _original(normalized: Normalized, text: str, start: int, end: int) -> tuple[int, int]:
    if end > start:
        return normalized.original_span(start, end)
    at = int(normalized.offsets[start]) if start < len(normalized) else len(text)
    return at, at


def agreement(word_text: str, pdf_text: str) -> Agreement:
    """How far two texts say the same thing: the share of each text's normalised characters
    that lie in passages matching the other, and the passages that do not."""
    a, b = normalize(word_text), normalize(pdf_text)
    if not len(a) or not len(b):
        same = len(a) == len(b)
        return Agreement(1.0 if same else 0.0, float(same), float(same), 0, [])
    blocks = _matching_blocks(a, b, word_text, pdf_text)
    covered_a = sum(size for _i, _j, size in blocks)
    found: list[Difference] = []
    a_at = b_at = 0
    for i, j, size in [*blocks, (len(a), len(b), 0)]:
        if i > a_at or j > b_at:
            word_span = _original(a, word_text, a_at, i)
            pdf_span = _original(b, pdf_text, b_at, j)
            found.append(
                Difference(
                    *word_span,
                    *pdf_span,
                    word_excerpt=_excerpt(word_text, *word_span),
                    pdf_excerpt=_excerpt(pdf_text, *pdf_span),
                )
            )
        a_at, b_at = i + size, j + size
    largest = sorted(found, key=lambda d: d.size, reverse=True)[:MAX_DIFFERENCES]
    word_coverage, pdf_coverage = covered_a / len(a), covered_a / len(b)
    return Agreement(
        ratio=round(min(word_coverage, pdf_coverage), 4),
        word_coverage=round(word_coverage, 4),
        pdf_coverage=round(pdf_coverage, 4),
        difference_count=len(found),
        differences=sorted(largest, key=lambda d: (d.word_start, d.pdf_start)),
    )


def check_word_pdf(word: Extracted | None, pdf: Extracted | None, *, threshold: float) -> Outcome:
    """`word`, `pdf`: the extracted materials, None when that file is not uploaded."""
    code = CheckCode.WORD_PDF
    if word is None or pdf is None:
        missing = _("Word file") if word is None else _("PDF")
        if word is None and pdf is None:
            missing = _("Word file and PDF")
        return Outcome(
            code,
            CheckStatus.FAIL,
            _("The materials' %(missing)s is missing.") % {"missing": missing},
        )
    for name, extracted in ((_("Word file"), word), (_("PDF"), pdf)):
        if extracted.error:
            reason = _("The materials' %(file)s could not be read: %(error)s.") % {
                "file": name,
                "error": extracted.error,
            }
            return Outcome(code, CheckStatus.FAIL, reason, {"error": extracted.error})
    found = agreement(word.text, pdf.text)
    passed = reaches(found.ratio, threshold)
    figures = {"agreement": _percent(found.ratio), "threshold": _percent(threshold)}
    if passed and not found.difference_count:
        reason = _("Word and PDF agree on %(agreement)s of the text.") % figures
    else:
        reason = ngettext(
            "Word and PDF agree on %(agreement)s of the text (at least %(threshold)s "
            "required); %(count)d passage differs.",
            "Word and PDF agree on %(agreement)s of the text (at least %(threshold)s "
            "required); %(count)d passages differ.",
            found.difference_count,
        ) % {**figures, "count": found.difference_count}
    data = {
        "agreement": found.ratio,
        "word_coverage": found.word_coverage,
        "pdf_coverage": found.pdf_coverage,
        "threshold": threshold,
        "difference_count": found.difference_count,
        "differences": [
            {
                "word": [d.word_start, d.word_end],
                "pdf": [d.pdf_start, d.pdf_end],
                "word_excerpt": d.word_excerpt,
                "pdf_excerpt": d.pdf_excerpt,
            }
            for d in found.differences
        ],
    }
    return Outcome(code, CheckStatus.PASS if passed else CheckStatus.FAIL, reason, data)


# --- presentation, stamped form, declarations, deadline ---------------------------------------


def check_presentation(presentation: Extracted | None) -> Outcome:
    code = CheckCode.PRESENTATION
    if presentation is None:
        return Outcome(code, CheckStatus.FAIL, _("The PPT is missing."))
    if presentation.error:
        reason = _("The PPT could not be read: %(error)s.") % {"error": presentation.error}
        return Outcome(code, CheckStatus.FAIL, reason, {"error": presentation.error})
    slides = len({s.where for s in presentation.segments if s.where.startswith("slide")})
    reason = ngettext(
        "The PPT opens; %(count)d slide has text.",
        "The PPT opens; %(count)d slides have text.",
        slides,
    ) % {"count": slides}
    return Outcome(code, CheckStatus.PASS, reason, {"slides_with_text": slides})


def check_stamped_form(present: bool) -> Outcome:
    if present:
        return Outcome(
            CheckCode.STAMPED_FORM, CheckStatus.PASS, _("The stamped application form is uploaded.")
        )
    return Outcome(
        CheckCode.STAMPED_FORM, CheckStatus.FAIL, _("The stamped application form is missing.")
    )


def check_declarations(
    *, no_accident_declared: bool, originality_pledged: bool, accident_count: int | None
) -> Outcome:
    code = CheckCode.DECLARATIONS
    missing = []
    if not no_accident_declared:
        missing.append(_("no-accident declaration"))
    if not originality_pledged:
        missing.append(_("originality pledge"))
    data = {
        "no_accident_declared": no_accident_declared,
        "originality_pledged": originality_pledged,
        "accident_count": accident_count,
    }
    if missing:
        reason = _("Not ticked: %(declarations)s.") % {"declarations": _listing(missing)}
        return Outcome(code, CheckStatus.FAIL, reason, data)
    if accident_count:
        reason = ngettext(
            "The no-accident declaration is ticked, but the form reports %(count)d accident.",
            "The no-accident declaration is ticked, but the form reports %(count)d accidents.",
            accident_count,
        ) % {"count": accident_count}
        return Outcome(code, CheckStatus.FAIL, reason, data)
    return Outcome(code, CheckStatus.PASS, _("Both declarations are ticked."), data)


def _moment(value: dt.datetime) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")


def check_deadline(submitted_at: dt.datetime | None, deadline: dt.datetime) -> Outcome:
    code = CheckCode.DEADLINE
    data = {
        "submitted_at": submitted_at.isoformat() if submitted_at else None,
        "deadline": deadline.isoformat(),
    }
    if submitted_at is None:
        return Outcome(code, CheckStatus.FAIL, _("The application was never submitted."), data)
    figures = {"submitted": _moment(submitted_at), "deadline": _moment(deadline)}
    if submitted_at > deadline:
        reason = _("Submitted on %(submitted)s, after the deadline of %(deadline)s.") % figures
        return Outcome(code, CheckStatus.FAIL, reason, data)
    reason = _("Submitted on %(submitted)s, before the deadline of %(deadline)s.") % figures
    return Outcome(code, CheckStatus.PASS, reason, data)


# --- duplicates -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Entry:
    """One application of the edition, for the duplicate check. `label` names it in reasons
    (its recommendation number); the pk stands in when it is empty."""

    pk: int
    team_name: str
    enterprise_name: str
    title: str
    label: str = ""


def _plain(text: str) -> str:
    return normalize(text).text()


def check_duplicates(pk: int, entries: Sequence[Entry]) -> Outcome:
    """The same team (team name within the same enterprise, legal-form suffixes aside) entered
    twice fails; the same experience title by another team is flagged for a look."""
    code = CheckCode.DUPLICATE
    own = next((e for e in entries if e.pk == pk), None)
    if own is None:
        return Outcome(code, CheckStatus.PASS, _("Not entered twice in this edition."))

    def team_key(entry: Entry) -> tuple[str, str]:
        return _plain(enterprise_core_name(entry.enterprise_name)), _plain(entry.team_name)

    own_team, own_title = team_key(own), _plain(own.title)
    same_team = [e for e in entries if e.pk != pk and all(own_team) and team_key(e) == own_team]
    same_title = [
        e
        for e in entries
        if e.pk != pk and e not in same_team and own_title and _plain(e.title) == own_title
    ]
    data = {"same_team": [e.pk for e in same_team], "same_title": [e.pk for e in same_title]}

    def names(found: list[Entry]) -> str:
        return _listing(e.label or f"#{e.pk}" for e in found)

    parts = []
    if same_team:
        parts.append(
            _("the same team is also entered as %(others)s") % {"others": names(same_team)}
        )
    if same_title:
        parts.append(
            _("the same experience title is also entered as %(others)s")
            % {"others": names(same_title)}
        )
    if not parts:
        return Outcome(code, CheckStatus.PASS, _("Not entered twice in this edition."), data)
    reason = _("Entered twice: %(found)s.") % {"found": "; ".join(parts)}
    return Outcome(code, CheckStatus.FAIL if same_team else CheckStatus.WARN, reason, data)


# --- plagiarism figures ---------------------------------------------------------------------


@dataclass(frozen=True)
class Figures:
    """The plagiarism scan's figures of one application (from its SimilarityReport).
    `top_source_mutual`: the largest source is another application of this edition, so the text
    cannot say which of the two came first and the reason names no direction."""

    copy_ratio: float
    max_source_ratio: float
    top_source: str = ""
    error: str = ""
    top_source_mutual: bool = False


def _source_reason(figures: Figures, flagged: bool) -> str:
    """The largest source in words: an archive document was copied from; a document of this
    edition overlaps, which came first unknown."""
    if figures.top_source_mutual:
        if flagged:
            return _(
                "%(source)s of the text overlaps with one document of this edition, %(label)s "
                "(flag from %(source_flag)s); mutual overlap, which came first cannot be told; "
                "%(copy)s copied in all."
            )
        return _(
            "%(copy)s of the text is copied in all (flag from %(copy_flag)s); the largest "
            "overlap, with %(label)s of this edition, %(source)s."
        )
    if flagged:
        return _(
            "%(source)s of the text copies one source, %(label)s (flag from "
            "%(source_flag)s); %(copy)s copied in all."
        )
    return _(
        "%(copy)s of the text is copied in all (flag from %(copy_flag)s); the largest "
        "source, %(label)s, %(source)s."
    )


def check_plagiarism(
    figures: Figures | None, *, copy_ratio_flag: float, source_ratio_flag: float
) -> Outcome:
    """A single source at or above its flag fails (copying from one identifiable document is
    what disqualifies); a total copy ratio at or above its flag, spread over several sources,
    asks for a look; no report yet is pending. Ratios reach a flag as they are shown."""
    code = CheckCode.PLAGIARISM
    if figures is None:
        return Outcome(code, CheckStatus.PENDING, _("The plagiarism scan has not run yet."))
    if figures.error:
        reason = _("The plagiarism scan could not read the materials: %(error)s.") % {
            "error": figures.error
        }
        return Outcome(code, CheckStatus.WARN, reason, {"error": figures.error})
    values = {
        "copy": _percent(figures.copy_ratio),
        "source": _percent(figures.max_source_ratio),
        "copy_flag": _percent(copy_ratio_flag),
        "source_flag": _percent(source_ratio_flag),
        "label": figures.top_source,
    }
    data = {
        "copy_ratio": figures.copy_ratio,
        "max_source_ratio": figures.max_source_ratio,
        "top_source": figures.top_source,
        "top_source_mutual": figures.top_source_mutual,
        "copy_ratio_flag": copy_ratio_flag,
        "source_ratio_flag": source_ratio_flag,
    }
    if reaches(figures.max_source_ratio, source_ratio_flag):
        return Outcome(code, CheckStatus.FAIL, _source_reason(figures, True) % values, data)
    if reaches(figures.copy_ratio, copy_ratio_flag):
        return Outcome(code, CheckStatus.WARN, _source_reason(figures, False) % values, data)
    if figures.copy_ratio == 0:
        return Outcome(code, CheckStatus.PASS, _("No copied text found."), data)
    reason = _("%(copy)s of the text is copied in all; the largest source %(source)s.") % values
    return Outcome(code, CheckStatus.PASS, reason, data)
