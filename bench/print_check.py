"""The print check of every document type (issue 18, "What must hold").

Run: .venv/bin/python bench/print_check.py [--stage before] [--keep DIR] [--system-fonts]

Builds the demo in a throw-away SQLite database (SQLITE_PATH and BANZU_FILES_DIR point into a
temporary folder, or into DIR with --keep, which reuses a database built there before), gives it
hard content (75-character enterprise names and rare characters in every enterprise, team and
person name, one application with a 20,000-character narrative and empty optional fields, long
score comments), renders every document type in each of its formats and checks each copy:

- pages: the Word copy, converted with LibreOffice headless, has as many pages as the PDF;
- labels: every label of the layout (a field name, a column heading) is whole on one line of the
  PDF's text (pdftotext), so no label cell breaks inside a term; the Word copy is read the same
  way through LibreOffice's PDF;
- one page: Attachment 3, blank and filled, is one page in both copies;
- fonts: every font of the PDF is embedded (pdffonts);
- glyphs: no .notdef glyph is drawn (glyph 0 in the PDF's text operators) and every character of
  the document's text comes back out of the PDF (pdftotext);
- row heights: every Excel row whose text wraps at the column's width has a height to show it.

The PDFs are rendered with the machine's system fonts hidden (a fontconfig of var/fonts only), as
on a machine set up with `make run`; --system-fonts keeps them. The pure checks at the top need
no Django (tests/documents/test_print_check.py runs them in the suite). Every page is drawn to
PNG (pdftoppm -r 60) in /tmp/doccheck/shots/<stage>/, the Word and Excel copies through
LibreOffice's PDF. See docs/printing.md.
"""

from __future__ import annotations

import argparse
import io
import json
import logging
import math
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

if TYPE_CHECKING:
    from banzu.documents.model import Document

SHOTS = Path("/tmp/doccheck/shots")  # noqa: S108 - where the brief wants the PNGs

# Rare name characters that every PDF must draw (the names use the first six): CJK Extension B
# ideographs of GB 18030-2022's implementation level 2, the level for names (𫖯 𬌗 𣲗 𬴂 𠅤 𪨶,
# among the 196 of the 通用规范汉字表 beyond the BMP, which the full Noto fonts hold), 𠮷 and 𡈽
# (level 3, common in Japanese names; the rare faces prepare_fonts fetches hold them), Extension A
# (䶮) and BMP ideographs GB 2312 lacks (喆 堃 玥 …). Not 𤭢 or 𪚥: they are beyond level 2, no
# font prepare_fonts installs holds them (Noto Serif/Sans SC, the Noto Serif HK and JP rare faces),
# and we know of no openly licensed font to add without root that does; the check would only
# report what no machine set up with `make run` can print (docs/printing.md).
RARE = "𠮷𫖯𡈽𬌗𣲗𬴂䶮喆堃玥珺赟翀彧淏𠅤𪨶"
PERSON_NAMES = ("王𠮷喆", "李䶮", "陈堃", "张𪨶玥", "刘𡈽珺", "周𬌗赟", "吴𣲗翀", "郑𠅤淏")
NAME_FILLER = "第一工程建设分公司城市更新与智能建造联合体装配式建筑产业化基地项目管理部"
SENTENCE = (
    "班组坚持每日班前会，开展质量自检、互检和专检，运用QC七大手法分析钢筋加工偏差原因，"
    "形成标准化作业指导书并在项目部推广应用，班长王𠮷喆带领䶮、堃二位师傅攻关。"
)
TAB_TABLE = "项目\t目标值\t实际值\n一次合格率\t98%\t99.2%\n返工次数\t≤3\t1"


# --- Hard content (pure) ------------------------------------------------------------------------


def long_name(base: str, length: int = 75, suffix: str = "有限公司") -> str:
    """`base` with rare characters, padded to exactly `length` characters, ending in `suffix`."""
    core = base.removesuffix(suffix) + RARE[:6]
    filled = (core + NAME_FILLER * 3)[: length - len(suffix)]
    return filled + suffix


def narrative(total: int = 20_000, parts: int = 5) -> list[str]:
    """`parts` narrative sections of `total` characters in all: paragraphs indented with two
    full-width spaces, rare characters, and one section with a tab-laid table."""
    texts = []
    for part in range(1, parts + 1):
        size = total // parts
        paragraphs: list[str] = []
        if part == 4:
            paragraphs.append(TAB_TABLE)
        while sum(len(p) + 1 for p in paragraphs) < size:
            paragraphs.append(f"\u3000\u3000（{part}.{len(paragraphs) + 1}）" + SENTENCE * 3)
        text = "\n".join(paragraphs)
        texts.append(text[:size])
    return texts


# --- The checks (pure: bytes in, findings out) --------------------------------------------------


@dataclass
class Check:
    ok: bool | None  # None: does not apply
    detail: str = ""

    @property
    def mark(self) -> str:
        return "-" if self.ok is None else ("pass" if self.ok else "FAIL")


@dataclass
class Copy:
    """One rendered copy of a document: what it is and what the checks found."""

    document: str
    fmt: str
    pages: int | None = None
    checks: dict[str, Check] = field(default_factory=dict)
    error: str = ""


def _run(args: list[str], data: bytes | None = None, env: dict[str, str] | None = None) -> bytes:
    return subprocess.run(  # noqa: S603 - fixed argv of poppler and LibreOffice, no shell
        args, input=data, capture_output=True, check=True, env=env
    ).stdout


def pdf_pages(pdf: bytes) -> int:
    info = _run(["pdfinfo", "-"], pdf).decode()
    match = re.search(r"^Pages:\s+(\d+)", info, re.MULTILINE)
    assert match, info
    return int(match.group(1))


def pdf_text(pdf: bytes) -> str:
    return _run(["pdftotext", "-enc", "UTF-8", "-", "-"], pdf).decode()


def _squeezed(text: str) -> str:
    return "".join(ch for ch in text if not ch.isspace())


def broken_labels(text: str, labels: Iterable[str]) -> list[str]:
    """The labels not whole on one line of `text` (pdftotext's reading order): absent as a whole
    from every line, or found more often across lines than within them (split somewhere)."""
    lines = [_squeezed(line) for line in text.splitlines()]
    joined = "".join(lines)
    broken = []
    for label in dict.fromkeys(_squeezed(label) for label in labels):
        if not label:
            continue
        whole = sum(line.count(label) for line in lines)
        if whole == 0 or joined.count(label) > whole:
            broken.append(label)
    return broken


def unembedded_fonts(pdf: bytes) -> list[str]:
    """The fonts pdffonts lists as not embedded."""
    out = _run(["pdffonts", "-"], pdf).decode().splitlines()
    missing = []
    for line in out[2:]:
        columns = line.split()
        # name type [encoding words] emb sub uni object-id generation
        if len(columns) >= 7 and columns[-5] != "yes":
            missing.append(columns[0])
    return missing


_CIDCHAR = re.compile(rb"<([0-9a-fA-F]+)>\s+(\d+)")
_CIDRANGE = re.compile(rb"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>\s+(\d+)")
_BFCHAR = re.compile(rb"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>")


def _notdef_codes(font: Any) -> set[bytes]:
    """The character codes a composite font draws as CID 0 (.notdef, the box): code 0 under
    Identity-H; under an embedded encoding CMap (WeasyPrint writes one per subset), every code
    it maps to CID 0."""
    encoding = font.get("/Encoding")
    if encoding is None:
        return set()
    encoding = encoding.get_object()
    if not hasattr(encoding, "get_data"):
        return {b"\x00\x00"} if encoding == "/Identity-H" else set()
    data = encoding.get_data()
    codes = set()
    for block in re.findall(rb"begincidrange(.*?)endcidrange", data, re.S):
        for start, _end, cid in _CIDRANGE.findall(block):
            if int(cid) == 0:  # a range's first code gets the range's first CID
                codes.add(bytes.fromhex(start.decode()))
    for block in re.findall(rb"begincidchar(.*?)endcidchar", data, re.S):
        codes |= {
            bytes.fromhex(code.decode()) for code, cid in _CIDCHAR.findall(block) if cid == b"0"
        }
    return codes


def _to_unicode(font: Any) -> dict[bytes, str]:
    stream = font.get("/ToUnicode")
    if stream is None:
        return {}
    data = stream.get_object().get_data()
    found = {}
    for block in re.findall(rb"beginbfchar(.*?)endbfchar", data, re.S):
        for code, text in _BFCHAR.findall(block):
            found[bytes.fromhex(code.decode())] = bytes.fromhex(text.decode()).decode("utf-16-be")
    return found


def notdef_glyphs(pdf: bytes) -> list[str]:
    """The characters drawn as .notdef (a box) by the PDF's composite fonts, one per drawing
    ("?" where the PDF does not say which character it stood for)."""
    from pypdf import PdfReader
    from pypdf.generic import ContentStream

    reader = PdfReader(io.BytesIO(pdf))

    def fonts_of(resources: Any) -> dict[str, tuple[set[bytes], dict[bytes, str]]]:
        fonts: Any = resources.get("/Font") if resources else None
        if fonts is None:
            return {}
        found = {}
        for name, ref in fonts.get_object().items():
            font = ref.get_object()
            if font.get("/Subtype") == "/Type0":
                found[name] = (_notdef_codes(font), _to_unicode(font))
        return found

    def drawn(contents: Any, resources: Any) -> list[str]:
        if contents is None:
            return []
        resources = resources.get_object() if resources else {}
        fonts = fonts_of(resources)
        current: tuple[set[bytes], dict[bytes, str]] = (set(), {})
        found: list[str] = []
        for operands, operator in ContentStream(contents, reader).operations:
            if operator == b"Tf":
                current = fonts.get(operands[0], (set(), {}))
            elif operator in (b"Tj", b"'", b'"', b"TJ") and current[0]:
                strings = operands[0] if operator == b"TJ" else operands[-1:]
                for item in strings:
                    raw = getattr(item, "original_bytes", item)  # a string pypdf decoded
                    if isinstance(raw, bytes):
                        for i in range(0, len(raw) - 1, 2):
                            if raw[i : i + 2] in current[0]:
                                found.append(current[1].get(raw[i : i + 2], "?"))
            elif operator == b"Do":
                xobjects: Any = resources.get("/XObject")
                xobject = xobjects.get_object().get(operands[0]) if xobjects else None
                xobject = xobject.get_object() if xobject is not None else None
                if xobject is not None and xobject.get("/Subtype") == "/Form":
                    found += drawn(xobject, xobject.get("/Resources", resources))
        return found

    return [
        ch for page in reader.pages for ch in drawn(page.get_contents(), page.get("/Resources"))
    ]


def missing_characters(expected: str, text: str) -> list[str]:
    """Characters of `expected` that never come out of the PDF's text."""
    seen = set(text)
    return sorted(
        {
            ch
            for ch in expected
            if not ch.isspace() and unicodedata.category(ch) not in ("Cf", "Cc") and ch not in seen
        }
    )


def _display_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def short_rows(xlsx: bytes, points_per_line: float = 12.0) -> list[str]:
    """Rows whose wrapped text needs more than one line at its column's width (Excel's width is
    in characters of the default font; a CJK character takes two) but have no height set, or less
    than `points_per_line` per line."""
    from openpyxl import load_workbook
    from openpyxl.utils import get_column_letter

    workbook = load_workbook(io.BytesIO(xlsx))
    found = []
    for sheet in workbook.worksheets:
        spans = {}
        for merged in sheet.merged_cells.ranges:
            spans[(merged.min_row, merged.min_col)] = (merged.min_col, merged.max_col)
        for row in sheet.iter_rows():
            need = 1
            for cell in row:
                if cell.value is None or not cell.alignment.wrap_text:
                    continue
                first, last = spans.get((cell.row, cell.column), (cell.column, cell.column))
                width = sum(
                    sheet.column_dimensions[get_column_letter(c)].width or 8.43
                    for c in range(first, last + 1)
                )
                usable = max(width - 1, 1)
                lines = sum(
                    max(1, math.ceil(_display_width(part) / usable))
                    for part in str(cell.value).split("\n")
                )
                need = max(need, lines)
            if need > 1:
                number = row[0].row
                height = sheet.row_dimensions[number].height
                if height is None or height < need * points_per_line:
                    shown = "none" if height is None else f"{height:g} pt"
                    found.append(f"{sheet.title}!{number}: {need} lines, height {shown}")
    return found


def libreoffice_pdfs(files: dict[str, bytes], folder: Path) -> dict[str, bytes]:
    """Each file (name → bytes) converted to PDF by LibreOffice headless in one run, with a
    profile of its own (a running LibreOffice with the default profile would swallow the job).
    Each file is written under a stem of its own (x.docx as x_docx.docx), since LibreOffice names
    its PDF by the stem: x.docx and x.xlsx would both become x.pdf, the last one winning."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    stems = {}
    for name, content in files.items():
        source = Path(name)
        stem = f"{source.stem}_{source.suffix.lstrip('.')}"
        stems[name] = stem
        path = folder / f"{stem}{source.suffix}"
        path.write_bytes(content)
        paths.append(str(path))
    out = folder / "pdf"
    env = {k: v for k, v in os.environ.items() if k != "FONTCONFIG_FILE"}
    profile = (folder / "lo-profile").as_uri()
    _run(
        [
            "soffice",
            f"-env:UserInstallation={profile}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(out),
            *paths,
        ],
        env=env,
    )
    return {name: (out / f"{stem}.pdf").read_bytes() for name, stem in stems.items()}


def shots(pdf: bytes, folder: Path, stem: str, *, first: int = 4) -> list[Path]:
    """Pages 1..`first` and the last page as PNG at 60 dpi."""
    folder.mkdir(parents=True, exist_ok=True)
    pages = pdf_pages(pdf)
    wanted = sorted({*range(1, min(first, pages) + 1), pages})
    made = []
    for page in wanted:
        prefix = folder / f"{stem}-p{page:02d}"
        _run(
            ["pdftoppm", "-r", "60", "-png", "-singlefile", "-f", str(page), "-l", str(page),
             "-", str(prefix)],
            pdf,
        )  # fmt: skip
        made.append(prefix.with_suffix(".png"))
    return made


# --- What a document says -----------------------------------------------------------------------


def labels_of(document: Document) -> list[str]:
    """The layout's labels: every field name and column heading, in cells and on lines."""
    from banzu.documents.model import Line, Table

    found: list[str] = []
    for block in document.blocks:
        if isinstance(block, Line):
            found += [text for text in (block.label, block.right_label) if text]
        elif isinstance(block, Table):
            for row in block.rows:
                for cell in row:
                    found += [p.text for p in cell.content if p.style == "label"]
    return found


def text_of(document: Document) -> str:
    from banzu.documents.model import Line, Para, Table

    parts: list[str] = [document.title]
    for block in document.blocks:
        if isinstance(block, Para):
            parts.append(block.text)
        elif isinstance(block, Line):
            parts += [block.label, block.value, block.right_label, block.right_value]
        elif isinstance(block, Table):
            parts += [cell.text for row in block.rows for cell in row]
    return "\n".join(parts)


@dataclass
class Case:
    """A document type: its layout's `Document` (for the labels and the text) and its copies."""

    name: str
    files: dict[str, bytes]
    document: Document | None = None
    text: str = ""
    one_page: bool = False


def check_case(case: Case, word_pdfs: dict[str, bytes], shots_dir: Path | None) -> list[Copy]:
    labels = labels_of(case.document) if case.document else []
    expected = text_of(case.document) if case.document else case.text
    copies = []
    pdf_pages_count = None
    if "pdf" in case.files:
        pdf = case.files["pdf"]
        copy = Copy(case.name, "pdf", pdf_pages(pdf))
        pdf_pages_count = copy.pages
        text = pdf_text(pdf)
        broken = broken_labels(text, labels)
        copy.checks["labels"] = Check(not broken, ", ".join(broken)) if labels else Check(None)
        if case.one_page:
            copy.checks["one page"] = Check(copy.pages == 1, f"{copy.pages} pages")
        loose = unembedded_fonts(pdf)
        copy.checks["fonts"] = Check(not loose, "not embedded: " + ", ".join(loose))
        boxes = notdef_glyphs(pdf)
        lost = missing_characters(expected, text)
        detail = []
        if boxes:
            detail.append(f"{len(boxes)} drawn as .notdef: {''.join(sorted(set(boxes)))}")
        if lost:
            detail.append("not in the text: " + "".join(lost[:20]))
        copy.checks["glyphs"] = Check(not boxes and not lost, "; ".join(detail))
        if shots_dir:
            shots(pdf, shots_dir, f"{case.name}-pdf")
        copies.append(copy)
    if "docx" in case.files:
        converted = word_pdfs.get(f"{case.name}.docx")
        copy = Copy(case.name, "docx")
        if converted is None:
            copy.error = "LibreOffice gave no PDF"
        else:
            copy.pages = pdf_pages(converted)
            if pdf_pages_count is not None:
                copy.checks["word = pdf"] = Check(
                    copy.pages == pdf_pages_count,
                    f"Word {copy.pages}, PDF {pdf_pages_count}",
                )
            broken = broken_labels(pdf_text(converted), labels)
            copy.checks["labels"] = Check(not broken, ", ".join(broken)) if labels else Check(None)
            if case.one_page:
                copy.checks["one page"] = Check(copy.pages == 1, f"{copy.pages} pages")
            if shots_dir:
                shots(converted, shots_dir, f"{case.name}-docx")
        copies.append(copy)
    if "xlsx" in case.files:
        copy = Copy(case.name, "xlsx")
        short = short_rows(case.files["xlsx"])
        shown = "; ".join(short[:4]) + (f" (+{len(short) - 4} more)" if len(short) > 4 else "")
        copy.checks["row heights"] = Check(not short, shown)
        converted = word_pdfs.get(f"{case.name}.xlsx")
        if converted is not None:
            copy.pages = pdf_pages(converted)
            if shots_dir:
                shots(converted, shots_dir, f"{case.name}-xlsx")
        copies.append(copy)
    return copies


COLUMNS = ("word = pdf", "labels", "one page", "fonts", "glyphs", "row heights")


def table(copies: list[Copy]) -> str:
    width = max([len(c.document) for c in copies] + [8]) + 2
    lines = [
        f"{'document':<{width}}{'format':<7}{'pages':>6}  "
        + "".join(f"{name:<12}" for name in COLUMNS)
    ]
    details = []
    for copy in copies:
        pages = "" if copy.pages is None else str(copy.pages)
        marks = "".join(f"{copy.checks.get(name, Check(None)).mark:<12}" for name in COLUMNS)
        lines.append(f"{copy.document:<{width}}{copy.fmt:<7}{pages:>6}  {marks}".rstrip())
        if copy.error:
            details.append(f"  {copy.document} {copy.fmt}: ERROR {copy.error}")
        for name, check in copy.checks.items():
            if check.ok is False:
                details.append(f"  {copy.document} {copy.fmt} {name}: {check.detail}")
    return "\n".join([*lines, "", "Failures:" if details else "No failures.", *details])


# --- The state: the demo with hard content ------------------------------------------------------


def hide_system_fonts(folder: Path) -> None:
    """Fontconfig sees only the prepared fonts (var/fonts), as on a machine set up with `make
    run`; must run before WeasyPrint loads."""
    config = folder / "fonts.conf"
    config.write_text(
        '<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd"><fontconfig>'
        f"<dir>{ROOT / 'var' / 'fonts'}</dir><cachedir>{folder / 'fc-cache'}</cachedir>"
        "</fontconfig>",
        encoding="utf-8",
    )
    os.environ["FONTCONFIG_FILE"] = str(config)


def setup_django(folder: Path) -> bool:
    """A database of its own in `folder`; True when it already holds the hard demo."""
    database = folder / "bench.sqlite3"
    existed = (folder / "hard.done").exists()
    if not existed:
        database.unlink(missing_ok=True)
    os.environ["SQLITE_PATH"] = str(database)
    os.environ["BANZU_FILES_DIR"] = str(folder / "files")
    os.environ["EMAIL_BACKEND"] = "django.core.mail.backends.locmem.EmailBackend"
    os.environ["TASKS_BACKEND"] = "django_tasks.backends.dummy.DummyBackend"
    os.environ["DEBUG"] = "1"  # load_demo refuses otherwise
    os.environ.pop("DATABASE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "banzu.settings")
    import django
    from django.conf import settings

    django.setup()
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    if existed:
        return True
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("load_demo", stdout=io.StringIO())
    return False


def _replace_everywhere(mapping: dict[str, str]) -> int:
    """Every text and JSON column of the project's tables with each key replaced by its value
    (longest first): a name changed everywhere it was copied (snapshots, payloads). A bench's
    shortcut past the services, which would refuse to rename what is frozen."""
    from django.apps import apps
    from django.db import models

    pattern = re.compile("|".join(re.escape(k) for k in sorted(mapping, key=len, reverse=True)))

    def swap(text: str) -> str:
        return pattern.sub(lambda m: mapping[m.group(0)], text)

    changed = 0
    for model in apps.get_models():
        if (
            not model.__module__.startswith("banzu.")
            or model._meta.proxy
            or model._meta.app_label == "audit"  # append-only, and never printed
        ):
            continue
        names = [
            f.name
            for f in model._meta.concrete_fields
            if isinstance(f, models.CharField | models.TextField | models.JSONField)
            and not f.primary_key
            and f.name not in ("password", "username", "email", "token", "sha256")
        ]
        if not names:
            continue
        for row in model._default_manager.values("pk", *names).iterator():
            update = {}
            for name in names:
                old = row[name]
                if isinstance(old, str):
                    new: Any = swap(old)
                elif isinstance(old, dict | list):
                    new = json.loads(swap(json.dumps(old, ensure_ascii=False)))
                else:
                    continue
                if new != old:
                    update[name] = new
            if update:
                model._default_manager.filter(pk=row["pk"]).update(**update)
                changed += 1
    return changed


def make_hard() -> None:
    """Rare characters in every enterprise, team and person name (75-character enterprise
    names), then one recommended application with a 20,000-character narrative, empty optional
    fields and a 75-character team name, and long comments on its scored sheets."""
    from banzu.accounts.models import Enterprise, User
    from banzu.applications.models import Application, Team
    from banzu.scoring.models import ItemScore, ScoreSheet

    mapping = {e.name: long_name(e.name) for e in Enterprise.objects.all()}
    for team in Team.objects.all():
        mapping.setdefault(
            team.name, f"{team.name[:-1]}{RARE[(team.pk or 0) % 6]}喆{team.name[-1]}"
        )
    people = User.objects.exclude(full_name="").order_by("pk")
    for index, user in enumerate(people):
        if user.full_name not in mapping and len(user.full_name) <= 6:
            mapping[user.full_name] = PERSON_NAMES[index % len(PERSON_NAMES)] + str(index)
    _replace_everywhere(mapping)

    application = hard_application()
    team_name = long_name(application.team.name, suffix="班")
    _replace_everywhere({application.team.name: team_name})
    sections = narrative()
    application.refresh_from_db()
    Application.objects.filter(pk=application.pk).update(
        narrative_team=sections[0],
        narrative_management=sections[1],
        narrative_skills=sections[2],
        narrative_improvement=sections[3],
        narrative_results=sections[4],
        narrative_honours="",
        training_hours=None,
        contact_phone="",
        submitted_enterprise={**application.submitted_enterprise, "supervising_contact": ""},
    )
    application.honours.all().delete()
    comment = "评分依据：" + SENTENCE[:60]
    for sheet in ScoreSheet.objects.filter(application=application):
        ItemScore.objects.filter(sheet=sheet).update(comment=comment)
        ScoreSheet.objects.filter(pk=sheet.pk).update(overall_comment=SENTENCE * 2)


def hard_application() -> Any:
    """The 2026 application with the most submitted score sheets (recommended, screened and
    scored by experts): the one given the hard narrative."""
    from django.db.models import Count, Q

    from banzu.applications.models import Application
    from banzu.scoring.enums import SheetState

    return (
        Application.objects.filter(edition__year=2026, recommendation_number__isnull=False)
        .annotate(sheets=Count("score_sheets", filter=Q(score_sheets__state=SheetState.SUBMITTED)))
        .order_by("-sheets", "pk")
        .first()
    )


def captured(
    module: Any, calls: dict[str, Callable[[], Any]]
) -> tuple[dict[str, bytes], Document | None]:
    """Each format's file from the layout's own file function, and the `Document` it handed to
    `render_file` (the labels and the text to check the copies against)."""
    from unittest import mock

    seen: list[Document] = []
    real = module.render_file

    def spy(document: Document, *args: Any, **kwargs: Any) -> Any:
        seen.append(document)
        return real(document, *args, **kwargs)

    with mock.patch.object(module, "render_file", spy):
        files = {fmt: call().content for fmt, call in calls.items()}
    return files, (seen[0] if seen else None)


def cases() -> Iterator[Case | tuple[str, str]]:
    """Every document type, from the hard demo; a type that cannot be built is (name, error)."""
    import datetime as dt

    from banzu.documents.render import render

    today = dt.date(2026, 12, 6)

    def formats(name: str, build: Callable[[], Document], fmts: tuple[str, ...], **kw: Any) -> Case:
        document = build()
        return Case(name, {f: render(document, f) for f in fmts}, document, **kw)  # type: ignore[arg-type]

    builders: list[tuple[str, Callable[[], Case]]] = []

    def add(name: str) -> Callable[[Callable[[], Case]], Callable[[], Case]]:
        def wrap(function: Callable[[], Case]) -> Callable[[], Case]:
            builders.append((name, function))
            return function

        return wrap

    from banzu.editions.models import Edition

    current = Edition.objects.get(year=2026)
    past = Edition.objects.get(year=2025)
    application = hard_application()

    @add("attachment1")
    def _a1() -> Case:
        from banzu.applications import attachment1

        return formats("attachment1", lambda: attachment1.build(application), ("docx", "pdf"))

    @add("attachment2")
    def _a2() -> Case:
        from banzu.recommendations.attachment2 import attachment2_document

        return formats(
            "attachment2",
            lambda: attachment2_document(application.recommender, current, today=today),
            ("docx", "pdf", "xlsx"),
        )

    @add("attachment3-blank")
    def _a3b() -> Case:
        from banzu.scoring import attachment3

        items = attachment3._items(current)
        build = lambda: attachment3.build(year=current.year, items=items)  # noqa: E731
        return formats("attachment3-blank", build, ("docx", "pdf"), one_page=True)

    @add("attachment3-filled")
    def _a3f() -> Case:
        from banzu.scoring import attachment3
        from banzu.scoring.enums import SheetState
        from banzu.scoring.models import ScoreSheet

        sheet = ScoreSheet.objects.filter(
            application=application, state=SheetState.SUBMITTED
        ).first()
        assert sheet is not None, "the hard application has no submitted sheet"
        calls: dict[str, Callable[[], Any]] = {
            "docx": lambda: attachment3.attachment3_sheet_file(sheet, "docx"),
            "pdf": lambda: attachment3.attachment3_sheet_file(sheet, "pdf"),
        }
        files, document = captured(attachment3, calls)
        return Case("attachment3-filled", files, document, one_page=True)

    @add("screening-summary")
    def _summary() -> Case:
        from banzu.screening import selectors
        from banzu.screening.layouts import summary_document

        rows, totals = selectors.summary(current)
        return formats(
            "screening-summary", lambda: summary_document(current, rows, totals, today=today),
            ("xlsx",),
        )  # fmt: skip

    @add("review-results")
    def _review() -> Case:
        from banzu.documents.render import render_sheets_file
        from banzu.review import layouts
        from banzu.review.results import edition_results

        found = edition_results(current)
        # One workbook of a sheet per part (results_documents) or, before issue 18, one sheet.
        several = getattr(layouts, "results_documents", None)
        if several is not None:
            content = render_sheets_file(several(found, today=today), "results").content
            return Case("review-results", {"xlsx": content})
        one = layouts.results_document  # type: ignore[attr-defined]
        return formats("review-results", lambda: one(found, today=today), ("xlsx",))

    from banzu.publicity.models import Publicity

    publicity = Publicity.objects.filter(edition=past).first()

    @add("publicity-notice")
    def _notice() -> Case:
        from banzu.publicity import notice
        from banzu.results.versions import settings_for

        assert publicity is not None
        show = settings_for(past).show_scores_in_publicity
        build = lambda: notice.document(publicity, show_scores=show)  # noqa: E731
        return formats("publicity-notice", build, ("docx", "pdf"))

    @add("publicity-results")
    def _publicity_results() -> Case:
        from banzu.publicity.exports import results_file

        assert publicity is not None
        return Case("publicity-results", {"xlsx": results_file(publicity).content})

    @add("commendation")
    def _commendation() -> Case:
        from banzu.publicity import commendation

        assert publicity is not None
        if publicity.published_at is None and publicity.notice_date is None:
            publicity.notice_date = today  # the demo's is in its window: the notice as it will be
        return formats("commendation", lambda: commendation.document(publicity), ("docx", "pdf"))

    @add("certificate")
    def _certificate() -> Case:
        from banzu.certificates.models import Certificate
        from banzu.certificates.pdf import render as certificate_pdf
        from banzu.documents.model import ASSOCIATION

        fields = {
            "association": ASSOCIATION,
            "edition": current.title,
            "team": application.team.name,
            "enterprise": application.team.enterprise.name,
            "award": "一等奖",
            "notice_number": "浙质协〔2026〕15号",
            "date": today.isoformat(),
        }
        certificate = Certificate(
            edition=current, application=application, serial="ZJ2026-001", token="t" * 32,
            fields=fields,
        )  # fmt: skip
        text = "\n".join(str(v) for k, v in fields.items() if k != "date")
        return Case("certificate", {"pdf": certificate_pdf(certificate)}, text=text, one_page=True)

    from banzu.presentations.models import Event, Room

    @add("presentation-summary")
    def _room() -> Case:
        from banzu.presentations.results import room_results
        from banzu.presentations.summary import room_document, room_summary_file

        room = Room.objects.filter(event__edition=past).order_by("pk").first()
        assert room is not None
        found = room_results(room)
        files = {f: room_summary_file(found, f).content for f in ("pdf", "xlsx")}  # type: ignore[arg-type]
        return Case("presentation-summary", files, room_document(found, today=today))

    @add("presentation-sheets")
    def _sheets() -> Case:
        from banzu.presentations.results import event_results
        from banzu.presentations.summary import sheets_document, sheets_xlsx

        event = Event.objects.get(edition=past)
        found = event_results(event)
        document = sheets_document(found, today=today)
        return Case("presentation-sheets", {"xlsx": sheets_xlsx(found)[1]}, document)

    @add("presentation-blank-sheets")
    def _blank() -> Case:
        from banzu.presentations import printing

        room = Room.objects.filter(event__edition=current).order_by("pk").first()
        assert room is not None
        files, document = captured(printing, {"pdf": lambda: printing.blank_sheets(room)})
        return Case("presentation-blank-sheets", files, document)

    @add("presentation-schedule")
    def _schedule() -> Case:
        from banzu.presentations.schedule import pdf_document, schedule, schedule_file

        event = Event.objects.get(edition=current)
        files = {f: schedule_file(event, f).content for f in ("docx", "pdf", "xlsx")}  # type: ignore[arg-type]
        return Case("presentation-schedule", files, pdf_document(event, schedule(event)))

    for name, build_case in builders:
        try:
            yield build_case()
        except Exception as error:  # one broken layout must not hide the others
            yield (name, f"{type(error).__name__}: {error}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stage", default="before", help="the shots' folder name")
    parser.add_argument("--keep", type=Path, help="build (or reuse) the database here")
    parser.add_argument("--system-fonts", action="store_true", help="do not hide system fonts")
    parser.add_argument("--only", help="comma-separated document names")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="banzu-print-") as tmp:
        folder = args.keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        if not args.system_fonts:
            hide_system_fonts(Path(tmp))
        start = time.perf_counter()
        reused = setup_django(folder)
        if not reused:
            from django.db import transaction

            with transaction.atomic():
                make_hard()
            (folder / "hard.done").touch()
        built = time.perf_counter() - start
        fonts = "system fonts kept" if args.system_fonts else "system fonts hidden"
        print(
            f"data: the demo with hard content, {'reused' if reused else 'built'} in {built:.0f} s"
        )
        application = hard_application()
        chars = sum(
            len(getattr(application, f"narrative_{part}"))
            for part in ("team", "management", "skills", "improvement", "results", "honours")
        )
        print(
            f"Attachment 1 of {application.team.name} ({len(application.team.name)} characters), "
            f"narrative {chars} characters; PDFs with {fonts}"
        )

        # WeasyPrint logs each .notdef it draws; the glyphs check counts them in the PDF instead.
        logging.getLogger("weasyprint").setLevel(logging.ERROR)
        start = time.perf_counter()
        wanted = set(args.only.split(",")) if args.only else None
        built_cases: list[Case] = []
        copies: list[Copy] = []
        for case in cases():
            if isinstance(case, tuple):
                if wanted is None or case[0] in wanted:
                    copies.append(Copy(case[0], "", error=case[1]))
                continue
            if wanted is None or case.name in wanted:
                built_cases.append(case)
        rendered = time.perf_counter() - start

        start = time.perf_counter()
        office = {
            f"{case.name}.{fmt}": content
            for case in built_cases
            for fmt, content in case.files.items()
            if fmt in ("docx", "xlsx")
        }
        word_pdfs = libreoffice_pdfs(office, Path(tmp) / "office") if office else {}
        converted = time.perf_counter() - start

        start = time.perf_counter()
        shots_dir = SHOTS / args.stage
        if shots_dir.exists():
            shutil.rmtree(shots_dir)
        for case in built_cases:
            copies += check_case(case, word_pdfs, shots_dir)
        checked = time.perf_counter() - start
        print(
            f"rendered in {rendered:.0f} s, LibreOffice converted {len(office)} files in "
            f"{converted:.0f} s, checked and drawn in {checked:.0f} s; PNGs in {shots_dir}"
        )
        print()
        print(table(copies))


if __name__ == "__main__":
    main()
