"""The automatic checks of the provincial screening: pure checks, and the service on real files."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from docx import Document as WordDocument

from banzu.applications import services as application_services
from banzu.applications.enums import DocumentKind
from banzu.applications.models import Application, Document
from banzu.core import filestore
from banzu.recommendations import services as recommendation_services
from banzu.screening import checks
from banzu.screening.checks import Entry, Figures, Outcome
from banzu.screening.enums import CheckCode, CheckStatus
from banzu.screening.models import CheckResult, ScreeningSettings, SimilarityReport
from banzu.screening.services_checks import run_checks, run_checks_for_edition, settings_for
from banzu.similarity.extract import Extracted, Segment
from tests.applications.helpers import make_complete
from tests.conftest import SHANGHAI
from tests.documents.conftest import make_recommended
from tests.factories import ApplicationFactory, EnterpriseFactory, TeamFactory, complete_fields
from tests.similarity.test_extract import _make_pdf

PARAGRAPHS = [
    "班组由十二名成员组成，负责钢筋加工与安装。班组坚持“质量第一、安全至上”的理念。",
    "建立了班前会、交接班和质量自检制度。每道工序完成后由班组长复核签字。",
    "每月开展技能培训，熟练运用QC七大手法。新进员工由师傅一对一带教三个月。",
    "完成QC课题三项，获得实用新型专利一项。钢筋加工一次验收合格率保持在百分之百。",
]
CHANGED = "每月开展安全教育，组织全员参加应急演练。班组内部每季度举行一次技能比武。"


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def _text(text: str) -> Extracted:
    return Extracted(text=text, segments=(Segment(0, len(text), "paragraph 1"),))


def _failed(error: str) -> Extracted:
    return Extracted(text="", segments=(), error=error)


# --- Word and PDF agreement (pure) ----------------------------------------------------------


def test_agreement_same_text_with_other_line_breaks_and_punctuation_is_complete():
    pdf = "\n".join(p.replace("，", ",") for p in PARAGRAPHS) + "\n１２"

    found = checks.agreement("".join(PARAGRAPHS), pdf.replace("十二名", "十二\n名"))

    assert (found.ratio, found.difference_count) == (0.9853, 1)
    assert found.differences[0].pdf_excerpt == "１２"


def test_word_pdf_pass_when_texts_agree():
    outcome = checks.check_word_pdf(
        _text("".join(PARAGRAPHS)), _text("\n".join(PARAGRAPHS)), threshold=0.9
    )

    assert (outcome.status, outcome.reason) == (
        CheckStatus.PASS,
        "Word and PDF agree on 100.0% of the text.",
    )
    assert outcome.data["differences"] == []


def test_word_pdf_fail_names_agreement_and_differing_passage():
    word = "".join(PARAGRAPHS)
    pdf = "\n".join([PARAGRAPHS[0], PARAGRAPHS[1], CHANGED, PARAGRAPHS[3]])

    outcome = checks.check_word_pdf(_text(word), _text(pdf), threshold=0.9)

    assert outcome == Outcome(
        CheckCode.WORD_PDF,
        CheckStatus.FAIL,
        "Word and PDF agree on 78.4% of the text (at least 90.0% required); 1 passage differs.",
        outcome.data,
    )
    start = word.index("技能培训")
    assert outcome.data["differences"] == [
        {
            "word": [start, word.index("新进员工") + len("新进员工由师傅一对一带教三个月")],
            "pdf": [pdf.index("安全教育"), pdf.index("技能比武") + len("技能比武")],
            "word_excerpt": "技能培训，熟练运用QC七大手法。新进员工由师傅一对一带教三个月",
            "pdf_excerpt": "安全教育，组织全员参加应急演练。班组内部每季度举行一次技能比武",
        }
    ]


def test_word_pdf_lists_at_most_twenty_passages_the_largest():
    sentences = [
        f"第{chr(0x4E00 + n)}段落的内容是关于质量管理的第{chr(0x5000 + n)}项。" for n in range(50)
    ]
    changed = [
        s if n % 2 else s.replace("内容是关于", "写的完全是") for n, s in enumerate(sentences)
    ]

    outcome = checks.check_word_pdf(
        _text("".join(sentences)), _text("".join(changed)), threshold=0.9
    )

    assert outcome.status == CheckStatus.FAIL
    assert outcome.data["difference_count"] == 25
    assert len(outcome.data["differences"]) == 20
    assert outcome.reason.endswith("; 25 passages differ.")


def test_word_pdf_missing_or_unreadable_file_fails():
    assert checks.check_word_pdf(None, _text("正文"), threshold=0.9).reason == (
        "The materials' Word file is missing."
    )
    assert checks.check_word_pdf(_text("正文"), None, threshold=0.9).reason == (
        "The materials' PDF is missing."
    )
    broken = checks.check_word_pdf(_text("正文"), _failed("no text found"), threshold=0.9)
    assert (broken.status, broken.reason) == (
        CheckStatus.FAIL,
        "The materials' PDF could not be read: no text found.",
    )


# --- the other checks (pure) ----------------------------------------------------------------


def test_fields_pass_and_fail_naming_the_empty_fields():
    labels = {"contact_name": "team contact", "address": "address"}

    assert checks.check_fields([], labels).reason == "All required fields are filled in."
    failed = checks.check_fields(["contact_name", "address"], labels)
    assert (failed.status, failed.reason, failed.data) == (
        CheckStatus.FAIL,
        "2 required fields are empty: team contact, address.",
        {"missing": ["contact_name", "address"]},
    )


def test_files_pass_and_fail_naming_the_missing_files():
    labels = {"presentation": "Presentation (PPT)", "signed_form": "Stamped form"}

    passed = checks.check_files(
        ["materials_docx", "materials_pdf", "presentation", "signed_form"], labels
    )
    failed = checks.check_files(["materials_docx", "materials_pdf"], labels)

    assert (passed.status, passed.reason) == (CheckStatus.PASS, "All required files are uploaded.")
    assert (failed.status, failed.reason, failed.data) == (
        CheckStatus.FAIL,
        "Missing files: Presentation (PPT), Stamped form.",
        {"missing": ["presentation", "signed_form"]},
    )


def test_presentation_readable_missing_and_broken():
    slides = Extracted(
        text="封面\n成果",
        segments=(Segment(0, 2, "slide 1"), Segment(3, 5, "slide 3")),
    )

    assert checks.check_presentation(slides).reason == "The PPT opens; 2 slides have text."
    assert checks.check_presentation(None).reason == "The PPT is missing."
    broken = checks.check_presentation(_failed("the file is not a valid zip archive"))
    assert (broken.status, broken.reason) == (
        CheckStatus.FAIL,
        "The PPT could not be read: the file is not a valid zip archive.",
    )


def test_stamped_form_present_and_missing():
    assert checks.check_stamped_form(True) == Outcome(
        CheckCode.STAMPED_FORM, CheckStatus.PASS, "The stamped application form is uploaded."
    )
    assert checks.check_stamped_form(False) == Outcome(
        CheckCode.STAMPED_FORM, CheckStatus.FAIL, "The stamped application form is missing."
    )


def test_declarations_ticked_unticked_and_contradicted():
    def reason(no_accident: bool, pledged: bool, accidents: int | None = 0) -> tuple[str, str]:
        outcome = checks.check_declarations(
            no_accident_declared=no_accident, originality_pledged=pledged, accident_count=accidents
        )
        return outcome.status, outcome.reason

    assert reason(True, True) == (CheckStatus.PASS, "Both declarations are ticked.")
    assert reason(False, False) == (
        CheckStatus.FAIL,
        "Not ticked: no-accident declaration, originality pledge.",
    )
    assert reason(True, False) == (CheckStatus.FAIL, "Not ticked: originality pledge.")
    assert reason(True, True, 2) == (
        CheckStatus.FAIL,
        "The no-accident declaration is ticked, but the form reports 2 accidents.",
    )


def test_deadline_before_after_and_never_submitted():
    deadline = dt.datetime(2026, 4, 27, 23, 59, 59, tzinfo=SHANGHAI)

    before = checks.check_deadline(dt.datetime(2026, 4, 20, 10, 0, tzinfo=SHANGHAI), deadline)
    after = checks.check_deadline(dt.datetime(2026, 4, 28, 0, 0, 1, tzinfo=SHANGHAI), deadline)
    never = checks.check_deadline(None, deadline)

    assert (before.status, before.reason) == (
        CheckStatus.PASS,
        "Submitted on 2026-04-20 10:00, before the deadline of 2026-04-27 23:59.",
    )
    assert (after.status, after.reason) == (
        CheckStatus.FAIL,
        "Submitted on 2026-04-28 00:00, after the deadline of 2026-04-27 23:59.",
    )
    assert (never.status, never.reason) == (
        CheckStatus.FAIL,
        "The application was never submitted.",
    )


ENTRIES = [
    Entry(1, "钢筋班", "浙江宏达建设有限公司", "以精细化管理提升钢筋加工一次合格率", "杭州-001"),
    Entry(2, "钢筋班", "浙江宏达建设公司", "钢筋班组的标准化建设", "宁波-004"),
    Entry(3, "木工班", "浙江远大集团有限公司", "以精细化管理，提升钢筋加工一次合格率！", "温-02"),
    Entry(4, "钢筋班", "杭州城建有限公司", "班组安全文化建设", "杭州-002"),
]


def test_duplicates_same_team_fails_and_same_title_is_flagged():
    first = checks.check_duplicates(1, ENTRIES)
    third = checks.check_duplicates(3, ENTRIES)
    fourth = checks.check_duplicates(4, ENTRIES)

    assert (first.status, first.reason, first.data) == (
        CheckStatus.FAIL,
        "Entered twice: the same team is also entered as 宁波-004; "
        "the same experience title is also entered as 温-02.",
        {"same_team": [2], "same_title": [3]},
    )
    assert (third.status, third.reason) == (
        CheckStatus.WARN,
        "Entered twice: the same experience title is also entered as 杭州-001.",
    )
    assert (fourth.status, fourth.reason) == (
        CheckStatus.PASS,
        "Not entered twice in this edition.",
    )


def test_plagiarism_pending_pass_warn_fail_and_unreadable():
    def judge(figures: Figures | None) -> tuple[str, str]:
        outcome = checks.check_plagiarism(figures, copy_ratio_flag=0.3, source_ratio_flag=0.2)
        return outcome.status, outcome.reason

    assert judge(None) == (CheckStatus.PENDING, "The plagiarism scan has not run yet.")
    assert judge(Figures(0.0, 0.0)) == (CheckStatus.PASS, "No copied text found.")
    assert judge(Figures(0.12, 0.05, "2024 · 某公司 · 电工班")) == (
        CheckStatus.PASS,
        "12.0% of the text is copied in all; the largest source 5.0%.",
    )
    assert judge(Figures(0.35, 0.15, "2024 · 某公司 · 电工班")) == (
        CheckStatus.WARN,
        "35.0% of the text is copied in all (flag from 30.0%); the largest source, "
        "2024 · 某公司 · 电工班, 15.0%.",
    )
    assert judge(Figures(0.42, 0.40, "杭州-003 钢筋班")) == (
        CheckStatus.FAIL,
        "40.0% of the text copies one source, 杭州-003 钢筋班 (flag from 20.0%); "
        "42.0% copied in all.",
    )
    assert judge(Figures(0.0, 0.0, error="no text found")) == (
        CheckStatus.WARN,
        "The plagiarism scan could not read the materials: no text found.",
    )


# --- the service, on real files -------------------------------------------------------------


def _docx(path: Path, paragraphs: list[str]) -> bytes:
    document = WordDocument()
    for paragraph in paragraphs:
        document.add_paragraph(paragraph)
    document.save(str(path))
    return path.read_bytes()


def _pdf(path: Path, paragraphs: list[str]) -> bytes:
    """One page, the paragraphs broken into lines of 24 characters as a PDF would show them."""
    lines = [p[i : i + 24] for p in paragraphs for i in range(0, len(p), 24)]
    return _make_pdf(path, [lines]).read_bytes()


def _recommended(
    recommender, staff, tmp_path: Path, team: str, *, word: list[str], pdf: list[str]
) -> Application:
    """A recommended application whose materials are the given Word and PDF texts."""
    application = ApplicationFactory(
        recommender=recommender,
        team=TeamFactory(name=team, enterprise=EnterpriseFactory(name=f"浙江{team}建设有限公司")),
    )
    folder = tmp_path / f"files-{team}"
    folder.mkdir()
    application = make_complete(application, folder)
    for kind, content in (
        (DocumentKind.MATERIALS_DOCX, ("材料.docx", _docx(folder / "w.docx", word))),
        (DocumentKind.MATERIALS_PDF, ("材料.pdf", _pdf(folder / "w.pdf", pdf))),
    ):
        application_services.upload_document(
            application=application,
            user=application.created_by,
            kind=kind,
            upload=SimpleUploadedFile(*content),
        )
    application = application_services.submit_application(
        application=application, user=application.created_by
    )
    return recommendation_services.recommend_application(application=application, actor=staff)


def _results(application: Application) -> dict[str, tuple[str, str]]:
    return {
        r.code: (r.status, r.reason) for r in CheckResult.objects.filter(application=application)
    }


def _moment(value: dt.datetime) -> str:
    return value.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M")


def test_run_checks_catches_word_and_pdf_that_differ(
    open_edition, hangzhou, recommender_hz, tmp_path
):
    pdf = [PARAGRAPHS[0], PARAGRAPHS[1], CHANGED, PARAGRAPHS[3]]
    application = _recommended(
        hangzhou, recommender_hz, tmp_path, "钢筋班", word=PARAGRAPHS, pdf=pdf
    )

    results = run_checks(application)

    assert [r.code for r in results] == list(CheckCode)
    deadline = open_edition.recommendation_deadline
    assert _results(application) == {
        "fields": (CheckStatus.PASS, "All required fields are filled in."),
        "files": (CheckStatus.PASS, "All required files are uploaded."),
        "word_pdf": (
            CheckStatus.FAIL,
            "Word and PDF agree on 78.4% of the text (at least 90.0% required); 1 passage differs.",
        ),
        "presentation": (CheckStatus.PASS, "The PPT opens; 1 slide has text."),
        "stamped_form": (CheckStatus.PASS, "The stamped application form is uploaded."),
        "declarations": (CheckStatus.PASS, "Both declarations are ticked."),
        "deadline": (
            CheckStatus.PASS,
            f"Submitted on {_moment(application.submitted_at)}, "
            f"before the deadline of {_moment(deadline)}.",
        ),
        "duplicate": (CheckStatus.PASS, "Not entered twice in this edition."),
        "plagiarism": (CheckStatus.PENDING, "The plagiarism scan has not run yet."),
    }
    data = CheckResult.objects.get(application=application, code=CheckCode.WORD_PDF).data
    assert [(d["word_excerpt"], d["pdf_excerpt"]) for d in data["differences"]] == [
        (
            "技能培训，熟练运用QC七大手法。新进员工由师傅一对一带教三个月",
            "安全教育，组织全员参加应急演练。班组内部每季度举行一次技能比武",
        )
    ]


def test_run_checks_passes_a_matching_pair_and_replaces_earlier_results(
    open_edition, hangzhou, recommender_hz, tmp_path
):
    application = _recommended(
        hangzhou, recommender_hz, tmp_path, "钢筋班", word=PARAGRAPHS, pdf=PARAGRAPHS
    )
    run_checks(application)
    ScreeningSettings.objects.filter(edition=open_edition).update(
        word_pdf_agreement=Decimal("1.000")
    )

    run_checks(application)

    assert CheckResult.objects.filter(application=application).count() == 9
    assert _results(application)["word_pdf"] == (
        CheckStatus.PASS,
        "Word and PDF agree on 100.0% of the text.",
    )
    assert CheckResult.objects.get(application=application, code="word_pdf").data[
        "threshold"
    ] == pytest.approx(1.0)


def test_run_checks_broken_pdf_fails_the_check_without_raising(
    open_edition, hangzhou, recommender_hz, tmp_path
):
    application = _recommended(
        hangzhou, recommender_hz, tmp_path, "钢筋班", word=PARAGRAPHS, pdf=PARAGRAPHS
    )
    pdf = Document.objects.get(
        application=application, kind=DocumentKind.MATERIALS_PDF, superseded_at__isnull=True
    )
    filestore.path_for(pdf.stored_name).write_bytes(b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog")

    run_checks(application)

    assert _results(application)["word_pdf"] == (
        CheckStatus.FAIL,
        "The materials' PDF could not be read: "
        "could not read the PDF: Stream has ended unexpectedly.",
    )


def test_run_checks_missing_ppt_late_and_unticked(open_edition, hangzhou, recommender_hz, tmp_path):
    application = make_recommended(hangzhou, recommender_hz, tmp_path, "钢筋班")
    Document.objects.filter(application=application, kind=DocumentKind.PRESENTATION).update(
        superseded_at=application.submitted_at
    )
    Application.objects.filter(pk=application.pk).update(originality_pledged=False, contact_name="")
    open_edition.recommendation_deadline = application.submitted_at - dt.timedelta(hours=1)
    open_edition.save()
    application = Application.objects.get(pk=application.pk)

    run_checks(application)

    results = _results(application)
    assert {
        code: results[code] for code in ("fields", "files", "presentation", "declarations")
    } == {
        "fields": (CheckStatus.FAIL, "1 required field is empty: team contact."),
        "files": (CheckStatus.FAIL, "Missing files: Presentation (PPT)."),
        "presentation": (CheckStatus.FAIL, "The PPT is missing."),
        "declarations": (CheckStatus.FAIL, "Not ticked: originality pledge."),
    }
    assert results["deadline"] == (
        CheckStatus.FAIL,
        f"Submitted on {_moment(application.submitted_at)}, "
        f"after the deadline of {_moment(open_edition.recommendation_deadline)}.",
    )


def test_run_checks_reads_the_similarity_report(open_edition, hangzhou, recommender_hz, tmp_path):
    application = make_recommended(hangzhou, recommender_hz, tmp_path, "钢筋班")
    SimilarityReport.objects.create(
        application=application,
        chars=1000,
        copied_chars=420,
        copy_ratio=Decimal("0.42"),
        max_source_ratio=Decimal("0.40"),
        sources=[
            {"kind": "archive", "pk": 1, "label": "2024 · 甲公司 · 电工班", "ratio": 0.02},
            {"kind": "application", "pk": 9, "label": "宁波-003 · 木工班", "ratio": 0.40},
        ],
    )

    run_checks(application)

    assert _results(application)["plagiarism"] == (
        CheckStatus.FAIL,
        "40.0% of the text overlaps with one document of this edition, 宁波-003 · 木工班 (flag "
        "from 20.0%); mutual overlap, which came first cannot be told; 42.0% copied in all.",
    )


def test_run_checks_for_edition_finds_duplicates(
    open_edition, hangzhou, ningbo, recommender_hz, recommender_nb, tmp_path
):
    first = make_recommended(hangzhou, recommender_hz, tmp_path, "钢筋班")
    second = make_recommended(ningbo, recommender_nb, tmp_path, "木工班")
    third = make_recommended(ningbo, recommender_nb, tmp_path, "电工班")
    Application.objects.filter(pk=third.pk).update(experience_title="班组安全文化建设")
    assert (
        first.experience_title == second.experience_title == complete_fields()["experience_title"]
    )

    count = run_checks_for_edition(open_edition)

    assert count == 3
    assert CheckResult.objects.count() == 27
    assert _results(first)["duplicate"] == (
        CheckStatus.WARN,
        f"Entered twice: the same experience title is also entered as "
        f"{second.recommendation_number}.",
    )
    assert _results(second)["duplicate"] == (
        CheckStatus.WARN,
        f"Entered twice: the same experience title is also entered as "
        f"{first.recommendation_number}.",
    )
    assert _results(third)["duplicate"] == (
        CheckStatus.PASS,
        "Not entered twice in this edition.",
    )


def test_run_checks_for_edition_queries_do_not_grow_per_application(
    open_edition, hangzhou, recommender_hz, tmp_path, django_assert_num_queries
):
    settings_for(open_edition)
    for team in ("钢筋班", "木工班", "电工班"):
        make_recommended(hangzhou, recommender_hz, tmp_path, team)

    # settings, entries, applications with their reports, documents; then per application a
    # savepoint, the upsert and the release.
    with django_assert_num_queries(4 + 3 * 3):
        run_checks_for_edition(open_edition)


def test_settings_for_makes_the_defaults_once(edition):
    made = settings_for(edition)

    assert settings_for(edition).pk == made.pk
    assert (made.copy_ratio_flag, made.source_ratio_flag, made.word_pdf_agreement) == (
        Decimal("0.300"),
        Decimal("0.200"),
        Decimal("0.900"),
    )
