"""How every generated document leaves the server."""

from __future__ import annotations

from django.http import HttpResponse
from django.utils.http import content_disposition_header


def attachment_response(content: bytes, *, filename: str, content_type: str) -> HttpResponse:
    """A download: `attachment` with the file name encoded per RFC 6266 (`filename*=utf-8''…`,
    so 附件1_申报表_钢筋班.pdf arrives intact), never sniffed, never cached."""
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, filename) or "attachment"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox; default-src 'none'"
    response["Cache-Control"] = "private, no-store"
    return response
