"""Named personas: every permission test speaks of these people."""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import importlib
import itertools
from collections.abc import Iterator
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.apps import apps as django_apps
from django.test import Client

from banzu.accounts.enums import Role
from banzu.accounts.models import Recommender, User
from banzu.editions.models import Edition
from banzu.uploads import validation
from tests.factories import EnterpriseFactory, UserFactory

SHANGHAI = ZoneInfo("Asia/Shanghai")
BEFORE_DEADLINE = dt.datetime(2026, 4, 20, 10, 0, tzinfo=SHANGHAI)
AFTER_DEADLINE = dt.datetime(2026, 4, 28, 0, 0, 1, tzinfo=SHANGHAI)


SEED_MIGRATIONS = [
    "banzu.accounts.migrations.0002_seed_recommenders",
    "banzu.editions.migrations.0002_seed_2026_edition",
    "banzu.editions.migrations.0004_seed_2026_presentation_sheet",
    "banzu.editions.migrations.0008_seed_2026_contacts",
    "banzu.audit.migrations.0002_chain_head",
]
DB_FIXTURES = {"db", "transactional_db", "live_server"}


TRANSACTIONAL_FIXTURES = {"transactional_db", "live_server", "django_db_reset_sequences"}


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test that commits for real (threads, on-commit work, the live server) `serial`.

    They flush the tables when they end, and pytest-django orders them last only without xdist,
    so `make pytest` runs them in a process of their own after the parallel run. Marking them
    here, not by hand, means a new one cannot slip into the parallel run. tryfirst: before -m
    selects by marker.
    """
    for item in items:
        marker = item.get_closest_marker("django_db")
        flags = marker.kwargs if marker else {}
        positional = bool(marker and marker.args and marker.args[0])
        transactional = positional or flags.get("transaction") or flags.get("reset_sequences")
        if transactional or TRANSACTIONAL_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.serial)


@pytest.fixture(autouse=True)
def _seeded(request):
    """Put the data migrations' rows back after a transactional test flushed the tables.

    Transactional tests (threads, the browser) end by emptying every table, which removes the
    seeded edition and recommenders that the data migrations made once; the next test would
    find none. Re-running the same seed functions keeps every test on the real seed.
    """
    wanted = DB_FIXTURES & set(request.fixturenames)
    if not wanted and request.node.get_closest_marker("django_db") is None:
        return
    for name in sorted(wanted):
        request.getfixturevalue(name)
    if not Recommender.objects.exists():
        for module in SEED_MIGRATIONS:
            importlib.import_module(module).seed(django_apps, None)


# Files this test process has seen parse in the child: (kind, SHA-256 of the bytes, limits).
_PARSED: set[tuple[validation.FileKind, str, validation.Limits]] = set()


@contextlib.contextmanager
def parse_checks_reused() -> Iterator[None]:
    """Parse each distinct file once per test process instead of once per upload.

    Every fixture past the draft state uploads the same sample files, and each real parse is a
    child process of about a third of a second. Bytes that parsed once parse again, so that
    answer is reused; anything new (and every refusal) still goes to the child.
    """
    real = validation.parse_check

    def parse_check(kind: validation.FileKind, path: Path, limits: validation.Limits) -> str | None:
        key = (kind, hashlib.sha256(path.read_bytes()).hexdigest(), limits)
        if key in _PARSED:
            return None
        failure = real(kind, path, limits)
        if failure is None:
            _PARSED.add(key)
        return failure

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(validation, "parse_check", parse_check)
        yield


@pytest.fixture(autouse=True)
def _reuse_parse_checks(request):
    """Every test reuses parse checks (parse_checks_reused), except the tests of the upload path
    itself: they are marked `real_parse` and always start the child."""
    if request.node.get_closest_marker("real_parse"):
        yield
        return
    with parse_checks_reused():
        yield


@pytest.fixture(scope="session")
def _files_roots(tmp_path_factory) -> Iterator[Path]:
    base = tmp_path_factory.getbasetemp() / "files"
    return (base / str(number) for number in itertools.count())


@pytest.fixture(autouse=True)
def _test_settings(settings, _files_roots):
    # A new file store per test, created only when the test stores a file: asking every test
    # for a tmp_path would make (and later delete) a folder for each of the 1,500 tests.
    settings.PRIVATE_FILES_ROOT = next(_files_roots)
    # The journal's anchors and the backups of a test never land in the checkout's var/.
    settings.AUDIT_ANCHOR_FILE = settings.PRIVATE_FILES_ROOT.parent / "audit-anchors.log"
    settings.BACKUP_DIR = settings.PRIVATE_FILES_ROOT.parent / "backups"
    # Tasks run at once in tests (mail lands in mail.outbox); the worker path is tested apart.
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    # Argon2 is the production hasher (tested in tests/accounts); tests need speed, not strength.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def edition(db) -> Edition:
    return Edition.objects.get(year=2026)


@pytest.fixture
def open_edition(edition) -> Edition:
    """The 2026 edition with its deadline moved into the future, for tests that run 'now'."""
    edition.recommendation_deadline = dt.datetime.now(SHANGHAI) + dt.timedelta(days=30)
    edition.save()
    return edition


@pytest.fixture
def hangzhou(db) -> Recommender:
    return Recommender.objects.get(short_name="杭州")


@pytest.fixture
def ningbo(db) -> Recommender:
    return Recommender.objects.get(short_name="宁波")


@pytest.fixture
def applicant_a(db) -> User:
    """Applicant A: staff of enterprise A."""
    return UserFactory(
        username="applicant_a", enterprise=EnterpriseFactory(name="浙江甲建设有限公司")
    )


@pytest.fixture
def applicant_b(db) -> User:
    """Applicant B: staff of a different enterprise."""
    return UserFactory(
        username="applicant_b", enterprise=EnterpriseFactory(name="宁波乙建工集团有限公司")
    )


@pytest.fixture
def recommender_hz(hangzhou) -> User:
    return UserFactory(username="rec_hz", role=Role.RECOMMENDER, recommender=hangzhou)


@pytest.fixture
def recommender_nb(ningbo) -> User:
    return UserFactory(username="rec_nb", role=Role.RECOMMENDER, recommender=ningbo)


@pytest.fixture
def admin_user(db) -> User:
    return UserFactory(username="prov_admin", role=Role.ADMIN)


@pytest.fixture
def expert(db) -> User:
    return UserFactory(username="expert_1", role=Role.EXPERT)


def client_for(user: User | None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client
