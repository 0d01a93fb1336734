"""`manage.py check_files` re-checks the stored files (issue 16, item 6): a flipped byte fails
the exit code and names its row, all files or a sample; a file without a row fails it too (unless
written this minute); temporary files a killed server left are listed when a day old and removed
with --clean, fresh ones and other folders' files kept."""

from __future__ import annotations

import hashlib
import os
import time
from pathlib import Path

import pytest
from django.core.files.uploadedfile import TemporaryUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError

from banzu.applications.enums import DocumentKind
from banzu.core import filestore
from banzu.jobs import housekeeping
from banzu.screening.models import ArchiveDocument
from tests.applications.helpers import store_document
from tests.factories import ApplicationFactory

pytestmark = pytest.mark.django_db

DAY = 24 * 3600


@pytest.fixture(autouse=True)
def _upload_temp_dir(settings, tmp_path):
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path / "uploads")
    Path(settings.FILE_UPLOAD_TEMP_DIR).mkdir()


def sha(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def flip_a_byte(stored_name: str, at: int = 100) -> str:
    """Flip one bit of one byte in place, as a failing disk would; returns the new SHA-256."""
    path = filestore.path_for(stored_name)
    content = bytearray(path.read_bytes())
    content[at] ^= 0x01
    path.write_bytes(bytes(content))
    return sha(bytes(content))


def age(path: Path, seconds: float) -> None:
    then = time.time() - seconds
    os.utime(path, (then, then))


def run(*args: str, capsys) -> tuple[str, str | None]:
    """The command's output and its failure message (None when it exits 0)."""
    try:
        call_command("check_files", *args)
    except CommandError as failure:
        return capsys.readouterr().out, str(failure)
    return capsys.readouterr().out, None


@pytest.fixture
def two_documents(tmp_path):
    application = ApplicationFactory()
    return (
        store_document(application, DocumentKind.MATERIALS_PDF, tmp_path),
        store_document(application, DocumentKind.MATERIALS_DOCX, tmp_path),
    )


# --- Hashes ------------------------------------------------------------------------------------


def test_a_healthy_store_passes_with_every_file_hashed(two_documents, capsys):
    out, failure = run(capsys=capsys)

    assert failure is None
    assert out == (
        "2 file rows checked (2 of 2 hashed); 0 row(s) without a file; 0 hash mismatch(es); "
        "0 temporary file(s) older than a day (0 removed); 0 file(s) without a row.\n"
    )


def test_a_flipped_byte_fails_the_exit_code_and_names_its_row(two_documents, capsys):
    pdf, docx = two_documents
    found = flip_a_byte(pdf.stored_name)

    out, failure = run(capsys=capsys)

    assert (
        f"hash mismatch: document {pdf.pk} ({pdf.stored_name}): the row says {pdf.sha256}, "
        f"the file has {found}\n"
    ) in out
    assert docx.stored_name not in out
    assert failure == (
        "The file store does not match the database: 0 row(s) without a file, "
        "1 hash mismatch(es), 0 file(s) without a row."
    )


def test_a_flipped_byte_in_an_archive_document_is_named_too(admin_user, capsys):
    content = b"%PDF-1.4 an archived experience " * 10
    stored_name = filestore.commit_temp(filestore.write_temp([content]))
    row = ArchiveDocument.objects.create(
        year=2024,
        enterprise_name="甲公司",
        original_name="a.pdf",
        stored_name=stored_name,
        size=len(content),
        sha256=sha(content),
        imported_by=admin_user,
    )
    found = flip_a_byte(stored_name, at=3)

    out, failure = run(capsys=capsys)

    assert f"hash mismatch: archive document {row.pk} ({stored_name}): " in out
    assert out.count("hash mismatch:") == 1
    assert found in out
    assert failure is not None


def test_a_sample_hashes_that_many_files(two_documents, capsys):
    out, failure = run("--sample", "1", capsys=capsys)

    assert failure is None
    assert "2 file rows checked (1 of 2 hashed)" in out


def test_a_percentage_sample_rounds_up_and_finds_the_flip_when_it_covers_it(two_documents, capsys):
    pdf, _docx = two_documents
    flip_a_byte(pdf.stored_name)

    some, _ = run("--sample-percent", "1", capsys=capsys)
    every, failure = run("--sample-percent", "100", capsys=capsys)

    assert "(1 of 2 hashed)" in some
    assert "(2 of 2 hashed)" in every
    assert f"hash mismatch: document {pdf.pk}" in every
    assert failure is not None


def test_a_sample_of_none_checks_presence_only(two_documents, capsys):
    pdf, _docx = two_documents
    flip_a_byte(pdf.stored_name)

    out, failure = run("--sample", "0", capsys=capsys)

    assert (failure, "(0 of 2 hashed)" in out) == (None, True)


def test_sample_options_are_exclusive_and_bounded(capsys):
    with pytest.raises(CommandError):
        call_command("check_files", "--sample", "1", "--sample-percent", "5")
    with pytest.raises(CommandError):
        call_command("check_files", "--sample-percent", "101")


# --- Orphans -----------------------------------------------------------------------------------


def test_a_file_without_a_row_fails_the_exit_code(two_documents, capsys):
    stray = filestore.commit_temp(filestore.write_temp([b"nobody's file"]))
    age(filestore.path_for(stray), 3600)

    out, failure = run(capsys=capsys)

    assert f"file without row: {stray}\n" in out
    assert out.endswith("1 file(s) without a row.\n")
    assert failure == (
        "The file store does not match the database: 0 row(s) without a file, "
        "0 hash mismatch(es), 1 file(s) without a row."
    )


def test_a_file_written_this_minute_is_reported_but_not_counted(two_documents, capsys):
    stray = filestore.commit_temp(filestore.write_temp([b"an upload saving its row"]))

    out, failure = run(capsys=capsys)

    assert f"file without row: {stray} (written just now, not counted)\n" in out
    assert failure is None

    counted, failure = run("--grace-minutes", "0", capsys=capsys)
    assert f"file without row: {stray}\n" in counted
    assert failure is not None


# --- Temporary files ---------------------------------------------------------------------------


@pytest.fixture
def leftovers(settings):
    """Old and fresh temporary files in both folders, and a file that is not Django's."""
    store_tmp = filestore.temp_dir()
    uploads = Path(settings.FILE_UPLOAD_TEMP_DIR)
    files = {
        "old part": store_tmp / "0123abcd.part",
        "fresh part": store_tmp / "4567ef01.part",
        "old upload": uploads / "tmpk3j2h1.upload.pdf",
        "fresh upload": uploads / "tmpz9y8x7.upload.docx",
        "not django's": uploads / "notes.txt",
    }
    for name, path in files.items():
        path.write_bytes(b"x" * 1000)
        if name.startswith(("old", "not")):
            age(path, DAY + 60)
    return files


def test_temporary_files_a_day_old_are_listed_and_kept_without_clean(leftovers, capsys):
    out, failure = run(capsys=capsys)

    assert failure is None
    assert f"temporary file older than a day: {leftovers['old part']} (1000 bytes, " in out
    assert f"temporary file older than a day: {leftovers['old upload']} (1000 bytes, " in out
    assert out.count("temporary file older than a day:") == 2
    assert "2 temporary file(s) older than a day (0 removed)" in out
    assert all(path.exists() for path in leftovers.values())


def test_clean_removes_old_temporary_files_and_keeps_fresh_ones(leftovers, capsys):
    out, failure = run("--clean", capsys=capsys)

    assert failure is None
    assert f"{leftovers['old part']} (1000 bytes, " in out
    assert out.count(" — removed\n") == 2
    assert "2 temporary file(s) older than a day (2 removed)" in out
    assert {name: path.exists() for name, path in leftovers.items()} == {
        "old part": False,
        "fresh part": True,
        "old upload": False,
        "fresh upload": True,
        "not django's": True,
    }


def test_djangos_own_temporary_upload_names_are_recognised(settings):
    upload = TemporaryUploadedFile("申报书.pdf", "application/pdf", 0, None)
    try:
        path = Path(upload.temporary_file_path())
        found = [leftover.path for leftover in housekeeping.temp_files()]
    finally:
        upload.close()

    assert path.parent == Path(settings.FILE_UPLOAD_TEMP_DIR)
    assert found == [path]
