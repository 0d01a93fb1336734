"""What the official documents cost: Attachment 1 as Word and PDF, and a recommender's package.

Run: .venv/bin/python bench/documents.py
Builds its data through the services in a throw-away SQLite database (SQLITE_PATH and
BANZU_FILES_DIR point into a temporary folder; the developer's database is never opened), then
prints the median of N runs per Attachment 1 (narratives of about 3,000 characters each), the
time for the submission package of a recommender with 30 applications, and side by side the PDF
with the reduced fonts against the full fonts, under HarfBuzz subsetting and under fontTools'.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from decimal import Decimal
from functools import partial
from pathlib import Path
from typing import Any
from unittest import mock

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

RUNS = 5
PASSWORD = "bench-only-password-9"  # noqa: S105 - a throw-away database
APPLICATIONS = 30
NARRATIVE_CHARS = 3000
NARRATIVE_FIELDS = (
    "narrative_team",
    "narrative_management",
    "narrative_skills",
    "narrative_improvement",
    "narrative_results",
    "narrative_honours",
)
SENTENCE = (
    "班组坚持每日班前会，开展质量自检、互检和专检，运用QC七大手法分析钢筋加工偏差原因，"
    "形成标准化作业指导书并在项目部推广应用。"
)


def narrative(part: int) -> str:
    paragraphs: list[str] = []
    while sum(len(paragraph) for paragraph in paragraphs) < NARRATIVE_CHARS:
        paragraphs.append(f"（{part}.{len(paragraphs) + 1}）" + SENTENCE * 3)
    return "\n".join(paragraphs)


def median_s(action: Callable[[], object], runs: int = RUNS) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def setup_django(folder: Path) -> None:
    os.environ["SQLITE_PATH"] = str(folder / "bench.sqlite3")
    os.environ["BANZU_FILES_DIR"] = str(folder / "files")
    os.environ["EMAIL_BACKEND"] = "django.core.mail.backends.locmem.EmailBackend"
    os.environ["TASKS_BACKEND"] = "django_tasks.backends.dummy.DummyBackend"
    os.environ.pop("DATABASE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "banzu.settings")
    import django
    from django.conf import settings

    django.setup()
    # Argon2 is the production hasher; the bench's users need no strength.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


FIELDS: dict[str, object] = {
    "experience_title": "以精细化管理提升钢筋加工一次合格率",
    "member_count": 12,
    "contact_name": "李明",
    "contact_phone": "13605792309",
    "work_completion_rate": Decimal("100.00"),
    "quality_pass_rate": Decimal("99.50"),
    "nonconforming_count": 0,
    "accident_count": 0,
    "complaint_count": 0,
    "first_pass_rate": Decimal("98.20"),
    "training_people": 12,
    "training_hours": 96,
    "improvement_participation_rate": Decimal("100.00"),
    "quality_cost": Decimal("12.35"),
    "no_accident_declared": True,
    "originality_pledged": True,
}


def build_data(folder: Path) -> tuple[Any, Any, list[Any]]:
    """30 applications of 杭州, every field filled, submitted, scored and recommended, built
    through the services as the demo data is."""
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.utils import timezone

    from banzu.accounts.enums import Ownership, Role
    from banzu.accounts.models import Recommender
    from banzu.accounts.services import create_enterprise, create_user
    from banzu.applications import services as application_services
    from banzu.applications.enums import DocumentKind
    from banzu.editions.models import Edition
    from banzu.recommendations import services as recommendation_services
    from banzu.scoring.enums import SheetStage
    from banzu.scoring.services import ItemInput, save_sheet
    from tests.uploads import samples

    edition = Edition.objects.get(year=2026)
    edition.recommendation_deadline = timezone.now() + dt.timedelta(days=30)
    edition.save()
    hangzhou = Recommender.objects.get(short_name="杭州")
    admin = create_user(by=None, username="bench_admin", password=PASSWORD, role=Role.ADMIN)
    staff = create_user(
        by=admin,
        username="rec_hz",
        password=PASSWORD,
        role=Role.RECOMMENDER,
        recommender=hangzhou,
        full_name="杭州市建筑业协会 审核员",
    )
    uploads = {
        DocumentKind.MATERIALS_DOCX: ("材料.docx", samples.make_docx(folder / "m.docx")),
        DocumentKind.MATERIALS_PDF: ("材料.pdf", samples.make_pdf(folder / "m.pdf")),
        DocumentKind.PRESENTATION: ("发布.pptx", samples.make_pptx(folder / "p.pptx")),
        DocumentKind.SIGNED_FORM: ("申报表.pdf", samples.make_pdf(folder / "s.pdf")),
    }
    fields = {**FIELDS, **{name: narrative(i) for i, name in enumerate(NARRATIVE_FIELDS, 1)}}
    rubric = list(edition.rubric_items.order_by("position"))
    applications = []
    for index in range(1, APPLICATIONS + 1):
        user = create_user(
            by=admin,
            username=f"applicant{index}",
            password=PASSWORD,
            role=Role.APPLICANT,
            full_name="李明",
        )
        create_enterprise(
            user=user,
            fields={
                "name": f"浙江第{index}建设工程有限公司",
                "industry": "房屋建筑工程",
                "ownership": Ownership.STATE,
                "address": "浙江省杭州市西湖区文三路1号",
                "supervising_department": "质量安全部",
                "supervising_contact": "王工",
                "supervising_phone": "0571-81956046",
            },
        )
        application = application_services.start_application(
            user=user, edition=edition, team_name=f"钢筋{index}班", recommender=hangzhou
        )
        application = application_services.save_draft(
            application=application,
            user=user,
            fields=fields,
            honours=None,
            expected_version=application.version,
        )
        for kind, (name, path) in uploads.items():
            application_services.upload_document(
                application=application,
                user=user,
                kind=kind,
                upload=SimpleUploadedFile(name, path.read_bytes()),
            )
        application = application_services.submit_application(application=application, user=user)
        application = recommendation_services.recommend_application(
            application=application, actor=staff
        )
        save_sheet(
            application=application,
            scorer=staff,
            stage=SheetStage.RECOMMENDER,
            items={item.pk: ItemInput(points=item.max_points * 8 / 10) for item in rubric},
            expected_version=None,
            submit=True,
        )
        applications.append(application)
    return edition, hangzhou, applications


def harfbuzz_state() -> str:
    from weasyprint.text.ffi import harfbuzz, harfbuzz_subset

    # weasyprint.pdf.fonts subsets with HarfBuzz when libharfbuzz-subset loads and is >= 4.1.
    active = harfbuzz_subset is not None and bool(harfbuzz.hb_version_atleast(4, 1, 0))
    return "active (libharfbuzz-subset)" if active else "inactive: fontTools subsets instead"


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="banzu-bench-") as tmp:
        folder = Path(tmp)
        start = time.perf_counter()
        setup_django(folder)
        edition, hangzhou, applications = build_data(folder)
        setup = time.perf_counter() - start

        from banzu.applications import attachment1
        from banzu.applications.attachment1 import attachment1_file
        from banzu.documents import fonts, pdf
        from banzu.documents.render import Format, font_set

        forms: tuple[Format, ...] = ("docx", "pdf")

        reduced = font_set()
        full = fonts.FontSet(
            serif=reduced.serif_full,
            sans=reduced.sans_full,
            serif_full=reduced.serif_full,
            sans_full=reduced.sans_full,
        )
        one = applications[0]
        chars = sum(len(getattr(one, name)) for name in NARRATIVE_FIELDS)
        attachment1_file(one, "pdf")  # warm up WeasyPrint and the font cache

        print(f"data: {APPLICATIONS} recommended applications, built in {setup:.1f} s (temporary)")
        print(f"HarfBuzz subsetting: {harfbuzz_state()}")
        print()
        print(f"Attachment 1, narratives {chars} characters, median of {RUNS} runs")
        print(f"{'':<34}{'time (ms)':>12}{'size':>10}")
        for fmt in forms:
            size = len(attachment1_file(one, fmt).content)
            seconds = median_s(partial(attachment1_file, one, fmt))
            label = f"  .{fmt} (query + layout + render)"
            print(f"{label:<34}{seconds * 1000:>12.0f}{size / 1024:>8.0f} KB")

        document = attachment1.build(one)
        print()
        print(
            "PDF of the same Attachment 1: reduced (GB 2312) fonts beside the full Noto CJK fonts"
        )
        header = ("subsetter", "reduced (ms)", "full (ms)", "full/reduced", "PDF size")
        print(f"{header[0]:<12}{header[1]:>14}{header[2]:>12}{header[3]:>14}{header[4]:>12}")
        rows: list[tuple[str, Any]] = [("HarfBuzz", None)]
        # Without libharfbuzz-subset WeasyPrint falls back to fontTools (and logs a warning per
        # font, silenced here); one run each, as a full-font fontTools subset takes seconds.
        rows.append(("fontTools", mock.patch("weasyprint.pdf.fonts.harfbuzz_subset", None)))
        logging.getLogger("weasyprint").setLevel(logging.ERROR)
        for name, patch in rows:
            runs = RUNS if patch is None else 1
            if patch is not None:
                patch.start()
            try:
                small = median_s(lambda: pdf.render(document, reduced), runs)
                big = median_s(lambda: pdf.render(document, full), runs)
                size = len(pdf.render(document, reduced))
            finally:
                if patch is not None:
                    patch.stop()
            ratio = big / small
            print(
                f"{name:<12}{small * 1000:>14.0f}{big * 1000:>12.0f}{ratio:>13.1f}x"
                f"{size / 1024:>9.0f} KB"
            )

        print()
        start = time.perf_counter()
        from banzu.recommendations.package import write_package

        out = io.BytesIO()
        entries = write_package(out, recommender=hangzhou, edition=edition)
        megabytes = len(out.getvalue()) / 1024 / 1024
        how = f"banzu.recommendations.package.write_package: {entries} entries, {megabytes:.1f} MB"
        package = time.perf_counter() - start
        print(
            f"Submission package of {APPLICATIONS} applications "
            "(Attachment 1 .docx + .pdf each, uploads, Attachment 2 in 3 formats)"
        )
        print(f"  {package:.1f} s, {package / APPLICATIONS * 1000:.0f} ms per application")
        print(f"  {how}")


if __name__ == "__main__":
    main()
