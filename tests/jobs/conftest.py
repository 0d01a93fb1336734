from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _upload_temp_dir(settings, tmp_path_factory):
    """The housekeeping job may run (the watchdog starts it when due): it must clean a folder of
    the test's own, never the checkout's var/tmp/uploads."""
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path_factory.mktemp("uploads"))
