from __future__ import annotations

import hashlib
import resource
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from banzu.uploads import parsecheck
from banzu.uploads.validation import (
    REJECTION_MESSAGES,
    FileKind,
    Limits,
    UploadRejected,
    ValidatedFile,
    kind_for_name,
    safe_display_name,
    validate_upload,
)
from tests.uploads import samples

# The parse child, its limits and hostile files: never a reused answer (tests/conftest.py).
pytestmark = pytest.mark.real_parse

LIMITS = Limits(max_bytes=20 * 1024 * 1024)
CT_NS = "http://schemas.openxmlformats.org/package/2006/content-types"
BILLION_TAIL = b"<!DOCTYPE d [<!ENTITY a 'a'>]><d>&a;</d>"


def rejected_code(
    path: Path, name: str, limits: Limits = LIMITS, expected: set[FileKind] | None = None
) -> str:
    """Run validation expecting a rejection; return its code."""
    with pytest.raises(UploadRejected) as excinfo:
        validate_upload(path, name, expected=expected, limits=limits)
    assert excinfo.value.message == REJECTION_MESSAGES[excinfo.value.code]
    return excinfo.value.code


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def minimal_docx_zip(path: Path, document: bytes) -> Path:
    ct = (
        f'<Types xmlns="{CT_NS}"><Override PartName="/word/document.xml" '
        f'ContentType="{samples.DOCX_MAIN}"/></Types>'
    )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(samples.CT_NAME, ct)
        zf.writestr("word/document.xml", document)
    return path


# --- accepted files ---------------------------------------------------------


def test_validate_upload_accepts_docx(tmp_path: Path) -> None:
    path = samples.make_docx(tmp_path / "cv.docx")
    result = validate_upload(path, "C:\\fakepath\\我的简历.docx", limits=LIMITS)
    assert result == ValidatedFile(
        kind=FileKind.DOCX,
        size=path.stat().st_size,
        sha256=sha256(path),
        safe_name="我的简历.docx",
    )


def test_validate_upload_accepts_pptx(tmp_path: Path) -> None:
    path = samples.make_pptx(tmp_path / "deck.pptx")
    result = validate_upload(
        path, "Deck.PPTX", expected={FileKind.PPTX, FileKind.PDF}, limits=LIMITS
    )
    assert result == ValidatedFile(
        kind=FileKind.PPTX,
        size=path.stat().st_size,
        sha256=sha256(path),
        safe_name="Deck.PPTX",
    )


def test_validate_upload_accepts_pdf(tmp_path: Path) -> None:
    path = samples.make_pdf(tmp_path / "x.pdf", pages=3)
    result = validate_upload(path, "../../transcript.pdf", limits=LIMITS)
    assert result == ValidatedFile(
        kind=FileKind.PDF,
        size=path.stat().st_size,
        sha256=sha256(path),
        safe_name="transcript.pdf",
    )


def test_validate_upload_accepts_docx_with_data_descriptors(tmp_path: Path) -> None:
    source = samples.make_docx(tmp_path / "x.docx")
    path = samples.rewrite_zip(source, tmp_path / "y.docx", data_descriptors=True)
    with zipfile.ZipFile(path) as zf:
        assert all(info.flag_bits & 0x08 for info in zf.infolist())
    assert validate_upload(path, "y.docx", limits=LIMITS).kind == FileKind.DOCX


def test_validate_upload_accepts_stored_pptx(tmp_path: Path) -> None:
    source = samples.make_pptx(tmp_path / "x.pptx")
    path = samples.rewrite_zip(source, tmp_path / "y.pptx", compression=zipfile.ZIP_STORED)
    assert validate_upload(path, "y.pptx", limits=LIMITS).kind == FileKind.PPTX


# --- size, name and extension ---------------------------------------------------


def test_validate_upload_empty(tmp_path: Path) -> None:
    path = tmp_path / "empty.pdf"
    path.write_bytes(b"")
    assert rejected_code(path, "empty.pdf") == "empty"


def test_validate_upload_too_large(tmp_path: Path) -> None:
    path = samples.make_pdf(tmp_path / "x.pdf")
    limits = Limits(max_bytes=path.stat().st_size - 1)
    assert rejected_code(path, "x.pdf", limits) == "too_large"


def test_validate_upload_exactly_max_bytes_accepted(tmp_path: Path) -> None:
    path = samples.make_pdf(tmp_path / "x.pdf")
    limits = Limits(max_bytes=path.stat().st_size)
    assert validate_upload(path, "x.pdf", limits=limits).size == path.stat().st_size


def test_validate_upload_docm_name_extension(tmp_path: Path) -> None:
    path = samples.make_docx(tmp_path / "x.docx")
    assert rejected_code(path, "letter.docm") == "extension"


def test_validate_upload_unexpected_kind_extension(tmp_path: Path) -> None:
    path = samples.make_pdf(tmp_path / "x.pdf")
    assert rejected_code(path, "x.pdf", expected={FileKind.DOCX}) == "extension"


def test_validate_upload_nul_in_name(tmp_path: Path) -> None:
    path = samples.make_pdf(tmp_path / "x.pdf")
    assert rejected_code(path, "evil.exe\x00.pdf") == "name"


def test_validate_upload_traversal_name_is_not_rejected(tmp_path: Path) -> None:
    path = samples.make_pdf(tmp_path / "x.pdf")
    result = validate_upload(path, "..\\..\\..\\etc\\cv.pdf", limits=LIMITS)
    assert result.safe_name == "cv.pdf"


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("a.docx", FileKind.DOCX),
        ("A.DOCX", FileKind.DOCX),
        ("slides.PpTx", FileKind.PPTX),
        ("x.y.pdf", FileKind.PDF),
        ("dir/sub\\报告.pdf", FileKind.PDF),
    ],
)
def test_kind_for_name_accepts(name: str, kind: FileKind) -> None:
    assert kind_for_name(name) == kind


@pytest.mark.parametrize(
    "name",
    [
        "a.docm",
        "a.pptm",
        "a.doc",
        "a.exe",
        "a.html",
        "noextension",
        "a.pdf.exe",
        "a.pdf.",
        "a.pdf ",
        "",
        "docx",
        "a.docx/evil",
    ],
)
def test_kind_for_name_rejects(name: str) -> None:
    with pytest.raises(UploadRejected) as excinfo:
        kind_for_name(name)
    assert excinfo.value.code == "extension"


# --- magic bytes and parsing ----------------------------------------------------


def test_validate_upload_html_as_pdf_magic(tmp_path: Path) -> None:
    path = tmp_path / "x.pdf"
    path.write_bytes(b"<!DOCTYPE html><html><script>alert(1)</script></html>")
    assert rejected_code(path, "x.pdf") == "magic"


def test_validate_upload_exe_as_pdf_magic(tmp_path: Path) -> None:
    path = tmp_path / "x.pdf"
    path.write_bytes(b"MZ\x90\x00\x03\x00\x00\x00" + bytes(200) + b"This program")
    assert rejected_code(path, "x.pdf") == "magic"


def test_validate_upload_pdf_as_docx_magic(tmp_path: Path) -> None:
    path = samples.make_pdf(tmp_path / "x.pdf")
    assert rejected_code(path, "x.docx") == "magic"


def test_validate_upload_docx_as_pdf_magic(tmp_path: Path) -> None:
    path = samples.make_docx(tmp_path / "x.docx")
    assert rejected_code(path, "x.pdf") == "magic"


def test_validate_upload_pdf_garbage_parse(tmp_path: Path) -> None:
    path = tmp_path / "x.pdf"
    path.write_bytes(b"%PDF-1.7\n" + bytes(range(256)) * 40)
    assert rejected_code(path, "x.pdf") == "parse"


def test_validate_upload_encrypted_pdf_parse(tmp_path: Path) -> None:
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=100, height=100)
    writer.encrypt(user_password="", owner_password="owner")
    path = tmp_path / "x.pdf"
    with path.open("wb") as fh:
        writer.write(fh)
    assert rejected_code(path, "x.pdf") == "parse"


def test_validate_upload_xlsx_as_docx_magic(tmp_path: Path) -> None:
    path = samples.make_xlsx_like(tmp_path / "book.xlsx")
    assert rejected_code(path, "book.docx") == "magic"


def test_validate_upload_pptx_as_docx_magic(tmp_path: Path) -> None:
    path = samples.make_pptx(tmp_path / "x.pptx")
    assert rejected_code(path, "x.docx") == "magic"


def test_validate_upload_zip_without_content_types_magic(tmp_path: Path) -> None:
    path = tmp_path / "x.docx"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("word/document.xml", "<w:document/>")
    assert rejected_code(path, "x.docx") == "magic"


def test_validate_upload_truncated_zip_parse(tmp_path: Path) -> None:
    source = samples.make_docx(tmp_path / "x.docx")
    path = tmp_path / "cut.docx"
    path.write_bytes(source.read_bytes()[:2000])
    assert rejected_code(path, "cut.docx") == "parse"


def test_validate_upload_main_part_missing_magic(tmp_path: Path) -> None:
    source = samples.make_docx(tmp_path / "x.docx")
    path = samples.rewrite_zip(source, tmp_path / "y.docx", drop={"word/document.xml"})
    assert rejected_code(path, "y.docx") == "magic"


# --- zip structure --------------------------------------------------------------


def test_validate_upload_zip_bomb_ratio(tmp_path: Path) -> None:
    path = samples.make_zip_bomb(tmp_path / "bomb.docx", megabytes=200)
    assert path.stat().st_size < 1024 * 1024
    assert rejected_code(path, "bomb.docx") == "zip_bomb"


def test_validate_upload_zip_bomb_lying_header(tmp_path: Path) -> None:
    ct = (
        f'<Types xmlns="{CT_NS}"><Override PartName="/word/document.xml" '
        f'ContentType="{samples.DOCX_MAIN}"/></Types>'
    ).encode()
    path = samples.write_raw_zip(
        tmp_path / "liar.docx",
        [
            (samples.CT_NAME, ct, len(ct)),
            ("word/document.xml", bytes(20 * 1024 * 1024), 1000),
        ],
    )
    assert rejected_code(path, "liar.docx") == "zip_bomb"


@pytest.mark.parametrize("shift", [0, 1])
def test_validate_upload_overlapping_entries_zip_bomb(tmp_path: Path, shift: int) -> None:
    ct = (
        f'<Types xmlns="{CT_NS}"><Override PartName="/word/document.xml" '
        f'ContentType="{samples.DOCX_MAIN}"/></Types>'
    ).encode()
    doc = b"<w:document/>" * 100
    path = samples.write_raw_zip(
        tmp_path / "overlap.docx",
        [(samples.CT_NAME, ct, len(ct)), ("word/document.xml", doc, len(doc))],
        alias=("word/other.xml", 1, shift),
    )
    assert rejected_code(path, "overlap.docx") == "zip_bomb"


def test_validate_upload_raw_zip_with_honest_sizes_reaches_parse(tmp_path: Path) -> None:
    # Guards the lying-header test: the same raw writer with honest sizes
    # must only fail later, at the real parse, not in the zip checks.
    ct = (
        f'<Types xmlns="{CT_NS}"><Override PartName="/word/document.xml" '
        f'ContentType="{samples.DOCX_MAIN}"/></Types>'
    ).encode()
    doc = b"<w:document/>"
    path = samples.write_raw_zip(
        tmp_path / "honest.docx",
        [(samples.CT_NAME, ct, len(ct)), ("word/document.xml", doc, len(doc))],
    )
    assert rejected_code(path, "honest.docx") == "parse"


def test_validate_upload_too_many_entries_zip_bomb(tmp_path: Path) -> None:
    path = samples.make_docx(tmp_path / "x.docx")
    limits = Limits(max_bytes=LIMITS.max_bytes, max_zip_entries=3)
    assert rejected_code(path, "x.docx", limits) == "zip_bomb"


def test_validate_upload_total_uncompressed_zip_bomb(tmp_path: Path) -> None:
    path = samples.make_docx(tmp_path / "x.docx")
    limits = Limits(max_bytes=LIMITS.max_bytes, max_uncompressed_bytes=10_000)
    assert rejected_code(path, "x.docx", limits) == "zip_bomb"


def test_validate_upload_small_entries_ignore_ratio(tmp_path: Path) -> None:
    # 900 KiB of zeros compresses ~1000:1 but is under the 1 MiB threshold.
    source = samples.make_docx(tmp_path / "x.docx")
    path = samples.rewrite_zip(
        source, tmp_path / "y.docx", add=[("customXml/pad.bin", bytes(900 * 1024))]
    )
    assert validate_upload(path, "y.docx", limits=LIMITS).kind == FileKind.DOCX


@pytest.mark.parametrize(
    "entry",
    [
        "../evil.txt",
        "word/../../evil.txt",
        "/etc/evil.txt",
        "word\\evil.txt",
        "C:/evil.txt",
        "word/evil\x01.txt",
    ],
)
def test_validate_upload_unsafe_entry_path(tmp_path: Path, entry: str) -> None:
    source = samples.make_docx(tmp_path / "x.docx")
    path = samples.rewrite_zip(source, tmp_path / "y.docx", add=[(entry, b"pwned")])
    assert rejected_code(path, "y.docx") == "path"


def test_validate_upload_symlink_entry_path(tmp_path: Path) -> None:
    source = samples.make_docx(tmp_path / "x.docx")
    path = samples.rewrite_zip(
        source,
        tmp_path / "y.docx",
        add=[(samples.symlink_info("word/media/link.png"), b"/etc/passwd")],
    )
    assert rejected_code(path, "y.docx") == "path"


def test_validate_upload_duplicate_entry_path(tmp_path: Path) -> None:
    source = samples.make_docx(tmp_path / "x.docx")
    path = samples.rewrite_zip(
        source, tmp_path / "y.docx", add=[("WORD/Document.xml", b"<w:document/>")]
    )
    assert rejected_code(path, "y.docx") == "path"


# --- macros and ActiveX ---------------------------------------------------------


def test_validate_upload_macro_docx(tmp_path: Path) -> None:
    path = samples.make_macro_docx(tmp_path)
    assert rejected_code(path, "letter.docx") == "macro"


def test_validate_upload_macro_pptx(tmp_path: Path) -> None:
    path = samples.make_macro_pptx(tmp_path)
    assert rejected_code(path, "deck.pptx") == "macro"


def test_validate_upload_macro_content_type_only(tmp_path: Path) -> None:
    # A renamed .docm without the VBA part still declares macroEnabled.
    source = samples.make_docx(tmp_path / "x.docx")
    ct = samples.content_types(source).replace(samples.DOCX_MAIN, samples.DOCM_MAIN)
    path = samples.rewrite_zip(source, tmp_path / "y.docx", replace={samples.CT_NAME: ct.encode()})
    assert rejected_code(path, "y.docx") == "macro"


def test_validate_upload_activex_docx(tmp_path: Path) -> None:
    source = samples.make_docx(tmp_path / "x.docx")
    path = samples.rewrite_zip(
        source, tmp_path / "y.docx", add=[("word/activeX/activeX1.xml", b"<ax/>")]
    )
    assert rejected_code(path, "y.docx") == "macro"


def test_validate_upload_vbadata_docx(tmp_path: Path) -> None:
    source = samples.make_docx(tmp_path / "x.docx")
    path = samples.rewrite_zip(
        source, tmp_path / "y.docx", add=[("word/vbaData.xml", b"<wne:vbaSuppData/>")]
    )
    assert rejected_code(path, "y.docx") == "macro"


# --- XML DTDs -------------------------------------------------------------------


def test_validate_upload_billion_laughs_doctype(tmp_path: Path) -> None:
    source = samples.make_docx(tmp_path / "x.docx")
    path = samples.rewrite_zip(
        source,
        tmp_path / "y.docx",
        replace={"word/document.xml": samples.BILLION_LAUGHS},
    )
    assert rejected_code(path, "y.docx") == "doctype"


def test_validate_upload_doctype_in_rels(tmp_path: Path) -> None:
    source = samples.make_docx(tmp_path / "x.docx")
    with zipfile.ZipFile(source) as zf:
        rels = zf.read("_rels/.rels")
    evil = rels.replace(b"?>", b'?><!doctype r [<!entity x SYSTEM "file:///etc/passwd">]>', 1)
    path = samples.rewrite_zip(source, tmp_path / "y.docx", replace={"_rels/.rels": evil})
    assert rejected_code(path, "y.docx") == "doctype"


def test_validate_upload_doctype_split_across_chunks(tmp_path: Path) -> None:
    # Place "<!DOCTYPE" across the 64 KiB decompression chunk boundary.
    doc = b"<?xml version='1.0'?>" + b" " * (64 * 1024 - 25) + BILLION_TAIL
    path = minimal_docx_zip(tmp_path / "y.docx", doc)
    assert rejected_code(path, "y.docx") == "doctype"


def test_validate_upload_utf16_doctype(tmp_path: Path) -> None:
    doc = "\ufeff<?xml version='1.0' encoding='UTF-16'?>" + BILLION_TAIL.decode()
    path = minimal_docx_zip(tmp_path / "y.docx", doc.encode("utf-16-le"))
    assert rejected_code(path, "y.docx") == "doctype"


def test_validate_upload_exotic_xml_encoding_parse(tmp_path: Path) -> None:
    doc = b"<?xml version='1.0' encoding='UTF-7'?>+ADw-!DOCTYPE d+AD4-<d/>"
    path = minimal_docx_zip(tmp_path / "y.docx", doc)
    assert rejected_code(path, "y.docx") == "parse"


def test_validate_upload_doctype_in_content_types(tmp_path: Path) -> None:
    source = samples.make_docx(tmp_path / "x.docx")
    ct = samples.content_types(source).replace("?>", '?><!DOCTYPE Types [<!ENTITY x "y">]>', 1)
    path = samples.rewrite_zip(source, tmp_path / "y.docx", replace={samples.CT_NAME: ct.encode()})
    assert rejected_code(path, "y.docx") == "doctype"


def test_validate_upload_doctype_in_part_with_xml_content_type(tmp_path: Path) -> None:
    # A part found via content type, whatever its file extension.
    source = samples.make_docx(tmp_path / "x.docx")
    ct = samples.content_types(source).replace(
        "</Types>",
        '<Override PartName="/customXml/item9.dat" ContentType="application/xml"/></Types>',
    )
    path = samples.rewrite_zip(
        source,
        tmp_path / "y.docx",
        replace={samples.CT_NAME: ct.encode()},
        add=[("customXml/item9.dat", BILLION_TAIL)],
    )
    assert rejected_code(path, "y.docx") == "doctype"


# --- child process --------------------------------------------------------------


def test_parse_check_runs_in_child_with_memory_limit(tmp_path: Path) -> None:
    # The heavy PDF parses fine with room to spare, and a small PDF parses
    # fine under 128 MiB, but the heavy one does not fit in 128 MiB.  Were
    # the parse done in this process, the memory limit could not apply and
    # the heavy file would be accepted.
    heavy = samples.make_heavy_pdf(tmp_path / "heavy.pdf")
    small = samples.make_pdf(tmp_path / "small.pdf")
    assert heavy.stat().st_size < 100 * 1024
    # Time enough for the heavy parse on a slow machine (5 s of CPU here): memory alone decides.
    time = {"parse_cpu_s": 60, "parse_timeout_s": 90}
    roomy = Limits(max_bytes=LIMITS.max_bytes, parse_memory_bytes=512 * 1024 * 1024, **time)
    tight = Limits(max_bytes=LIMITS.max_bytes, parse_memory_bytes=128 * 1024 * 1024, **time)
    assert validate_upload(heavy, "heavy.pdf", limits=roomy).kind == FileKind.PDF
    assert validate_upload(small, "small.pdf", limits=tight).kind == FileKind.PDF
    before = resource.getrlimit(resource.RLIMIT_AS)
    assert rejected_code(heavy, "heavy.pdf", tight) == "too_complex"
    assert resource.getrlimit(resource.RLIMIT_AS) == before


def test_parse_check_child_sets_its_limits_before_parsing(tmp_path: Path) -> None:
    # The child limits itself (a preexec_fn could deadlock a threaded web worker); what it sets
    # is what the parent asked for.
    probe = (
        "import resource; from banzu.uploads import parsecheck; "
        "parsecheck.apply_limits(300 * 1024 * 1024, 7); "
        "print([resource.getrlimit(r) for r in (resource.RLIMIT_AS, resource.RLIMIT_CPU, "
        "resource.RLIMIT_CORE, resource.RLIMIT_FSIZE)])"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=Path(parsecheck.__file__).resolve().parents[2],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    mib300 = 300 * 1024 * 1024
    assert out.strip() == str([(mib300, mib300), (7, 7), (0, 0), (0, 0)])
    command = parsecheck._child_command("pdf", tmp_path / "x.pdf", mib300, 7)
    assert command[-4:] == [str(mib300), "7", "pdf", str(tmp_path / "x.pdf")]


def test_parse_check_timeout_overloaded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parsecheck, "PARSE_CHILD", "fresh")  # its command is replaced
    # A child that gets no CPU within the wall-clock timeout: the machine is busy, not the file
    # complex.
    monkeypatch.setattr(
        parsecheck,
        "_child_command",
        lambda *args: [sys.executable, "-c", "import time; time.sleep(30)"],
    )
    path = samples.make_pdf(tmp_path / "x.pdf")
    limits = Limits(max_bytes=LIMITS.max_bytes, parse_timeout_s=1)
    assert rejected_code(path, "x.pdf", limits) == "overloaded"


def test_parse_check_cpu_limit_too_complex(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parsecheck, "PARSE_CHILD", "fresh")  # its command is replaced
    spin = (
        "import sys; from banzu.uploads import parsecheck; "
        "parsecheck.apply_limits(int(sys.argv[1]), int(sys.argv[2]))\nwhile True: pass"
    )
    monkeypatch.setattr(
        parsecheck,
        "_child_command",
        lambda kind, path, memory, cpu: [sys.executable, "-c", spin, str(memory), str(cpu)],
    )
    path = samples.make_pdf(tmp_path / "x.pdf")
    limits = Limits(max_bytes=LIMITS.max_bytes, parse_cpu_s=1, parse_timeout_s=30)
    assert parsecheck.run_in_child("pdf", path, timeout_s=30, memory_bytes=2**30, cpu_s=1) in {
        "too_complex: stopped at the CPU limit of 1s (signal 24)",
        "too_complex: stopped at the CPU limit of 1s (signal 9)",
    }
    assert rejected_code(path, "x.pdf", limits) == "too_complex"


def test_parse_check_child_env_is_minimal(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parsecheck, "PARSE_CHILD", "fresh")  # its command is replaced
    monkeypatch.setenv("SECRET_KEY", "do-not-leak")
    probe = "import os, sys; sys.exit(1 if 'SECRET_KEY' in os.environ else 0)"
    monkeypatch.setattr(parsecheck, "_child_command", lambda *args: [sys.executable, "-c", probe])
    path = samples.make_pdf(tmp_path / "x.pdf")
    assert validate_upload(path, "x.pdf", limits=LIMITS).kind == FileKind.PDF


# --- display names --------------------------------------------------------------


@pytest.mark.parametrize(
    ("original", "expected"),
    [
        ("../../etc/passwd", "passwd"),
        ("..\\..\\win.ini", "win.ini"),
        ("C:\\Users\\x\\报告.docx", "报告.docx"),
        ("C:报告.docx", "报告.docx"),
        ("\x00a.pdf", "a.pdf"),
        ("a\r\nContent-Type: x.pdf", "aContent-Type_ x.pdf"),
        ("cv\u202efdp.exe", "cvfdp.exe"),
        ('"quoted".pdf', "_quoted_.pdf"),
        ("...hidden.pdf", "hidden.pdf"),
        ("  spaced   name .pdf ", "spaced name .pdf"),
        ("", "upload"),
        ("..", "upload"),
        ("/", "upload"),
        ("\x01\x02", "upload"),
    ],
)
def test_safe_display_name_sanitises(original: str, expected: str) -> None:
    assert safe_display_name(original) == expected


def test_safe_display_name_long_chinese_keeps_extension() -> None:
    result = safe_display_name("申请材料" * 100 + ".pdf")
    assert result == ("申请材料" * 50)[:196] + ".pdf"
    assert len(result) == 200


def test_safe_display_name_long_without_extension() -> None:
    assert safe_display_name("报" * 500) == "报" * 200


# --- messages -------------------------------------------------------------------


def test_rejection_messages_cover_all_codes() -> None:
    assert set(REJECTION_MESSAGES) == {
        "empty",
        "too_large",
        "extension",
        "name",
        "magic",
        "zip_bomb",
        "path",
        "macro",
        "doctype",
        "parse",
        "external",
        "embedded",
        "active_content",
        "too_complex",
        "busy",
        "overloaded",
    }
    assert all(m.endswith(".") for m in REJECTION_MESSAGES.values())


def test_upload_rejected_exposes_code_and_message() -> None:
    exc = UploadRejected("magic", "text")
    assert (exc.code, exc.message, str(exc)) == ("magic", "text", "text")
