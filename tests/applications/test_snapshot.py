"""What was submitted stays as submitted: the enterprise's details on a submitted application
and its Attachment 1 are those of the submission; a change is journalled and shown (issue 17,
item 2)."""

from __future__ import annotations

import io

import docx as python_docx
import pytest
from django.urls import reverse

from banzu.applications import services
from banzu.applications.attachment1 import attachment1_file
from banzu.applications.models import Application
from banzu.audit.models import AuditEntry
from banzu.recommendations import services as recommendation_services
from tests.applications.helpers import make_complete
from tests.conftest import client_for
from tests.factories import ApplicationFactory, TeamFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("_english")]


def _enterprise_post(enterprise, **changes):
    data = {
        "name": enterprise.name,
        "industry": enterprise.industry,
        "ownership": enterprise.ownership,
        "address": enterprise.address,
        "supervising_department": enterprise.supervising_department,
        "supervising_contact": enterprise.supervising_contact,
        "supervising_phone": enterprise.supervising_phone,
    }
    return {**data, **changes}


def _docx_text(application: Application) -> str:
    word = python_docx.Document(io.BytesIO(attachment1_file(application, "docx").content))
    return "".join(cell.text for row in word.tables[0].rows for cell in row.cells)


@pytest.fixture
def draft(applicant_a, hangzhou, open_edition):
    team = TeamFactory(enterprise=applicant_a.enterprise, name="钢筋班")
    return ApplicationFactory(
        team=team, created_by=applicant_a, recommender=hangzhou, edition=open_edition
    )


@pytest.fixture
def recommended(draft, tmp_path, recommender_hz):
    application = make_complete(draft, tmp_path)
    submitted = services.submit_application(application=application, user=application.created_by)
    return recommendation_services.recommend_application(
        application=submitted, actor=recommender_hz
    )


def test_changed_contact_after_recommendation_leaves_attachment1_as_submitted(
    recommended, applicant_a
):
    enterprise = applicant_a.enterprise
    before = _docx_text(recommended)

    response = client_for(applicant_a).post(
        reverse("accounts:enterprise"),
        _enterprise_post(enterprise, supervising_contact="赵新"),
    )

    assert response.status_code == 302
    enterprise.refresh_from_db()
    assert enterprise.supervising_contact == "赵新"
    application = Application.objects.get(pk=recommended.pk)
    assert _docx_text(application) == before
    assert "王工" in before
    assert "赵新" not in before
    entry = AuditEntry.objects.filter(action="enterprise.update").get()
    assert (entry.target_id, entry.data["fields"], entry.data["changes"]) == (
        enterprise.pk,
        ["supervising_contact"],
        {"supervising_contact": ["王工", "赵新"]},
    )


def test_submission_journals_the_enterprise_details_it_keeps(recommended, applicant_a):
    entry = AuditEntry.objects.get(action="application.submit", target_id=recommended.pk)

    assert recommended.submitted_enterprise == entry.data["enterprise"]
    assert recommended.submitted_enterprise["supervising_contact"] == "王工"
    assert recommended.submitted_enterprise["name"] == applicant_a.enterprise.name


@pytest.mark.parametrize("persona", ["applicant_a", "recommender_hz"])
def test_page_of_submitted_application_says_the_enterprise_changed_since(
    request, recommended, applicant_a, persona
):
    client_for(applicant_a).post(
        reverse("accounts:enterprise"),
        _enterprise_post(applicant_a.enterprise, supervising_contact="赵新"),
    )
    url = (
        reverse("applications:detail", args=[recommended.pk])
        if persona == "applicant_a"
        else reverse("recommendations:review", args=[recommended.pk])
    )

    page = client_for(request.getfixturevalue(persona)).get(url).content.decode()

    assert "the enterprise's details have changed since (department contact)" in page
    assert "<td>王工</td>" in page
    assert "<td>赵新</td>" not in page
    if persona == "applicant_a":
        assert "Enterprise details changed: department contact “王工” → “赵新”" in page


def test_unchanged_enterprise_shows_no_change_notice(recommended, applicant_a):
    page = client_for(applicant_a).get(reverse("applications:detail", args=[recommended.pk]))

    assert "have changed since" not in page.content.decode()


def test_draft_follows_the_live_enterprise_details(draft, applicant_a):
    client_for(applicant_a).post(
        reverse("accounts:enterprise"),
        _enterprise_post(applicant_a.enterprise, supervising_contact="赵新"),
    )
    draft.refresh_from_db()

    assert (draft.submitted_enterprise, draft.shown_enterprise.supervising_contact) == ({}, "赵新")
    assert "赵新" in _docx_text(draft)


def test_resubmission_takes_the_details_again(draft, tmp_path, applicant_a, recommender_hz):
    application = make_complete(draft, tmp_path)
    submitted = services.submit_application(application=application, user=applicant_a)
    returned = services.transition(
        submitted, to="draft", actor=recommender_hz, reason="请补充主管部门联系人"
    )
    enterprise = applicant_a.enterprise
    enterprise.supervising_contact = "赵新"
    enterprise.save()

    again = services.submit_application(application=returned, user=applicant_a)

    assert again.shown_enterprise.supervising_contact == "赵新"
    assert again.enterprise_changed_since_submission == []
