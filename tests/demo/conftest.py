"""The whole demo, built once for the tests of this folder through load_demo and rolled back at
the end: its own step of `make pytest` (marked `demo`)."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test.utils import override_settings

from tests.conftest import parse_checks_reused

TEST_SETTINGS = {
    "DEBUG": True,  # load_demo refuses otherwise
    "TASKS": {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}},
    "PASSWORD_HASHERS": ["django.contrib.auth.hashers.MD5PasswordHasher"],
}


@pytest.fixture(scope="package")
def demo_files(tmp_path_factory) -> Path:
    """The demo's file store (a test reading a demo file sets PRIVATE_FILES_ROOT to it: each
    test has a store of its own otherwise)."""
    return tmp_path_factory.mktemp("demo-files")


@pytest.fixture(scope="package")
def demo(django_db_setup, django_db_blocker, demo_files) -> Iterator[str]:
    """What load_demo printed."""
    out = io.StringIO()
    with (
        django_db_blocker.unblock(),
        override_settings(PRIVATE_FILES_ROOT=demo_files, **TEST_SETTINGS),
        parse_checks_reused(),
    ):
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            call_command("load_demo", stdout=out)
            yield out.getvalue()
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
