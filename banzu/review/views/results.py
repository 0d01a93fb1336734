"""The expert review's results (the provincial admin's only): the ranked materials scores, the
experts' agreement with two server-drawn charts, and the Excel export.

The charts are inline SVG laid out here (no script, no inline style: the Content Security
Policy forbids both); colours come from static/css/review_results.css classes.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from banzu.audit import actions
from banzu.audit.services import client_ip, record
from banzu.core.access import require_admin
from banzu.core.responses import attachment_response
from banzu.documents.render import render_sheets_file
from banzu.editions.models import Edition
from banzu.editions.resolver import edition_or_404
from banzu.review.layouts import results_documents
from banzu.review.results import ApplicationResult, LeniencyRow, edition_results, icc_band

actions.register("export.review_results")


def _edition(request: HttpRequest) -> Edition:
    require_admin(request, "review results")
    return edition_or_404(request)


# --- Charts -----------------------------------------------------------------------------------

WIDTH = 640
LABEL = 150  # the left column of names
VALUE = 64  # the right column of figures
ROW = 22
TOP = 28  # room for the axis labels
BOTTOM = 10


def _px(value: float) -> str:
    return f"{value:.1f}"


def nice_ceiling(value: float) -> float:
    """The smallest of 1, 2, 2.5, 5 × 10ⁿ at or above the value (axis ends on round numbers)."""
    if value <= 0:
        return 1.0
    power: float = 10 ** math.floor(math.log10(value))  # int ** int is Any to the checker
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * power + 1e-12:
            return step * power
    return 10 * power  # pragma: no cover - the loop always returns


def figure(number: float, *, signed: bool = False) -> str:
    """Two decimals rounded half up, as the template's floatformat shows the same figure."""
    text = str(Decimal(repr(number)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))
    return f"+{text}" if signed and number > 0 else text


def _short(text: str, limit: int = 14) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


@dataclass(frozen=True)
class Bar:
    label: str
    value: str
    x: str
    y: str
    width: str
    height: str
    text_y: str
    css: str


@dataclass(frozen=True)
class Tick:
    x: str
    label: str


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    bars: list[Bar]
    ticks: list[Tick]
    axis_x: str  # the zero line (leniency) or the flag line (spread)
    axis_top: str
    axis_bottom: str
    label_x: str  # right edge of the names
    value_x: str  # left edge of the figures


def _frame(rows: int) -> tuple[int, float, float]:
    height = TOP + rows * ROW + BOTTOM
    return height, float(TOP), float(TOP + rows * ROW)


def leniency_chart(rows: list[LeniencyRow]) -> Chart | None:
    """Diverging bars: each expert's mean deviation from the others, zero in the middle."""
    shown = [row for row in rows if row.mean_deviation is not None]
    if not shown:
        return None
    limit = nice_ceiling(max(abs(row.mean_deviation or 0.0) for row in shown))
    left, right = float(LABEL), float(WIDTH - VALUE)
    zero = (left + right) / 2
    scale = (right - zero) / limit
    height, top, bottom = _frame(len(shown))
    bars = []
    for index, row in enumerate(shown):
        deviation = row.mean_deviation or 0.0
        length = abs(deviation) * scale
        y = top + index * ROW + 4
        bars.append(
            Bar(
                label=_short(row.expert.display_name),
                value=figure(deviation, signed=True),
                x=_px(zero if deviation >= 0 else zero - length),
                y=_px(y),
                width=_px(length),
                height=_px(ROW - 8),
                text_y=_px(y + ROW / 2),
                css="bar-up" if deviation >= 0 else "bar-down",
            )
        )
    ticks = [
        Tick(
            x=_px(zero + fraction * (right - zero)),
            label=f"{fraction * limit:+g}" if fraction else "0",
        )
        for fraction in (-1, -0.5, 0, 0.5, 1)
    ]
    return Chart(
        width=WIDTH,
        height=height,
        bars=bars,
        ticks=ticks,
        axis_x=_px(zero),
        axis_top=_px(top - 4),
        axis_bottom=_px(bottom),
        label_x=_px(left - 6),
        value_x=_px(right + 6),
    )


def spread_chart(rows: list[ApplicationResult], flag: Decimal) -> Chart | None:
    """One bar per application with two or more sheets: the experts' standard deviation, most
    spread first, with the flag level drawn across."""
    shown = sorted(
        (row for row in rows if row.spread is not None and row.spread.n >= 2),
        key=lambda row: -(row.spread.sd if row.spread else 0.0),
    )
    if not shown:
        return None
    limit = nice_ceiling(max(float(flag), *(row.spread.sd for row in shown if row.spread)))
    left, right = float(LABEL), float(WIDTH - VALUE)
    scale = (right - left) / limit
    height, top, bottom = _frame(len(shown))
    bars = []
    for index, row in enumerate(shown):
        sd = row.spread.sd if row.spread else 0.0
        y = top + index * ROW + 4
        application = row.application
        bars.append(
            Bar(
                label=_short(application.recommendation_number or application.team.name),
                value=figure(sd),
                x=_px(left),
                y=_px(y),
                width=_px(sd * scale),
                height=_px(ROW - 8),
                text_y=_px(y + ROW / 2),
                css="bar-flagged" if row.flagged else "bar-calm",
            )
        )
    ticks = [
        Tick(x=_px(left + fraction * (right - left)), label=f"{fraction * limit:g}")
        for fraction in (0, 0.25, 0.5, 0.75, 1)
    ]
    return Chart(
        width=WIDTH,
        height=height,
        bars=bars,
        ticks=ticks,
        axis_x=_px(left + float(flag) * scale),
        axis_top=_px(top - 4),
        axis_bottom=_px(bottom),
        label_x=_px(left - 6),
        value_x=_px(right + 6),
    )


# Koo & Li (2016)'s reading of an ICC, by banzu.review.results.icc_band.
BAND_NAMES = {
    "poor": _("poor agreement"),
    "moderate": _("moderate agreement"),
    "good": _("good agreement"),
    "excellent": _("excellent agreement"),
}


# What the agreement means for the association's staff, by the band of ICC(1,1): the
# reliability of one expert's total, which is what "do the experts agree" asks.
VERDICTS = {
    "poor": _(
        "The experts agree poorly: their totals for the same application differ about as much "
        "as the applications differ from one another, so an application's score depends on "
        "which experts it got. Check the applications below, and consider asking the experts "
        "to compare how they read the rubric."
    ),
    "moderate": _(
        "The experts agree only in part: their totals for the same application often differ "
        "by several points. Check the applications below before the ranking is used."
    ),
    "good": _(
        "The experts agree well: an application that one expert scores high, the others "
        "score high too. The ranking can be relied on; check any application listed below."
    ),
    "excellent": _(
        "The experts agree very well: an application that one expert scores high, the others "
        "score high too. The ranking can be relied on."
    ),
}
NEGATIVE = _(
    "The agreement figure is below zero (%(value)s). This is not a fault in the calculation: "
    "the experts of one application are further apart than the applications are from one "
    "another, which happens when the applications score close together while their experts "
    "do not. Read it as poor agreement."
)


# --- Views ------------------------------------------------------------------------------------


@require_GET
def results(request: HttpRequest) -> HttpResponse:
    edition = _edition(request)
    found = edition_results(edition)
    icc = found.icc
    return render(
        request,
        "review/results.html",
        {
            "edition": edition,
            "results": found,
            "leniency_chart": leniency_chart(found.leniency),
            "spread_chart": spread_chart(found.rows, found.settings.spread_flag),
            "single_band": BAND_NAMES[icc_band(icc.single)] if icc else "",
            "verdict_band": icc_band(icc.single) if icc else "",
            "verdict": VERDICTS[icc_band(icc.single)] if icc else "",
            "icc_negative": (
                NEGATIVE % {"value": f"{icc.single:.3f}".replace("-", "−")}
                if icc and icc.single < 0
                else ""
            ),
            "average_band": BAND_NAMES[icc_band(icc.average)] if icc else "",
        },
    )


@require_GET
def results_xlsx(request: HttpRequest) -> HttpResponse:
    edition = _edition(request)
    found = edition_results(edition)
    rendered = render_sheets_file(
        results_documents(found, today=timezone.localdate()), f"专家评审结果_{edition.year}"
    )
    record(
        action="export.review_results",
        actor=request.user,
        target=edition,
        data={
            "format": "xlsx",
            "applications": len(found.rows),
            "sheets": found.ratings,
        },
        ip=client_ip(request),
    )
    return attachment_response(
        rendered.content, filename=rendered.filename, content_type=rendered.content_type
    )
