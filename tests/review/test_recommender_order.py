"""Review lists follow the recommenders' own order (the notice's: 杭州 first, 丽水 eleventh), not
the recommendation numbers' character codes, which put 丽 before 杭 (issue 17, item 14)."""

from __future__ import annotations

from banzu.accounts.models import Recommender
from banzu.review import selectors
from tests.review.conftest import assign, make_expert, reviewed_application


def _numbered(edition, city: str, number: str):
    application = reviewed_application(
        edition=edition, recommender=Recommender.objects.get(name=city)
    )
    application.recommendation_number = number
    application.save(update_fields=["recommendation_number"])
    return application


def test_review_lists_put_hangzhou_before_lishui(edition):
    lishui = _numbered(edition, "丽水市建筑业协会", "丽-2026-001")
    hangzhou = _numbered(edition, "杭州市建筑业协会", "杭-2026-001")
    expert = make_expert("order_expert")
    assign(lishui, expert)
    assign(hangzhou, expert)

    listed = [a.recommendation_number for a in selectors.review_applications(edition)]
    mine = [
        row.assignment.application.recommendation_number
        for row in selectors.expert_assignments(expert, edition)
    ]

    assert (listed, mine) == (["杭-2026-001", "丽-2026-001"], ["杭-2026-001", "丽-2026-001"])
