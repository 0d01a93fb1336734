"""The request as the client sent it, behind a reverse proxy, and its size cap.

`TrustedProxyMiddleware` runs first. When the peer (REMOTE_ADDR) is one of the configured
trusted proxies (BANZU_TRUSTED_PROXIES, addresses or networks), the client's address is the
right-most address of X-Forwarded-For that is not itself a trusted proxy, and X-Forwarded-Proto
is kept for Django's SECURE_PROXY_SSL_HEADER. From any other peer both headers are removed, so a
client cannot claim another address (which the rate limits and the journal use) or claim https.

`RequestSizeLimitMiddleware` refuses a body larger than BANZU_MAX_REQUEST_MB (per path:
BANZU_REQUEST_LIMITS_MB) with 413 before anything reads it, so a 2 GiB body is not spooled to
disk to be refused afterwards (nginx caps it too, deploy/nginx/banzu.conf; this holds when the
application is reached without it).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Iterable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_networks(values: Iterable[str]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(value.strip(), strict=False) for value in values if value)


def _is_trusted(address: str, networks: tuple[Network, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(address.strip())
    except ValueError:
        return False
    return any(ip in network for network in networks)


def client_address(
    remote_addr: str, forwarded_for: str | None, networks: tuple[Network, ...]
) -> tuple[str, bool]:
    """(the client's address, whether the peer is a trusted proxy)."""
    if not networks or not _is_trusted(remote_addr, networks):
        return remote_addr, False
    hops = [hop.strip() for hop in (forwarded_for or "").split(",") if hop.strip()]
    for hop in reversed(hops):
        try:
            ipaddress.ip_address(hop)
        except ValueError:
            break  # a garbled hop: trust nothing left of it
        if not _is_trusted(hop, networks):
            return hop, True
    return remote_addr, True


class TrustedProxyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.networks = parse_networks(settings.BANZU_TRUSTED_PROXIES)

    def __call__(self, request: HttpRequest) -> HttpResponse:
        meta = request.META
        address, trusted = client_address(
            meta.get("REMOTE_ADDR", ""), meta.get("HTTP_X_FORWARDED_FOR"), self.networks
        )
        if trusted:
            meta["REMOTE_ADDR"] = address
        else:
            meta.pop("HTTP_X_FORWARDED_FOR", None)
            meta.pop("HTTP_X_FORWARDED_PROTO", None)
        return self.get_response(request)


class RequestSizeLimitMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.default_mb: int = settings.BANZU_MAX_REQUEST_MB
        self.by_path: dict[str, int] = dict(settings.BANZU_REQUEST_LIMITS_MB)

    def limit_mb(self, path: str) -> int:
        return self.by_path.get(path, self.default_mb)

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        limit_mb = self.limit_mb(request.path_info)
        if length > limit_mb * 1024 * 1024:
            return HttpResponse(
                _("The upload is too large: at most %(mb)d MB can be sent at once.")
                % {"mb": limit_mb},
                status=413,
                content_type="text/plain; charset=utf-8",
            )
        return self.get_response(request)
