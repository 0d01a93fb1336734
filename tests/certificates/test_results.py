"""The applicant's own published result (certificates:result) and the lists of results."""

from __future__ import annotations

import re

from django.urls import reverse
from django.utils.timezone import localdate

from banzu.audit.models import AuditEntry
from banzu.certificates import services
from banzu.presentations.models import PresentationSheet
from banzu.scoring.models import ScoreSheet, SheetVersion
from tests.certificates.conftest import EXPERT_NAMES
from tests.conftest import client_for
from tests.factories import UserFactory


def _page(user, application):
    return client_for(user).get(reverse("certificates:result", args=[application.pk]))


def _facts(html: str) -> dict[str, str]:
    """The page's facts as text: {term: description}."""
    pairs = re.findall(r"<dt>(.*?)</dt>\s*<dd>(.*?)</dd>", html, flags=re.S)
    return {term: " ".join(re.sub(r"<[^>]+>", "", text).split()) for term, text in pairs}


def _list_after(html: str, heading: str) -> list[str]:
    """The items of the list under a comments' heading, in page order."""
    block = html.split(f"<h3>{heading}</h3>", 1)[1].split("</ul>", 1)[0]
    return re.findall(r"<li>(.*?)</li>", block, flags=re.S)


def _staff_of(application, username: str):
    return UserFactory(username=username, enterprise=application.team.enterprise)


def test_the_applicant_sees_its_own_result_with_exact_figures(world, issued, applicant_a):
    response = _page(applicant_a, world.own)
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>甲班组 · Your result</h1>" in html
    assert _facts(html) == {
        "Award": "一等奖",
        "Room award": "最佳发布奖 (第一分会场)",
        "Rank": "1",
        "Total": "87.90 of 100",
        "Materials score": "88.00 of 100",
        "Materials share of the total": "70.40 of 80",
        "Presentation score": "17.50 of 20",
        "Commendation notice": "浙质协〔2026〕15号 (2026-12-15)",
        "Certificate": "Download certificate ZJQC-2026-001 (PDF)",
    }
    assert reverse("certificates:pdf", args=[issued[0].pk]) in html


def test_before_the_certificates_are_issued_the_page_says_so(world, applicant_b):
    html = _page(applicant_b, world.other).content.decode()
    facts = _facts(html)
    assert (facts["Award"], facts["Room award"], facts["Rank"], facts["Total"]) == (
        "二等奖",
        "最佳发布奖 (第二分会场)",
        "2",
        "87.37 of 100",
    )
    assert facts["Certificate"] == "Not issued yet."


def test_a_revoked_certificate_is_named_but_no_longer_offered(
    world, issued, applicant_a, admin_user
):
    revoked = services.revoke(issued[0], by=admin_user, reason="异议成立")
    html = _page(applicant_a, world.own).content.decode()
    assert _facts(html)["Certificate"] == (
        f"Certificate ZJQC-2026-001 was revoked on {localdate(revoked.revoked_at):%Y-%m-%d}."
    )
    assert reverse("certificates:pdf", args=[revoked.pk]) not in html
    assert "异议成立" not in html


def test_a_ranked_team_without_an_award_sees_its_figures(world):
    bing = world.team("丙班组")
    html = _page(_staff_of(bing, "bing_staff"), bing).content.decode()
    assert _facts(html) == {
        "Award": "No award",
        "Rank": "4",
        "Total": "82.10 of 100",
        "Materials score": "82.00 of 100",
        "Materials share of the total": "65.60 of 80",
        "Presentation score": "16.50 of 20",
        "Commendation notice": "浙质协〔2026〕15号 (2026-12-15)",
        "Certificate": "—",
    }


def test_a_team_that_did_not_present_sees_its_materials_score_and_the_reason(world, issued):
    wu = world.team("戊班组")
    html = _page(_staff_of(wu, "wu_staff"), wu).content.decode()
    assert _facts(html) == {
        "Award": "优秀奖",
        "Presentation": "Did not present: 班组长因工伤住院，未能到场",
        "Materials score": "79.00 of 100",
        "Commendation notice": "浙质协〔2026〕15号 (2026-12-15)",
        "Certificate": "Download certificate ZJQC-2026-004 (PDF)",
    }


def test_eliminated_and_disqualified_applications_have_no_published_result(world):
    for name in ("庚班组", "辛班组"):
        team = world.team(name)
        assert _page(_staff_of(team, f"staff_{team.pk}"), team).status_code == 404


def test_another_enterprises_result_is_404_and_other_roles_have_no_such_page(
    world, applicant_a, applicant_b, recommender_hz, admin_user, expert
):
    assert _page(applicant_b, world.own).status_code == 404
    assert _page(applicant_a, world.other).status_code == 404
    assert _page(applicant_b, world.other).status_code == 200
    for user in (recommender_hz, admin_user, expert):
        assert _page(user, world.own).status_code == 404
    anonymous = _page(None, world.own)
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith(reverse("accounts:login"))
    denied = AuditEntry.objects.filter(action="access.denied", data__object="published result")
    assert denied.count() == 5  # two outside the enterprise, three outside the role


def test_before_publication_the_own_result_does_not_exist(unpublished, applicant_a):
    assert _page(applicant_a, unpublished.own).status_code == 404
    assert AuditEntry.objects.filter(
        action="access.denied", data__object="published result", data__id=str(unpublished.own.pk)
    ).exists()


# --- The experts' comments ---------------------------------------------------------------------


def test_the_comments_are_not_shown_unless_the_edition_allows_it(world, applicant_a):
    html = _page(applicant_a, world.own).content.decode()
    assert "The experts' comments" not in html
    for fragment in ("总体评价", "选题意见", "发布评价"):
        assert fragment not in html


def test_the_comments_are_shown_without_names_in_the_order_of_their_text(
    world_with_comments, applicant_a
):
    world = world_with_comments
    html = _page(applicant_a, world.own).content.decode()
    assert "The experts' comments" in html
    # The sheets were written 90, 88, 86 (and 18, 17.5, 17): the page does not follow them.
    assert _list_after(html, "On the materials") == [
        "甲班组：总体评价（86.0分）",
        "甲班组：总体评价（88.0分）",
        "甲班组：总体评价（90.0分）",
    ]
    first_item = world.edition.rubric_items.order_by("position").first()
    assert _list_after(html, first_item.title) == [
        "甲班组：选题意见（86.0分）",
        "甲班组：选题意见（88.0分）",
        "甲班组：选题意见（90.0分）",
    ]
    assert _list_after(html, "On the presentation") == [
        "甲班组：发布评价（17.0分）",
        "甲班组：发布评价（17.5分）",
        "甲班组：发布评价（18.0分）",
    ]
    experts = [*world.results.reviewers, *world.results.panels[0], *world.results.panels[1]]
    assert [expert.full_name for expert in experts[:6]] == list(EXPERT_NAMES)
    for expert in experts:
        assert expert.full_name not in html
        assert expert.username not in html
    assert "乙班组" not in html  # another team's comments stay with it


def test_a_sheet_reopened_after_sealing_shows_the_comment_that_was_counted(
    world_with_comments, applicant_a, admin_user
):
    world = world_with_comments
    sheet = ScoreSheet.objects.get(application=world.own, total="90.0")
    SheetVersion.objects.create(
        sheet=sheet,
        version=1,
        total=sheet.total,
        overall_comment=sheet.overall_comment,
        items=[],
        submitted_at=sheet.submitted_at,
        reopened_by=admin_user,
        reason="复核",
    )
    sheet.version = 2
    sheet.overall_comment = "复核后的新评语"
    sheet.save(update_fields=["version", "overall_comment"])
    paper = PresentationSheet.objects.get(slot__application=world.own, total="18.0")
    paper.version = 2
    paper.comment = "退回后的新评语"
    paper.save(update_fields=["version", "comment"])  # no earlier version kept: left out
    html = _page(applicant_a, world.own).content.decode()
    assert "甲班组：总体评价（90.0分）" in _list_after(html, "On the materials")
    assert "复核后的新评语" not in html
    assert "退回后的新评语" not in html
    assert _list_after(html, "On the presentation") == [
        "甲班组：发布评价（17.0分）",
        "甲班组：发布评价（17.5分）",
    ]


# --- The lists ---------------------------------------------------------------------------------


def test_the_applicants_page_lists_its_results_with_links_and_certificates(
    world, issued, applicant_a
):
    html = client_for(applicant_a).get(reverse("certificates:mine")).content.decode()
    assert reverse("certificates:result", args=[world.own.pk]) in html
    assert "ZJQC-2026-001 (PDF)" in html
    assert "87.90" in html
    assert "乙班组" not in html


def _three_of_applicant_a(world, applicant_a) -> None:
    for name in ("丙班组", "丁班组"):
        team = world.team(name).team
        team.enterprise = applicant_a.enterprise
        team.save(update_fields=["enterprise"])


def test_the_results_page_and_card_query_count_is_flat(
    world, issued, applicant_a, django_assert_num_queries, django_assert_max_num_queries
):
    client = client_for(applicant_a)
    client.get(reverse("certificates:mine"))  # warm the session
    counted = {}
    for url in (reverse("certificates:mine"), reverse("home")):
        with django_assert_max_num_queries(12) as one:
            client.get(url)
        counted[url] = len(one.captured_queries)
    _three_of_applicant_a(world, applicant_a)
    for url, count in counted.items():
        with django_assert_num_queries(count):
            response = client.get(url)
        text = response.content.decode()
        for name in ("甲班组", "丙班组", "丁班组"):
            assert name in text, (url, name)
