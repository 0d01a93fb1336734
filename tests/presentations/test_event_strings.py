"""The event's words read right in Chinese: state words with their own context (a room "Running"
is not a job's), whole labels instead of fragments, colons inside the translated text (so
Chinese shows the full-width colon), and the edition's presentation weight, not a fixed 20."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import translation

from banzu.applications.enums import ApplicationState
from banzu.editions.models import Edition
from banzu.jobs.enums import JobState
from banzu.presentations.enums import RoomState, SheetState, SlotState, TimerMarkKind
from tests.conftest import client_for

CHINESE = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}


def test_state_words_of_the_event_have_their_own_chinese():
    with translation.override("zh-hans"):
        labels = [
            str(RoomState.RUNNING.label),
            str(RoomState.CLOSED.label),
            str(SlotState.DONE.label),
            str(SheetState.DRAFT.label),
            str(TimerMarkKind.START.label),
        ]
        elsewhere = [str(JobState.RUNNING.label), str(ApplicationState.PRESENTED.label)]

    assert labels == ["进行中", "已结束", "已发布", "草稿", "开始计时"]
    assert elsewhere == ["运行中", "已现场发布"]


def test_the_consoles_next_team_is_not_the_pagers_next(world, admin_user):
    lookup = translation.gettext  # not spelt gettext(...): makemessages does not scan this file
    html = (
        client_for(admin_user)
        .get(reverse("presentations:console", args=[world.room_a.pk]), **CHINESE)
        .content.decode()
    )

    assert '<h2 id="next-team">下一个班组</h2>' in html
    with translation.override("zh-hans"):
        assert lookup("Next") == "下一页"


def test_the_board_and_results_put_the_full_width_colon_inside_the_words(world, admin_user):
    client = client_for(admin_user)

    board = client.get(reverse("presentations:board"), **CHINESE).content.decode()
    results = client.get(reverse("presentations:results"), **CHINESE).content.decode()

    assert '<span class="muted">正在发布：</span>' in board
    assert "专家组长： 评委甲1 · 会务秘书： 秘书甲" in results


def test_the_swap_form_names_who_leaves_and_who_comes_in(world, admin_user):
    html = client_for(admin_user).get(reverse("presentations:setup_panels")).content.decode()

    room = world.room_b.pk  # room A runs: its panel is settled
    assert f'<label for="swap-{room}-old">Member leaving</label>' in html
    assert f'<label for="swap-{room}-new">Expert coming in</label>' in html
    assert ">Replace<" not in html


@pytest.mark.parametrize(("presentation", "expected"), [(20, "20"), (30, "30")])
def test_the_settings_page_states_the_editions_presentation_weight(
    edition, admin_user, presentation, expected
):
    Edition.objects.filter(pk=edition.pk).update(
        presentation_weight=presentation, materials_weight=100 - presentation
    )

    html = client_for(admin_user).get(reverse("presentations:setup_event")).content.decode()

    assert f"The presentation is worth {expected} of the 100 points." in html
    assert "points of 20" not in html
    assert ">Flag rooms whose means differ by more than (points)<" in html
