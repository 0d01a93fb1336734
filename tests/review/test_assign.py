"""The admin's assignment: automatic run, conflicts, changes by hand."""

from __future__ import annotations

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from banzu.applications.enums import ApplicationState
from banzu.audit.models import AuditEntry
from banzu.core.errors import ServiceError
from banzu.review import services
from banzu.review.enums import AssignmentSource, AssignmentState
from banzu.review.models import Assignment
from banzu.review.problems import describe
from banzu.review.selectors import automatic_conflicts, conflict_reason, pool
from tests.conftest import client_for
from tests.factories import EnterpriseFactory
from tests.review.conftest import assign, make_expert, reviewed_application

pytestmark = pytest.mark.django_db


@pytest.fixture
def screened(edition, hangzhou, ningbo):
    """Three screened applications: two of 杭州, one of 宁波."""
    return [
        reviewed_application(edition=edition, state=ApplicationState.SCREENED, recommender=r)
        for r in (hangzhou, hangzhou, ningbo)
    ]


@pytest.fixture
def panel(screened, hangzhou):
    """Five experts: one works for the first applicant, one belongs to 杭州's association."""
    insider = make_expert("insider", employer=screened[0].team.enterprise)
    member = make_expert("member")
    member.expert_profile.recommenders.add(hangzhou)
    others = [make_expert(f"expert_{n}") for n in range(3)]
    return {"insider": insider, "member": member, "others": others}


def test_automatic_conflicts_name_the_enterprise_and_the_recommender(screened, panel):
    conflicts = automatic_conflicts(screened, pool())

    insider, member = panel["insider"].pk, panel["member"].pk
    assert conflicts == {
        (screened[0].pk, insider): "enterprise",
        (screened[0].pk, member): "recommender",
        (screened[1].pk, member): "recommender",
    }


def test_organisation_text_equal_to_the_enterprise_name_is_a_conflict(screened):
    expert = make_expert("by_name", organisation=f" {screened[2].team.enterprise.name} ")

    conflicts = automatic_conflicts(screened, pool())

    assert conflicts == {(screened[2].pk, expert.pk): "enterprise"}


def test_organisation_that_is_a_recommenders_name_conflicts_with_its_applications(
    screened, hangzhou
):
    # Spaces inside the name and an ideographic space, as typed in a spreadsheet (issue 17, item 7).
    typed = " ".join(hangzhou.name)
    expert = make_expert("association_staff", organisation=f"\u3000{typed} ")

    conflicts = automatic_conflicts(screened, pool())

    assert conflicts == {
        (screened[0].pk, expert.pk): "recommender",
        (screened[1].pk, expert.pk): "recommender",
    }
    assert [conflict_reason(expert.expert_profile, a) for a in screened] == [
        "recommender",
        "recommender",
        "",
    ]


def test_adding_an_expert_of_the_recommenders_organisation_by_hand_is_refused(
    screened, hangzhou, admin_user
):
    expert = make_expert("association_staff", organisation=hangzhou.name)

    with pytest.raises(ServiceError) as error:
        services.add_assignment(application=screened[0], expert=expert, by=admin_user)

    assert error.value.code == "conflict"
    assert not Assignment.objects.exists()


def test_run_never_assigns_an_expert_of_the_recommenders_organisation(
    edition, screened, panel, hangzhou, admin_user
):
    staff = make_expert("association_staff", organisation=hangzhou.name)

    services.run_assignment(edition=edition, by=admin_user)

    assert set(
        Assignment.objects.filter(expert=staff).values_list("application_id", flat=True)
    ) <= {screened[2].pk}


def test_run_gives_every_application_three_conflict_free_experts(
    edition, screened, panel, admin_user, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        run = services.run_assignment(edition=edition, by=admin_user)

    rows = list(Assignment.objects.values_list("application_id", "expert_id", "source", "state"))
    assert run.added == 9
    assert len(rows) == 9
    for application in screened:
        experts = [e for a, e, _s, _st in rows if a == application.pk]
        assert len(set(experts)) == 3
    assert (screened[0].pk, panel["insider"].pk) not in {(a, e) for a, e, _s, _st in rows}
    assert not {(screened[0].pk, panel["member"].pk), (screened[1].pk, panel["member"].pk)} & {
        (a, e) for a, e, _s, _st in rows
    }
    assert {(s, st) for _a, _e, s, st in rows} == {
        (AssignmentSource.AUTOMATIC, AssignmentState.PENDING)
    }
    loads = sorted(run.loads.values())
    assert loads[-1] - loads[0] <= 1
    assert sum(loads) == 9
    for application in screened:
        application.refresh_from_db()
        assert application.state == ApplicationState.UNDER_REVIEW
    entry = AuditEntry.objects.filter(action="review.assign").get()
    assert (entry.data["k"], entry.data["added"]) == (3, 9)
    assert len(mail.outbox) == len({e for _a, e, _s, _st in rows})


def test_run_keeps_existing_assignments_and_fills_the_rest(edition, screened, panel, admin_user):
    chosen = panel["others"][0]
    assign(screened[0], chosen)

    run = services.run_assignment(edition=edition, by=admin_user)

    assert run.added == 8
    assert Assignment.objects.filter(application=screened[0], expert=chosen).get().source == (
        AssignmentSource.MANUAL
    )
    assert Assignment.objects.filter(application=screened[0]).count() == 3


def test_declared_conflict_is_never_assigned_again(edition, screened, panel, admin_user):
    declared = panel["others"][0]
    assign(screened[2], declared, AssignmentState.CONFLICT, reason="亲属在该单位任职")

    services.run_assignment(edition=edition, by=admin_user)

    assert Assignment.objects.filter(application=screened[2], expert=declared).get().state == (
        AssignmentState.CONFLICT
    )
    assert Assignment.objects.active().filter(application=screened[2]).count() == 3


def test_run_assigns_what_it_can_and_says_what_stops_the_rest(edition, screened, panel, admin_user):
    # Five experts, two of them conflicted with 杭州's first application: it can have 3 of 5.
    services.update_settings(edition=edition, by=admin_user, fields={"experts_per_application": 5})

    response = client_for(admin_user).post(reverse("review:assign"), {"form": "run"})

    text = response.content.decode()
    assert response.status_code == 200
    assert "Not every application could get its experts." in text
    assert (
        "Only 3 experts of the pool are free of conflicts with these applications, which need 5 "
        f"each: {screened[0].recommendation_number} {screened[0].team.name}. Add experts to the "
        f"pool who neither belong to {screened[0].recommender.name} nor work for these "
        "enterprises, or lower the number of experts per application."
    ) in text
    assert "4 experts of the pool are free of conflicts" in text
    counts = [Assignment.objects.active().filter(application=a).count() for a in screened]
    assert counts == [3, 4, 5]
    assert "12 assignments made for 3 applications" in text


def test_run_leaves_applications_over_k_alone_and_assigns_the_others(
    edition, screened, panel, admin_user
):
    over = [panel["others"][0], panel["others"][1], panel["others"][2], panel["member"]]
    for expert in over:
        assign(screened[2], expert)

    run = services.run_assignment(edition=edition, by=admin_user)

    assert run.added == 6
    assert [Assignment.objects.active().filter(application=a).count() for a in screened] == [
        3,
        3,
        4,
    ]
    # 杭州's two applications can only have the three others and the insider: those load up.
    assert [(p.code, p.applications) for p in run.problems] == [
        ("existing_too_many", (screened[2].pk,)),
        ("uneven_loads", ()),
    ]
    assert describe(run.problems)[1] == (
        f"1 application already has more than 3 experts: {screened[2].recommendation_number} "
        f"{screened[2].team.name}. It was left as it is; remove an expert from it by hand if it "
        "should have 3."
    )


def test_unavailable_expert_keeps_their_assignments_and_is_named(
    edition, screened, panel, admin_user
):
    away = panel["others"][0]
    assign(screened[2], away)
    away.expert_profile.is_available = False
    away.expert_profile.save()

    run = services.run_assignment(edition=edition, by=admin_user)

    assert Assignment.objects.get(application=screened[2], expert=away).is_active
    assert Assignment.objects.active().filter(application=screened[2]).count() == 3
    assert not Assignment.objects.filter(expert=away).exclude(application=screened[2]).exists()
    assert (run.problems[0].code, run.problems[0].experts) == ("unavailable_assigned", (away.pk,))


def test_settings_keep_k_between_three_and_five(edition, admin_user):
    response = client_for(admin_user).post(
        reverse("review:assign"),
        {"form": "settings", "experts_per_application": "6", "spread_flag": "8"},
    )

    assert "Ensure this value is less than or equal to 5." in response.content.decode()


# --- By hand ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "message"),
    [
        ("insider", "works for the applying enterprise"),
        ("member", "belongs to the application&#x27;s recommender"),
    ],
)
def test_adding_a_conflicted_expert_by_hand_is_refused(screened, panel, admin_user, who, message):
    expert = panel[who]

    response = client_for(admin_user).post(
        reverse("review:add", args=[screened[0].pk]),
        {"expert": expert.expert_profile.pk},
        follow=True,
    )

    assert message in response.content.decode()
    assert not Assignment.objects.exists()


def test_adding_an_expert_who_declared_a_conflict_is_refused(screened, panel, admin_user):
    expert = panel["others"][1]
    assign(screened[0], expert, AssignmentState.CONFLICT, reason="曾参与编写申报材料")

    with pytest.raises(ServiceError) as error:
        services.add_assignment(application=screened[0], expert=expert, by=admin_user)

    assert error.value.code == "conflict"


def test_adding_and_removing_by_hand(screened, panel, admin_user):
    expert = panel["others"][1]
    client = client_for(admin_user)

    client.post(reverse("review:add", args=[screened[0].pk]), {"expert": expert.expert_profile.pk})
    assignment = Assignment.objects.get(application=screened[0], expert=expert)
    duplicate = client.post(
        reverse("review:add", args=[screened[0].pk]),
        {"expert": expert.expert_profile.pk},
        follow=True,
    )
    client.post(reverse("review:remove", args=[assignment.pk]), {"reason": "出差无法参加"})

    assignment.refresh_from_db()
    screened[0].refresh_from_db()
    assert "This expert is already assigned." in duplicate.content.decode()
    assert (assignment.state, assignment.reason) == (AssignmentState.REMOVED, "出差无法参加")
    assert screened[0].state == ApplicationState.UNDER_REVIEW
    actions = list(
        AuditEntry.objects.filter(action__startswith="review.assignment").values_list(
            "action", flat=True
        )
    )
    assert actions == ["review.assignment.add", "review.assignment.removed"]


def test_removed_assignment_can_be_restored_by_hand(screened, panel, admin_user):
    expert = panel["others"][1]
    assignment = assign(screened[0], expert, AssignmentState.REMOVED, reason="误操作")

    services.add_assignment(application=screened[0], expert=expert, by=admin_user)

    assignment.refresh_from_db()
    assert (assignment.state, assignment.reason) == (AssignmentState.PENDING, "")


@pytest.mark.parametrize("persona", ["expert_unassigned", "applicant_a", "recommender_hz"])
@pytest.mark.parametrize("name", ["review:board", "review:assign"])
def test_admin_pages_are_404_to_everyone_else(request, persona, name):
    response = client_for(request.getfixturevalue(persona)).get(reverse(name))

    assert response.status_code == 404


@pytest.mark.parametrize("persona", ["expert_assigned", "applicant_a", "recommender_hz"])
def test_admin_posts_are_404_to_everyone_else(request, application, persona):
    client = client_for(request.getfixturevalue(persona))
    expert = make_expert("spare")
    assignment = assign(application, make_expert("spare2"))
    before = sorted(Assignment.objects.values_list("pk", "state"))

    responses = [
        client.post(
            reverse("review:add", args=[application.pk]), {"expert": expert.expert_profile.pk}
        ),
        client.post(reverse("review:remove", args=[assignment.pk]), {"reason": "x"}),
        client.post(reverse("review:remind")),
        client.post(reverse("review:finish")),
        client.post(reverse("review:assign"), {"form": "run"}),
    ]

    assert [r.status_code for r in responses] == [404] * 5
    assert sorted(Assignment.objects.values_list("pk", "state")) == before


def test_assign_page_queries_do_not_grow_with_applications(edition, admin_user):
    experts = [make_expert(f"e{n}") for n in range(3)]
    client = client_for(admin_user)

    def count_for(n):
        for _ in range(n):
            application = reviewed_application(
                edition=edition, team__enterprise=EnterpriseFactory()
            )
            for expert in experts:
                assign(application, expert)
        client.get(reverse("review:assign"))  # the first request also loads the session's caches
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("review:assign")).status_code == 200
        return len(captured)

    one = count_for(1)
    three = count_for(2)  # 1 + 2 applications
    assert one == three
