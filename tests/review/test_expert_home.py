"""Issue 17, item 1: the expert's home page shows their review tasks and progress, not "you have
no review tasks", as soon as applications are assigned to them."""

from __future__ import annotations

import re

from django.urls import reverse
from django.utils import translation

from banzu.review.enums import AssignmentState
from tests.conftest import client_for
from tests.factories import ApplicationFactory
from tests.review.conftest import assign, reviewed_application

NO_TASKS = "You have no review assignments yet."


def _card(html: str) -> dict[str, str]:
    return dict(re.findall(r"<dd data-(pending|drafts|submitted)>([^<]*)</dd>", html))


def test_an_expert_with_assignments_sees_them_and_their_progress(
    edition, applicant_a, expert_assigned, expert_pending, application
):
    other = reviewed_application(edition=edition)
    assign(other, expert_assigned, AssignmentState.PENDING)

    html = client_for(expert_assigned).get(reverse("home")).content.decode()

    assert "data-expert-tasks" in html
    assert NO_TASKS not in html
    assert "2 applications are assigned to you." in html
    assert "2 still need your submitted sheet." in html
    assert _card(html) == {"pending": "1", "drafts": "0", "submitted": "0 / 2"}
    assert reverse("review:mine") in html


def test_an_expert_without_assignments_is_told_there_is_no_work_yet(expert_unassigned):
    html = client_for(expert_unassigned).get(reverse("home")).content.decode()
    assert NO_TASKS in html
    assert "data-expert-tasks" not in html


def test_an_application_out_of_review_is_not_a_task(edition, expert_unassigned):
    finished = ApplicationFactory(edition=edition, state="draft")
    assign(finished, expert_unassigned)
    html = client_for(expert_unassigned).get(reverse("home")).content.decode()
    assert NO_TASKS in html


def test_the_two_sentences_are_spaced_in_english_and_joined_in_chinese(
    edition, expert_assigned, application
):
    with translation.override("zh-hans"):
        chinese = client_for(expert_assigned).get(reverse("home"), HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert "已分配给您 1 份申报。其中 1 份尚待您提交评分表。" in chinese.content.decode()
    english = client_for(expert_assigned).get(reverse("home")).content.decode()
    assert "1 application is assigned to you. 1 still needs your submitted sheet." in english
