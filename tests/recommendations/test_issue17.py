"""Issue 17 on the recommender's side: a returned application stays on the recommender's list as
returned, with its reason, and opens as it was returned (item 3); the one list searches (item 4);
recommending, returning, declining and submitting a sheet are refused unless confirmed (item 9)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from banzu.applications.enums import ApplicationState, DocumentKind
from banzu.applications.models import Document
from banzu.recommendations import services
from banzu.scoring.enums import SheetState
from banzu.scoring.models import ScoreSheet
from tests.applications.helpers import make_complete, upload
from tests.conftest import client_for
from tests.factories import ApplicationFactory, EnterpriseFactory, TeamFactory
from tests.recommendations.conftest import score

pytestmark = pytest.mark.django_db

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
CONFIRM = {"confirmed": "yes"}


def _submit(recommender, tmp_path, team_name, enterprise_name):
    from banzu.applications import services as application_services

    team = TeamFactory(name=team_name, enterprise=EnterpriseFactory(name=enterprise_name))
    application = make_complete(ApplicationFactory(recommender=recommender, team=team), tmp_path)
    return application_services.submit_application(
        application=application, user=application.created_by
    )


def _teams(response):
    return [row.application.team.name for row in response.context["rows"]]


# --- Item 9: nothing irreversible without the confirmation -----------------------------------


def test_recommend_without_confirmation_takes_no_number(submitted, recommender_hz):
    response = client_for(recommender_hz).post(
        reverse("recommendations:recommend", args=[submitted.pk]), **EN
    )

    submitted.refresh_from_db()
    assert (submitted.state, submitted.recommendation_number) == (
        ApplicationState.SUBMITTED,
        None,
    )
    assert response["Location"] == (
        reverse("recommendations:review", args=[submitted.pk]) + "#decision"
    )
    assert services.batch_for(submitted.edition, submitted.recommender).last_number == 0


def test_recommend_with_confirmation_takes_the_number_the_page_announced(submitted, recommender_hz):
    client = client_for(recommender_hz)
    page = client.get(reverse("recommendations:review", args=[submitted.pk]), **EN)
    assert page.context["next_number"] == "杭-2026-001"
    assert "杭-2026-001, at once" in page.content.decode()

    client.post(reverse("recommendations:recommend", args=[submitted.pk]), CONFIRM)

    submitted.refresh_from_db()
    assert submitted.recommendation_number == "杭-2026-001"


def test_recommend_warns_while_no_sheet_is_submitted(submitted, recommender_hz):
    client = client_for(recommender_hz)
    url = reverse("recommendations:review", args=[submitted.pk])
    warning = "No score sheet of your recommender has been submitted for this application yet."

    before = client.get(url, **EN).content.decode()
    score(submitted, recommender_hz, 80)
    after = client.get(url, **EN).content.decode()

    assert (warning in before, warning in after) == (True, False)


@pytest.mark.parametrize("action", ["return", "decline"])
def test_reason_step_without_confirmation_keeps_the_reason_and_changes_nothing(
    submitted, recommender_hz, action
):
    response = client_for(recommender_hz).post(
        reverse(f"recommendations:{action}", args=[submitted.pk]), {"reason": "请补充盖章页"}, **EN
    )

    submitted.refresh_from_db()
    assert (response.status_code, submitted.state) == (200, ApplicationState.SUBMITTED)
    text = response.content.decode()
    assert f'id="{action}_reason"' in text
    assert "请补充盖章页</textarea>" in text
    assert response.context[f"refused_{action}"] == [
        "Tick the box to confirm this step; nothing was changed."
    ]


def test_recommender_sheet_submit_without_confirmation_is_refused_and_keeps_the_scores(
    submitted, recommender_hz
):
    rubric = list(submitted.edition.rubric_items.all())
    data = {"version": "1", "action": "submit"}
    for item, points in zip(rubric, ["12", "20", "25", "10", "13"], strict=True):
        data[f"points_{item.pk}"] = points

    response = client_for(recommender_hz).post(
        reverse("recommendations:score", args=[submitted.pk]), data, **EN
    )

    assert response.status_code == 200
    assert response.context["form"].errors == {
        "confirmed": ["Tick the box to confirm this step; nothing was changed."]
    }
    assert f'name="points_{rubric[1].pk}" value="20"' in response.content.decode()
    assert not ScoreSheet.objects.filter(application=submitted).exists()


def test_recommender_sheet_draft_needs_no_confirmation(submitted, recommender_hz):
    rubric = list(submitted.edition.rubric_items.all())
    data = {"version": "1", "action": "save"}
    for item in rubric:
        data[f"points_{item.pk}"] = "10"

    client_for(recommender_hz).post(reverse("recommendations:score", args=[submitted.pk]), data)

    assert ScoreSheet.objects.get(application=submitted).state == SheetState.DRAFT


# --- Items 3 and 4: returned applications on the one list, with search ----------------------


def test_returned_application_stays_on_the_list_as_returned_with_its_reason(
    submitted, recommender_hz, hangzhou
):
    services.return_application(application=submitted, actor=recommender_hz, reason="盖章页不清晰")
    client = client_for(recommender_hz)

    everything = client.get(reverse("recommendations:list"), **EN)
    returned = client.get(reverse("recommendations:list"), {"state": "returned"}, **EN)
    drafts_are_no_state = client.get(reverse("recommendations:list"), {"state": "submitted"}, **EN)

    assert [(r.application.pk, r.returned) for r in everything.context["rows"]] == [
        (submitted.pk, True)
    ]
    assert [r.application.pk for r in returned.context["rows"]] == [submitted.pk]
    assert list(drafts_are_no_state.context["rows"]) == []
    text = everything.content.decode()
    assert '<span class="badge state-returned">Returned</span>' in text
    assert '<span class="small returned-reason">盖章页不清晰</span>' in text
    assert ("returned", "Returned") in everything.context["states"]


def test_an_enterprise_draft_never_submitted_is_not_on_the_list(
    submitted, recommender_hz, hangzhou, open_edition
):
    ApplicationFactory(recommender=hangzhou, edition=open_edition)

    response = client_for(recommender_hz).get(reverse("recommendations:list"), **EN)

    assert [r.application.pk for r in response.context["rows"]] == [submitted.pk]


def test_list_searches_team_enterprise_and_number(recommender_hz, hangzhou, tmp_path, open_edition):
    rebar = _submit(hangzhou, tmp_path, "钢筋加工班", "杭州一建有限公司")
    survey = _submit(hangzhou, tmp_path, "测量放线班", "杭州二建有限公司")
    services.recommend_application(application=survey, actor=recommender_hz)
    client = client_for(recommender_hz)

    def found(q):
        return _teams(client.get(reverse("recommendations:list"), {"q": q}))

    assert found("钢筋") == ["钢筋加工班"]
    assert found("二建") == ["测量放线班"]
    assert found("杭-2026-001") == ["测量放线班"]
    assert sorted(found("")) == ["测量放线班", "钢筋加工班"]
    assert rebar.pk != survey.pk


def test_returned_application_opens_as_returned_not_as_the_enterprise_edits_it(
    submitted, recommender_hz, tmp_path
):
    returned_at = timezone.now()
    services.return_application(application=submitted, actor=recommender_hz, reason="请重新上传PDF")
    submitted.refresh_from_db()
    old_pdf = Document.objects.get(
        application=submitted, kind=DocumentKind.MATERIALS_PDF, superseded_at__isnull=True
    )
    new_pdf = upload(
        submitted, DocumentKind.MATERIALS_PDF, tmp_path, now=returned_at + dt.timedelta(minutes=5)
    )
    client = client_for(recommender_hz)

    page = client.get(reverse("recommendations:review", args=[submitted.pk]), **EN)

    text = page.content.decode()
    assert page.context["returned"].reason == "请重新上传PDF"
    assert page.context["returned"].by == (recommender_hz.full_name or recommender_hz.username)
    pdf_slot = next(s for s in page.context["slots"] if s.kind == DocumentKind.MATERIALS_PDF)
    assert pdf_slot.current.pk == old_pdf.pk
    assert "The enterprise is revising the application." in text
    assert "Files as returned" in text
    # Its form and Attachment 1 (the enterprise's ongoing edits) are not shown.
    assert "Application form (Attachment 1)" not in text
    own = client.get(reverse("recommendations:view_pdf", args=[submitted.pk, old_pdf.pk]))
    theirs = client.get(reverse("recommendations:view_pdf", args=[submitted.pk, new_pdf.pk]))
    b"".join(own.streaming_content)  # read to its end, which closes the file
    assert (own.status_code, theirs.status_code) == (200, 404)


def test_a_file_uploaded_after_the_return_is_not_the_recommenders_to_download(
    submitted, recommender_hz, applicant_a, tmp_path
):
    """Guessing its id does not help: the download answers 404 for what the enterprise uploaded
    after the return, as the page and the PDF view do; the enterprise itself downloads it."""
    returned_at = timezone.now()
    services.return_application(application=submitted, actor=recommender_hz, reason="请重新上传PDF")
    submitted.refresh_from_db()
    old_pdf = Document.objects.get(
        application=submitted, kind=DocumentKind.MATERIALS_PDF, superseded_at__isnull=True
    )
    new_pdf = upload(
        submitted, DocumentKind.MATERIALS_PDF, tmp_path, now=returned_at + dt.timedelta(minutes=5)
    )

    def status(user, document):
        url = reverse("applications:download", args=[submitted.pk, document.pk])
        response = client_for(user).get(url)
        if response.status_code == 200:
            b"".join(response.streaming_content)  # read to its end, which closes the file
        return response.status_code

    assert (
        status(recommender_hz, old_pdf),
        status(recommender_hz, new_pdf),
        status(submitted.created_by, new_pdf),
    ) == (200, 404, 200)
