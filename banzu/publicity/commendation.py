"""The commendation notice (表彰文件) of a published edition, as Word and PDF through the documents
kernel: the notice's number and date as the admin recorded them on publication, the text with
"现予以公布表彰（名单附后）", the association and the date on the right, then the annexed list of
the published version's awarded teams, one table per award.

The awards come in this order: the edition's tiers (一等奖, 二等奖, …), the non-presenters' award
(优秀奖) unless it is one of the tiers (then its teams join that tier after the ranked ones), and
the room award (最佳发布奖) last; a team may appear under its tier and under the room award.

Within an award the teams follow the results when the edition lists them ranked
(`notice_ranked`): by rank, and the non-presenters by materials score (higher first). Otherwise
the award says "（排名不分先后）" and its teams come in a neutral order: by recommender, in the
association's order of its recommenders (`Recommender.sort_order`, as on every list of the
site), then by enterprise name and team name (in character code order), so that no reader can
take the order for a ranking.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from banzu.accounts.models import Recommender
from banzu.documents.model import (
    Block,
    Cell,
    Document,
    PageBreak,
    Para,
    Spacer,
    Table,
    chinese_date,
    label,
    value,
)
from banzu.documents.render import Format, Rendered, render_file
from banzu.publicity.models import Publicity
from banzu.publicity.notice import ASSOCIATION

UNRANKED = "（排名不分先后）"
INDENT = "\u3000\u3000"  # two full-width spaces: the first line of an official paragraph
NUMERALS = "一二三四五六七八九十"


@dataclass(frozen=True)
class NoticeLine:
    """One team in the annexed list."""

    application: int
    number: str  # the recommendation number
    team: str
    enterprise: str
    recommender: str
    experience: str


@dataclass(frozen=True)
class Award:
    """One award of the annexed list with its teams, in the notice's order."""

    name: str
    lines: tuple[NoticeLine, ...]


def title(year: int) -> str:
    return f"关于公布{year}年度浙江省工程建设质量信得过班组名单的通知"


def title_lines(year: int) -> tuple[str, str]:
    """The title on two lines broken where the sense allows (on one line it leaves 知 alone
    on the second)."""
    return f"关于公布{year}年度浙江省工程建设质量", "信得过班组名单的通知"


def list_title(year: int) -> str:
    return f"{year}年度浙江省工程建设质量信得过班组名单"


def filename_stem(year: int) -> str:
    return f"表彰通知_{year}"


def notice_day(publicity: Publicity) -> date:
    if publicity.notice_date is not None:
        return publicity.notice_date
    assert publicity.published_at is not None, "the notice exists once the results are published"
    return publicity.published_at.date()


def _line(payload: dict[str, Any], application: int) -> NoticeLine:
    app = payload.get("applications", {}).get(str(application), {})
    return NoticeLine(
        application=application,
        number=app.get("number") or "",
        team=app.get("team", ""),
        enterprise=app.get("enterprise", ""),
        recommender=app.get("recommender", ""),
        experience=app.get("experience") or "",
    )


def _neutral(lines: list[NoticeLine], order: dict[str, int]) -> list[NoticeLine]:
    unknown = len(order)
    return sorted(
        lines,
        key=lambda line: (
            order.get(line.recommender, unknown),
            line.recommender,
            line.enterprise,
            line.team,
            line.application,
        ),
    )


def awards(payload: dict[str, Any], recommender_order: dict[str, int] | None = None) -> list[Award]:
    """The annexed list of a version's payload, award by award (see the module's docstring).
    `recommender_order` maps a recommender's name to its place in the neutral order."""
    settings = payload.get("settings", {})
    ranked = bool(settings.get("notice_ranked"))
    room_award = settings.get("room_award") or ""
    grouped: dict[str, list[NoticeLine]] = {tier["name"]: [] for tier in payload.get("tiers", [])}
    rows = sorted(payload.get("rows", []), key=lambda row: (row["rank"], row["application"]))
    for row in rows:
        if row.get("tier"):
            grouped.setdefault(row["tier"], []).append(_line(payload, row["application"]))
    apart = sorted(
        (row for row in payload.get("apart", []) if row.get("tier")),
        key=lambda row: (-Decimal(row.get("materials_score") or "0"), row["application"]),
    )
    for row in apart:
        grouped.setdefault(row["tier"], []).append(_line(payload, row["application"]))
    if room_award:
        best = [_line(payload, row["application"]) for row in rows if row.get("room_award")]
        grouped.setdefault(room_award, []).extend(best)
    found = []
    for name, lines in grouped.items():
        if not lines:
            continue
        if not ranked:
            lines = _neutral(lines, recommender_order or {})
        found.append(Award(name=name, lines=tuple(lines)))
    return found


def recommender_order(payload: dict[str, Any]) -> dict[str, int]:
    """The association's order of the recommenders named in the payload (one query)."""
    names = {app.get("recommender", "") for app in payload.get("applications", {}).values()}
    ordered = Recommender.objects.filter(name__in=names).order_by("sort_order", "name")
    return {name: index for index, name in enumerate(ordered.values_list("name", flat=True))}


def published_awards(publicity: Publicity) -> list[Award]:
    payload = publicity.version.payload
    return awards(payload, recommender_order(payload))


def _numeral(index: int) -> str:
    return NUMERALS[index - 1] if index <= len(NUMERALS) else str(index)


COLUMNS: tuple[tuple[str, float], ...] = (
    ("序号", 10),
    ("班组名称", 24),
    ("单位名称", 34),
    ("推荐单位", 24),
    ("经验名称", 36),
)


def _award_blocks(award: Award, position: int, *, ranked: bool) -> list[Block]:
    blocks: list[Block] = [
        Para(f"{_numeral(position)}、{award.name}（{len(award.lines)}个）", "heading")
    ]
    if not ranked:
        blocks.append(Para(UNRANKED, "note", "center"))
    body: list[tuple[Cell, ...]] = [
        (
            value(number, align="center"),
            value(line.team),
            value(line.enterprise),
            value(line.recommender),
            value(line.experience),
        )
        for number, line in enumerate(award.lines, start=1)
    ]
    blocks.append(
        Table(
            widths=tuple(width for _name, width in COLUMNS),
            rows=(tuple(label(name) for name, _width in COLUMNS), *body),
            header_rows=1,
            rows_can_split=False,
        )
    )
    blocks.append(Spacer(3))
    return blocks


def document(publicity: Publicity) -> Document:
    edition = publicity.edition
    year = edition.year
    payload = publicity.version.payload
    ranked = bool(payload.get("settings", {}).get("notice_ranked"))
    found = published_awards(publicity)
    teams = len({line.application for award in found for line in award.lines})
    day = notice_day(publicity)
    window = (
        f"（{chinese_date(publicity.starts_on)}至{chinese_date(publicity.ends_on)}）"
        if publicity.starts_on and publicity.ends_on
        else ""
    )
    intro = (
        f"{INDENT}根据{edition.title}的安排，经申报推荐、形式审查、材料评审、现场发布评审和公示"
        f"{window}，共有{teams}个班组被评为{year}年度浙江省工程建设质量信得过班组。"
        "现予以公布表彰（名单附后）。"
    )
    hope = (
        f"{INDENT}希望受表彰的班组珍惜荣誉，戒骄戒躁，持续开展质量管理活动，再创佳绩。"
        "各有关单位要以受表彰班组为榜样，深入开展群众性质量管理活动，"
        "不断提升工程建设质量水平。"
    )
    blocks: list[Block] = [
        *(Para(line, "title", "center") for line in title_lines(year)),
        Para(publicity.notice_number, "body", "center"),
        Spacer(6),
        Para("各推荐单位，各有关单位："),
        Para(intro),
        Para(hope),
        Spacer(4),
        Para(f"附件：{list_title(year)}"),
        Spacer(10),
        Para(ASSOCIATION, "body", "right"),
        Para(chinese_date(day), "body", "right"),
        PageBreak(),
        Para("附件", "heading"),
        Para(list_title(year), "subtitle", "center"),
    ]
    for position, award in enumerate(found, start=1):
        blocks.extend(_award_blocks(award, position, ranked=ranked))
    if not found:
        blocks.append(Para("（无）", "body", "center"))
    return Document(
        title=title(year),
        blocks=tuple(blocks),
        author=ASSOCIATION,
        keywords=("表彰", str(year), publicity.notice_number),
    )


def commendation_file(publicity: Publicity, fmt: Format) -> Rendered:
    if fmt == "xlsx":
        raise ValueError("the commendation notice is a Word or PDF document")
    return render_file(document(publicity), filename_stem(publicity.edition.year), fmt)
