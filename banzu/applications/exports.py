"""The all-applications list as an Excel file for the provincial association, laid out with the
shared document model (banzu.documents) so it reads like the other exports."""

from __future__ import annotations

from collections.abc import Iterable

from django.utils import timezone, translation

from banzu.applications.models import Application
from banzu.documents.model import Cell, Document, Para, Table, label, value
from banzu.documents.render import Rendered, render_file


def list_document(applications: Iterable[Application]) -> Document:
    # The association's files are Chinese whatever the language of the person exporting.
    with translation.override("zh-hans"):
        header = tuple(
            label(text)
            for text in (
                "序号",
                "推荐编号",
                "单位名称",
                "班组名称",
                "推荐单位",
                "状态",
                "提交时间",
                "经验名称",
            )
        )
        body: list[tuple[Cell, ...]] = [
            (
                value(number, align="center"),
                value(application.recommendation_number or ""),
                value(application.team.enterprise.name),
                value(application.team.name),
                value(application.recommender.name),
                value(application.state_label),
                value(
                    timezone.localtime(application.submitted_at).strftime("%Y-%m-%d %H:%M")
                    if application.submitted_at
                    else ""
                ),
                value(application.experience_title),
            )
            for number, application in enumerate(applications, start=1)
        ]
    title = "质量信得过班组申报一览"
    return Document(
        title=title,
        blocks=(
            Para(title, "title", "center"),
            Table(widths=(6.0, 14, 24, 16, 18, 12, 14, 30), rows=(header, *body), header_rows=1),
        ),
        landscape=True,
        sheet_name="申报一览",
    )


def list_file(applications: Iterable[Application]) -> Rendered:
    stamp = timezone.localdate().strftime("%Y%m%d")
    return render_file(list_document(applications), f"申报一览_{stamp}", "xlsx")
