"""gunicorn's configuration for banzu in production (`gunicorn -c deploy/gunicorn.conf.py`).

gthread workers: each process serves several requests at once on threads, so a slow upload or a
document being rendered does not hold the whole process; the number of processes follows the
cores. nginx in front buffers request bodies (deploy/nginx/banzu.conf), so a slow client never
holds a thread while it sends. Every value can be set from the environment (deploy/banzu.env).
"""

import multiprocessing
import os

bind = os.environ.get("BANZU_BIND", "127.0.0.1:8000")
worker_class = "gthread"
workers = int(os.environ.get("BANZU_WORKERS", 2 * multiprocessing.cpu_count() + 1))
threads = int(os.environ.get("BANZU_THREADS", "8"))
# A request that takes longer than this is killed and logged (documents render in the worker
# jobs, not in requests; uploads are checked within their own CPU limit).
timeout = int(os.environ.get("BANZU_TIMEOUT", "120"))
# A worker takes no more connections than it has threads; the rest wait in the listen queue for
# whichever worker frees a thread first. gthread's default (1000) let the first worker to wake
# take most of a burst (232 of 300 uploads, checked eight at a time under one GIL, while four
# workers idled): with this, 46–72 each, and the 300-upload burst's p95 fell from 10.8 to 9.6 s
# with the upload pool on PostgreSQL (docs/benchmarks-deadline.md).
worker_connections = threads
graceful_timeout = 30
keepalive = 10
# Recycle each process after a few thousand requests (jittered so they do not restart together):
# keeps memory flat over months of uptime.
max_requests = int(os.environ.get("BANZU_MAX_REQUESTS", "2000"))
max_requests_jitter = 200
# Header limits as gunicorn's defaults, said explicitly: the request line and header fields.
limit_request_line = 8190
limit_request_fields = 100
limit_request_field_size = 8190
# Only the reverse proxy on this machine may set X-Forwarded-* (banzu.core.proxy reads the
# client's address from X-Forwarded-For only when the peer is a trusted proxy).
forwarded_allow_ips = os.environ.get("BANZU_TRUSTED_PROXIES", "127.0.0.1,::1")
# The workers' heartbeat files in memory, not on a disk that may stall (gunicorn's advice).
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None  # noqa: S108
accesslog = os.environ.get("BANZU_ACCESS_LOG", "-")
errorlog = "-"
loglevel = os.environ.get("BANZU_LOG_LEVEL", "info")
proc_name = "banzu"


def post_worker_init(worker: object) -> None:
    """Import the URL configuration, and with it every view, before the worker's first request.

    Django imports them lazily on a process's first request, about a second of CPU; without
    this, each worker (and each one recycled by max_requests) pays it on a user's request, and
    the first requests of a burst to cold workers wait behind it (docs/benchmarks-deadline.md)."""
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018 - the property imports them


def on_starting(server: object) -> None:
    """worker_connections follows the thread count whatever sets it: this file, the
    environment, or a unit's --threads (banzu-uploads.service runs 2 threads a worker)."""
    cfg = server.cfg  # type: ignore[attr-defined]
    cfg.set("worker_connections", cfg.threads)
