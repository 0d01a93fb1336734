"""The similarity report and its side-by-side view: the figures, the sources, the highlighted
and numbered passages, and that only the provincial admin sees either page (404 for everyone
else, the application's own applicant included)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from banzu.screening.highlight import COMMON, COPIED, PLAIN, Segment, segments, side_by_side
from banzu.screening.models import ArchiveDocument, SimilarityReport
from tests.conftest import client_for
from tests.factories import ApplicationFactory, TeamFactory

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}

COPIED_FROM_B = "班组坚持每日班前会，开展质量自检、互检和专检。"
COPIED_FROM_ARCHIVE = "运用QC七大手法分析钢筋加工偏差原因。"
TEMPLATE_TEXT = "本人承诺所填内容真实有效。"
LEFT = (
    "前言<script>alert(1)</script>\n"
    + COPIED_FROM_B
    + "我们自己写的内容。\n"
    + TEMPLATE_TEXT
    + COPIED_FROM_ARCHIVE
    + "结尾。"
)
RIGHT_B = "乙班组的开头。\n" + COPIED_FROM_B + "乙班组的结尾。"
ARCHIVE = "档案开头。" + COPIED_FROM_ARCHIVE + "档案结尾。"


def span(text: str, part: str) -> list[int]:
    start = text.index(part)
    return [start, start + len(part)]


@pytest.fixture
def screened(applicant_a, admin_user, hangzhou):
    """Applicant A's recommended application with a report naming two sources: another
    recommended application of the edition (B) and an archive document."""
    team = TeamFactory(enterprise=applicant_a.enterprise, name="钢筋甲班")
    mine = ApplicationFactory(
        team=team, created_by=applicant_a, recommender=hangzhou, recommendation_number="HZ-001"
    )
    other = ApplicationFactory(recommender=hangzhou, recommendation_number="HZ-002")
    SimilarityReport.objects.create(application=other, text=RIGHT_B, chars=len(RIGHT_B))
    archive = ArchiveDocument.objects.create(
        year=2024,
        enterprise_name="浙江丙建设有限公司",
        team_name="木工班",
        original_name="2024.docx",
        stored_name="archive-1",
        size=1,
        sha256="0" * 64,
        text=ARCHIVE,
        imported_by=admin_user,
    )
    report = SimilarityReport.objects.create(
        application=mine,
        chars=len(LEFT),
        copied_chars=len(COPIED_FROM_B) + len(COPIED_FROM_ARCHIVE),
        copy_ratio=Decimal("0.3512"),
        max_source_ratio=Decimal("0.2500"),
        self_copied_chars=len(LEFT) // 10,
        copy_ratio_excluding_self=Decimal("0.2500"),
        common_chars=len(TEMPLATE_TEXT),
        common_spans=[span(LEFT, TEMPLATE_TEXT)],
        text=LEFT,
        sources=[
            {
                "kind": "archive",
                "pk": archive.pk,
                "label": "2024 · 浙江丙建设有限公司 · 木工班",
                "same_owner": True,
                "copied_chars": len(COPIED_FROM_ARCHIVE),
                "ratio": 0.1234,
                "passages": [span(LEFT, COPIED_FROM_ARCHIVE) + span(ARCHIVE, COPIED_FROM_ARCHIVE)],
            },
            {
                "kind": "application",
                "pk": other.pk,
                "label": "钢筋乙班 · 2026",
                "same_owner": False,
                "copied_chars": len(COPIED_FROM_B),
                "ratio": 0.25,
                "passages": [span(LEFT, COPIED_FROM_B) + span(RIGHT_B, COPIED_FROM_B)],
            },
        ],
    )
    return mine, other, archive, report


def report_url(application) -> str:
    return reverse("screening:report", args=[application.pk])


def side_url(application, kind: str, pk: int) -> str:
    return reverse("screening:side_by_side", args=[application.pk, kind, pk])


# highlight.segments


def kinds(found: list[Segment]) -> list[tuple[int, int, str, int]]:
    return [(s.start, s.end, s.kind, s.number) for s in found]


def test_segments_cover_the_text_with_plain_copied_and_common():
    found = segments("0123456789", [(2, 4)], [(6, 8)])
    assert kinds(found) == [
        (0, 2, PLAIN, 0),
        (2, 4, COPIED, 1),
        (4, 6, PLAIN, 0),
        (6, 8, COMMON, 0),
        (8, 10, PLAIN, 0),
    ]


def test_segments_passage_wins_over_overlapping_common_text():
    found = segments("0123456789", [(3, 6)], [(1, 4), (5, 9)])
    assert kinds(found) == [
        (0, 1, PLAIN, 0),
        (1, 3, COMMON, 0),
        (3, 6, COPIED, 1),
        (6, 9, COMMON, 0),
        (9, 10, PLAIN, 0),
    ]


def test_segments_common_span_inside_a_passage_disappears():
    assert kinds(segments("0123456789", [(2, 8)], [(3, 5)])) == [
        (0, 2, PLAIN, 0),
        (2, 8, COPIED, 1),
        (8, 10, PLAIN, 0),
    ]


def test_segments_merge_overlapping_and_adjacent_passages_under_the_first_number():
    found = segments("0123456789", [(6, 8), (1, 3), (3, 5), (4, 7)])
    assert kinds(found) == [(0, 1, PLAIN, 0), (1, 8, COPIED, 1), (8, 10, PLAIN, 0)]
    assert found[1].numbers == (1, 2, 3, 4)


def test_segments_clip_offsets_to_the_text_and_drop_empty_ones():
    found = segments("01234", [(-3, 2), (4, 99), (7, 9), (3, 3)], [(-1, 1), (2, 50)])
    assert kinds(found) == [(0, 2, COPIED, 1), (2, 4, COMMON, 0), (4, 5, COPIED, 2)]


def test_segments_of_an_empty_text_are_none():
    assert segments("", [(0, 5)], [(0, 2)]) == []


def test_side_by_side_numbers_passages_in_left_order_with_jumps():
    left = "aaXXbbYYcc"
    right = "YYddXX"
    columns = side_by_side(left, right, [(6, 8, 0, 2), (2, 4, 4, 6)])
    assert columns.passages == [(2, 4, 4, 6), (6, 8, 0, 2)]
    copied_left = [(p.text, p.number, p.previous, p.next) for p in columns.left if p.number]
    copied_right = [(p.text, p.number, p.previous, p.next) for p in columns.right if p.number]
    assert copied_left == [("XX", 1, 0, 2), ("YY", 2, 1, 0)]
    assert copied_right == [("YY", 2, 1, 0), ("XX", 1, 0, 2)]
    assert "".join(p.text for p in columns.left) == left
    assert "".join(p.text for p in columns.right) == right


def test_side_by_side_keeps_an_anchor_for_passages_merged_in_the_source():
    # Two places of the application copy the same source sentence.
    columns = side_by_side("XXabXX", "cXXc", [(0, 2, 1, 3), (4, 6, 1, 3)])
    right = [p for p in columns.right if p.kind == COPIED]
    assert [(p.number, p.also, p.previous, p.next) for p in right] == [(1, (2,), 0, 0)]


# the report page


def test_report_shows_the_figures_and_the_sources(admin_user, screened):
    mine, other, archive, report = screened

    response = client_for(admin_user).get(report_url(mine), **EN)

    assert response.status_code == 200
    page = response.content.decode()
    assert '<strong class="copy-ratio">35.1%</strong>' in page
    assert '<dd class="max-source-ratio">25.0%</dd>' in page
    assert f'<dd class="self-ratio">{report.self_copied_chars / len(LEFT) * 100:.1f}%</dd>' in page
    assert f'<dd class="copied-chars">{report.copied_chars}</dd>' in page
    assert f'<dd class="common-chars">{len(TEMPLATE_TEXT)}</dd>' in page
    assert [(s["label"], s["ratio_display"]) for s in response.context["sources"]] == [
        ("钢筋乙班 · 2026", "25.0%"),
        ("2024 · 浙江丙建设有限公司 · 木工班", "12.3%"),
    ]
    assert side_url(mine, "application", other.pk) in page
    assert side_url(mine, "archive", archive.pk) in page
    assert "This edition" in page
    assert "Archive" in page
    # The report page lists sources, never the text.
    assert COPIED_FROM_B not in page


def test_report_of_an_unscanned_application_says_so(admin_user, hangzhou):
    application = ApplicationFactory(recommender=hangzhou, recommendation_number="HZ-009")

    response = client_for(admin_user).get(report_url(application), **EN)

    assert response.status_code == 200
    assert response.context["report"] is None
    assert "This application has not been scanned yet." in response.content.decode()


def test_report_shows_the_scan_error(admin_user, screened):
    mine, _, _, report = screened
    report.error = "materials.docx: cannot read"
    report.save()

    response = client_for(admin_user).get(report_url(mine), **EN)

    assert "The scan reported an error: materials.docx: cannot read" in response.content.decode()


# the side-by-side view


def test_side_by_side_highlights_the_passages_with_matching_anchors(admin_user, screened):
    mine, other, _, _ = screened

    response = client_for(admin_user).get(side_url(mine, "application", other.pk), **EN)

    assert response.status_code == 200
    page = response.content.decode()
    left, right = page.split('id="sbs-right-title"')
    assert '<mark class="sbs-copied" id="a-1">' in left
    assert '<a href="#b-1"' in left
    assert '<mark class="sbs-copied" id="b-1">' in right
    assert '<a href="#a-1"' in right
    assert left.count('class="sbs-copied" id=') == 1
    assert f"{COPIED_FROM_B}</mark>" in left
    assert f"{COPIED_FROM_B}</mark>" in right
    assert f'<span class="sbs-common">{TEMPLATE_TEXT}</span>' in left
    # The archive passage of another source is plain text here.
    assert f"{COPIED_FROM_ARCHIVE}</mark>" not in left
    assert "乙班组的开头。\n" in right
    assert 'href="/static/css/screening.css"' in page


def test_side_by_side_against_the_archive(admin_user, screened):
    mine, _, archive, _ = screened

    response = client_for(admin_user).get(side_url(mine, "archive", archive.pk), **EN)

    page = response.content.decode()
    left, right = page.split('id="sbs-right-title"')
    assert '<mark class="sbs-copied" id="a-1"><span class="sbs-jump"><a href="#b-1"' in left
    assert f"{COPIED_FROM_ARCHIVE}</mark>" in left
    assert '档案开头。<mark class="sbs-copied" id="b-1">' in right
    assert response.context["passages"] == [
        {"number": 1, "chars": len(COPIED_FROM_ARCHIVE), "source_chars": len(COPIED_FROM_ARCHIVE)}
    ]


def test_side_by_side_escapes_the_text(admin_user, screened):
    mine, other, _, _ = screened

    response = client_for(admin_user).get(side_url(mine, "application", other.pk), **EN)

    page = response.content.decode()
    assert "前言&lt;script&gt;alert(1)&lt;/script&gt;\n" in page
    assert "<script>alert(1)" not in page


def test_side_by_side_queries_are_bounded(admin_user, screened, django_assert_max_num_queries):
    mine, other, _, _ = screened
    client = client_for(admin_user)

    with django_assert_max_num_queries(9):
        response = client.get(side_url(mine, "application", other.pk), **EN)

    assert response.status_code == 200


def test_side_by_side_of_a_source_not_in_the_report_is_404(admin_user, screened, hangzhou):
    mine, other, archive, _ = screened
    stranger = ApplicationFactory(recommender=hangzhou, recommendation_number="HZ-003")
    SimilarityReport.objects.create(application=stranger, text="任何文字")
    client = client_for(admin_user)

    assert client.get(side_url(mine, "application", stranger.pk)).status_code == 404
    assert client.get(side_url(mine, "archive", archive.pk + 1)).status_code == 404
    assert client.get(side_url(mine, "archive", other.pk)).status_code == 404
    assert client.get(side_url(mine, "other", other.pk)).status_code == 404


def test_side_by_side_of_a_source_outside_the_screening_is_404(admin_user, screened):
    mine, other, _, _ = screened
    other.recommendation_number = None
    other.save()

    response = client_for(admin_user).get(side_url(mine, "application", other.pk))

    assert response.status_code == 404


def test_side_by_side_without_a_report_is_404(admin_user, hangzhou, screened):
    archive = screened[2]
    unscanned = ApplicationFactory(recommender=hangzhou, recommendation_number="HZ-004")

    response = client_for(admin_user).get(side_url(unscanned, "archive", archive.pk))

    assert response.status_code == 404


@pytest.mark.parametrize(
    "persona", ["applicant_a", "applicant_b", "recommender_hz", "recommender_nb", "expert", None]
)
def test_report_pages_are_404_to_everyone_but_the_admin(request, persona, screened):
    mine, other, archive, _ = screened
    user = request.getfixturevalue(persona) if persona else None
    client = client_for(user)

    for url in (
        report_url(mine),
        side_url(mine, "application", other.pk),
        side_url(mine, "archive", archive.pk),
    ):
        response = client.get(url)
        assert (url, response.status_code) == (url, 404)
        assert COPIED_FROM_B not in response.content.decode()
