"""Files sent to the browser, stored or generated, always with the same guards: never sniffed,
never cached, and under a Content-Security-Policy that lets nothing in them run."""

from __future__ import annotations

from pathlib import Path

from django.http import FileResponse, HttpResponse
from django.utils.http import content_disposition_header

PRIVATE = "private, no-store"


def download_response(
    path: Path, *, filename: str, content_type: str = "application/octet-stream"
) -> FileResponse:
    """A file to save, never to open in the site's origin."""
    response = FileResponse(
        path.open("rb"), as_attachment=True, filename=filename, content_type=content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox; default-src 'none'"
    response["Cache-Control"] = PRIVATE
    return response


def inline_pdf_response(path: Path, *, filename: str) -> FileResponse:
    """A PDF that was parsed as one on upload, shown in the browser (framable by the site's own
    pages: the view needs @xframe_options_sameorigin)."""
    response = FileResponse(
        path.open("rb"), as_attachment=False, filename=filename, content_type="application/pdf"
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; frame-ancestors 'self'"
    response["Cache-Control"] = PRIVATE
    return response


def attachment_response(content: bytes, *, filename: str, content_type: str) -> HttpResponse:
    """A download: `attachment` with the file name encoded per RFC 6266 (`filename*=utf-8''…`,
    so 附件1_申报表_钢筋班.pdf arrives intact), never sniffed, never cached."""
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, filename) or "attachment"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox; default-src 'none'"
    response["Cache-Control"] = PRIVATE
    return response
