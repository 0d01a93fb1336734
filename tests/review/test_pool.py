"""The expert pool: who sees it, the list, adding and editing experts, and the invitations with
the welcome page where an expert chooses a password."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from openpyxl import load_workbook

from banzu.accounts.enums import Role
from banzu.accounts.models import User
from banzu.audit.models import AuditEntry
from banzu.review.enums import AssignmentState
from banzu.review.models import ExpertProfile
from banzu.review.pool_import import TEMPLATE_HEADERS
from tests.conftest import client_for
from tests.factories import EnterpriseFactory, UserFactory
from tests.review.conftest import assign, make_expert, reviewed_application

NEW_PASSWORD = "Qiantang-river-2027"


@pytest.fixture
def pool_expert(db):
    """Expert 王芳 in the pool: Ningbo, two specialities, not yet invited."""
    user = make_expert(
        "wang_fang",
        organisation="宁波大学土木工程学院",
        city="宁波",
        specialities=["市政公用工程", "公路工程"],
    )
    user.full_name = "王芳"
    user.phone = "13605792309"
    user.set_unusable_password()  # as pool.create_expert makes it: the invitation sets one
    user.save()
    return user


def expert_data(**changes) -> dict[str, object]:
    data: dict[str, object] = {
        "full_name": "张伟",
        "email": "zhang.wei@zju.edu.cn",
        "phone": "0571-81956046",
        "organisation": "浙江大学建筑工程学院",
        "city": "杭州",
        "specialities": [],
        "new_specialities": "",
        "employer": "",
        "recommenders": [],
        "is_available": "on",
    }
    data.update(changes)
    return data


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def welcome_link(message) -> str:
    match = re.search(r"http://testserver(/review/experts/welcome/[^\s]+/)", message.body)
    assert match is not None, message.body
    return match.group(1)


# --- who may ------------------------------------------------------------------------------

PAGES = [
    ("experts", "get", False),
    ("expert_create", "get", False),
    ("expert_create", "post", False),
    ("expert_edit", "get", True),
    ("expert_edit", "post", True),
    ("expert_invite", "post", True),
    ("expert_invite_all", "post", False),
    ("expert_import", "get", False),
    ("expert_import", "post", False),
    ("expert_import_template", "get", False),
    ("experts_xlsx", "get", False),
]


@pytest.mark.parametrize("persona", ["applicant_a", "recommender_hz", "expert", "pool_expert"])
@pytest.mark.parametrize(("name", "method", "with_pk"), PAGES)
def test_every_pool_page_is_404_outside_the_province(
    request, pool_expert, persona, name, method, with_pk, django_capture_on_commit_callbacks
):
    user = request.getfixturevalue(persona)
    profile = pool_expert.expert_profile
    url = reverse(f"review:{name}", args=[profile.pk] if with_pk else [])

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = getattr(client_for(user), method)(url, expert_data(full_name="篡改"))

    profile.refresh_from_db()
    denied = AuditEntry.objects.get(action="access.denied")
    assert response.status_code == 404
    assert (denied.actor_id, denied.data) == (
        user.pk,
        {"object": "expert pool", "id": str(profile.pk) if with_pk else "", "code": "404"},
    )
    assert (profile.user.full_name, profile.invited_at, callbacks, mail.outbox) == (
        "王芳",
        None,
        [],
        [],
    )
    assert ExpertProfile.objects.count() == 1


@pytest.mark.parametrize(("name", "method", "with_pk"), PAGES)
def test_every_pool_page_sends_anonymous_to_the_login(pool_expert, name, method, with_pk):
    url = reverse(f"review:{name}", args=[pool_expert.expert_profile.pk] if with_pk else [])

    response = getattr(client_for(None), method)(url)

    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={url}"


# --- the list -----------------------------------------------------------------------------


def test_the_list_shows_each_expert_with_contact_and_invitation(admin_user, pool_expert):
    other = make_expert("li_qiang", specialities=[], is_available=False)
    other.last_login = timezone.make_aware(dt.datetime(2026, 5, 6, 9, 30))
    other.save()
    ExpertProfile.objects.filter(user=other).update(
        invited_at=timezone.make_aware(dt.datetime(2026, 5, 2, 10, 0))
    )
    profile = pool_expert.expert_profile

    response = client_for(admin_user).get(reverse("review:experts"))

    html = response.content.decode()
    assert [p.user.username for p in response.context["page"]] == ["wang_fang", "li_qiang"]
    assert (
        f'<td class="person" data-label="Name"><a href="/review/experts/{profile.pk}/">'
        "王芳</a></td>" in html
    )
    assert '<td data-label="Organisation">宁波大学土木工程学院</td>' in html
    assert '<td data-label="City">宁波</td>' in html
    assert '<td data-label="Specialities">市政公用工程、公路工程</td>' in html
    assert '<td data-label="E-mail">wang_fang@example.com</td>' in html
    assert '<td data-label="Phone">13605792309</td>' in html
    assert '<td data-label="Available">Yes</td>' in html
    assert '<td class="account" data-label="Account">Not invited</td>' in html
    assert '<td data-label="Specialities">—</td>' in html
    assert '<td data-label="Available">No</td>' in html
    assert '<td class="account" data-label="Account">Logged in 2026-05-06</td>' in html
    assert "Invite the 1 expert not yet invited</button>" in html


def test_the_list_shows_experts_already_reviewing_with_their_real_state(
    admin_user, pool_expert, edition
):
    # A demo-like expert: a password set without an invitation, two applications to review.
    reviewer = make_expert("zhou_min", full_name="周敏")
    for _n in range(2):
        assign(reviewed_application(edition=edition), reviewer)
    assign(reviewed_application(edition=edition), reviewer, AssignmentState.CONFLICT)

    html = client_for(admin_user).get(reverse("review:experts")).content.decode()

    row = html[html.index("周敏") : html.index("</tr>", html.index("周敏"))]
    assert '<td class="num" data-label="Reviewing">2 applications</td>' in row
    assert '<td class="account" data-label="Account">Password set, not logged in yet</td>' in row
    assert "Invite the 1 expert not yet invited</button>" in html
    assert "<th>Name</th>" in html
    assert "Adding or importing an expert sends no mail" in html


def test_the_pool_downloads_as_excel_in_the_import_columns_as_filtered(
    admin_user, pool_expert, hangzhou
):
    make_expert("chen_jie", full_name="陈杰", organisation="杭州市建设工程质量安全监督总站")
    pool_expert.expert_profile.recommenders.add(hangzhou)

    response = client_for(admin_user).get(reverse("review:experts_xlsx"), {"q": "宁波"})

    sheet = load_workbook(io.BytesIO(response.content)).active
    assert [[cell.value for cell in row] for row in sheet.iter_rows()] == [
        [*TEMPLATE_HEADERS, "是否可用", "评审中（项）", "账户状态"],
        [
            "王芳",
            "宁波大学土木工程学院",
            "宁波",
            "市政公用工程、公路工程",
            "13605792309",
            "wang_fang@example.com",
            hangzhou.name,
            "是",
            0,
            "未邀请",
        ],
    ]
    entry = AuditEntry.objects.get(action="export.expert_pool")
    assert (entry.actor_id, entry.data) == (admin_user.pk, {"format": "xlsx", "experts": 1})


def test_the_list_filters_by_text_and_by_speciality(admin_user, pool_expert):
    make_expert("chen_jie", organisation="杭州市建设工程质量安全监督总站", city="杭州")
    client = client_for(admin_user)

    by_text = client.get(reverse("review:experts"), {"q": "监督总站"})
    by_speciality = client.get(reverse("review:experts"), {"speciality": "公路工程"})
    by_both = client.get(reverse("review:experts"), {"q": "杭州", "speciality": "公路工程"})

    assert [p.user.username for p in by_text.context["page"]] == ["chen_jie"]
    assert [p.user.username for p in by_speciality.context["page"]] == ["wang_fang"]
    assert list(by_both.context["page"]) == []
    assert by_speciality.context["filters"].fields["speciality"].choices == [
        ("", "All specialities"),
        ("公路工程", "公路工程"),
        ("市政公用工程", "市政公用工程"),
        ("房屋建筑工程", "房屋建筑工程"),
    ]


@pytest.mark.parametrize("count", [1, 3])
def test_the_list_takes_a_fixed_number_of_queries(admin_user, count, django_assert_num_queries):
    for number in range(count):
        make_expert(f"expert_{number}", specialities=["房屋建筑工程", f"专业{number}"])
    client = client_for(admin_user)

    with django_assert_num_queries(8):
        response = client.get(reverse("review:experts"))

    assert len(response.context["page"]) == count


# --- adding and editing -------------------------------------------------------------------


def test_adding_an_expert_makes_an_expert_account_without_a_usable_password(
    admin_user, hangzhou, ningbo
):
    employer = EnterpriseFactory(name="浙江省建工集团有限责任公司", industry="房屋建筑工程")

    response = client_for(admin_user).post(
        reverse("review:expert_create"),
        expert_data(
            organisation=" 浙江省建工集团 有限责任公司 ",
            specialities=["房屋建筑工程"],
            new_specialities="钢结构工程、 幕墙工程,房屋建筑工程",
            recommenders=[hangzhou.pk, ningbo.pk],
        ),
        follow=True,
    )

    profile = ExpertProfile.objects.select_related("user").get()
    user = profile.user
    entry = AuditEntry.objects.get(action="expert.create")
    assert messages_of(response) == ["Expert “张伟” added with the username zhang.wei."]
    assert (user.username, user.role, user.full_name, user.email, user.phone) == (
        "zhang.wei",
        Role.EXPERT,
        "张伟",
        "zhang.wei@zju.edu.cn",
        "0571-81956046",
    )
    assert (user.has_usable_password(), user.is_active, user.is_staff) == (False, True, False)
    assert (profile.organisation, profile.city, profile.is_available) == (
        "浙江省建工集团 有限责任公司",
        "杭州",
        True,
    )
    assert profile.specialities == ["房屋建筑工程", "钢结构工程", "幕墙工程"]
    assert profile.employer == employer
    assert set(profile.recommenders.all()) == {hangzhou, ningbo}
    assert (entry.actor_id, entry.target_id, entry.data) == (
        admin_user.pk,
        profile.pk,
        {"user": user.pk, "username": "zhang.wei", "email": "zhang.wei@zju.edu.cn"},
    )


def test_usernames_from_the_same_mailbox_name_are_numbered(admin_user):
    UserFactory(username="zhang.wei", email="zw@example.com")
    client = client_for(admin_user)

    client.post(reverse("review:expert_create"), expert_data(email="zhang.wei@zju.edu.cn"))
    client.post(reverse("review:expert_create"), expert_data(email="Zhang.Wei@163.com"))

    assert sorted(ExpertProfile.objects.values_list("user__username", flat=True)) == [
        "zhang.wei2",
        "zhang.wei3",
    ]


def test_adding_an_expert_with_an_e_mail_already_used_is_refused(admin_user, applicant_a):
    response = client_for(admin_user).post(
        reverse("review:expert_create"), expert_data(email="APPLICANT_A@example.com")
    )

    assert response.status_code == 200
    assert response.context["form"].errors == {
        "email": ["The account “applicant_a” already uses this e-mail."]
    }
    assert ExpertProfile.objects.count() == 0
    assert User.objects.filter(role=Role.EXPERT).count() == 0


def test_adding_an_expert_checks_phone_and_required_fields(admin_user):
    response = client_for(admin_user).post(
        reverse("review:expert_create"),
        expert_data(full_name="", email="", organisation="", phone="12345"),
    )

    assert response.context["form"].errors == {
        "full_name": ["This field is required."],
        "email": ["This field is required."],
        "organisation": ["This field is required."],
        "phone": [
            "Enter a mainland mobile number (11 digits, e.g. 13605792309) "
            "or a landline with area code (e.g. 0571-81956046)."
        ],
    }
    assert ExpertProfile.objects.count() == 0


def test_editing_an_expert_changes_account_and_profile_and_journals_the_fields(
    admin_user, pool_expert, hangzhou
):
    profile = pool_expert.expert_profile
    client = client_for(admin_user)
    page = client.get(reverse("review:expert_edit", args=[profile.pk]))

    response = client.post(
        reverse("review:expert_edit", args=[profile.pk]),
        expert_data(
            full_name="王芳",
            email="wang.fang@nbu.edu.cn",
            phone="13605792309",
            organisation="宁波大学土木工程学院",
            city="宁波",
            specialities=["公路工程"],
            recommenders=[hangzhou.pk],
            is_available="",
        ),
        follow=True,
    )

    profile.refresh_from_db()
    entry = AuditEntry.objects.get(action="expert.update")
    assert page.context["form"].initial["specialities"] == ["市政公用工程", "公路工程"]
    assert messages_of(response) == ["Expert “王芳” saved."]
    assert (profile.user.email, profile.specialities, profile.is_available) == (
        "wang.fang@nbu.edu.cn",
        ["公路工程"],
        False,
    )
    assert list(profile.recommenders.all()) == [hangzhou]
    assert profile.user.username == "wang_fang"
    assert entry.data == {"fields": ["email", "is_available", "recommenders", "specialities"]}


def test_an_employer_chosen_by_hand_is_kept_and_an_empty_one_is_found_by_name(
    admin_user, pool_expert
):
    chosen = EnterpriseFactory(name="宁波乙建工集团有限公司")
    found = EnterpriseFactory(name="宁波大学土木工程学院")
    profile = pool_expert.expert_profile
    client = client_for(admin_user)
    url = reverse("review:expert_edit", args=[profile.pk])
    same = {"full_name": "王芳", "email": "wang_fang@example.com", "city": "宁波"}

    client.post(url, expert_data(**same, organisation="宁波大学土木工程学院", employer=chosen.name))
    profile.refresh_from_db()
    by_hand = profile.employer
    client.post(url, expert_data(**same, organisation="宁波大学土木工程学院", employer=""))
    profile.refresh_from_db()

    assert (by_hand, profile.employer) == (chosen, found)


def test_editing_an_unknown_expert_is_404(admin_user):
    response = client_for(admin_user).get(reverse("review:expert_edit", args=[999]))

    assert response.status_code == 404


# --- invitations --------------------------------------------------------------------------


def test_inviting_an_expert_mails_a_link_to_choose_a_password(
    admin_user, pool_expert, settings, django_capture_on_commit_callbacks
):
    settings.SITE_URL = "http://testserver"
    profile = pool_expert.expert_profile

    before = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(admin_user).post(
            reverse("review:expert_invite", args=[profile.pk]), follow=True
        )

    profile.refresh_from_db()
    message = mail.outbox[0]
    entry = AuditEntry.objects.get(action="expert.invite")
    assert messages_of(response) == ["Invitation sent to 王芳 (wang_fang@example.com)."]
    assert (len(mail.outbox), message.to) == (1, ["wang_fang@example.com"])
    assert message.subject == "Invitation: expert review of the Quality Trustworthy Team Activity"
    assert "Dear 王芳,\n\n" in message.body
    assert "Your username: wang_fang\n\n" in message.body
    assert "(the link works once, for 3 days):\n" in message.body
    assert welcome_link(message).startswith(
        f"/review/experts/welcome/{urlsafe_base64_encode(force_bytes(pool_expert.pk))}/"
    )
    assert before <= profile.invited_at <= timezone.now()
    assert entry.data == {"user": pool_expert.pk, "email": "wang_fang@example.com"}


def test_inviting_all_reaches_only_active_experts_never_invited(
    admin_user, pool_expert, django_capture_on_commit_callbacks
):
    invited = make_expert("invited_before", invited_at=timezone.now() - dt.timedelta(days=2))
    gone = make_expert("deactivated")
    gone.is_active = False
    gone.save()
    User.objects.filter(pk=make_expert("no_mail").pk).update(email="")

    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(admin_user).post(reverse("review:expert_invite_all"), follow=True)

    assert messages_of(response) == ["1 invitation sent."]
    assert [m.to for m in mail.outbox] == [["wang_fang@example.com"]]
    assert list(
        ExpertProfile.objects.filter(invited_at__isnull=False)
        .order_by("user__username")
        .values_list("user__username", flat=True)
    ) == ["invited_before", "wang_fang"]
    assert ExpertProfile.objects.get(user=invited).invited_at < timezone.now() - dt.timedelta(
        days=1
    )
    assert AuditEntry.objects.filter(action="expert.invite").count() == 1


def test_inviting_all_when_everyone_is_invited_says_so(
    admin_user, pool_expert, django_capture_on_commit_callbacks
):
    client = client_for(admin_user)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("review:expert_invite_all"), follow=True)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("review:expert_invite_all"), follow=True)

    assert messages_of(response) == ["Every active expert with an e-mail is invited already."]
    assert len(mail.outbox) == 1


def test_inviting_a_deactivated_expert_is_refused(
    admin_user, pool_expert, django_capture_on_commit_callbacks
):
    pool_expert.is_active = False
    pool_expert.save()

    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(admin_user).post(
            reverse("review:expert_invite", args=[pool_expert.expert_profile.pk]), follow=True
        )

    assert messages_of(response) == ["The account of 王芳 is deactivated."]
    assert (len(mail.outbox), AuditEntry.objects.filter(action="expert.invite").count()) == (0, 0)


# --- the welcome page ---------------------------------------------------------------------


@pytest.fixture
def invited(admin_user, pool_expert, settings, django_capture_on_commit_callbacks):
    """王芳 invited: the path of the link in her mail."""
    settings.SITE_URL = "http://testserver"
    with django_capture_on_commit_callbacks(execute=True):
        client_for(admin_user).post(
            reverse("review:expert_invite", args=[pool_expert.expert_profile.pk])
        )
    return welcome_link(mail.outbox[0])


def test_the_welcome_page_sets_the_password_and_logs_nobody_in(invited, pool_expert):
    client = client_for(None)
    page = client.get(invited)

    response = client.post(
        invited, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}, follow=True
    )

    pool_expert.refresh_from_db()
    entry = AuditEntry.objects.get(action="expert.password_set")
    assert "Your username: <strong>wang_fang</strong>" in page.content.decode()
    assert response.redirect_chain == [("/accounts/login/", 302)]
    assert messages_of(response) == [
        "Your password is set. Log in with the username wang_fang and your password."
    ]
    assert pool_expert.check_password(NEW_PASSWORD)
    assert "_auth_user_id" not in client.session
    assert (entry.actor_id, entry.target_id) == (pool_expert.pk, pool_expert.pk)


def test_the_welcome_link_dies_once_the_password_is_set(invited):
    client = client_for(None)
    client.post(invited, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})

    again = client.get(invited)
    replay = client.post(invited, {"new_password1": "Other-pass-2027", "new_password2": "x"})

    assert "<h1>This link is no longer valid</h1>" in again.content.decode()
    assert (
        "ask the Zhejiang Engineering Construction Quality Management Association for a new "
        "invitation" in again.content.decode()
    )
    assert "<h1>This link is no longer valid</h1>" in replay.content.decode()
    assert AuditEntry.objects.filter(action="expert.password_set").count() == 1


def test_the_welcome_link_dies_after_the_reset_timeout(pool_expert, settings):
    settings.PASSWORD_RESET_TIMEOUT = 3 * 24 * 3600

    class FourDaysAgo(PasswordResetTokenGenerator):
        def _now(self):
            return dt.datetime.now() - dt.timedelta(days=4)

    uid = urlsafe_base64_encode(force_bytes(pool_expert.pk))
    stale = FourDaysAgo().make_token(pool_expert)

    response = client_for(None).get(reverse("review:expert_welcome", args=[uid, stale]))

    assert "<h1>This link is no longer valid</h1>" in response.content.decode()


@pytest.mark.parametrize("link", ["bad_token", "bad_uid", "huge_uid", "not_an_expert"])
def test_a_bad_welcome_link_is_refused_and_journalled(pool_expert, admin_user, link):
    good = PasswordResetTokenGenerator()
    uid = urlsafe_base64_encode(force_bytes(pool_expert.pk))
    args = {
        "bad_token": [uid, "cn3k2f-0123456789abcdef0123456789abcdef"],
        "bad_uid": ["Zm9v", good.make_token(pool_expert)],
        "huge_uid": [urlsafe_base64_encode(b"9" * 30), good.make_token(pool_expert)],
        "not_an_expert": [
            urlsafe_base64_encode(force_bytes(admin_user.pk)),
            good.make_token(admin_user),
        ],
    }[link]

    response = client_for(None).post(
        reverse("review:expert_welcome", args=args),
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )

    admin_user.refresh_from_db()
    denied = AuditEntry.objects.get(action="access.denied")
    assert "<h1>This link is no longer valid</h1>" in response.content.decode()
    assert denied.data == {"object": "expert welcome link", "id": args[0][:20], "code": "invalid"}
    assert not admin_user.check_password(NEW_PASSWORD)


def test_the_welcome_page_applies_the_password_rules(invited, pool_expert):
    response = client_for(None).post(
        invited, {"new_password1": "12345678", "new_password2": "12345678"}
    )

    pool_expert.refresh_from_db()
    assert response.context["form"].errors == {
        "new_password2": ["This password is too common.", "This password is entirely numeric."]
    }
    assert not pool_expert.has_usable_password()
