from __future__ import annotations

import pytest
from django.conf import settings
from django.db import connection


@pytest.mark.django_db
def test_database_is_configured_for_durability():
    # A web thread keeps its connection between requests (opening one costs a fifth of an
    # upload's CPU on SQLite), and checks that it still works before it reuses it.
    assert (
        connection.settings_dict["CONN_MAX_AGE"],
        connection.settings_dict["CONN_HEALTH_CHECKS"],
    ) == (
        60 if connection.vendor == "postgresql" else 600,
        True,
    )
    if connection.vendor == "postgresql":
        # The production database: the suite's other tests run on it unchanged.
        assert connection.settings_dict["ENGINE"] == "django.db.backends.postgresql"
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        journal = cursor.fetchone()[0]
        cursor.execute("PRAGMA synchronous")
        synchronous = cursor.fetchone()[0]
        cursor.execute("PRAGMA busy_timeout")
        busy = cursor.fetchone()[0]
        cursor.execute("PRAGMA foreign_keys")
        foreign_keys = cursor.fetchone()[0]
    assert (journal, synchronous, busy, foreign_keys) == ("wal", 2, 20000, 1)
    assert connection.settings_dict["OPTIONS"]["transaction_mode"] == "IMMEDIATE"


def test_passwords_hash_with_argon2_in_settings():
    from banzu import settings as project_settings

    assert project_settings.PASSWORD_HASHERS[0] == (
        "django.contrib.auth.hashers.Argon2PasswordHasher"
    )


def test_language_defaults_to_simplified_chinese():
    assert (settings.LANGUAGE_CODE, settings.TIME_ZONE) == ("zh-hans", "Asia/Shanghai")
    assert [code for code, _ in settings.LANGUAGES] == ["zh-hans", "en"]


def test_csp_forbids_inline_script():
    directives = settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]
    assert directives["script-src"] == ["'self'"]
    assert directives["style-src"] == ["'self'"]
    assert directives["frame-ancestors"] == ["'none'"]


def test_check_deploy_is_clean_with_production_settings(tmp_path):
    import os
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    env = {
        "PATH": os.environ["PATH"],
        "BANZU_ENV": "production",
        "SECRET_KEY": "p" * 20 + "-Zx9!q" + "r" * 30,
        "BANZU_AUDIT_KEY": "a-" + "Qx7!" * 12,
        "SQLITE_PATH": str(tmp_path / "prod.sqlite3"),
        "BANZU_VAR_DIR": str(tmp_path),
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert (result.returncode, result.stdout.strip()) == (
        0,
        "System check identified no issues (0 silenced).",
    )
