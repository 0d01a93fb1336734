"""The job framework itself: the lifecycle through the workflow engine, failures, stale expiry by
the worker, the rescan's visible job, and the one polling view's scope."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone, translation

from banzu.audit.models import AuditEntry
from banzu.jobs import registry, services
from banzu.jobs.enums import JobState
from banzu.jobs.models import Job
from banzu.jobs.registry import JobKind, Scope
from banzu.recommendations.jobs import PACKAGE, package_scope
from banzu.screening import scan
from banzu.screening.jobs import RESCAN, queue_rescan
from banzu.screening.models import SimilarityReport
from tests.conftest import client_for
from tests.documents.conftest import make_recommended
from tests.jobs.helpers import make_job

pytestmark = pytest.mark.django_db

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
ECHO = "tests.echo"
BROKEN = "tests.broken"


def _echo(job, progress):
    progress(1, 2)
    progress(2, 2, {"phase": "counting"})
    return {"echo": job.scope_id}


def _broken(job, progress):
    progress(1, 3)
    raise RuntimeError("the kind exploded")


def _admin(user, job):
    return user.role == "admin"


registry.register(JobKind(name=ECHO, label="echo", run=_echo, can_see=_admin))
registry.register(JobKind(name=BROKEN, label="broken", run=_broken, can_see=_admin))


def journal(job: Job) -> list[tuple[str, dict]]:
    entries = AuditEntry.objects.filter(target_type="jobs.job", target_id=job.pk).order_by("seq")
    return [(entry.action, entry.data) for entry in entries]


def run_now(kind, scope, user, capture) -> Job:
    with capture(execute=True):
        job = services.start(kind, scope, user)
    job.refresh_from_db()
    return job


def test_a_job_runs_queued_running_done_and_every_move_is_journalled(
    open_edition, admin_user, django_capture_on_commit_callbacks
):
    before = timezone.now()

    job = run_now(
        ECHO, Scope("edition", open_edition.pk), admin_user, django_capture_on_commit_callbacks
    )

    assert (job.state, job.done, job.total, job.summary) == (
        JobState.DONE,
        2,
        2,
        {"echo": open_edition.pk},
    )
    assert job.created_by == admin_user
    assert before <= job.started_at <= job.finished_at == job.updated_at
    assert journal(job) == [
        ("job.queue", {"kind": ECHO, "scope": f"edition:{open_edition.pk}", "by": "user"}),
        (
            "job.start",
            {"from": "queued", "to": "running", "reason": "", "by": "system", "kind": ECHO},
        ),
        (
            "job.finish",
            {"from": "running", "to": "done", "reason": "", "by": "system", "kind": ECHO},
        ),
    ]


def test_a_failing_job_records_its_error_and_updated_at(
    open_edition, admin_user, django_capture_on_commit_callbacks
):
    job = run_now(
        BROKEN, Scope("edition", open_edition.pk), admin_user, django_capture_on_commit_callbacks
    )

    assert (job.state, job.error, job.done, job.total) == (
        JobState.FAILED,
        "RuntimeError: the kind exploded",
        1,
        3,
    )
    assert job.updated_at == job.finished_at
    assert job.started_at <= job.finished_at
    assert [action for action, _data in journal(job)] == ["job.queue", "job.start", "job.fail"]


def test_a_second_start_returns_the_job_under_way(
    open_edition, admin_user, django_capture_on_commit_callbacks
):
    scope = Scope("edition", open_edition.pk)
    with django_capture_on_commit_callbacks(execute=False):
        first = services.start(ECHO, scope, admin_user)
        second = services.start(ECHO, scope, admin_user)

    assert second.pk == first.pk
    assert list(Job.objects.values_list("kind", "state")) == [(ECHO, "queued")]


def test_the_runner_skips_a_job_that_is_no_longer_queued(open_edition, admin_user):
    job = make_job(ECHO, Scope("edition", open_edition.pk), admin_user, state=JobState.EXPIRED)

    assert services.run(job.pk) == "skipped"
    job.refresh_from_db()
    assert job.state == JobState.EXPIRED


# --- Stale jobs ----------------------------------------------------------------------------


@pytest.fixture
def stuck(open_edition, admin_user) -> Job:
    return make_job(
        ECHO,
        Scope("edition", open_edition.pk),
        admin_user,
        state=JobState.RUNNING,
        updated_at=timezone.now() - dt.timedelta(minutes=16),
    )


def test_a_status_poll_never_expires_a_stale_job(stuck, admin_user):
    response = client_for(admin_user).get(reverse("jobs:status", args=[stuck.pk]), **EN)

    stuck.refresh_from_db()
    assert stuck.state == JobState.RUNNING
    assert 'hx-trigger="every 1s"' in response.content.decode()
    assert [action for action, _data in journal(stuck)] == []


def test_the_worker_expires_stale_jobs_when_it_starts_another(
    stuck, open_edition, admin_user, django_capture_on_commit_callbacks
):
    moving = make_job(  # its heartbeat came 20 s ago: alive
        BROKEN,
        Scope("edition", open_edition.pk),
        admin_user,
        state=JobState.RUNNING,
        updated_at=timezone.now() - dt.timedelta(seconds=20),
    )

    other = run_now(ECHO, Scope("application", 1), admin_user, django_capture_on_commit_callbacks)

    stuck.refresh_from_db()
    moving.refresh_from_db()
    assert other.state == JobState.DONE
    assert (stuck.state, stuck.error, stuck.error_code) == (
        JobState.EXPIRED,
        "The job stopped without finishing (the worker was stopped).",
        "worker_lost",
    )
    assert stuck.updated_at == stuck.finished_at
    assert moving.state == JobState.RUNNING
    assert journal(stuck) == [
        (
            "job.expire",
            {"from": "running", "to": "expired", "reason": "", "by": "system", "kind": ECHO},
        )
    ]


def test_expire_jobs_command_expires_stale_jobs_only(stuck, open_edition, admin_user):
    long_queued = make_job(
        ECHO,
        Scope("application", 2),
        admin_user,
        updated_at=timezone.now() - services.QUEUED_LIMIT - dt.timedelta(minutes=1),
    )
    waiting = make_job(
        ECHO,
        Scope("application", 3),
        admin_user,
        updated_at=timezone.now() - dt.timedelta(minutes=30),
    )
    beating = make_job(
        ECHO,
        Scope("application", 4),
        admin_user,
        state=JobState.RUNNING,
        updated_at=timezone.now() - dt.timedelta(seconds=30),
    )
    out = io.StringIO()

    call_command("expire_jobs", stdout=out)

    states = dict(Job.objects.values_list("pk", "state"))
    assert states == {
        stuck.pk: JobState.EXPIRED,
        long_queued.pk: JobState.EXPIRED,
        waiting.pk: JobState.QUEUED,
        beating.pk: JobState.RUNNING,
    }
    codes = dict(Job.objects.filter(state=JobState.EXPIRED).values_list("pk", "error_code"))
    assert codes == {stuck.pk: "worker_lost", long_queued.pk: "not_started"}
    assert out.getvalue() == "2 stale job(s) expired.\n"


# --- The rescan ----------------------------------------------------------------------------


def test_a_failed_rescan_leaves_a_job_row_the_admin_sees(
    open_edition,
    hangzhou,
    recommender_hz,
    admin_user,
    tmp_path,
    monkeypatch,
    django_capture_on_commit_callbacks,
):
    application = make_recommended(hangzhou, recommender_hz, tmp_path, "钢筋班")
    SimilarityReport.objects.create(application=application, chars=10)

    def broken(application, *, job=None):
        raise RuntimeError("extractor stopped")

    monkeypatch.setattr(scan, "rescan_application", broken)

    with django_capture_on_commit_callbacks(execute=True):
        queue_rescan(application, user=recommender_hz)

    job = Job.objects.get(kind=RESCAN)
    assert (job.scope_type, job.scope_id, job.edition_pk) == (
        "application",
        application.pk,
        open_edition.pk,
    )
    assert (job.state, job.error, job.created_by) == (
        JobState.FAILED,
        "RuntimeError: extractor stopped",
        recommender_hz,
    )
    response = client_for(admin_user).get(reverse("jobs:status", args=[job.pk]), **EN)
    assert "The scan failed. RuntimeError: extractor stopped" in response.content.decode()


# --- The polling view ----------------------------------------------------------------------


@pytest.fixture
def hz_package(open_edition, hangzhou, recommender_hz) -> Job:
    return make_job(
        PACKAGE,
        package_scope(hangzhou, open_edition),
        recommender_hz,
        state=JobState.RUNNING,
        done=1,
        total=4,
    )


@pytest.mark.parametrize("persona", ["recommender_nb", "applicant_a", "expert", None])
def test_the_polling_view_is_404_outside_the_jobs_scope(request, persona, hz_package):
    user = request.getfixturevalue(persona) if persona else None

    response = client_for(user).get(reverse("jobs:status", args=[hz_package.pk]))

    assert response.status_code == 404
    denial = AuditEntry.objects.filter(action="access.denied").latest("seq")
    assert denial.data == {"object": "job", "id": str(hz_package.pk), "code": "404"}


@pytest.mark.parametrize("persona", ["recommender_hz", "admin_user"])
def test_the_polling_view_shows_the_job_to_whom_its_kind_allows(request, persona, hz_package):
    response = client_for(request.getfixturevalue(persona)).get(
        reverse("jobs:status", args=[hz_package.pk]), **EN
    )

    body = response.content.decode()
    status_url = reverse("jobs:status", args=[hz_package.pk])
    assert f'hx-get="{status_url}" hx-trigger="every 1s" hx-swap="outerHTML"' in body
    assert '<progress max="4" value="1">1/4</progress>' in body
    assert "Building the package…" in body
    assert "<script" not in body
    assert "style=" not in body


def test_the_polling_view_of_an_unknown_job_is_404(admin_user):
    response = client_for(admin_user).get(reverse("jobs:status", args=[999999]))

    assert response.status_code == 404


@pytest.mark.django_db
def test_a_phase_counts_its_steps_in_its_own_words(admin_user, open_edition):
    """The intake of a published edition counts applications, then reindexes the archive and
    counts documents: the status line says which."""
    from banzu.jobs.presentation import status_context
    from banzu.screening.jobs import ARCHIVE_PUBLISHED

    scope = Scope("edition", open_edition.pk, open_edition.pk)
    job = make_job(ARCHIVE_PUBLISHED, scope, admin_user, state=JobState.RUNNING, done=3, total=8)

    with translation.override("en"):
        taking = status_context(job, ARCHIVE_PUBLISHED, user=admin_user)["steps"]
        job.summary = {"phase": "indexing"}
        indexing = status_context(job, ARCHIVE_PUBLISHED, user=admin_user)
        message = str(indexing["message"])  # lazy: read while English is on
    assert (taking, indexing["steps"], message) == (
        "3 of 8 published applications",
        "3 of 8 documents",
        "Indexing the archive for the plagiarism check…",
    )
