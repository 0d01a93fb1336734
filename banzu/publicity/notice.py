"""The notice of publicity (公示通知) for the association's website, as Word and PDF through the
documents kernel: the window, how to object, and the proposed list as on the public page."""

from __future__ import annotations

from banzu.documents.model import (
    ASSOCIATION,
    Cell,
    Document,
    Para,
    Spacer,
    Table,
    chinese_date,
    label,
    value,
)
from banzu.documents.render import Format, Rendered, render_file
from banzu.publicity.models import Publicity
from banzu.publicity.selectors import listed_rows


def title(year: int) -> str:
    return f"关于{year}年度浙江省工程建设质量信得过班组拟表彰名单的公示"


def filename_stem(year: int) -> str:
    return f"公示_{year}"


def document(publicity: Publicity, *, show_scores: bool) -> Document:
    year = publicity.edition.year
    rows = listed_rows(publicity)
    columns: list[tuple[str, float]] = [
        ("序号", 10),
        ("班组名称", 30),
        ("单位名称", 45),
        ("经验名称", 50),
        ("推荐单位", 30),
        ("拟获奖等级", 22),
    ]
    if show_scores:
        columns.append(("总分", 18))
    body: list[tuple[Cell, ...]] = []
    for number, row in enumerate(rows, start=1):
        cells = [
            value(number, align="center"),
            value(row.team),
            value(row.enterprise),
            value(row.experience),
            value(row.recommender),
            value(row.tier, align="center"),
        ]
        if show_scores:
            cells.append(value(row.total or "", align="center"))
        body.append(tuple(cells))
    if not body:
        body.append((value("（无）", colspan=len(columns), align="center"),))
    intro = (
        f"根据{year}年度浙江省工程建设质量信得过班组活动安排，经材料评审和现场发布评审，"
        "现将拟表彰名单予以公示（名单附后）。"
    )
    window = (
        f"公示期为{chinese_date(publicity.starts_on)}至{chinese_date(publicity.ends_on)}"
        f"（{publicity.working_days}个工作日）。"
    )
    objection = (
        "公示期内，如有异议，请通过协会网站公示页面以书面形式提出，并附相关证明材料。"
        "个人提出异议须签署真实姓名，单位提出异议须加盖单位公章。"
        "匿名、冒名及逾期提出的异议不予受理。协会对异议人的身份予以保密。"
    )
    return Document(
        title=title(year),
        blocks=(
            Para(title(year), "title", "center"),
            Spacer(4),
            Para(intro),
            Para(window),
            Para(objection),
            Spacer(4),
            Para(ASSOCIATION, "body", "right"),
            Para(chinese_date(publicity.starts_on), "body", "right"),
            Spacer(6),
            Para("附件：拟表彰名单", "heading"),
            Table(
                widths=tuple(width for _name, width in columns),
                rows=(tuple(label(name) for name, _width in columns), *body),
                header_rows=1,
            ),
        ),
        landscape=True,
        author=ASSOCIATION,
        keywords=("公示", str(year)),
    )


def notice_file(publicity: Publicity, fmt: Format, *, show_scores: bool) -> Rendered:
    return render_file(
        document(publicity, show_scores=show_scores), filename_stem(publicity.edition.year), fmt
    )
