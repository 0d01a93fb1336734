"""deploy/gunicorn.conf.py: a worker imports the URL configuration and every view when it
starts, not on a user's first request (issue 16, the deadline burst)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

PROBE = """
import runpy, sys, django
django.setup()
conf = runpy.run_path("deploy/gunicorn.conf.py")
before = "banzu.applications.views.application" in sys.modules
conf["post_worker_init"](None)
print(before, "banzu.applications.views.application" in sys.modules, "banzu.urls" in sys.modules)
"""


def test_a_worker_imports_the_views_before_its_first_request() -> None:
    result = subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=ROOT,
        env={"DJANGO_SETTINGS_MODULE": "banzu.settings", "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        check=True,
    )

    assert result.stdout.split() == ["False", "True", "True"]


def test_worker_connections_follow_the_thread_count_a_unit_sets() -> None:
    import runpy
    from types import SimpleNamespace

    from gunicorn.config import Config

    conf = runpy.run_path(str(ROOT / "deploy" / "gunicorn.conf.py"))
    cfg = Config()
    cfg.set("worker_connections", conf["worker_connections"])
    cfg.set("threads", 2)  # banzu-uploads.service's --threads 2, read after the file

    conf["on_starting"](SimpleNamespace(cfg=cfg))

    assert (cfg.threads, cfg.worker_connections) == (2, 2)


def test_the_upload_pool_runs_two_threads_a_worker() -> None:
    unit = (ROOT / "deploy" / "systemd" / "banzu-uploads.service").read_text()
    start = next(line for line in unit.splitlines() if line.startswith("ExecStart="))

    assert "--workers 3 --threads 2 " in start
