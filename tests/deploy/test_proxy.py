"""The client's address behind the reverse proxy and the request size cap (banzu.core.proxy)."""

from __future__ import annotations

import io

import pytest
from django.http import HttpRequest, HttpResponse
from django.test import RequestFactory, override_settings

from banzu.core.proxy import RequestSizeLimitMiddleware, TrustedProxyMiddleware

seen: dict[str, object] = {}


def remember(request: HttpRequest) -> HttpResponse:
    seen.update(
        ip=request.META.get("REMOTE_ADDR"),
        forwarded=request.META.get("HTTP_X_FORWARDED_FOR"),
        secure=request.is_secure(),
    )
    return HttpResponse("ok")


def through_proxy_middleware(peer: str, **headers: str) -> dict[str, object]:
    seen.clear()
    request = RequestFactory().get("/", REMOTE_ADDR=peer, **headers)
    TrustedProxyMiddleware(remember)(request)
    return dict(seen)


@override_settings(
    BANZU_TRUSTED_PROXIES=["127.0.0.1", "10.0.0.0/8"],
    SECURE_PROXY_SSL_HEADER=("HTTP_X_FORWARDED_PROTO", "https"),
)
def test_behind_a_trusted_proxy_the_client_is_the_last_untrusted_hop():
    found = through_proxy_middleware(
        "127.0.0.1",
        HTTP_X_FORWARDED_FOR="198.51.100.7, 203.0.113.5, 10.1.2.3",
        HTTP_X_FORWARDED_PROTO="https",
    )
    # 198.51.100.7 is what the client wrote itself; 203.0.113.5 is who reached our proxies.
    assert (found["ip"], found["secure"]) == ("203.0.113.5", True)


@override_settings(
    BANZU_TRUSTED_PROXIES=["127.0.0.1"],
    SECURE_PROXY_SSL_HEADER=("HTTP_X_FORWARDED_PROTO", "https"),
)
def test_a_client_reaching_the_server_directly_cannot_claim_an_address_or_https():
    found = through_proxy_middleware(
        "192.0.2.44", HTTP_X_FORWARDED_FOR="127.0.0.1", HTTP_X_FORWARDED_PROTO="https"
    )
    assert found == {"ip": "192.0.2.44", "forwarded": None, "secure": False}


@override_settings(BANZU_TRUSTED_PROXIES=[])
def test_without_configured_proxies_the_headers_are_ignored():
    found = through_proxy_middleware("127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.5")
    assert (found["ip"], found["forwarded"]) == ("127.0.0.1", None)


@override_settings(BANZU_TRUSTED_PROXIES=["127.0.0.1"])
def test_a_garbled_hop_stops_the_walk_at_the_proxy():
    found = through_proxy_middleware("127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.5, not-an-ip")
    assert found["ip"] == "127.0.0.1"


class Unreadable(io.RawIOBase):
    def read(self, size: int = -1) -> bytes:
        raise AssertionError("the body was read")


@pytest.mark.parametrize(
    ("path", "megabytes", "status"),
    [
        ("/applications/1/files/", 2048, 413),  # 2 GiB to an upload slot: refused unread
        ("/applications/1/files/", 111, 413),
        ("/applications/1/files/", 110, 200),
        ("/screening/archive/import/", 500, 200),  # the archive ZIP has its own cap
        ("/screening/archive/import/", 511, 413),
    ],
)
@override_settings(
    BANZU_MAX_REQUEST_MB=110, BANZU_REQUEST_LIMITS_MB={"/screening/archive/import/": 510}
)
def test_a_body_over_the_cap_is_refused_before_it_is_read(path, megabytes, status):
    request = RequestFactory().generic(
        "POST",
        path,
        CONTENT_LENGTH=str(megabytes * 1024 * 1024),
        CONTENT_TYPE="multipart/form-data",
    )
    request.META["wsgi.input"] = Unreadable()
    response = RequestSizeLimitMiddleware(lambda r: HttpResponse("ok"))(request)
    assert response.status_code == status
    if status == 413:  # said in the interface's language, Chinese by default
        limit = 510 if path.startswith("/screening/") else 110
        assert response.content.decode() == f"上传内容过大：单次最多可发送 {limit} MB。"
