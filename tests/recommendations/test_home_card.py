"""Issue 17, item 4: the recommender's home page shows its own work (what awaits a decision and
what no one scored yet, the staff member's draft sheets, returned, recommended with the numbers,
declined, the batch with quota and deadline), never the enterprises' drafts."""

from __future__ import annotations

import pytest
from django.urls import reverse

from banzu.applications import services as application_services
from banzu.recommendations import services
from tests.applications.helpers import make_complete
from tests.conftest import client_for
from tests.factories import ApplicationFactory, TeamFactory
from tests.recommendations.conftest import score

pytestmark = pytest.mark.django_db

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def _submitted(recommender, tmp_path, name):
    application = make_complete(
        ApplicationFactory(recommender=recommender, team=TeamFactory(name=name)), tmp_path
    )
    return application_services.submit_application(
        application=application, user=application.created_by
    )


def test_home_card_counts_the_recommenders_own_work(
    recommender_hz, hangzhou, tmp_path, open_edition
):
    recommended, declined, returned, scored, drafted, fresh = (
        _submitted(hangzhou, tmp_path, name)
        for name in ("推荐班", "不推荐班", "退回班", "已评班", "草稿评分班", "未评班")
    )
    score(recommended, recommender_hz, 90)
    services.recommend_application(application=recommended, actor=recommender_hz)
    services.decline_application(application=declined, actor=recommender_hz, reason="排名靠后")
    services.return_application(application=returned, actor=recommender_hz, reason="缺盖章页")
    score(scored, recommender_hz, 80)
    score(drafted, recommender_hz, 70, submit=False)
    ApplicationFactory(
        recommender=hangzhou, edition=open_edition, team=TeamFactory(name="企业草稿班")
    )
    services.set_quota(batch=services.batch_for(open_edition, hangzhou), quota=5, by=recommender_hz)

    response = client_for(recommender_hz).get(reverse("home"), **EN)

    text = response.content.decode()
    card = text[text.index("data-recommender-work") :]
    assert 'data-awaiting><a href="/recommend/?state=submitted">3</a> · ' in card
    assert "2 not scored yet" in card  # 草稿评分班 and 未评班
    assert f'<a href="/recommend/applications/{drafted.pk}/score/">草稿评分班</a>' in card
    assert 'data-returned><a href="/recommend/?state=returned">1</a>' in card
    assert (
        f'data-recommended><a href="/recommend/?state=recommended">1</a> · '
        f'<a href="/recommend/applications/{recommended.pk}/">杭-2026-001</a>'
    ) in card
    assert 'data-declined><a href="/recommend/?state=not_recommended">1</a>' in card
    assert "1 of a quota of 5" in card
    assert '<a class="button button-secondary" href="/recommend/batch/">' in card
    assert "企业草稿班" not in text
    assert fresh.team.name not in card  # counted, not listed


def test_home_card_is_the_recommenders_only(expert, applicant_a, open_edition):
    for user in (expert, applicant_a):
        text = client_for(user).get(reverse("home"), **EN).content.decode()
        assert "data-recommender-work" not in text
