"""The recommender's submission package: its contents, the background build (a banzu.jobs job),
the views."""

from __future__ import annotations

import hashlib
import io
import stat
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from pypdf import PdfReader

from banzu.applications.enums import DocumentKind
from banzu.applications.models import Document
from banzu.audit.models import AuditEntry
from banzu.core import filestore
from banzu.jobs.enums import JobState
from banzu.jobs.models import Job
from banzu.recommendations import package, stamped
from banzu.recommendations.jobs import PACKAGE, package_scope
from banzu.recommendations.selectors import batch_for_view
from tests.conftest import client_for
from tests.documents.conftest import make_recommended
from tests.jobs.helpers import make_job
from tests.uploads import samples

pytestmark = pytest.mark.django_db

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
ATTACHMENT2 = [
    "附件2_推荐汇总表_2026_杭州.docx",
    "附件2_推荐汇总表_2026_杭州.pdf",
    "附件2_推荐汇总表_2026_杭州.xlsx",
]
HZ_PACKAGE_DISPOSITION = (
    "attachment; filename*=utf-8''%E6%8E%A8%E8%8D%90%E6%9D%90%E6%96%99_2026_%E6%9D%AD%E5%B7%9E.zip"
)


MISSING = "缺少盖章件.txt"


def folder_names(folder: str, team: str) -> list[str]:
    return [
        f"{folder}/",
        f"{folder}/附件1_申报表_{team}.docx",
        f"{folder}/附件1_申报表_{team}.pdf",
        f"{folder}/班组建设材料.docx",
        f"{folder}/班组建设材料.pdf",
        f"{folder}/发布PPT.pptx",
        f"{folder}/附件1_申报表_单位盖章扫描件.pdf",
    ]


def build_in_memory(recommender, edition) -> tuple[zipfile.ZipFile, list[tuple[int, int]]]:
    steps: list[tuple[int, int]] = []
    out = io.BytesIO()
    package.write_package(
        out,
        recommender=recommender,
        edition=edition,
        progress=lambda done, total: steps.append((done, total)),
    )
    out.seek(0)
    return zipfile.ZipFile(out), steps


def builds():
    return Job.objects.filter(kind=PACKAGE)


def package_job(recommender, edition, user, **fields) -> Job:
    return make_job(PACKAGE, package_scope(recommender, edition), user, **fields)


def start(client, recommender, callbacks_fixture):
    with callbacks_fixture(execute=True):
        return client.post(
            reverse("documents:package_start", args=[recommender.pk]), HTTP_HX_REQUEST="true", **EN
        )


# --- The ZIP ---------------------------------------------------------------------------------


def test_package_holds_a_folder_per_application_in_number_order_and_attachment2(
    open_edition, hangzhou, recommender_hz, tmp_path
):
    first = make_recommended(hangzhou, recommender_hz, tmp_path, "钢筋班")
    second = make_recommended(hangzhou, recommender_hz, tmp_path, "木工班")

    archive, steps = build_in_memory(hangzhou, open_edition)

    assert (first.recommendation_number, second.recommendation_number) == (
        "杭-2026-001",
        "杭-2026-002",
    )
    assert archive.namelist() == [
        *folder_names("杭-2026-001_钢筋班", "钢筋班"),
        *folder_names("杭-2026-002_木工班", "木工班"),
        *ATTACHMENT2,
        MISSING,
    ]
    # Non-ASCII names carry the UTF-8 flag (bit 11), so every unzip tool reads them back.
    assert {info.flag_bits & 0x800 for info in archive.infolist()} == {0x800}
    # What we generate is deflated; the uploads, compressed already, are stored as they are
    # (and so are the folders, which have no content).
    stored = {
        info.filename for info in archive.infolist() if info.compress_type == zipfile.ZIP_STORED
    }
    assert stored == {
        name
        for name in archive.namelist()
        if name.endswith("/")
        or name.rsplit("/", 1)[-1].startswith(("班组建设材料", "发布PPT", "附件1_申报表_单位盖章"))
    }
    assert {info.compress_type for info in archive.infolist()} == {
        zipfile.ZIP_DEFLATED,
        zipfile.ZIP_STORED,
    }
    assert steps == [(0, 3), (1, 3), (2, 3), (3, 3)]


def test_package_uploads_are_the_uploaded_bytes_and_attachment1_names_the_team(
    recommended, hangzhou, open_edition
):
    archive, _steps = build_in_memory(hangzhou, open_edition)

    folder = "杭-2026-001_钢筋班"
    current = {
        document.kind: filestore.path_for(document.stored_name).read_bytes()
        for document in recommended.documents.filter(superseded_at__isnull=True)
    }
    assert archive.read(f"{folder}/班组建设材料.docx") == current[DocumentKind.MATERIALS_DOCX]
    assert archive.read(f"{folder}/班组建设材料.pdf") == current[DocumentKind.MATERIALS_PDF]
    assert archive.read(f"{folder}/发布PPT.pptx") == current[DocumentKind.PRESENTATION]
    assert (
        archive.read(f"{folder}/附件1_申报表_单位盖章扫描件.pdf")
        == current[DocumentKind.SIGNED_FORM]
    )
    reader = PdfReader(io.BytesIO(archive.read(f"{folder}/附件1_申报表_钢筋班.pdf")))
    assert "钢筋班" in "".join(page.extract_text() for page in reader.pages).replace(" ", "")
    summary = PdfReader(io.BytesIO(archive.read(ATTACHMENT2[1])))
    summary_text = "".join(page.extract_text() for page in summary.pages).replace(" ", "")
    assert ("杭-2026-001" in summary_text, "钢筋班" in summary_text) == (True, True)


def test_package_of_a_recommender_without_recommendations_holds_only_attachment2(
    open_edition, hangzhou
):
    archive, steps = build_in_memory(hangzhou, open_edition)

    assert archive.namelist() == [*ATTACHMENT2, MISSING]
    assert steps == [(0, 1), (1, 1)]


def stamp(recommender, edition, user, tmp_path, application=None, name="scan") -> bytes:
    """Upload a stamped scan through the service; its bytes."""
    content = samples.make_pdf(tmp_path / f"{name}.pdf", pages=2).read_bytes()
    stamped.upload_stamped_copy(
        batch=batch_for_view(edition, recommender),
        user=user,
        upload=SimpleUploadedFile(f"{name}.pdf", content),
        application=application,
    )
    return content


def test_package_holds_the_stamped_scans_and_lists_the_missing_ones(
    open_edition, hangzhou, recommender_hz, tmp_path
):
    first = make_recommended(hangzhou, recommender_hz, tmp_path, "钢筋班")
    make_recommended(hangzhou, recommender_hz, tmp_path, "木工班")
    scan_a2 = stamp(hangzhou, open_edition, recommender_hz, tmp_path, name="a2")
    scan_a1 = stamp(hangzhou, open_edition, recommender_hz, tmp_path, first, name="a1")

    archive, _steps = build_in_memory(hangzhou, open_edition)

    assert archive.namelist() == [
        *folder_names("杭-2026-001_钢筋班", "钢筋班"),
        "杭-2026-001_钢筋班/附件1（盖章）.pdf",
        *folder_names("杭-2026-002_木工班", "木工班"),
        *ATTACHMENT2,
        "附件2（盖章）.pdf",
        MISSING,
    ]
    assert (
        archive.read("附件2（盖章）.pdf"),
        archive.read("杭-2026-001_钢筋班/附件1（盖章）.pdf"),
    ) == (
        scan_a2,
        scan_a1,
    )
    assert archive.read(MISSING).decode() == (
        "以下盖章件尚未上传，将另行报送纸质件：\r\n\r\n杭-2026-002 木工班：附件1（盖章）.pdf\r\n"
    )


def test_package_with_every_stamped_scan_lists_nothing_missing(
    recommended, open_edition, hangzhou, recommender_hz, tmp_path
):
    stamp(hangzhou, open_edition, recommender_hz, tmp_path, name="a2")
    stamp(hangzhou, open_edition, recommender_hz, tmp_path, recommended, name="a1")

    archive, _steps = build_in_memory(hangzhou, open_edition)

    assert archive.namelist()[-2:] == [ATTACHMENT2[-1], "附件2（盖章）.pdf"]
    assert MISSING not in archive.namelist()


def test_package_entries_extract_readable_by_everyone(recommended, hangzhou, open_edition):
    archive, _steps = build_in_memory(hangzhou, open_edition)

    modes = {
        (info.is_dir(), stat.S_IMODE(info.external_attr >> 16), info.create_system)
        for info in archive.infolist()
    }

    assert modes == {(True, 0o755, 3), (False, 0o644, 3)}


def test_package_leaves_out_superseded_uploads(recommended, hangzhou, open_edition):
    # What replacing a file does to the old row: it stays, marked superseded.
    ppt = recommended.documents.get(kind=DocumentKind.PRESENTATION)
    Document.objects.filter(pk=ppt.pk).update(superseded_at=ppt.uploaded_at)

    archive, _steps = build_in_memory(hangzhou, open_edition)

    assert archive.namelist() == [
        *[name for name in folder_names("杭-2026-001_钢筋班", "钢筋班") if "PPT" not in name],
        *ATTACHMENT2,
        MISSING,
    ]


# --- The background build and the views ------------------------------------------------------


def test_start_builds_in_the_background_and_status_offers_the_download(
    recommended, hangzhou, recommender_hz, django_capture_on_commit_callbacks
):
    client = client_for(recommender_hz)

    response = start(client, hangzhou, django_capture_on_commit_callbacks)

    build = builds().get()
    assert (build.state, build.done, build.total) == (JobState.DONE, 2, 2)
    assert (build.scope_id, build.created_by, build.error) == (hangzhou.pk, recommender_hz, "")
    path = filestore.path_for(build.stored_name)
    assert build.size == path.stat().st_size
    assert build.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert list(filestore.temp_dir().iterdir()) == []
    # The request answers before the task runs: a queued build that polls for its progress.
    assert 'hx-trigger="every 1s"' in response.content.decode()
    assert "Waiting for the builder" in response.content.decode()
    download_url = reverse("documents:package_download", args=[build.pk])
    status = client.get(reverse("documents:package_status", args=[hangzhou.pk]), **EN)
    body = status.content.decode()
    assert f'href="{download_url}"' in body
    assert "Download the package (.zip)" in body
    assert "every 1s" not in body
    assert AuditEntry.objects.filter(action="package.start", target_id=build.pk).count() == 1


def test_status_of_a_running_build_polls_every_second_with_a_progress_bar(
    recommended, hangzhou, recommender_hz, open_edition
):
    package_job(
        hangzhou,
        open_edition,
        recommender_hz,
        state=JobState.RUNNING,
        done=1,
        total=3,
    )

    response = client_for(recommender_hz).get(
        reverse("documents:package_status", args=[hangzhou.pk]), **EN
    )

    body = response.content.decode()
    status_url = reverse("documents:package_status", args=[hangzhou.pk])
    assert f'hx-get="{status_url}" hx-trigger="every 1s" hx-swap="outerHTML"' in body
    assert '<progress max="3" value="1">1/3</progress>' in body
    assert "1 of 3 steps" in body
    assert "/download/" not in body


def test_status_without_a_build_says_so(hangzhou, recommender_hz, open_edition):
    response = client_for(recommender_hz).get(
        reverse("documents:package_status", args=[hangzhou.pk]), **EN
    )

    assert "No package has been built yet." in response.content.decode()
    assert "every 1s" not in response.content.decode()


def test_a_second_start_while_a_build_is_under_way_starts_nothing(
    recommended, hangzhou, recommender_hz, open_edition, django_capture_on_commit_callbacks
):
    running = package_job(
        hangzhou,
        open_edition,
        recommender_hz,
        state=JobState.RUNNING,
    )

    start(client_for(recommender_hz), hangzhou, django_capture_on_commit_callbacks)

    assert list(builds().values_list("pk", "state")) == [(running.pk, JobState.RUNNING)]


def test_start_without_htmx_redirects_to_the_batch_page(
    recommended, hangzhou, recommender_hz, admin_user, django_capture_on_commit_callbacks
):
    url = reverse("documents:package_start", args=[hangzhou.pk])
    with django_capture_on_commit_callbacks(execute=True):
        staff = client_for(recommender_hz).post(url)
    builds().update(state=JobState.FAILED)
    with django_capture_on_commit_callbacks(execute=True):
        admin = client_for(admin_user).post(url)

    assert (staff.status_code, staff["Location"]) == (302, reverse("recommendations:batch"))
    assert (admin.status_code, admin["Location"]) == (
        302,
        reverse("recommendations:batch_of", kwargs={"recommender_pk": hangzhou.pk}),
    )
    assert list(builds().order_by("pk").values_list("created_by", "state")) == [
        (recommender_hz.pk, JobState.FAILED),
        (admin_user.pk, JobState.DONE),
    ]


def test_download_sends_the_zip_with_its_chinese_name_and_records_it(
    recommended, hangzhou, recommender_hz, django_capture_on_commit_callbacks
):
    client = client_for(recommender_hz)
    start(client, hangzhou, django_capture_on_commit_callbacks)
    build = builds().get()

    response = client.get(reverse("documents:package_download", args=[build.pk]))

    content = b"".join(response.streaming_content)
    assert response["Content-Disposition"] == HZ_PACKAGE_DISPOSITION
    assert response["Content-Type"] == "application/zip"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert content == filestore.path_for(build.stored_name).read_bytes()
    assert zipfile.ZipFile(io.BytesIO(content)).namelist() == [
        *folder_names("杭-2026-001_钢筋班", "钢筋班"),
        *ATTACHMENT2,
        MISSING,
    ]
    entry = AuditEntry.objects.get(action="export.package")
    assert (entry.actor_id, entry.target_id, entry.data["file"]) == (
        recommender_hz.pk,
        build.pk,
        "推荐材料_2026_杭州.zip",
    )


def test_admin_builds_any_recommenders_package(
    recommended, hangzhou, admin_user, django_capture_on_commit_callbacks
):
    client = client_for(admin_user)

    start(client, hangzhou, django_capture_on_commit_callbacks)

    build = builds().get()
    response = client.get(reverse("documents:package_download", args=[build.pk]))
    content = b"".join(response.streaming_content)  # consuming it closes the file
    assert content[:2] == b"PK"
    assert (build.state, build.created_by) == (JobState.DONE, admin_user)
    assert response["Content-Disposition"] == HZ_PACKAGE_DISPOSITION


def test_failing_build_is_marked_failed_shows_the_error_and_leaves_no_file(
    recommended,
    hangzhou,
    recommender_hz,
    admin_user,
    monkeypatch,
    django_capture_on_commit_callbacks,
):
    def broken(application, fmt):
        raise RuntimeError("renderer exploded")

    monkeypatch.setattr(package, "attachment1_file", broken)
    client = client_for(recommender_hz)

    start(client, hangzhou, django_capture_on_commit_callbacks)

    build = builds().get()
    status = client.get(reverse("documents:package_status", args=[hangzhou.pk]), **EN)
    assert (build.state, build.stored_name, build.size, build.sha256) == (
        JobState.FAILED,
        "",
        None,
        "",
    )
    assert build.error == "RuntimeError: renderer exploded"
    assert build.finished_at is not None
    assert list(filestore.temp_dir().iterdir()) == []
    assert set(filestore.stored_files()) == {
        document.stored_name for document in recommended.documents.all()
    }
    assert "The package could not be built. Try again; if it fails again, tell the" in (
        status.content.decode()
    )
    assert "renderer exploded" not in status.content.decode()
    admin_status = client_for(admin_user).get(
        reverse("documents:package_status", args=[hangzhou.pk]), **EN
    )
    assert "The package could not be built. RuntimeError: renderer exploded" in (
        admin_status.content.decode()
    )
    download = client.get(reverse("documents:package_download", args=[build.pk]))
    assert download.status_code == 404


# --- Scope -----------------------------------------------------------------------------------


@pytest.fixture
def hz_build(recommended, hangzhou, recommender_hz, django_capture_on_commit_callbacks):
    start(client_for(recommender_hz), hangzhou, django_capture_on_commit_callbacks)
    return builds().get()


@pytest.mark.parametrize("persona", ["recommender_nb", "applicant_a", "expert"])
def test_package_views_are_404_outside_the_users_scope(
    request, persona, hz_build, hangzhou, django_capture_on_commit_callbacks
):
    client = client_for(request.getfixturevalue(persona))

    with django_capture_on_commit_callbacks(execute=True):
        started = client.post(reverse("documents:package_start", args=[hangzhou.pk]))
    status = client.get(reverse("documents:package_status", args=[hangzhou.pk]))
    download = client.get(reverse("documents:package_download", args=[hz_build.pk]))

    assert (started.status_code, status.status_code, download.status_code) == (404, 404, 404)
    assert builds().count() == 1
    assert AuditEntry.objects.filter(action="export.package").count() == 0


def test_package_views_send_anonymous_users_to_the_login_page(hz_build, hangzhou):
    client = client_for(None)
    urls = [
        reverse("documents:package_status", args=[hangzhou.pk]),
        reverse("documents:package_download", args=[hz_build.pk]),
    ]

    responses = [client.get(url) for url in urls]
    started = client.post(reverse("documents:package_start", args=[hangzhou.pk]))

    login = reverse("accounts:login")
    assert [r["Location"] for r in [*responses, started]] == [
        f"{login}?next={urls[0]}",
        f"{login}?next={urls[1]}",
        f"{login}?next={reverse('documents:package_start', args=[hangzhou.pk])}",
    ]
    assert builds().count() == 1


def test_start_is_post_only(hangzhou, recommender_hz, open_edition):
    response = client_for(recommender_hz).get(
        reverse("documents:package_start", args=[hangzhou.pk])
    )

    assert response.status_code == 405
    assert builds().count() == 0


def test_a_new_build_drops_the_previous_builds_file(
    recommended, hangzhou, recommender_hz, django_capture_on_commit_callbacks
):
    client = client_for(recommender_hz)
    start(client, hangzhou, django_capture_on_commit_callbacks)
    first = builds().get()
    first_path = filestore.path_for(first.stored_name)

    start(client, hangzhou, django_capture_on_commit_callbacks)

    first.refresh_from_db()
    second = builds().exclude(pk=first.pk).get()
    assert (first.state, first.stored_name, first_path.exists()) == (JobState.DONE, "", False)
    assert (second.state, filestore.path_for(second.stored_name).is_file()) == (
        JobState.DONE,
        True,
    )
    old = client.get(reverse("documents:package_download", args=[first.pk]))
    assert old.status_code == 404


def test_panel_offers_the_build_button_and_loads_the_status(rf, hangzhou, recommender_hz):
    request = rf.get("/recommend/batch/")
    request.user = recommender_hz

    with translation.override("en"):
        html = render_to_string(
            "recommendations/_package_panel.html", {"recommender": hangzhou}, request=request
        )

    start_url = reverse("documents:package_start", args=[hangzhou.pk])
    status_url = reverse("documents:package_status", args=[hangzhou.pk])
    assert f'<form method="post" action="{start_url}" hx-post="{start_url}"' in html
    assert 'name="csrfmiddlewaretoken"' in html
    assert "Build the submission package" in html
    assert f'hx-get="{status_url}" hx-trigger="load"' in html
    assert "style=" not in html
    assert "<script" not in html


# --- The file store check -------------------------------------------------------------------


def test_check_files_knows_a_built_package(
    recommended, hangzhou, recommender_hz, django_capture_on_commit_callbacks, capsys
):
    from django.core.management import call_command

    start(client_for(recommender_hz), hangzhou, django_capture_on_commit_callbacks)
    build = builds().get()

    call_command("check_files")

    out = capsys.readouterr().out
    assert build.state == JobState.DONE
    assert build.stored_name not in out
    assert "0 file(s) without a row." in out
