"""The recommender's work on applications: the list, the review page, the preliminary score sheet,
return / decline / recommend, and PDFs opened in the browser.

Every object comes through banzu.recommendations.selectors: another region's application is 404.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch, QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from banzu.accounts.enums import Role
from banzu.accounts.http import AuthenticatedHttpRequest
from banzu.accounts.models import Recommender, User
from banzu.applications import selectors as application_selectors
from banzu.applications import snapshot
from banzu.applications.enums import ApplicationState, DocumentKind
from banzu.applications.models import Application
from banzu.applications.permissions import get_document_for_user_or_404
from banzu.applications.services import open_document
from banzu.audit.services import client_ip
from banzu.core.access import deny, is_admin
from banzu.core.forms import NOT_CONFIRMED, is_confirmed
from banzu.core.responses import inline_pdf_response
from banzu.core.service_calls import run_service, run_with_reason
from banzu.editions.models import Edition, RubricItem
from banzu.editions.resolver import edition_for
from banzu.recommendations import services
from banzu.recommendations.enums import BatchState
from banzu.recommendations.forms.review import ListFilterForm, ReasonForm, state_choices
from banzu.recommendations.models import Batch
from banzu.recommendations.permissions import (
    get_reviewable_application_or_404,
    recommender_for_user_or_404,
)
from banzu.recommendations.selectors import (
    RETURNED,
    RETURNED_FILTER,
    batch_for_view,
    is_returned,
    slots_at,
    worklist,
)
from banzu.scoring import core
from banzu.scoring.enums import SheetStage, SheetState
from banzu.scoring.forms import running_total
from banzu.scoring.models import ScoreSheet
from banzu.scoring.services import aggregate_for, submitted_sheets
from banzu.scoring.sheet_page import sheet_page

PDF_KINDS = frozenset({DocumentKind.MATERIALS_PDF, DocumentKind.SIGNED_FORM})

# ?sort= key -> database ordering; "score" is computed in Python (the trimmed mean is not SQL).
SORT_FIELDS = {
    "team": "team__name",
    "enterprise": "team__enterprise__name",
    "industry": "team__enterprise__industry",
    "state": "state",
    "submitted": "submitted_at",
}
COLUMNS = [
    ("team", gettext_lazy("Team")),
    ("enterprise", gettext_lazy("Enterprise")),
    ("industry", gettext_lazy("Industry")),
    ("state", gettext_lazy("Status")),
    ("score", gettext_lazy("Preliminary score")),
    ("submitted", gettext_lazy("Submitted")),
]


# --- The list -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    application: Application
    score: Decimal | None
    sheets_in: int
    returned: bool


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    next_sort: str
    aria_sort: str


def _rows(
    recommender: Recommender,
    edition: Edition,
    *,
    state: str,
    industry: str,
    sort: str,
    query: str = "",
) -> list[Row]:
    """The page's applications with their preliminary scores, in two queries whatever the size."""
    sheets = ScoreSheet.objects.filter(
        stage=SheetStage.RECOMMENDER, state=SheetState.SUBMITTED
    ).only("id", "application_id", "total")
    qs = worklist(recommender, edition, query=query).prefetch_related(
        Prefetch("score_sheets", queryset=sheets, to_attr="recommender_sheets")
    )
    if state == RETURNED_FILTER:
        qs = qs.filter(RETURNED)
    elif state:
        qs = qs.filter(state=state)
    if industry:
        qs = qs.filter(team__enterprise__industry=industry)
    key, descending = sort.lstrip("-"), sort.startswith("-")
    if key in SORT_FIELDS:
        field = SORT_FIELDS[key]
        qs = qs.order_by(f"-{field}" if descending else field, "pk")
    else:
        qs = qs.order_by("submitted_at", "pk")
    rows = []
    for application in qs:
        totals = [sheet.total for sheet in application.recommender_sheets]
        score = core.aggregate(
            totals, rule=edition.aggregation_rule, trim_min=edition.trim_min_experts
        )
        rows.append(Row(application, score, len(totals), is_returned(application)))
    if key == "score":
        # Unscored applications stay at the bottom in either direction.
        scored = sorted(
            (r for r in rows if r.score is not None),
            key=lambda r: r.score or Decimal(0),
            reverse=descending,
        )
        rows = scored + [r for r in rows if r.score is None]
    return rows


def _columns(sort: str) -> list[Column]:
    columns = []
    for key, label in COLUMNS:
        if sort == key:
            columns.append(Column(key, str(label), f"-{key}", "ascending"))
        elif sort == f"-{key}":
            columns.append(Column(key, str(label), key, "descending"))
        else:
            columns.append(Column(key, str(label), key, ""))
    return columns


def _industries(recommender: Recommender, edition: Edition) -> QuerySet[Application, str]:
    return (
        worklist(recommender, edition)
        .order_by("team__enterprise__industry")
        .values_list("team__enterprise__industry", flat=True)
        .distinct()
    )


@login_required
@require_GET
def application_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    filters = ListFilterForm(request.GET)
    recommender_pk = filters.param("recommender")
    if is_admin(user) and not recommender_pk:
        return render(
            request,
            "recommendations/list.html",
            {"recommenders": Recommender.objects.filter(is_active=True), "rows": None},
        )
    recommender = recommender_for_user_or_404(user, recommender_pk or None)
    edition = edition_for(request)
    sort = filters.param("sort") or "submitted"
    state, industry = filters.param("state"), filters.param("industry")
    query = filters.param("q")
    rows = (
        _rows(recommender, edition, state=state, industry=industry, sort=sort, query=query)
        if edition is not None
        else []
    )
    return render(
        request,
        "recommendations/list.html",
        {
            "recommender": recommender,
            "edition": edition,
            "rows": rows,
            "columns": _columns(sort),
            "states": state_choices(),
            "industries": list(_industries(recommender, edition)) if edition else [],
            "state": state,
            "industry": industry,
            "sort": sort,
            "q": query,
            "is_admin": is_admin(user),
        },
    )


# --- The review page ------------------------------------------------------------------------


def _can_act(application: Application, batch: Batch) -> bool:
    return application.state == ApplicationState.SUBMITTED and batch.state == BatchState.OPEN


def _own_sheet(application: Application, user: User) -> ScoreSheet | None:
    if user.role != Role.RECOMMENDER:
        return None
    return (
        ScoreSheet.objects.filter(
            application=application, stage=SheetStage.RECOMMENDER, scorer=user
        )
        .prefetch_related("items")
        .first()
    )


@dataclass(frozen=True)
class ReturnEntry:
    """When and by whom a returned application was returned, and why."""

    at: datetime.datetime | None
    by: str
    reason: str


def _return_entry(
    application: Application, timeline: list[application_selectors.TimelineItem]
) -> ReturnEntry:
    entry = next((item for item in timeline if item.action == "application.return"), None)
    if entry is None:
        return ReturnEntry(application.state_changed_at, "", application.state_reason)
    return ReturnEntry(entry.created_at, entry.actor_name, entry.reason or application.state_reason)


def _next_number(batch: Batch) -> str:
    return services.number_code(batch, batch.last_number + 1)


def _review_page(
    request: AuthenticatedHttpRequest,
    application: Application,
    *,
    return_form: ReasonForm | None = None,
    decline_form: ReasonForm | None = None,
    refused: str = "",
) -> HttpResponse:
    """The review page; a reason form that was posted without its confirmation shows again, its
    reason kept, with the refusal beside the box (`refused`)."""
    user = request.user
    batch = batch_for_view(application.edition, application.recommender)
    timeline = application_selectors.timeline(application)
    returned = is_returned(application)
    returned_entry = _return_entry(application, timeline) if returned else None
    sheets_in = submitted_sheets(application, SheetStage.RECOMMENDER).count()
    return render(
        request,
        "recommendations/review.html",
        {
            "application": application,
            # As submitted (and, once returned, as it was returned), not the live details.
            "enterprise": snapshot.from_snapshot(application.submitted_enterprise)
            if returned_entry is not None and application.submitted_enterprise
            else application.shown_enterprise,
            "honours": list(application.honours.all()),
            # A returned application shows the files as it was returned, never the enterprise's
            # uploads since (its form data is being revised and shows again on resubmission).
            "slots": slots_at(application, returned_entry.at)
            if returned_entry is not None and returned_entry.at is not None
            else application_selectors.document_slots(application),
            "returned": returned_entry,
            "timeline": timeline,
            "batch": batch,
            "own_sheet": _own_sheet(application, user),
            "preliminary": aggregate_for(application, SheetStage.RECOMMENDER),
            "sheets_in": sheets_in,
            "can_act": _can_act(application, batch),
            "next_number": _next_number(batch),
            "return_form": return_form or ReasonForm(auto_id="return_%s"),
            "decline_form": decline_form or ReasonForm(auto_id="decline_%s"),
            "refused_return": [refused] if refused and return_form is not None else [],
            "refused_decline": [refused] if refused and decline_form is not None else [],
        },
    )


@login_required
@require_GET
def review(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    application = get_reviewable_application_or_404(request.user, pk, ip=client_ip(request))
    return _review_page(request, application)


# --- The score sheet ------------------------------------------------------------------------


@dataclass(frozen=True)
class MatrixRow:
    item: RubricItem
    points: list[Decimal | None]


def _admin_sheet_view(
    request: HttpRequest, application: Application, rubric: list[RubricItem]
) -> HttpResponse:
    sheets = list(
        submitted_sheets(application, SheetStage.RECOMMENDER)
        .select_related("scorer")
        .prefetch_related("items")
    )
    by_sheet = [{s.rubric_item_id: s.points for s in sheet.items.all()} for sheet in sheets]
    matrix = [MatrixRow(item, [points.get(item.pk) for points in by_sheet]) for item in rubric]
    return render(
        request,
        "recommendations/review_sheets.html",
        {
            "application": application,
            "sheets": sheets,
            "matrix": matrix,
            "preliminary": aggregate_for(application, SheetStage.RECOMMENDER),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def score_sheet(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    user = request.user
    ip = client_ip(request)
    application = get_reviewable_application_or_404(user, pk, ip=ip)
    rubric = list(application.edition.rubric_items.all())
    if user.role != Role.RECOMMENDER:
        # The provincial admin reads the staff's submitted sheets; scoring is the staff's.
        if request.method == "POST":
            raise deny(request, "score sheet", pk, code="403")
        return _admin_sheet_view(request, application, rubric)
    sheet = _own_sheet(application, user)
    batch = batch_for_view(application.edition, application.recommender)
    return sheet_page(
        request,
        template="recommendations/score.html",
        rubric=rubric,
        sheet=sheet,
        closed=services.scoring_closed_reason(application, batch, sheet),
        save=lambda form: services.save_preliminary_sheet(
            application=application,
            scorer=user,
            items=form.items(),
            expected_version=form.cleaned_data["version"],
            submit=form.submitting,
            ip=ip,
        ),
        saved_url=reverse("recommendations:score", kwargs={"pk": pk}),
        context=lambda: {"application": application},
    )


@login_required
@require_POST
def score_total(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """htmx: the running total of the score sheet as the staff member types."""
    application = get_reviewable_application_or_404(request.user, pk, ip=client_ip(request))
    rubric = list(application.edition.rubric_items.all())
    return HttpResponse(str(running_total(request.POST, rubric)))


# --- Return, decline, recommend -------------------------------------------------------------


class _ReasonStep(Protocol):
    """A step on an application that needs the staff member's reason (return, decline)."""

    def __call__(
        self, *, application: Application, actor: User, reason: str, ip: str | None = ...
    ) -> object: ...


def _reason_action(
    request: AuthenticatedHttpRequest, pk: int, action: _ReasonStep, done: str, *, which: str
) -> HttpResponse:
    """Return or decline: the reason first, then the confirmation (a reason typed without the
    box ticked shows again, kept), then the service."""
    user = request.user
    ip = client_ip(request)
    application = get_reviewable_application_or_404(user, pk, ip=ip)
    form = ReasonForm(request.POST, auto_id=f"{which}_%s")
    if form.is_valid() and not is_confirmed(request.POST):
        bound = {f"{which}_form": form}
        return _review_page(request, application, refused=str(NOT_CONFIRMED), **bound)
    run_with_reason(
        request,
        form,
        lambda reason: action(application=application, actor=user, reason=reason, ip=ip),
        success=done,
    )
    return redirect("recommendations:review", pk=pk)


@login_required
@require_POST
def return_application(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    done = _("Returned to the applicant with your reason; they have been told by mail.")
    return _reason_action(request, pk, services.return_application, done, which="return")


@login_required
@require_POST
def decline_application(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    done = _("Marked as not recommended; the applicant has been told by mail.")
    return _reason_action(request, pk, services.decline_application, done, which="decline")


@login_required
@require_POST
def recommend_application(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    user = request.user
    ip = client_ip(request)
    application = get_reviewable_application_or_404(user, pk, ip=ip)
    if not is_confirmed(request.POST):
        # The number is taken at once and never given back: nothing happens unconfirmed.
        messages.error(request, NOT_CONFIRMED)
        return redirect(reverse("recommendations:review", kwargs={"pk": pk}) + "#decision")
    run_service(
        request,
        lambda: services.recommend_application(application=application, actor=user, ip=ip),
        success=lambda recommended: (
            _("Recommended to the province with number %(number)s.")
            % {"number": recommended.recommendation_number}
        ),
    )
    return redirect("recommendations:review", pk=pk)


# --- PDFs in the browser --------------------------------------------------------------------


@login_required
@require_GET
@xframe_options_sameorigin
def view_pdf(request: AuthenticatedHttpRequest, pk: int, document_pk: int) -> FileResponse:
    """The materials PDF or the stamped form, shown inline. Both were parsed as PDFs on upload."""
    user = request.user
    ip = client_ip(request)
    application = get_reviewable_application_or_404(user, pk, ip=ip)
    document = get_document_for_user_or_404(user, pk, document_pk, ip=ip)
    if document.kind not in PDF_KINDS:
        raise Http404
    if is_returned(application) and application.state_changed_at is not None:
        # Returned: the files as returned, not what the enterprise uploads while revising.
        slots = slots_at(application, application.state_changed_at)
        as_returned = {slot.current.pk for slot in slots if slot.current}
        if document.pk not in as_returned:
            raise Http404
    path = open_document(document=document, user=user, ip=ip)
    return inline_pdf_response(path, filename=document.original_name)
