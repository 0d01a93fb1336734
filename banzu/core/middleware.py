"""A stored file found damaged when it is about to be served (banzu.core.filestore.DamagedFile)
answers a page that says so, in the reader's language, instead of a bare server error. The
damage itself is logged by the file store, and `manage.py check_files` names its row."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from banzu.core.filestore import DamagedFile


class DamagedFileMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, DamagedFile):
            return render(request, "damaged_file.html", status=500)
        return None
