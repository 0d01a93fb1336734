"""Importing past editions' documents into the archive from a ZIP: the files plus an index
(CSV or .xlsx) with the columns year, enterprise, team, title, file — or their Chinese names
年份, 单位名称, 班组名称, 经验名称, 文件.

Runs only in the worker (banzu.screening.jobs). The ZIP is checked as a whole before anything is
inflated (entry count, declared sizes, ratios, shared data, unsafe or linked paths: the upload
checks of banzu.uploads.validation); each listed file is then read with a hard bound, validated
like an applicant's upload, stored in the private store and its text extracted. A bad row (a
missing file, a bad year, a rejected file) is reported with its row number and skipped; a file
already in the archive (same SHA-256), or a row imported before (same year, enterprise, team,
title and file name), is skipped too. Neither stops the import.

Reasons are kept as codes with their parameters (in the summary's `errors` and `skipped` rows, on
ArchiveError), worded in the reader's language when shown (banzu.screening.archive_messages).

Each row's file and row are stored together (`_store`), so an import stopped half-way (a killed
worker) leaves whole rows only, and importing the same ZIP again, or the same ZIP exported again,
adds exactly the rows that were missing: the archive ends with the ZIP's rows, never twice.
"""

from __future__ import annotations

import contextlib
import logging
import os
import uuid
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from banzu.accounts.models import User
from banzu.core import filestore
from banzu.screening import archive_messages
from banzu.screening.enums import ArchiveSource
from banzu.screening.models import ArchiveDocument
from banzu.similarity.extract import extract
from banzu.uploads import spreadsheets
from banzu.uploads.ooxml import check_central_directory, check_entry_names
from banzu.uploads.spreadsheets import Record
from banzu.uploads.validation import (
    FileKind,
    Limits,
    UploadRejected,
    safe_display_name,
    validate_upload,
)

logger = logging.getLogger(__name__)

Progress = Callable[[int, int], None]

MAX_UPLOAD_BYTES = 500 * 1024 * 1024
ZIP_LIMITS = Limits(
    max_bytes=MAX_UPLOAD_BYTES,
    max_zip_entries=20_000,
    max_uncompressed_bytes=4 * 1024 * 1024 * 1024,
)
FILE_LIMITS = Limits(max_bytes=100 * 1024 * 1024)
INDEX_LIMITS = Limits(max_bytes=20 * 1024 * 1024, max_uncompressed_bytes=100 * 1024 * 1024)
DOCUMENT_SUFFIXES = {".docx": FileKind.DOCX, ".pdf": FileKind.PDF, ".pptx": FileKind.PPTX}
INDEX_SUFFIXES = (".csv", ".xlsx")
# A parameter taken from the index or the ZIP (a file name, a year as typed) is cut to this.
PARAM_LIMIT = 200

COLUMNS = {
    "year": "year",
    "年份": "year",
    "年度": "year",
    "enterprise": "enterprise",
    "单位名称": "enterprise",
    "单位": "enterprise",
    "team": "team",
    "班组名称": "team",
    "班组": "team",
    "title": "title",
    "经验名称": "title",
    "file": "file",
    "文件": "file",
    "文件名": "file",
}
REQUIRED = ("year", "enterprise", "file")


class _Reason(Exception):
    """A reason as a code and its parameters (strings cut to PARAM_LIMIT), to word when read."""

    def __init__(self, code: str, **params: Any) -> None:
        super().__init__(code)
        self.code = code
        self.params = {
            key: value[:PARAM_LIMIT] if isinstance(value, str) else value
            for key, value in params.items()
        }

    def as_row(self, number: int) -> dict[str, Any]:
        return {"row": number, "code": self.code, "params": self.params}


class ArchiveError(_Reason):
    """The ZIP as a whole cannot be imported. Its text, in the active language, says why for the
    admin (the job keeps it as its failure); a caller may also give a sentence as the code."""

    def __str__(self) -> str:
        return archive_messages.archive_message(self.code, self.params)


class RowError(_Reason):
    """One row cannot be imported."""


class _Duplicate(_Reason):
    """One row is skipped: its file or the row is in the archive already."""


@dataclass
class ImportSummary:
    rows: int = 0
    imported: int = 0
    unreadable: int = 0
    skipped: list[dict[str, Any]] = field(default_factory=list)
    errors: list[dict[str, Any]] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {
            "phase": "done",
            "rows": self.rows,
            "imported": self.imported,
            "unreadable": self.unreadable,
            "skipped": self.skipped,
            "errors": self.errors,
        }


def import_archive(zip_path: Path, *, user: User, progress: Progress) -> ImportSummary:
    try:
        archive = zipfile.ZipFile(zip_path)
    except (zipfile.BadZipFile, OSError) as error:
        logger.info("archive import: not a ZIP: %s", error)
        raise ArchiveError("not_zip") from error
    with archive:
        members = _members(archive)
        index_name = _index_name(members)
        rows = _read_index(archive, members[index_name], index_name)
        summary = ImportSummary(rows=len(rows))
        seen: set[str] = set()
        progress(0, len(rows))
        for done, (number, row) in enumerate(rows, start=1):
            try:
                _import_row(archive, members, row, user=user, seen=seen, summary=summary)
            except RowError as error:
                summary.errors.append(error.as_row(number))
            except _Duplicate as duplicate:
                summary.skipped.append(duplicate.as_row(number))
            progress(done, len(rows))
    return summary


# --- the ZIP -----------------------------------------------------------------------------------


def _members(archive: zipfile.ZipFile) -> dict[str, zipfile.ZipInfo]:
    """Files by their path in the ZIP, checked whole before anything is inflated."""
    infos = archive.infolist()
    try:
        check_central_directory(infos, ZIP_LIMITS)
        check_entry_names(infos)
    except UploadRejected as rejected:
        raise ArchiveError(
            "zip_refused", upload=rejected.code, max_bytes=ZIP_LIMITS.max_bytes
        ) from rejected
    members = {}
    for info in infos:
        if not info.is_dir():
            members[_decoded_name(info)] = info
    return members


def _decoded_name(info: zipfile.ZipInfo) -> str:
    """Names written without the UTF-8 flag (Windows' built-in ZIP) are in the local code page,
    in this province GBK; Python reads them as CP437."""
    name = info.filename
    if not info.flag_bits & 0x800:
        with contextlib.suppress(UnicodeEncodeError, UnicodeDecodeError):
            name = name.encode("cp437").decode("gbk")
    return name


def _index_name(members: dict[str, zipfile.ZipInfo]) -> str:
    candidates = sorted(
        (name.count("/"), name)
        for name in members
        if name.lower().endswith(INDEX_SUFFIXES) and not PurePosixPath(name).name.startswith(".")
    )
    if not candidates:
        raise ArchiveError("no_index")
    return candidates[0][1]


def _read_bounded(archive: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int) -> Iterator[bytes]:
    if info.file_size > limit:
        raise RowError("refused", upload="too_large", max_bytes=limit)
    read = 0
    with archive.open(info) as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            read += len(chunk)
            if read > limit:
                raise RowError("refused", upload="too_large", max_bytes=limit)
            yield chunk


# --- the index ---------------------------------------------------------------------------------


def _read_index(archive: zipfile.ZipFile, info: zipfile.ZipInfo, name: str) -> list[Record]:
    """(row number as the spreadsheet shows it, {column: value}) for each non-blank row."""
    try:
        content = b"".join(_read_bounded(archive, info, INDEX_LIMITS.max_bytes))
    except RowError as error:
        raise ArchiveError(
            "index_too_large", name=name, mb=INDEX_LIMITS.max_bytes // (1024 * 1024)
        ) from error
    except (zipfile.BadZipFile, EOFError, zlib.error) as error:
        raise ArchiveError("index_damaged", name=name) from error
    try:
        table = spreadsheets.read_table(name, content, limits=INDEX_LIMITS)
    except spreadsheets.SpreadsheetError as error:
        raise ArchiveError(INDEX_ERRORS.get(error.code, "index_unreadable"), name=name) from error
    header, rows = spreadsheets.records(table, COLUMNS)
    missing = [column for column in REQUIRED if column not in header]
    if missing:
        raise ArchiveError("index_columns", name=name, missing=missing)
    return rows


# What the spreadsheet reader's codes mean for the index; any other: not a readable workbook.
INDEX_ERRORS = {"empty": "index_empty", "encoding": "index_encoding", "csv": "index_csv"}


# --- one row -----------------------------------------------------------------------------------


def _year(value: str) -> int:
    if not value.isdigit() or not 1990 <= int(value) <= 2100:
        raise RowError("year", value=value)
    return int(value)


def _member(members: dict[str, zipfile.ZipInfo], value: str) -> tuple[str, zipfile.ZipInfo]:
    wanted = value.replace("\\", "/").removeprefix("./").strip("/")
    if not wanted:
        raise RowError("no_file")
    if wanted in members:
        return wanted, members[wanted]
    folded = {name.casefold(): name for name in members}
    if wanted.casefold() in folded:
        name = folded[wanted.casefold()]
        return name, members[name]
    raise RowError("not_in_zip", file=value)


def _import_row(
    archive: zipfile.ZipFile,
    members: dict[str, zipfile.ZipInfo],
    row: dict[str, str],
    *,
    user: User,
    seen: set[str],
    summary: ImportSummary,
) -> None:
    year = _year(row.get("year", ""))
    enterprise = row.get("enterprise", "")
    if not enterprise:
        raise RowError("no_enterprise")
    name, info = _member(members, row.get("file", ""))
    suffix = PurePosixPath(name).suffix.lower()
    kind = DOCUMENT_SUFFIXES.get(suffix)
    if kind is None:
        raise RowError("kind", file=PurePosixPath(name).name)
    team, title = row.get("team", ""), row.get("title", "")
    original_name = safe_display_name(PurePosixPath(name).name)
    if _imported_before(year, enterprise, team, title, original_name):
        raise _Duplicate("imported_before")
    try:
        temp = filestore.write_temp(_read_bounded(archive, info, FILE_LIMITS.max_bytes))
    except (zipfile.BadZipFile, EOFError, zlib.error) as damaged:
        raise RowError("damaged", file=name) from damaged
    try:
        try:
            checked = validate_upload(
                temp, PurePosixPath(name).name, expected={kind}, limits=FILE_LIMITS
            )
        except UploadRejected as rejected:
            raise RowError(
                "refused", upload=rejected.code, max_bytes=FILE_LIMITS.max_bytes
            ) from rejected
        if checked.sha256 in seen or ArchiveDocument.objects.filter(sha256=checked.sha256).exists():
            raise _Duplicate("duplicate")
        seen.add(checked.sha256)
        text, error = _extract(temp, suffix)
        document = ArchiveDocument(
            year=year,
            enterprise_name=enterprise,
            team_name=team,
            title=title,
            original_name=original_name,
            size=checked.size,
            sha256=checked.sha256,
            text=text,
            error=error or "",
            imported_by=user,
        )
        try:
            document.full_clean(exclude=["stored_name"])
        except ValidationError as invalid:
            if "sha256" in invalid.message_dict:
                raise _Duplicate("duplicate") from invalid  # imported meanwhile by another import
            raise _invalid(invalid) from invalid
        _store(document, temp)
    finally:
        filestore.discard(temp)  # already gone once moved into the store
    summary.imported += 1
    if error:
        summary.unreadable += 1


def _invalid(invalid: ValidationError) -> RowError:
    """The first field the row's values do not fit (in practice: a text too long)."""
    field, errors = next(iter(invalid.error_dict.items()))
    error = errors[0]
    if error.code == "max_length" and error.params:
        return RowError("too_long", field=field, max=error.params["limit_value"])
    return RowError("invalid", field=field)


def _imported_before(year: int, enterprise: str, team: str, title: str, original_name: str) -> bool:
    """The same index row, with the same file name, is in the archive from an earlier import: a
    retry of a ZIP whose import was stopped, even one exported again (a Word file saved again has
    other bytes, so its SHA-256 would not tell)."""
    return ArchiveDocument.objects.filter(
        source=ArchiveSource.IMPORT,
        year=year,
        enterprise_name=enterprise,
        team_name=team,
        title=title,
        original_name=original_name,
    ).exists()


def _store(document: ArchiveDocument, temp: Path) -> None:
    """Move the file into the store and save its row in one transaction: a retry after a killed
    import finds the row (the file is skipped as already in the archive) or neither; the unique
    SHA-256 refuses a second row for the same file, even from an import running beside this one.
    Only a kill between the move and the commit can leave a file without a row, which
    `check_files` reports."""
    stored_name = ""
    try:
        with transaction.atomic():
            stored_name = document.stored_name = filestore.commit_temp(temp)
            document.save()
    except IntegrityError as duplicate:
        filestore.discard(filestore.path_for(stored_name))
        raise _Duplicate("duplicate") from duplicate
    except BaseException:
        if stored_name:
            filestore.discard(filestore.path_for(stored_name))
        raise


def _extract(temp: Path, suffix: str) -> tuple[str, str | None]:
    """The extractor reads by extension; the temporary file has none, so a hard link has."""
    link = temp.with_name(f"{uuid.uuid4().hex}{suffix}")
    try:
        os.link(temp, link)
        extracted = extract(link)
    except Exception as crash:  # one file's crash is that row's note, not the import's end
        return "", f"{type(crash).__name__}: {crash}"
    finally:
        filestore.discard(link)
    return extracted.text, extracted.error
