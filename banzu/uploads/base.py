"""What every upload check shares: the limits and the stable rejection codes.

Pure Python (no Django): banzu.uploads.validation re-exports all of it, and callers translate a
rejection by its code (banzu.applications.messages.upload_message), never by the English text.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

logger = logging.getLogger("banzu.uploads.validation")

_LINK_SCHEMES = {"http", "https", "mailto"}


@dataclass(frozen=True)
class Limits:
    max_bytes: int
    max_zip_entries: int = 5000
    # Counted over the package and every package embedded in it, so an embedded workbook cannot
    # bring its own budget.
    max_uncompressed_bytes: int = 500 * 1024 * 1024
    max_ratio: int = 100  # per entry; entries < 1 MiB uncompressed are exempt
    # The parse child: CPU seconds decide "too complex" (the file's own cost, the same on a busy
    # machine); the wall-clock timeout only guards against a machine too busy to run it at all.
    parse_timeout_s: int = 15
    parse_memory_bytes: int = 1024 * 1024 * 1024
    parse_cpu_s: int = 4
    # How long a check waits for one of this process's parse slots before it gives up.
    queue_timeout_s: float = 60.0


# Stable rejection codes.  Callers translate by code, so never rename one.
REJECTION_MESSAGES: dict[str, str] = {
    "empty": "The file is empty.",
    "too_large": "The file is too large.",
    "extension": "This file type is not accepted.",
    "name": "The file name is not valid.",
    "magic": "The file content does not match its extension.",
    "zip_bomb": "The file is compressed in a suspicious way.",
    "path": "The file contains entries with unsafe paths.",
    "macro": "Files containing macros or ActiveX controls are not accepted.",
    "doctype": "The file contains XML declarations that are not allowed.",
    "parse": "The file could not be opened; it may be damaged or encrypted.",
    "external": "The file loads content from outside itself (a remote template or a linked "
    "object); remove the links and upload it again.",
    "embedded": "The file contains embedded objects or files that are not accepted.",
    "active_content": "The PDF contains scripts, actions, forms or multimedia that are not "
    "accepted.",
    "too_complex": "The file is too complex to check in reasonable time.",
    "busy": "Another of your files is still being checked; upload this one when it has finished.",
    "overloaded": "The server is checking many files right now; please try again in a minute.",
}


class UploadRejected(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


class Refused(Exception):
    """Raised in the parse child: the file is readable but not acceptable (`code`)."""

    def __init__(self, code: str, detail: str) -> None:
        super().__init__(detail)
        self.code = code


def reject(code: str, detail: str = "") -> UploadRejected:
    # The detail is for operators only; users get the stable message.
    if detail:
        logger.info("upload rejected (%s): %s", code, detail)
    return UploadRejected(code, REJECTION_MESSAGES[code])


def plain_link(target: str) -> bool:
    """A hyperlink a reader may follow: http(s), mailto, or a place inside the document.

    UNC paths (\\\\host\\share, //host) and file: links make Windows send the reader's
    credentials to another machine; other schemes start programs."""
    # Windows ignores whitespace and controls in link targets, so must we.
    compact = re.sub(r"[\x00-\x20\x7f]", "", target)
    if compact.startswith(("\\\\", "//", "\\/", "/\\")):
        return False
    scheme = re.match(r"([A-Za-z][A-Za-z0-9+.-]*):", compact)
    if scheme is None:
        return not re.match(r"%5c|%2f", compact, re.IGNORECASE)  # an encoded UNC path
    return scheme.group(1).lower() in _LINK_SCHEMES
