"""Hostile Word and PowerPoint files (issue 16, item 4), each built here and refused with its
code; the legitimate neighbours of each (a web link, an embedded workbook, a picture) pass."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from banzu.uploads.base import plain_link
from banzu.uploads.validation import (
    REJECTION_MESSAGES,
    FileKind,
    Limits,
    UploadRejected,
    validate_upload,
)
from tests.uploads import hostile, samples

pytestmark = pytest.mark.real_parse

LIMITS = Limits(max_bytes=30 * 1024 * 1024)
TEMPLATE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/attachedTemplate"
VBA_REL = "http://schemas.microsoft.com/office/2006/relationships/vbaProject"
PACKAGE = "package"
OLE_TYPE = "application/vnd.openxmlformats-officedocument.oleObject"


def rejected_code(path: Path, limits: Limits = LIMITS) -> str:
    with pytest.raises(UploadRejected) as excinfo:
        validate_upload(path, path.name, limits=limits)
    assert excinfo.value.message == REJECTION_MESSAGES[excinfo.value.code]
    return excinfo.value.code


def accepted(path: Path) -> FileKind:
    return validate_upload(path, path.name, limits=LIMITS).kind


# --- links out of the package -----------------------------------------------------------------


@pytest.mark.parametrize(
    "target",
    [
        "http://attacker.example/template.dotm",
        "https://attacker.example/t.dotx",
        "file:///C:/Users/Public/t.dotm",
        "\\\\attacker.example\\share\\t.dotm",
    ],
)
def test_docx_remote_template_external(tmp_path: Path, target: str) -> None:
    path = hostile.docx_with(
        tmp_path, "template.docx", settings_rels=((TEMPLATE, target, "External"),)
    )
    assert rejected_code(path) == "external"


@pytest.mark.parametrize("kind", ["oleObject", "frame", "subDocument", "image", "attachedTemplate"])
def test_docx_external_relationship_external(tmp_path: Path, kind: str) -> None:
    path = hostile.docx_with(
        tmp_path,
        f"{kind}.docx",
        document_rels=((kind, "http://attacker.example/x", "External"),),
    )
    assert rejected_code(path) == "external"


def test_docx_external_mode_is_read_case_insensitively(tmp_path: Path) -> None:
    path = hostile.docx_with(
        tmp_path, "case.docx", settings_rels=((TEMPLATE, "http://attacker.example/t", "external"),)
    )
    assert rejected_code(path) == "external"


@pytest.mark.parametrize(
    "target",
    ["https://www.example.org/qc", "http://example.org/a?b=1", "mailto:qc@example.org", "#_Toc1"],
)
def test_docx_web_hyperlink_accepted(tmp_path: Path, target: str) -> None:
    path = hostile.docx_with(
        tmp_path, "link.docx", document_rels=(("hyperlink", target, "External"),)
    )
    assert accepted(path) == FileKind.DOCX


@pytest.mark.parametrize(
    "target",
    [
        "file:///C:/secret.docx",
        "\\\\attacker.example\\share\\x.docx",
        "//attacker.example/share/x.docx",
        " \tfile://attacker.example/x",
        "C:\\Users\\x.docx",
        "ms-msdt:/id PCWDiagnostic",
        "%5c%5cattacker.example%5cshare",
    ],
)
def test_docx_hyperlink_to_file_or_program_external(tmp_path: Path, target: str) -> None:
    path = hostile.docx_with(
        tmp_path, "badlink.docx", document_rels=(("hyperlink", target, "External"),)
    )
    assert rejected_code(path) == "external"


def test_plain_link_relative_inside_package() -> None:
    assert (plain_link("media/x.html"), plain_link("../other.docx")) == (True, True)


# --- macros, also renamed ---------------------------------------------------------------


def test_docx_vba_project_renamed_as_picture_macro(tmp_path: Path) -> None:
    # vbaProject.bin saved as word/media/image9.png: no macro name, no macro content type; its
    # OLE signature gives it away.
    path = hostile.docx_with(
        tmp_path, "renamed.docx", parts=(("word/media/image9.png", hostile.ole_blob(b"VBA")),)
    )
    assert rejected_code(path) == "macro"


def test_docx_vba_project_under_other_name_and_type_macro(tmp_path: Path) -> None:
    path = hostile.docx_with(
        tmp_path,
        "renamed2.docx",
        parts=(("word/data.dat", hostile.ole_blob()),),
        defaults={"dat": samples.VBA_TYPE},
    )
    assert rejected_code(path) == "macro"


def test_docx_vba_project_relationship_macro(tmp_path: Path) -> None:
    path = hostile.docx_with(
        tmp_path, "vbarel.docx", document_rels=((VBA_REL, "media/logo.png", None),)
    )
    assert rejected_code(path) == "macro"


def test_docm_main_content_type_macro(tmp_path: Path) -> None:
    path = samples.make_macro_docx(tmp_path)
    assert rejected_code(path) == "macro"


def test_pptm_main_content_type_macro(tmp_path: Path) -> None:
    path = samples.make_macro_pptx(tmp_path)
    assert rejected_code(path) == "macro"


# --- embedded objects ---------------------------------------------------------------------------


def test_docx_embedded_ole_object_embedded(tmp_path: Path) -> None:
    path = hostile.docx_with(
        tmp_path,
        "ole.docx",
        document_rels=(("oleObject", "embeddings/oleObject1.bin", None),),
        parts=(("word/embeddings/oleObject1.bin", hostile.ole_blob(b"Package")),),
        defaults={"bin": OLE_TYPE},
    )
    assert rejected_code(path) == "embedded"


def test_docx_embedded_docm_as_ole_object_embedded(tmp_path: Path) -> None:
    # A .docm wrapped in an OLE package object, as Word stores "Insert > Object > From file".
    docm = hostile.docm_bytes(tmp_path)
    path = hostile.docx_with(
        tmp_path,
        "oledocm.docx",
        parts=(("word/embeddings/oleObject1.bin", hostile.ole_blob(b"Ole10Native" + docm)),),
    )
    assert rejected_code(path) == "embedded"


def test_docx_embedded_docm_package_macro(tmp_path: Path) -> None:
    path = hostile.docx_with(
        tmp_path,
        "docm-inside.docx",
        document_rels=((PACKAGE, "embeddings/Document.docm", None),),
        parts=(("word/embeddings/Document.docm", hostile.docm_bytes(tmp_path)),),
        defaults={"docm": "application/vnd.ms-word.document.macroEnabled.12"},
    )
    assert rejected_code(path) == "macro"


def test_docx_embedded_executable_embedded(tmp_path: Path) -> None:
    path = hostile.docx_with(
        tmp_path, "exe.docx", parts=(("word/embeddings/setup.exe", hostile.pe_executable()),)
    )
    assert rejected_code(path) == "embedded"


def test_docx_executable_anywhere_embedded(tmp_path: Path) -> None:
    path = hostile.docx_with(
        tmp_path, "exe2.docx", parts=(("word/media/image1.jpeg", hostile.pe_executable()),)
    )
    assert rejected_code(path) == "embedded"


def test_docx_embedded_unknown_binary_embedded(tmp_path: Path) -> None:
    path = hostile.docx_with(
        tmp_path, "blob.docx", parts=(("word/embeddings/thing.bin", b"\x00\x01binary" * 50),)
    )
    assert rejected_code(path) == "embedded"


def test_docx_embedded_plain_zip_embedded(tmp_path: Path) -> None:
    archive = tmp_path / "a.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("run.bat", "echo hi")
    path = hostile.docx_with(
        tmp_path, "zip.docx", parts=(("word/embeddings/archive.zip", archive.read_bytes()),)
    )
    assert rejected_code(path) == "embedded"


def test_docx_alt_chunk_embedded(tmp_path: Path) -> None:
    path = hostile.docx_with(
        tmp_path,
        "altchunk.docx",
        document_rels=(("aFChunk", "afchunk.mht", None),),
        parts=(("word/afchunk.mht", b"MIME-Version: 1.0\r\n\r\n<html></html>"),),
        defaults={"mht": "message/rfc822"},
    )
    assert rejected_code(path) == "embedded"


def test_docx_embedded_workbook_accepted(tmp_path: Path) -> None:
    # What Word stores behind a chart: a plain .xlsx, checked like the document itself.
    path = hostile.docx_with(
        tmp_path,
        "chart.docx",
        document_rels=((PACKAGE, "embeddings/Microsoft_Excel_Worksheet.xlsx", None),),
        parts=(("word/embeddings/Microsoft_Excel_Worksheet.xlsx", hostile.xlsx_bytes()),),
        defaults={"xlsx": hostile.XLSX_TYPE},
    )
    assert accepted(path) == FileKind.DOCX


def test_docx_embedded_picture_accepted(tmp_path: Path) -> None:
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
    path = hostile.docx_with(
        tmp_path,
        "pic.docx",
        parts=(("word/embeddings/image1.png", png),),
        defaults={"png": "image/png"},
    )
    assert accepted(path) == FileKind.DOCX


def test_docx_embedded_workbook_of_one_gib_zip_bomb(tmp_path: Path) -> None:
    bomb = hostile.xlsx_bomb_bytes()
    assert len(bomb) < 2 * samples.MiB
    with zipfile.ZipFile(io.BytesIO(bomb)) as zf:
        assert sum(i.file_size for i in zf.infolist()) > hostile.GiB
    path = hostile.docx_with(
        tmp_path,
        "bomb.docx",
        document_rels=((PACKAGE, "embeddings/Microsoft_Excel_Worksheet.xlsx", None),),
        parts=(("word/embeddings/Microsoft_Excel_Worksheet.xlsx", bomb),),
        defaults={"xlsx": hostile.XLSX_TYPE},
    )
    assert rejected_code(path) == "zip_bomb"


def test_docx_embedded_workbook_shares_the_size_budget_zip_bomb(tmp_path: Path) -> None:
    # One workbook of 6 MiB fits the 8 MiB budget; two do not, though each alone would.
    workbook = hostile.xlsx_bomb_bytes(6 * samples.MiB)
    limits = Limits(
        max_bytes=LIMITS.max_bytes, max_uncompressed_bytes=8 * samples.MiB, max_ratio=10_000
    )
    parts = [("word/embeddings/a.xlsx", workbook)]
    one = hostile.docx_with(
        tmp_path, "one.docx", parts=tuple(parts), defaults={"xlsx": hostile.XLSX_TYPE}
    )
    assert validate_upload(one, one.name, limits=limits).kind == FileKind.DOCX
    parts.append(("word/embeddings/b.xlsx", workbook))
    two = hostile.docx_with(
        tmp_path, "two.docx", parts=tuple(parts), defaults={"xlsx": hostile.XLSX_TYPE}
    )
    assert rejected_code(two, limits) == "zip_bomb"


def test_docx_embedded_workbook_with_external_link_external(tmp_path: Path) -> None:
    with zipfile.ZipFile(io.BytesIO(hostile.xlsx_bytes())) as zf:
        rels = zf.read("xl/_rels/workbook.xml.rels")
    inner = samples.rewrite_zip(
        _write(tmp_path / "in.xlsx", hostile.xlsx_bytes()),
        tmp_path / "linked.xlsx",
        replace={
            "xl/_rels/workbook.xml.rels": hostile.with_rels(
                rels, ("externalLinkPath", "\\\\attacker.example\\s\\b.xlsx", "External")
            )
        },
    )
    path = hostile.docx_with(
        tmp_path,
        "linked.docx",
        parts=(("word/embeddings/linked.xlsx", inner.read_bytes()),),
        defaults={"xlsx": hostile.XLSX_TYPE},
    )
    assert rejected_code(path) == "external"


def test_docx_nested_packages_beyond_two_levels_embedded(tmp_path: Path) -> None:
    level2 = hostile.docx_with(
        tmp_path,
        "l2.docx",
        parts=(("word/embeddings/w.xlsx", hostile.xlsx_bytes()),),
        defaults={"xlsx": hostile.XLSX_TYPE},
    )
    level1 = hostile.docx_with(
        tmp_path, "l1.docx", parts=(("word/embeddings/d.docx", level2.read_bytes()),)
    )
    assert accepted(level1) == FileKind.DOCX
    level0 = hostile.docx_with(
        tmp_path, "l0.docx", parts=(("word/embeddings/d.docx", level1.read_bytes()),)
    )
    assert rejected_code(level0) == "embedded"


def test_pptx_embedded_ole_object_embedded(tmp_path: Path) -> None:
    path = hostile.pptx_with(
        tmp_path, "ole.pptx", parts=(("ppt/embeddings/oleObject1.bin", hostile.ole_blob()),)
    )
    assert rejected_code(path) == "embedded"


def test_pptx_embedded_workbook_accepted(tmp_path: Path) -> None:
    path = hostile.pptx_with(
        tmp_path,
        "chart.pptx",
        parts=(("ppt/embeddings/Microsoft_Excel_Worksheet.xlsx", hostile.xlsx_bytes()),),
    )
    assert accepted(path) == FileKind.PPTX


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path
