"""What every download of an official form shares, whichever app serves it: the format named in
the URL, and the answer (an attachment, with the download in the journal)."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse

from banzu.audit.services import client_ip, record
from banzu.core.responses import attachment_response
from banzu.documents.render import Format, Rendered, as_format

FORM_FORMATS: tuple[Format, ...] = ("docx", "pdf")


def form_format(fmt: str) -> Format:
    """A form comes as Word or PDF; any other format in the URL is not found."""
    known = as_format(fmt, FORM_FORMATS)
    if known is None:
        raise Http404
    return known


def send_form(request: HttpRequest, rendered: Rendered, action: str, target: Any) -> HttpResponse:
    record(
        action=action,
        actor=request.user,
        target=target,
        data={"file": rendered.filename},
        ip=client_ip(request),
    )
    return attachment_response(
        rendered.content, filename=rendered.filename, content_type=rendered.content_type
    )
