"""The scan of a paper presentation sheet: a PDF, JPEG or PNG, checked like every upload (the
extension, the magic bytes and a successful parse must agree; the client's Content-Type is
ignored) and stored under a generated name through banzu.core.filestore.

A PDF goes through banzu.uploads.validation (parsed in a limited child). The upload validator
knows no images, so a JPEG or PNG is checked here: its signature, then Pillow reads the whole
image under a pixel limit (a decompression bomb is refused, not decoded).
"""

from __future__ import annotations

import hashlib
import warnings
from dataclasses import dataclass
from pathlib import Path

from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _
from PIL import Image

from banzu.accounts.models import User
from banzu.applications.messages import upload_message
from banzu.audit import actions
from banzu.audit.services import record
from banzu.core import filestore
from banzu.core.errors import ServiceError
from banzu.presentations.sheets import PaperScan
from banzu.uploads import slots
from banzu.uploads.validation import FileKind, Limits, UploadRejected, validate_upload

actions.register("presentations.scan_rejected")

MAX_SCAN_BYTES = 20 * 1024 * 1024
MAX_PIXELS = 80_000_000  # an A4 page at 600 dpi is about 35 million
IMAGE_SIGNATURES = {
    "jpeg": (b"\xff\xd8\xff", "JPEG"),
    "png": (b"\x89PNG\r\n\x1a\n", "PNG"),
}
EXTENSIONS = {"pdf": "pdf", "jpg": "jpeg", "jpeg": "jpeg", "png": "png"}
CONTENT_TYPES = {"pdf": "application/pdf", "jpeg": "image/jpeg", "png": "image/png"}


class ScanRejected(ServiceError):
    pass


def _message(code: str) -> str:
    messages = {
        "empty": _("The file is empty."),
        "too_large": _("The scan is larger than %(mb)d MB.") % {"mb": MAX_SCAN_BYTES // 2**20},
        "extension": _("Attach the scan as a PDF, JPEG or PNG file."),
        "magic": _("The file content does not match its extension."),
        "parse": _("The file could not be opened; it may be damaged."),
    }
    return messages.get(code) or upload_message(code, MAX_SCAN_BYTES)


def kind_of(name: str) -> str:
    _stem, dot, ext = name.rpartition(".")
    return EXTENSIONS.get(ext.lower(), "") if dot else ""


def check_image(path: Path, kind: str) -> None:
    """A JPEG or PNG: its signature, then Pillow reads the whole image under the pixel limit."""
    signature, pillow_format = IMAGE_SIGNATURES[kind]
    with path.open("rb") as fh:
        if not fh.read(len(signature)).startswith(signature):
            raise UploadRejected("magic", "signature")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(path) as image:
                if image.format != pillow_format:
                    raise UploadRejected("magic", str(image.format))
                if image.width * image.height > MAX_PIXELS:
                    raise UploadRejected("parse", "too many pixels")
                image.load()
    except UploadRejected:
        raise
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError, Warning) as error:
        raise UploadRejected("parse", str(error)[:200]) from error


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(1024 * 1024):
            digest.update(chunk)
    return digest.hexdigest()


@dataclass(frozen=True)
class StoredFile:
    stored_name: str
    sha256: str
    kind: str  # "pdf", "jpeg" or "png"
    size: int


def check_and_store(
    upload: UploadedFile, *, max_bytes: int, uploader: str | None = None
) -> StoredFile:
    """The one way a PDF, JPEG or PNG the user attaches (a paper sheet's scan, an objection's
    evidence) is checked and stored: the extension, then the size, then the content (a PDF
    through banzu.uploads.validation, an image by `check_image`); raises UploadRejected with
    the code ("extension", "too_large", "empty", "magic", "parse", …) and keeps nothing.
    `uploader` ("user-12", "ip-<hash>") holds one PDF check at a time per uploader
    (banzu.uploads.slots): a second one at once is refused as "busy"."""
    name = upload.name or "file"
    kind = kind_of(name)
    if not kind:
        raise UploadRejected("extension", name[:200])
    if upload.size is not None and upload.size > max_bytes:
        raise UploadRejected("too_large", "")
    temp = filestore.write_temp(upload.chunks())
    try:
        size = temp.stat().st_size
        if size == 0:
            raise UploadRejected("empty", "")
        if size > max_bytes:
            raise UploadRejected("too_large", "")
        if kind == "pdf":
            sha256 = validate_upload(
                temp,
                name,
                expected={FileKind.PDF},
                limits=Limits(max_bytes=max_bytes),
                uploader_lock=(
                    None
                    if uploader is None
                    else slots.uploader_lock(filestore.temp_dir(), uploader)
                ),
            ).sha256
        else:
            check_image(temp, kind)
            sha256 = _sha256(temp)
        return StoredFile(filestore.commit_temp(temp), sha256, kind, size)
    finally:
        filestore.discard(temp)


def store_scan(upload: UploadedFile, *, by: User, ip: str | None = None) -> PaperScan:
    """Check and store the scan; the caller discards it if its sheet is refused."""
    name = upload.name or "scan"
    try:
        stored = check_and_store(upload, max_bytes=MAX_SCAN_BYTES, uploader=f"user-{by.pk}")
    except UploadRejected as rejected:
        raise _rejected(rejected.code, name, by, ip) from rejected
    return PaperScan(stored_name=stored.stored_name, sha256=stored.sha256)


def _rejected(code: str, name: str, by: User, ip: str | None) -> ScanRejected:
    record(
        action="presentations.scan_rejected",
        actor=by,
        data={"name": name[:200], "code": code},
        ip=ip,
    )
    return ScanRejected(_message(code), code=code, field_errors={"scan": _message(code)})


def discard(scan: PaperScan) -> None:
    filestore.discard(filestore.path_for(scan.stored_name))


def scan_kind(stored_name: str) -> str:
    """What a stored scan is, read from its first bytes (the store keeps no extension)."""
    with filestore.path_for(stored_name).open("rb") as fh:
        head = fh.read(8)
    if head.startswith(b"%PDF-"):
        return "pdf"
    for kind, (signature, _format) in IMAGE_SIGNATURES.items():
        if head.startswith(signature):
            return kind
    return ""
