"""The stamped copies (issue 18, item 5): the recommender's staff upload the stamped Attachment 2
of their batch and each recommended application's Attachment 1; the admin reads them; the batch
page lists what is missing and warns before submission."""

from __future__ import annotations

import hashlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from banzu.audit.models import AuditEntry
from banzu.core import filestore
from banzu.recommendations import services as recommendation_services
from banzu.recommendations import stamped
from banzu.recommendations.enums import BatchState, StampedKind
from banzu.recommendations.models import StampedCopy
from banzu.recommendations.selectors import batch_for_view
from tests.conftest import client_for
from tests.documents.conftest import make_recommended
from tests.uploads import samples

pytestmark = pytest.mark.django_db

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture
def recommended(open_edition, hangzhou, recommender_hz, tmp_path):
    """钢筋班, recommended by 杭州 (杭-2026-001)."""
    return make_recommended(hangzhou, recommender_hz, tmp_path, "钢筋班")


@pytest.fixture
def scan_bytes(tmp_path) -> bytes:
    return samples.make_pdf(tmp_path / "scan.pdf", pages=2).read_bytes()


def scan(content: bytes, name: str = "盖章件.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def upload_a2(client, hangzhou, content: bytes, name: str = "附件2盖章.pdf"):
    return client.post(
        reverse("recommendations:stamped_attachment2", args=[hangzhou.pk]),
        {"file": scan(content, name)},
        **EN,
    )


def upload_a1(client, application, content: bytes, name: str = "附件1盖章.pdf"):
    return client.post(
        reverse("recommendations:stamped_attachment1", args=[application.pk]),
        {"file": scan(content, name)},
        **EN,
    )


def current(kind, **filters) -> list[StampedCopy]:
    return list(StampedCopy.objects.filter(kind=kind, superseded_at__isnull=True, **filters))


# --- Uploading --------------------------------------------------------------------------------


def test_staff_upload_the_stamped_attachment2_stored_with_its_hash_and_journalled(
    open_edition, hangzhou, recommender_hz, scan_bytes
):
    response = upload_a2(client_for(recommender_hz), hangzhou, scan_bytes)

    assert (response.status_code, response["Location"]) == (302, "/recommend/batch/#stamped")
    [copy] = current(StampedKind.ATTACHMENT2)
    batch = batch_for_view(open_edition, hangzhou)
    assert (copy.batch, copy.application, copy.original_name, copy.uploaded_by) == (
        batch,
        None,
        "附件2盖章.pdf",
        recommender_hz,
    )
    assert (copy.size, copy.sha256) == (len(scan_bytes), hashlib.sha256(scan_bytes).hexdigest())
    assert filestore.path_for(copy.stored_name).read_bytes() == scan_bytes
    entry = AuditEntry.objects.get(action="stamped.upload")
    assert (entry.actor_id, entry.target_id, entry.data) == (
        recommender_hz.pk,
        batch.pk,
        {"kind": "attachment2", "copy": copy.pk, "sha256": copy.sha256},
    )


def test_staff_upload_a_recommended_applications_stamped_attachment1(
    recommended, open_edition, recommender_hz, scan_bytes
):
    response = upload_a1(client_for(recommender_hz), recommended, scan_bytes)

    assert response.status_code == 302
    [copy] = current(StampedKind.ATTACHMENT1)
    assert (copy.application, copy.batch.recommender_id) == (
        recommended,
        recommended.recommender_id,
    )
    entry = AuditEntry.objects.get(action="stamped.upload")
    assert (entry.target_id, entry.data["kind"]) == (recommended.pk, "attachment1")


def test_a_new_scan_supersedes_the_earlier_one_which_is_kept(
    recommended, recommender_hz, scan_bytes, tmp_path
):
    client = client_for(recommender_hz)
    upload_a1(client, recommended, scan_bytes, "第一次.pdf")
    second = samples.make_pdf(tmp_path / "second.pdf", pages=3).read_bytes()

    upload_a1(client, recommended, second, "第二次.pdf")

    copies = StampedCopy.objects.filter(application=recommended).order_by("pk")
    assert [(c.original_name, c.superseded_at is None) for c in copies] == [
        ("第一次.pdf", False),
        ("第二次.pdf", True),
    ]
    assert filestore.path_for(copies[0].stored_name).read_bytes() == scan_bytes


def test_a_file_that_is_not_a_pdf_is_refused_beside_its_slot_and_journalled(
    recommended, hangzhou, recommender_hz, tmp_path
):
    docx = samples.make_docx(tmp_path / "x.docx").read_bytes()

    response = upload_a1(client_for(recommender_hz), recommended, docx, "扫描.pdf")

    assert response.status_code == 200
    assert response.context["stamped_error"] == (
        recommended.pk,
        "The file's content does not match its extension (for example a renamed file). "
        "Please save it again in the right format.",
    )
    assert StampedCopy.objects.count() == 0
    entry = AuditEntry.objects.get(action="stamped.rejected")
    assert (entry.target_id, entry.data) == (
        recommended.pk,
        {"kind": "attachment1", "name": "扫描.pdf", "code": "magic"},
    )
    assert f'id="stamped-error-{recommended.pk}"' in response.content.decode()


def test_an_upload_without_a_file_asks_for_one(open_edition, hangzhou, recommender_hz):
    response = client_for(recommender_hz).post(
        reverse("recommendations:stamped_attachment2", args=[hangzhou.pk]), {}, **EN
    )

    assert (response.status_code, response.context["stamped_error"]) == (
        200,
        (None, "Choose a file to upload."),
    )


def test_an_application_not_recommended_takes_no_stamped_attachment1(
    submitted, recommender_hz, scan_bytes
):
    response = upload_a1(client_for(recommender_hz), submitted, scan_bytes)

    assert response.context["stamped_error"] == (
        submitted.pk,
        "Only an application this recommender recommended takes a stamped Attachment 1.",
    )
    assert StampedCopy.objects.count() == 0


def test_a_submitted_batch_takes_no_scan(
    recommended, open_edition, hangzhou, recommender_hz, scan_bytes
):
    recommendation_services.transition_batch(
        batch_for_view(open_edition, hangzhou), to=BatchState.SUBMITTED, actor=recommender_hz
    )

    response = upload_a2(client_for(recommender_hz), hangzhou, scan_bytes)

    assert response.context["stamped_error"] == (
        None,
        "The batch has been submitted to the province; its stamped copies can no longer change "
        "unless the provincial admin reopens it.",
    )
    assert StampedCopy.objects.count() == 0
    assert 'id="stamped-file-a2"' not in response.content.decode()  # no upload form any more


# --- Who may --------------------------------------------------------------------------------


def test_the_admin_reads_but_may_not_upload(recommended, hangzhou, admin_user, scan_bytes):
    client = client_for(admin_user)

    answers = (
        upload_a2(client, hangzhou, scan_bytes).status_code,
        upload_a1(client, recommended, scan_bytes).status_code,
    )

    assert answers == (403, 403)
    assert StampedCopy.objects.count() == 0


def test_another_citys_staff_and_applicants_find_nothing(
    recommended, hangzhou, recommender_nb, scan_bytes
):
    answers = [
        (
            upload_a2(client, hangzhou, scan_bytes).status_code,
            upload_a1(client, recommended, scan_bytes).status_code,
        )
        for client in (client_for(recommender_nb), client_for(recommended.created_by))
    ]

    assert answers == [(404, 404), (404, 404)]
    assert StampedCopy.objects.count() == 0


def test_the_scan_is_shown_to_its_staff_and_the_admin_and_404_elsewhere(
    recommended, open_edition, hangzhou, recommender_hz, recommender_nb, admin_user, scan_bytes
):
    copy = stamped.upload_stamped_copy(
        batch=batch_for_view(open_edition, hangzhou),
        user=recommender_hz,
        upload=scan(scan_bytes),
        application=recommended,
    )
    url = reverse("recommendations:stamped_view", args=[copy.pk])

    shown = {}
    for name, user in (("hz", recommender_hz), ("admin", admin_user)):
        response = client_for(user).get(url)
        shown[name] = (response["Content-Type"], b"".join(response.streaming_content))
    refused = [
        client_for(user).get(url).status_code for user in (recommender_nb, recommended.created_by)
    ]

    assert shown == {
        "hz": ("application/pdf", scan_bytes),
        "admin": ("application/pdf", scan_bytes),
    }
    assert refused == [404, 404]
    assert AuditEntry.objects.filter(action="stamped.download").count() == 2


# --- The batch page -------------------------------------------------------------------------


def test_batch_page_lists_the_missing_copies_and_warns_before_submission(
    open_edition, hangzhou, recommender_hz, tmp_path
):
    first = make_recommended(hangzhou, recommender_hz, tmp_path, "钢筋班")
    make_recommended(hangzhou, recommender_hz, tmp_path, "木工班")
    stamped.upload_stamped_copy(
        batch=batch_for_view(open_edition, hangzhou),
        user=recommender_hz,
        upload=scan(samples.make_pdf(tmp_path / "s.pdf").read_bytes()),
        application=first,
    )

    response = client_for(recommender_hz).get(reverse("recommendations:batch"), **EN)

    assert response.context["stamped_missing"] == [
        "附件2（盖章）.pdf",
        "杭-2026-002 木工班：附件1（盖章）.pdf",
    ]
    page = response.content.decode()
    assert "2 stamped copies are missing:" in page
    assert (
        "2 stamped copies have not been uploaded; you may still submit and send them on paper: "
        "附件2（盖章）.pdf; 杭-2026-002 木工班：附件1（盖章）.pdf." in page
    )
    assert page.count('type="file" name="file"') == 3


def test_batch_page_without_anything_missing_warns_of_nothing(
    recommended, open_edition, hangzhou, recommender_hz, scan_bytes
):
    client = client_for(recommender_hz)
    upload_a2(client, hangzhou, scan_bytes)
    upload_a1(client, recommended, scan_bytes)

    response = client.get(reverse("recommendations:batch"), **EN)

    assert response.context["stamped_missing"] == []
    assert (
        "stamped cop" not in response.content.decode().split('id="stamped"')[1].split("<table")[0]
    )


def test_submission_with_copies_missing_goes_through(
    recommended, open_edition, hangzhou, recommender_hz
):
    response = client_for(recommender_hz).post(
        reverse("recommendations:submit_batch", args=[hangzhou.pk]), {"confirmed": "yes"}, **EN
    )

    assert response.status_code == 302
    assert batch_for_view(open_edition, hangzhou).state == BatchState.SUBMITTED


def test_the_admin_sees_the_slots_without_upload_forms(
    recommended, open_edition, hangzhou, recommender_hz, admin_user, scan_bytes
):
    upload_a2(client_for(recommender_hz), hangzhou, scan_bytes)

    response = client_for(admin_user).get(
        reverse("recommendations:batch_of", args=[hangzhou.pk]), **EN
    )

    page = response.content.decode()
    copy = StampedCopy.objects.get()
    assert reverse("recommendations:stamped_view", args=[copy.pk]) in page
    assert ('type="file"' in page, response.context["stamped_missing"]) == (
        False,
        ["杭-2026-001 钢筋班：附件1（盖章）.pdf"],
    )


@pytest.mark.parametrize("count", [1, 3])
def test_batch_page_with_scans_asks_the_same_queries_for_1_and_3_applications(
    count, open_edition, hangzhou, recommender_hz, tmp_path, django_assert_num_queries
):
    batch = batch_for_view(open_edition, hangzhou)
    content = samples.make_pdf(tmp_path / "s.pdf").read_bytes()
    for number in range(count):
        application = make_recommended(hangzhou, recommender_hz, tmp_path, f"班组{number}")
        stamped.upload_stamped_copy(
            batch=batch, user=recommender_hz, upload=scan(content), application=application
        )
    client = client_for(recommender_hz)

    # The batch page's nine (tests/recommendations/test_batch_views.py) and the scans' one.
    with django_assert_num_queries(10):
        response = client.get(reverse("recommendations:batch"))

    assert [slot.current is not None for slot in response.context["stamped_slots"]] == [
        False,
        *[True] * count,
    ]
