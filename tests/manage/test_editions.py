"""Edition pages: list, create (copying a rubric), configure with rubric, presentation sheet
and award tiers."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from banzu.audit.models import AuditEntry
from banzu.editions import selectors, services
from banzu.editions.models import AwardTier, Edition, PresentationItem, RubricItem
from tests.conftest import SHANGHAI, client_for
from tests.factories import ApplicationFactory
from tests.manage import english_client

pytestmark = pytest.mark.django_db

TITLE_2027 = "2027年工程建设质量信得过班组活动"


def new_edition_data(**changes):
    data = {
        "copy_from": "",
        "year": "2027",
        "title": TITLE_2027,
        "notice_number": "浙工质协〔2027〕3号",
        "notice_date": "2027-03-10",
        "registration_opens_at": "2027-03-10T00:00",
        "recommendation_deadline": "2027-04-26T23:59:59",
        "materials_weight": "80",
        "presentation_weight": "20",
        "aggregation_rule": "trimmed_mean",
        "trim_min_experts": "5",
        "award_mode": "quota",
    }
    data.update(changes)
    return data


def _local(moment: dt.datetime) -> str:
    return moment.astimezone(SHANGHAI).strftime("%Y-%m-%dT%H:%M:%S")


def _rows(prefix: str, edition: Edition, items, texts: tuple[str, ...]) -> dict[str, str]:
    """An inline formset of points items as the browser sends it back unchanged."""
    items = list(items)
    data = {
        f"{prefix}-TOTAL_FORMS": str(len(items)),
        f"{prefix}-INITIAL_FORMS": str(len(items)),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }
    for i, item in enumerate(items):
        data |= {
            f"{prefix}-{i}-id": str(item.pk),
            f"{prefix}-{i}-edition": str(edition.pk),
            f"{prefix}-{i}-position": str(item.position),
            f"{prefix}-{i}-max_points": str(item.max_points),
        }
        data |= {f"{prefix}-{i}-{name}": getattr(item, name) for name in texts}
    return data


def config_data(edition: Edition, *, quotas=(3, 6, 10)) -> dict[str, str]:
    """The edit page's form as the browser sends it back unchanged, with tier quotas filled."""
    data = {
        "year": str(edition.year),
        "title": edition.title,
        "notice_number": edition.notice_number,
        "notice_date": edition.notice_date.isoformat() if edition.notice_date else "",
        "registration_opens_at": _local(edition.registration_opens_at),
        "recommendation_deadline": _local(edition.recommendation_deadline),
        "materials_weight": str(edition.materials_weight),
        "presentation_weight": str(edition.presentation_weight),
        "aggregation_rule": edition.aggregation_rule,
        "trim_min_experts": str(edition.trim_min_experts),
        "award_mode": edition.award_mode,
        "contacts": edition.contacts,
    }
    if edition.is_active:
        data["is_active"] = "on"
    data |= _rows("rubric", edition, edition.rubric_items.all(), ("title", "criteria"))
    data["presentation_sheet_source"] = edition.presentation_sheet_source
    data |= _rows("presentation", edition, edition.presentation_items.all(), ("title", "text"))
    tiers = list(edition.award_tiers.all())
    data |= {
        "tiers-TOTAL_FORMS": str(len(tiers)),
        "tiers-INITIAL_FORMS": str(len(tiers)),
        "tiers-MIN_NUM_FORMS": "0",
        "tiers-MAX_NUM_FORMS": "1000",
    }
    for i, tier in enumerate(tiers):
        data |= {
            f"tiers-{i}-id": str(tier.pk),
            f"tiers-{i}-edition": str(edition.pk),
            f"tiers-{i}-position": str(tier.position),
            f"tiers-{i}-name": tier.name,
            f"tiers-{i}-quota": str(quotas[i]) if quotas and i < len(quotas) else "",
            f"tiers-{i}-min_score": "" if tier.min_score is None else str(tier.min_score),
        }
    return data


def rubric_points(edition: Edition) -> list[Decimal]:
    return list(edition.rubric_items.values_list("max_points", flat=True))


# --- List -----------------------------------------------------------------------------------


def test_list_shows_edition_in_shanghai_time_with_application_count(admin_user, edition):
    ApplicationFactory(edition=edition)
    ApplicationFactory(edition=edition)

    html = english_client(admin_user).get(reverse("manage:editions")).content.decode()

    assert f'<a href="/manage/editions/{edition.pk}/">2026年工程建设质量信得过班组活动</a>' in html
    assert "浙工质协〔2026〕4号" in html
    assert ">2026-04-27 23:59:59</time>" in html
    assert '<span class="badge state-published">Current edition</span>' in html
    assert '<td data-label="Applications" class="num">2</td>' in html


def test_list_query_count_does_not_grow_with_editions(
    admin_user, edition, django_assert_num_queries
):
    client = english_client(admin_user)
    ApplicationFactory(edition=edition)
    with CaptureQueriesContext(connection) as one_edition:
        client.get(reverse("manage:editions"))
    for year in (2027, 2028):
        created = services.create_edition(
            by=admin_user,
            fields={**_edition_fields(year), "is_active": False},
            copy_from=edition,
        )
        ApplicationFactory(edition=created)

    with django_assert_num_queries(len(one_edition.captured_queries)):
        response = client.get(reverse("manage:editions"))

    assert response.content.decode().count('data-label="Applications" class="num">1</td>') == 3


def _edition_fields(year: int) -> dict[str, object]:
    return {
        "year": year,
        "title": f"{year}年工程建设质量信得过班组活动",
        "notice_number": f"浙工质协〔{year}〕1号",
        "notice_date": None,
        "registration_opens_at": dt.datetime(year, 3, 1, tzinfo=SHANGHAI),
        "recommendation_deadline": dt.datetime(year, 4, 30, 23, 59, 59, tzinfo=SHANGHAI),
        "materials_weight": 80,
        "presentation_weight": 20,
        "aggregation_rule": "trimmed_mean",
        "trim_min_experts": 5,
        "award_mode": "quota",
    }


# --- Create ---------------------------------------------------------------------------------


def test_create_copying_rubric_from_2026(admin_user, edition):
    response = english_client(admin_user).post(
        reverse("manage:edition_create"), new_edition_data(copy_from=str(edition.pk))
    )

    created = Edition.objects.get(year=2027)
    assert response.status_code == 302
    assert response["Location"] == reverse("manage:edition_edit", args=[created.pk])
    assert rubric_points(created) == [Decimal(p) for p in (15, 25, 30, 15, 15)]
    assert list(created.rubric_items.values_list("title", flat=True)) == [
        "需求确定",
        "建设策划",
        "建设过程",
        "建设成效",
        "特色",
    ]
    assert (
        created.rubric_items.get(position=1).criteria
        == edition.rubric_items.get(position=1).criteria
    )
    assert list(created.award_tiers.values_list("name", flat=True)) == [
        "一等奖",
        "二等奖",
        "三等奖",
    ]
    assert created.recommendation_deadline == dt.datetime(2027, 4, 26, 23, 59, 59, tzinfo=SHANGHAI)
    assert created.is_active is False
    assert Edition.objects.get(is_active=True) == edition
    # The copy is independent of its source.
    assert rubric_points(edition) == [Decimal(p) for p in (15, 25, 30, 15, 15)]
    assert RubricItem.objects.filter(edition=edition).count() == 5


def test_create_writes_audit_entry(admin_user, edition):
    english_client(admin_user).post(
        reverse("manage:edition_create"), new_edition_data(copy_from=str(edition.pk))
    )

    created = Edition.objects.get(year=2027)
    entry = AuditEntry.objects.get(action="edition.create")
    assert (entry.actor_id, entry.target_type, entry.target_id) == (
        admin_user.pk,
        "editions.edition",
        created.pk,
    )
    assert entry.data == {"year": 2027, "copied_from": 2026, "current": False}


def test_create_without_copy_has_empty_rubric_and_offers_five_rows(admin_user):
    client = english_client(admin_user)

    client.post(reverse("manage:edition_create"), new_edition_data())
    created = Edition.objects.get(year=2027)
    html = client.get(reverse("manage:edition_edit", args=[created.pk])).content.decode()

    assert created.rubric_items.count() == 0
    assert created.award_tiers.count() == 0
    assert 'name="rubric-TOTAL_FORMS" value="5"' in html
    assert 'name="tiers-TOTAL_FORMS" value="2"' in html


def test_create_with_weights_70_20_refused(admin_user):
    response = english_client(admin_user).post(
        reverse("manage:edition_create"),
        new_edition_data(materials_weight="70", presentation_weight="20"),
    )

    assert response.status_code == 200
    assert (
        "The materials weight and the presentation weight must add up to 100; "
        "now they add up to 90." in response.content.decode()
    )
    assert not Edition.objects.filter(year=2027).exists()


def test_create_with_deadline_before_opening_refused(admin_user):
    response = english_client(admin_user).post(
        reverse("manage:edition_create"),
        new_edition_data(recommendation_deadline="2027-03-01T00:00"),
    )

    assert "The recommendation deadline must come after registration opens." in (
        response.content.decode()
    )
    assert not Edition.objects.filter(year=2027).exists()


def test_create_duplicate_year_refused(admin_user):
    response = english_client(admin_user).post(
        reverse("manage:edition_create"), new_edition_data(year="2026")
    )

    assert "Edition with this Year already exists." in response.content.decode()
    assert Edition.objects.filter(year=2026).count() == 1


def test_create_current_unmarks_2026(admin_user, edition):
    response = english_client(admin_user).post(
        reverse("manage:edition_create"),
        new_edition_data(copy_from=str(edition.pk), is_active="on"),
    )

    assert response.status_code == 302
    assert list(Edition.objects.filter(is_active=True).values_list("year", flat=True)) == [2027]
    edition.refresh_from_db()
    assert edition.is_active is False
    unmarked = AuditEntry.objects.get(action="edition.unmark_current")
    assert (unmarked.target_id, unmarked.data) == (edition.pk, {"replaced_by": 2027})


def test_create_page_proposes_next_year_copied_from_current(admin_user, edition):
    html = english_client(admin_user).get(reverse("manage:edition_create")).content.decode()

    assert 'name="year" value="2027"' in html
    assert (
        f'<option value="{edition.pk}" selected>2026年工程建设质量信得过班组活动</option>' in html
    )


def test_create_page_proposes_the_current_editions_contacts(admin_user, edition):
    html = english_client(admin_user).get(reverse("manage:edition_create")).content.decode()

    assert (
        '<textarea name="contacts" cols="40" rows="3" maxlength="1000" '
        'aria-describedby="id_contacts_helptext" id="id_contacts">\n'
        "邓刚 0571-81956046 13605792309\n蔡瑞琛 0571-81956271 13738065455</textarea>"
    ) in html


# --- Edit -----------------------------------------------------------------------------------


def test_edit_page_says_beijing_time_not_the_zone_name(admin_user, edition):
    html = (
        english_client(admin_user)
        .get(reverse("manage:edition_edit", args=[edition.pk]))
        .content.decode()
    )

    assert '<p class="help" id="id_registration_opens_at_helptext">Beijing time.</p>' in html
    assert "Asia/Shanghai" not in html


def test_edit_saves_the_contacts_one_person_a_line(admin_user, edition):
    data = config_data(edition)
    data["contacts"] = "王芳   0571-12345678\r\n\r\n  李强 13800000000  "

    english_client(admin_user).post(reverse("manage:edition_edit", args=[edition.pk]), data)

    edition.refresh_from_db()
    assert edition.contacts == "王芳 0571-12345678\n李强 13800000000"
    assert edition.contact_lines == ["王芳 0571-12345678", "李强 13800000000"]


def test_edit_page_shows_rubric_tiers_and_two_extra_rows(admin_user, edition):
    html = (
        english_client(admin_user)
        .get(reverse("manage:edition_edit", args=[edition.pk]))
        .content.decode()
    )

    assert 'name="recommendation_deadline" value="2026-04-27T23:59:59"' in html
    assert 'name="rubric-TOTAL_FORMS" value="7"' in html
    assert 'name="tiers-TOTAL_FORMS" value="5"' in html
    assert "<legend>3. 建设过程</legend>" in html
    assert 'name="rubric-0-max_points" value="15.0" step="0.5"' in html


def test_edit_saves_timeline_in_shanghai_time_and_quotas(admin_user, edition):
    data = config_data(edition)
    data["recommendation_deadline"] = "2026-04-30T23:59:59"

    response = english_client(admin_user).post(
        reverse("manage:edition_edit", args=[edition.pk]), data, follow=True
    )

    edition.refresh_from_db()
    assert edition.recommendation_deadline == dt.datetime(2026, 4, 30, 23, 59, 59, tzinfo=SHANGHAI)
    assert list(edition.award_tiers.values_list("quota", flat=True)) == [3, 6, 10]
    assert "Edition “2026年工程建设质量信得过班组活动” saved." in response.content.decode()
    entry = AuditEntry.objects.get(action="edition.update")
    assert entry.data == {
        "fields": ["recommendation_deadline"],
        "rubric": {"created": 0, "updated": 0, "deleted": 0},
        "presentation": {"created": 0, "updated": 0, "deleted": 0},
        "tiers": {"created": 0, "updated": 3, "deleted": 0},
    }


def test_edit_rubric_summing_to_95_refused_naming_95(admin_user, edition):
    data = config_data(edition)
    data["rubric-0-max_points"] = "10"

    response = english_client(admin_user).post(
        reverse("manage:edition_edit", args=[edition.pk]), data
    )

    assert response.status_code == 200
    assert (
        "The maximum points of the rubric items must add up to 100 (the materials are scored "
        "out of 100); now they add up to 95." in response.content.decode()
    )
    assert '<li><a href="#rubric">Correct the rubric below.</a></li>' in response.content.decode()
    assert rubric_points(edition) == [Decimal(p) for p in (15, 25, 30, 15, 15)]
    assert not AuditEntry.objects.filter(action="edition.update").exists()


def test_edit_weights_70_20_refused(admin_user, edition):
    data = config_data(edition) | {"materials_weight": "70"}

    response = english_client(admin_user).post(
        reverse("manage:edition_edit", args=[edition.pk]), data
    )

    assert "now they add up to 90." in response.content.decode()
    edition.refresh_from_db()
    assert edition.materials_weight == 80


def test_edit_half_points_and_new_row_and_deletion(admin_user, edition):
    data = config_data(edition)
    # Item 5 (特色, 15) goes; item 4 becomes 17.5 and a new item 6 brings 12.5.
    data["rubric-4-DELETE"] = "on"
    data["rubric-3-max_points"] = "17.5"
    data |= {
        "rubric-TOTAL_FORMS": "6",
        "rubric-5-position": "6",
        "rubric-5-title": "创新",
        "rubric-5-criteria": "1) 有创新\n2) 可推广",
        "rubric-5-max_points": "12.5",
    }

    english_client(admin_user).post(reverse("manage:edition_edit", args=[edition.pk]), data)

    assert list(edition.rubric_items.values_list("title", "max_points")) == [
        ("需求确定", Decimal("15")),
        ("建设策划", Decimal("25")),
        ("建设过程", Decimal("30")),
        ("建设成效", Decimal("17.5")),
        ("创新", Decimal("12.5")),
    ]


def test_edit_points_other_than_halves_refused(admin_user, edition):
    data = config_data(edition) | {"rubric-0-max_points": "15.3", "rubric-1-max_points": "24.7"}

    response = english_client(admin_user).post(
        reverse("manage:edition_edit", args=[edition.pk]), data
    )

    assert response.content.decode().count("Use whole or half points, e.g. 15 or 12.5.") == 2
    assert rubric_points(edition) == [Decimal(p) for p in (15, 25, 30, 15, 15)]


def test_edit_swapping_two_positions(admin_user, edition):
    data = config_data(edition) | {"rubric-0-position": "2", "rubric-1-position": "1"}

    english_client(admin_user).post(reverse("manage:edition_edit", args=[edition.pk]), data)

    assert list(edition.rubric_items.values_list("position", "title")) == [
        (1, "建设策划"),
        (2, "需求确定"),
        (3, "建设过程"),
        (4, "建设成效"),
        (5, "特色"),
    ]


def test_edit_duplicate_positions_refused(admin_user, edition):
    data = config_data(edition) | {"rubric-1-position": "1"}

    response = english_client(admin_user).post(
        reverse("manage:edition_edit", args=[edition.pk]), data
    )

    assert "Two rubric items have the same number: 1." in response.content.decode()
    assert list(edition.rubric_items.values_list("position", flat=True)) == [1, 2, 3, 4, 5]


def test_edit_quota_mode_requires_quota_per_tier(admin_user, edition):
    data = config_data(edition, quotas=(3,))

    response = english_client(admin_user).post(
        reverse("manage:edition_edit", args=[edition.pk]), data
    )

    html = response.content.decode()
    assert html.count("Enter the number of awards: tiers are assigned by rank quota.") == 2
    assert '<li><a href="#tiers">Correct the award tiers below.</a></li>' in html
    assert list(edition.award_tiers.values_list("quota", flat=True)) == [None, None, None]


def test_edit_threshold_mode_requires_decreasing_scores(admin_user, edition):
    data = config_data(edition, quotas=()) | {
        "award_mode": "threshold",
        "tiers-0-min_score": "90",
        "tiers-1-min_score": "92",
        "tiers-2-min_score": "",
    }

    response = english_client(admin_user).post(
        reverse("manage:edition_edit", args=[edition.pk]), data
    )

    html = response.content.decode()
    assert "The minimum score must be lower than that of the tier before it (一等奖: 90)." in html
    assert "Enter the minimum total score: tiers are assigned by score threshold." in html
    edition.refresh_from_db()
    assert edition.award_mode == "quota"


def test_edit_threshold_mode_saved(admin_user, edition):
    data = config_data(edition, quotas=()) | {
        "award_mode": "threshold",
        "tiers-0-min_score": "90",
        "tiers-1-min_score": "85.5",
        "tiers-2-min_score": "80",
    }

    english_client(admin_user).post(reverse("manage:edition_edit", args=[edition.pk]), data)

    edition.refresh_from_db()
    assert edition.award_mode == "threshold"
    assert list(AwardTier.objects.filter(edition=edition).values_list("min_score", flat=True)) == [
        Decimal("90"),
        Decimal("85.5"),
        Decimal("80"),
    ]


def test_edit_making_another_edition_current_unmarks_2026(admin_user, edition):
    other = services.create_edition(
        by=admin_user, fields={**_edition_fields(2027), "is_active": False}, copy_from=edition
    )
    data = config_data(other) | {"is_active": "on"}

    english_client(admin_user).post(reverse("manage:edition_edit", args=[other.pk]), data)

    assert list(Edition.objects.filter(is_active=True).values_list("year", flat=True)) == [2027]


def test_edit_deadline_before_opening_refused(admin_user, edition):
    data = config_data(edition) | {"recommendation_deadline": "2026-03-01T12:00"}

    response = english_client(admin_user).post(
        reverse("manage:edition_edit", args=[edition.pk]), data
    )

    assert "The recommendation deadline must come after registration opens." in (
        response.content.decode()
    )
    edition.refresh_from_db()
    assert edition.recommendation_deadline == dt.datetime(2026, 4, 27, 23, 59, 59, tzinfo=SHANGHAI)


# --- The service refuses what the forms refuse ----------------------------------------------


def test_update_service_refuses_rubric_not_summing_to_100(admin_user, edition):
    rows = [
        services.RubricRow(
            pk=i.pk,
            position=i.position,
            title=i.title,
            criteria=i.criteria,
            max_points=i.max_points,
        )
        for i in edition.rubric_items.all()
    ][:4]

    with pytest.raises(services.ValidationError) as refused:
        services.update_edition(
            by=admin_user,
            edition=edition,
            fields={},
            rubric=rows,
            presentation_source="rubric_scaled",
            presentation=[],
            tiers=[],
        )

    assert refused.value.messages == [
        "The maximum points of the rubric items must add up to 100 (the materials are scored "
        "out of 100); now they add up to 85."
    ]
    assert edition.rubric_items.count() == 5


# --- Presentation score sheet ---------------------------------------------------------------


def presentation_points(edition: Edition) -> list[Decimal]:
    return list(edition.presentation_items.values_list("max_points", flat=True))


SHEET_2026 = [Decimal(p) for p in (6, 4, 4, 3, 3)]


def test_edit_page_shows_presentation_sheet_two_extra_rows_and_that_the_notice_leaves_it(
    admin_user, edition
):
    html = (
        english_client(admin_user)
        .get(reverse("manage:edition_edit", args=[edition.pk]))
        .content.decode()
    )

    assert 'name="presentation-TOTAL_FORMS" value="7"' in html
    assert "<legend>1. 内容与典型经验</legend>" in html
    assert 'name="presentation-0-max_points" value="6.0" step="0.5"' in html
    assert 'value="own_items" required id="id_presentation_sheet_source_0" checked>' in html
    assert "The notice leaves the presentation score sheet to the association" in html


def test_edit_page_in_chinese_says_the_notice_leaves_the_sheet_to_the_association(
    admin_user, edition
):
    html = (
        client_for(admin_user)
        .get(reverse("manage:edition_edit", args=[edition.pk]))
        .content.decode()
    )

    assert "通知未规定现场发布评分表，由协会确定。" in html


def test_edit_presentation_sheet_saved(admin_user, edition):
    data = config_data(edition) | {
        "presentation-0-max_points": "5.5",
        "presentation-1-max_points": "4.5",
        "presentation-1-title": "成果与数据支撑",
    }

    english_client(admin_user).post(reverse("manage:edition_edit", args=[edition.pk]), data)

    assert list(edition.presentation_items.values_list("title", "max_points")) == [
        ("内容与典型经验", Decimal("5.5")),
        ("成果与数据支撑", Decimal("4.5")),
        ("表达与逻辑", Decimal("4")),
        ("演示材料", Decimal("3")),
        ("时间控制与答辩", Decimal("3")),
    ]
    entry = AuditEntry.objects.get(action="edition.update")
    assert entry.data["presentation"] == {"created": 0, "updated": 2, "deleted": 0}


def test_edit_presentation_sheet_summing_to_19_refused_naming_19(admin_user, edition):
    data = config_data(edition) | {"presentation-0-max_points": "5"}

    response = english_client(admin_user).post(
        reverse("manage:edition_edit", args=[edition.pk]), data
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert (
        "The maximum points of the presentation items must add up to the presentation weight, "
        "20; now they add up to 19." in html
    )
    assert (
        '<li><a href="#presentation">Correct the presentation score sheet below.</a></li>' in html
    )
    assert presentation_points(edition) == SHEET_2026
    assert not AuditEntry.objects.filter(action="edition.update").exists()


def test_edit_presentation_duplicate_positions_and_odd_points_refused(admin_user, edition):
    data = config_data(edition) | {
        "presentation-1-position": "1",
        "presentation-2-max_points": "4.2",
    }

    response = english_client(admin_user).post(
        reverse("manage:edition_edit", args=[edition.pk]), data
    )

    html = response.content.decode()
    assert "Use whole or half points, e.g. 15 or 12.5." in html
    assert list(edition.presentation_items.values_list("position", flat=True)) == [1, 2, 3, 4, 5]
    data["presentation-2-max_points"] = "4"
    html = (
        english_client(admin_user)
        .post(reverse("manage:edition_edit", args=[edition.pk]), data)
        .content.decode()
    )
    assert "Two presentation items have the same number: 1." in html


def test_edit_rubric_scaled_source_saved_and_shown_scaled_to_15(admin_user, edition):
    client = english_client(admin_user)
    data = config_data(edition) | {
        "presentation_sheet_source": "rubric_scaled",
        "materials_weight": "85",
        "presentation_weight": "15",
    }

    client.post(reverse("manage:edition_edit", args=[edition.pk]), data)
    html = client.get(reverse("manage:edition_edit", args=[edition.pk])).content.decode()

    edition.refresh_from_db()
    assert (edition.presentation_sheet_source, edition.presentation_weight) == (
        "rubric_scaled",
        15,
    )
    # The own items stay as they were (they add up to 20, not 15): with the rubric they are unused.
    assert presentation_points(edition) == SHEET_2026
    assert [item.max_points for item in selectors.presentation_sheet(edition)] == [
        Decimal("2.25"),
        Decimal("3.75"),
        Decimal("4.5"),
        Decimal("2.25"),
        Decimal("2.25"),
    ]
    assert "<caption>The materials rubric scaled to 15 points</caption>" in html
    assert (
        '<td>2</td><td>建设策划</td><td class="num" data-label="Maximum points">3.75</td>' in html
    )
    assert '<td>3</td><td>建设过程</td><td class="num" data-label="Maximum points">4.5</td>' in html
    assert 'value="rubric_scaled" required id="id_presentation_sheet_source_1" checked>' in html


def test_edit_rubric_scaled_source_needs_no_items(admin_user, edition):
    data = config_data(edition) | {
        "presentation_sheet_source": "rubric_scaled",
        **{f"presentation-{i}-DELETE": "on" for i in range(5)},
    }

    english_client(admin_user).post(reverse("manage:edition_edit", args=[edition.pk]), data)

    edition.refresh_from_db()
    assert edition.presentation_sheet_source == "rubric_scaled"
    assert edition.presentation_items.count() == 0
    assert [item.max_points for item in selectors.presentation_sheet(edition)] == [
        Decimal("3"),
        Decimal("5"),
        Decimal("6"),
        Decimal("3"),
        Decimal("3"),
    ]


def test_create_copying_from_2026_copies_presentation_sheet(admin_user, edition):
    english_client(admin_user).post(
        reverse("manage:edition_create"), new_edition_data(copy_from=str(edition.pk))
    )

    created = Edition.objects.get(year=2027)
    assert list(created.presentation_items.values_list("position", "title", "max_points")) == list(
        edition.presentation_items.values_list("position", "title", "max_points")
    )
    assert created.presentation_items.get(position=5).text == (
        edition.presentation_items.get(position=5).text
    )
    assert created.presentation_sheet_source == "own_items"
    assert PresentationItem.objects.filter(edition=edition).count() == 5


def test_create_copying_an_edition_on_the_scaled_rubric_keeps_that_source(admin_user, edition):
    Edition.objects.filter(pk=edition.pk).update(presentation_sheet_source="rubric_scaled")
    edition.refresh_from_db()

    created = services.create_edition(
        by=admin_user, fields={**_edition_fields(2027), "is_active": False}, copy_from=edition
    )

    assert created.presentation_sheet_source == "rubric_scaled"
    assert presentation_points(created) == SHEET_2026


def test_edit_page_query_count_does_not_grow_with_presentation_items(
    admin_user, edition, django_assert_num_queries
):
    client = english_client(admin_user)
    edition.presentation_items.exclude(position=1).delete()
    with CaptureQueriesContext(connection) as one_item:
        client.get(reverse("manage:edition_edit", args=[edition.pk]))
    for position in (2, 3):
        PresentationItem.objects.create(
            edition=edition, position=position, title=f"第{position}项", text="说明", max_points=7
        )

    with django_assert_num_queries(len(one_item.captured_queries)):
        response = client.get(reverse("manage:edition_edit", args=[edition.pk]))

    assert 'name="presentation-TOTAL_FORMS" value="5"' in response.content.decode()


def test_update_service_refuses_presentation_sheet_not_summing_to_the_weight(admin_user, edition):
    rubric = [
        services.RubricRow(
            pk=i.pk,
            position=i.position,
            title=i.title,
            criteria=i.criteria,
            max_points=i.max_points,
        )
        for i in edition.rubric_items.all()
    ]
    sheet = [
        services.PresentationRow(
            pk=i.pk, position=i.position, title=i.title, text=i.text, max_points=i.max_points
        )
        for i in edition.presentation_items.all()
    ][:4]

    with pytest.raises(services.ValidationError) as refused:
        services.update_edition(
            by=admin_user,
            edition=edition,
            fields={},
            rubric=rubric,
            presentation_source="own_items",
            presentation=sheet,
            tiers=[],
        )

    assert refused.value.messages == [
        "The maximum points of the presentation items must add up to the presentation weight, "
        "20; now they add up to 17."
    ]
    assert presentation_points(edition) == SHEET_2026
