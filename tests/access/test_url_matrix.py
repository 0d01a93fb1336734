"""Every URL of the site, for every persona, from the URL configuration itself.

The matrix is generated from the resolver: a page added without a row in EXPECTED fails
`test_every_url_has_a_row`, so no page escapes the access policy's tests. The data is the demo
(built once for the module, through the services, and rolled back at the end). The rule under
test (banzu.core.access): outside a persona's scope a page or an object is 404; in scope but
read-only it is 403; anonymous visitors are sent to the login page where one is needed.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import transaction
from django.test import Client
from django.test.utils import override_settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from PIL import Image

from banzu.accounts.enums import Role
from banzu.accounts.models import Enterprise, Recommender, User
from banzu.applications.enums import ApplicationState, DocumentKind
from banzu.applications.models import Application, Document
from banzu.editions.models import Edition
from banzu.editions.selectors import presentation_sheet
from banzu.jobs.services import run as run_job
from banzu.presentations import scans, sheets
from banzu.presentations.enums import SheetState as EventSheetState
from banzu.presentations.enums import SlotState
from banzu.presentations.models import PresentationSheet, Room, Slot
from banzu.recommendations.jobs import start_build
from banzu.review.enums import AssignmentState
from banzu.review.models import Assignment, ExpertProfile
from banzu.scoring.enums import SheetStage, SheetState
from banzu.scoring.models import ScoreSheet
from banzu.screening.models import SimilarityReport
from tests.access import matrix_parts
from tests.conftest import parse_checks_reused

pytestmark = pytest.mark.demo

PERSONAS = (
    "anonymous",
    "applicant",
    "applicant_b",
    "rec_hz",
    "rec_nb",
    "expert",
    "expert_free",
    "admin",
    "secretary",
)
MISSING = 999_999  # an id no object has


def _url_names(resolver: URLResolver | None = None, namespace: str = "") -> Iterator[str]:
    for pattern in (resolver or get_resolver()).url_patterns:
        if isinstance(pattern, URLResolver):
            inner = (
                f"{namespace}:{pattern.namespace}"
                if namespace and pattern.namespace
                else (pattern.namespace or namespace)
            )
            yield from _url_names(pattern, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield f"{namespace}:{pattern.name}" if namespace else pattern.name


@dataclass
class World:
    users: dict[str, User]
    args: dict[str, dict[str, Any]]
    files: Path
    clients: dict[str, Client]


def _first_pk(queryset: Any) -> int:
    obj = queryset.order_by("pk").first()
    return obj.pk if obj is not None else MISSING


def _build_world(files: Path) -> World:
    call_command("load_demo", stdout=io.StringIO())
    hz = Recommender.objects.get(short_name="杭州")
    nb = Recommender.objects.get(short_name="宁波")
    submitted = (
        Application.objects.filter(recommender=hz, state=ApplicationState.SUBMITTED)
        .order_by("pk")
        .first()
    )
    assert submitted is not None
    users = {
        # The owner of a submitted application: its files exist and it is read-only to them.
        "applicant": submitted.created_by,
        "rec_hz": User.objects.get(username="recommender"),
        "expert": User.objects.get(username="expert"),
        "admin": User.objects.get(username="admin"),
        "applicant_b": User.objects.create(
            username="matrix_b",
            role=Role.APPLICANT,
            enterprise=Enterprise.objects.create(name="矩阵乙建设有限公司"),
        ),
        "rec_nb": User.objects.create(username="matrix_nb", role=Role.RECOMMENDER, recommender=nb),
        "expert_free": User.objects.create(username="matrix_free", role=Role.EXPERT),
        # The demo's room secretary, bound to 第一分会场, whose panel the expert sits on.
        "secretary": User.objects.get(username="secretary"),
    }
    own = submitted
    recommended = (
        Application.objects.filter(recommender=hz, recommendation_number__isnull=False)
        .order_by("pk")
        .first()
    )
    confirmed = (
        Assignment.objects.filter(expert=users["expert"], state=AssignmentState.CONFIRMED)
        .order_by("pk")
        .first()
    )
    pending = (
        Assignment.objects.filter(expert=users["expert"], state=AssignmentState.PENDING)
        .order_by("pk")
        .first()
    )
    sheet = (
        ScoreSheet.objects.filter(
            scorer=users["expert"], stage=SheetStage.MATERIALS, state=SheetState.SUBMITTED
        )
        .order_by("pk")
        .first()
    )
    assert None not in (own, submitted, recommended, confirmed, pending, sheet)

    def pdf_of(application: Application) -> int:
        return _first_pk(
            Document.objects.filter(application=application, kind=DocumentKind.MATERIALS_PDF)
        )

    edition = Edition.objects.get(year=2026)
    report = SimilarityReport.objects.order_by("pk").first()
    package = start_build(recommender=hz, edition=edition, user=users["rec_hz"])
    run_job(package.pk)  # its on-commit enqueue never fires inside the module's transaction
    args = {
        **_event_args(users),
        "applications:detail": {"pk": own.pk},
        "applications:edit": {"pk": own.pk},
        "applications:files": {"pk": own.pk},
        "applications:download": {"pk": own.pk, "document_pk": _first_pk(own.documents.all())},
        "applications:submit": {"pk": own.pk},
        "applications:withdraw": {"pk": own.pk},
        "applications:reopen": {"pk": own.pk},
        "manage:edition_edit": {"pk": edition.pk},
        "manage:recommender_edit": {"pk": hz.pk},
        "manage:user_edit": {"pk": users["applicant"].pk},
        "recommendations:review": {"pk": submitted.pk},
        "recommendations:score": {"pk": submitted.pk},
        "recommendations:score_total": {"pk": submitted.pk},
        "recommendations:return": {"pk": submitted.pk},
        "recommendations:decline": {"pk": submitted.pk},
        "recommendations:recommend": {"pk": submitted.pk},
        "recommendations:view_pdf": {"pk": submitted.pk, "document_pk": pdf_of(submitted)},
        "recommendations:batch_of": {"recommender_pk": hz.pk},
        "recommendations:attachment2": {"recommender_pk": hz.pk, "fmt": "xlsx"},
        "recommendations:submit_batch": {"recommender_pk": hz.pk},
        "recommendations:reopen_batch": {"recommender_pk": hz.pk},
        "recommendations:set_quota": {"recommender_pk": hz.pk},
        "documents:attachment1": {"pk": own.pk, "fmt": "docx"},
        "documents:attachment3": {"year": 2026, "fmt": "docx"},
        "documents:attachment3_sheet": {"sheet_pk": sheet.pk, "fmt": "docx"},
        "documents:package_start": {"recommender_pk": hz.pk},
        "documents:package_status": {"recommender_pk": hz.pk},
        "documents:package_download": {"pk": package.pk},
        "screening:decide": {"pk": recommended.pk},
        "screening:report": {"pk": report.pk if report else MISSING},
        "screening:side_by_side": {
            "pk": report.pk if report else MISSING,
            "kind": "archive",
            "source_pk": MISSING,
        },
        "review:add": {"pk": confirmed.application_id},
        "review:remove": {"pk": confirmed.pk},
        "review:application": {"pk": confirmed.application_id},
        "review:reopen": {"sheet_pk": sheet.pk},
        "review:expert_edit": {"pk": _first_pk(ExpertProfile.objects.all())},
        "review:expert_invite": {"pk": _first_pk(ExpertProfile.objects.all())},
        "review:expert_welcome": {"uidb64": "MQ", "token": "not-a-token"},
        "review:declare": {"pk": pending.application_id},
        "review:sheet": {"pk": confirmed.application_id},
        "review:sheet_total": {"pk": confirmed.application_id},
        "review:view_pdf": {
            "pk": confirmed.application_id,
            "document_pk": pdf_of(confirmed.application),
        },
        "review:download": {
            "pk": confirmed.application_id,
            "document_pk": pdf_of(confirmed.application),
        },
        "jobs:status": {"pk": package.pk},
    }
    for part in matrix_parts.parts():
        args |= part.args(users)
    # One signed-in client per persona for the whole module: its session row is the module's.
    clients = {"anonymous": Client()}
    for persona, user in users.items():
        clients[persona] = Client()
        clients[persona].force_login(user)
    return World(users=users, args=args, files=files, clients=clients)


def _event_args(users: dict[str, User]) -> dict[str, dict[str, Any]]:
    """The event's URLs point into 第一分会场 (running, its third team on stage), where the
    expert sits on the panel (not its chair) and the secretary runs the console."""
    room = Room.objects.get(name="第一分会场", secretary=users["secretary"])
    on_stage = room.current
    assert on_stage is not None
    assert on_stage.state == SlotState.PRESENTING
    waiting = Slot.objects.filter(room=room, state=SlotState.WAITING).order_by("position").first()
    submitted = (
        PresentationSheet.objects.filter(slot__room=room, state=EventSheetState.SUBMITTED)
        .exclude(expert=users["expert"])
        .order_by("pk")
        .first()
    )
    assert waiting is not None
    assert submitted is not None
    # A paper sheet with its scan, entered by the admin through the service for a panel member
    # who has not submitted for the team on stage (neither the demo expert nor the chair).
    done = PresentationSheet.objects.filter(slot=on_stage).values_list("expert_id", flat=True)
    typist = (
        room.panel.exclude(expert_id__in=[*done, users["expert"].pk, room.chair_id])
        .select_related("expert")
        .order_by("pk")
        .first()
    )
    assert typist is not None
    image = io.BytesIO()
    Image.new("L", (8, 8), 255).save(image, format="PNG")
    scan = scans.store_scan(SimpleUploadedFile("paper.png", image.getvalue()), by=users["admin"])
    items = presentation_sheet(room.event.edition)
    paper = sheets.enter_paper_sheet(
        slot=on_stage,
        expert=typist.expert,
        points={item.position: str(item.max_points) for item in items},
        comment="",
        scan=scan,
        by=users["admin"],
    )
    return {
        **{
            name: {"pk": room.pk}
            for name in (
                "presentations:setup_room_edit",
                "presentations:setup_room_delete",
                "presentations:setup_chair",
                "presentations:setup_swap",
                "presentations:setup_draw_room",
                "presentations:setup_undraw_room",
                "presentations:console",
                "presentations:console_status",
                "presentations:console_next",
                "presentations:console_close",
                "presentations:blank_sheets",
                "presentations:score",
                "presentations:score_status",
                "presentations:score_submit",
                "presentations:chair_sheets",
                "presentations:results_summary_pdf",
                "presentations:results_summary_xlsx",
            )
        },
        "presentations:setup_move": {"pk": on_stage.pk},
        "presentations:setup_schedule_file": {"fmt": "xlsx"},
        "presentations:console_timer": {"pk": room.pk, "kind": "pause"},
        "presentations:console_absent": {"pk": room.pk, "slot_pk": on_stage.pk},
        "presentations:console_to_end": {"pk": room.pk, "slot_pk": waiting.pk},
        "presentations:console_presentation": {"pk": room.pk, "slot_pk": on_stage.pk},
        "presentations:screen": {"token": room.screen_token},
        "presentations:screen_stage": {"token": room.screen_token},
        "presentations:sheet_return": {"pk": submitted.pk},
        "presentations:sheet_scan": {"pk": paper.pk},
    }


TEST_SETTINGS = {
    "DEBUG": True,  # load_demo refuses otherwise
    "TASKS": {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}},
    "PASSWORD_HASHERS": ["django.contrib.auth.hashers.MD5PasswordHasher"],
}


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory) -> Iterator[World]:
    files = tmp_path_factory.mktemp("matrix-files")
    with (
        django_db_blocker.unblock(),
        override_settings(PRIVATE_FILES_ROOT=files, **TEST_SETTINGS),
        parse_checks_reused(),  # the module's fixture, before any test's own
    ):
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            yield _build_world(files)
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


def _read(response: Any) -> Any:
    """A stored file is streamed; reading it through the client's wrapper closes it the way a
    WSGI server would, without the end-of-request signal closing the test's connection."""
    if getattr(response, "streaming", False):
        b"".join(response.streaming_content)
    return response


# Logging out ends the test client's session mid-matrix; its GET answer (405) is what we keep.
GET_ONLY = {"accounts:logout"}


def _status(client: Client, url: str, *, post: bool) -> str:
    """GET the page; a POST-only URL is POSTed (empty), in a savepoint rolled back at once."""
    response = _read(client.get(url))
    if response.status_code == 405 and post:
        with transaction.atomic():
            response = _read(client.post(url))
            transaction.set_rollback(True)
    if response.status_code in (301, 302):
        return "login" if "/accounts/login/" in response["Location"] else "302"
    return str(response.status_code)


def observe(world: World, name: str) -> dict[str, str]:
    url = reverse(name, kwargs=world.args.get(name, {}))
    seen = {}
    for persona in PERSONAS:
        with override_settings(PRIVATE_FILES_ROOT=world.files):
            seen[persona] = _status(world.clients[persona], url, post=name not in GET_ONLY)
    return seen


# One row per URL name: the answer to each persona, in the order of PERSONAS:
# anonymous applicant applicant_b rec_hz rec_nb expert expert_free admin secretary.
# "login" is a redirect to the login page; a POST-only URL shows its answer to an empty POST.
# applicant owns a submitted 杭州 application (read-only to them: 403 on edit); rec_hz is its
# recommender; expert is assigned to (and declared no conflict on) another application, and
# sits on 第一分会场's panel (not its chair) at the presentation event; secretary runs
# 第一分会场's console (running, its third team on stage), whose score summary stays 403 to
# them until the room is closed; the big screen answers its token, with or without a login.
EXPECTED: dict[str, str] = {
    "accounts:enterprise": "login 200 200 404 404 404 404 404 404",
    "accounts:login": "200 302 302 302 302 302 302 302 302",
    "accounts:logout": "405 405 405 405 405 405 405 405 405",
    "accounts:register": "200 302 302 302 302 302 302 302 302",
    "accounts:second_factor": "login 302 302 302 302 200 200 200 200",
    "applications:detail": "login 200 404 200 404 404 404 200 404",
    "applications:download": "login 200 404 200 404 404 404 200 404",
    "applications:edit": "login 403 404 403 404 404 404 403 404",
    "applications:files": "login 200 404 200 404 404 404 200 404",
    "applications:list": "login 200 200 200 200 200 200 200 404",
    "applications:reopen": "login 302 404 403 404 404 404 403 404",
    "applications:start": "login 200 200 404 404 404 404 404 404",
    "applications:submit": "login 403 404 403 404 404 404 403 404",
    "applications:withdraw": "login 200 404 403 404 404 404 403 404",
    "documents:attachment1": "login 200 404 200 404 404 404 200 404",
    "documents:attachment3": "login 200 200 200 200 200 200 200 404",
    "documents:attachment3_sheet": "login 404 404 404 404 200 404 200 404",
    "documents:package_download": "login 404 404 200 404 404 404 200 404",
    "documents:package_start": "login 404 404 302 404 404 404 302 404",
    "documents:package_status": "login 404 404 200 404 404 404 200 404",
    "home": "200 200 200 200 200 200 200 200 200",
    "jobs:status": "404 404 404 200 404 404 404 200 404",
    "manage:edition_create": "login 404 404 404 404 404 404 200 404",
    "manage:edition_edit": "login 404 404 404 404 404 404 200 404",
    "manage:edition_switch": "login 404 404 404 404 404 404 302 404",
    "manage:editions": "login 404 404 404 404 404 404 200 404",
    "manage:recommender_create": "login 404 404 404 404 404 404 200 404",
    "manage:recommender_edit": "login 404 404 404 404 404 404 200 404",
    "manage:recommenders": "login 404 404 404 404 404 404 200 404",
    "manage:user_create": "login 404 404 404 404 404 404 200 404",
    "manage:user_edit": "login 404 404 404 404 404 404 200 404",
    "manage:users": "login 404 404 404 404 404 404 200 404",
    "presentations:blank_sheets": "login 404 404 404 404 404 404 200 200",
    "presentations:board": "login 404 404 404 404 404 404 200 404",
    "presentations:board_rooms": "login 404 404 404 404 404 404 200 404",
    "presentations:chair_sheets": "login 404 404 404 404 404 404 200 404",
    "presentations:console": "login 404 404 404 404 404 404 200 200",
    "presentations:console_absent": "login 404 404 404 404 404 404 302 302",
    "presentations:console_close": "login 404 404 404 404 404 404 302 302",
    "presentations:console_next": "login 404 404 404 404 404 404 302 302",
    "presentations:console_presentation": "login 404 404 404 404 404 404 200 200",
    "presentations:console_status": "login 404 404 404 404 404 404 200 200",
    "presentations:console_timer": "login 404 404 404 404 404 404 302 302",
    "presentations:console_to_end": "login 404 404 404 404 404 404 302 302",
    "presentations:paper": "login 404 404 404 404 404 404 200 404",
    "presentations:results": "login 404 404 404 404 404 404 200 404",
    "presentations:results_sheets": "login 404 404 404 404 404 404 200 404",
    "presentations:results_summary_pdf": "login 404 404 404 404 404 404 200 403",
    "presentations:results_summary_xlsx": "login 404 404 404 404 404 404 200 403",
    "presentations:score": "login 404 404 404 404 200 404 404 404",
    "presentations:score_home": "login 404 404 404 404 302 200 404 404",
    "presentations:score_status": "login 404 404 404 404 200 404 404 404",
    "presentations:score_submit": "login 404 404 404 404 302 404 404 404",
    "presentations:screen": "200 200 200 200 200 200 200 200 200",
    "presentations:screen_stage": "200 200 200 200 200 200 200 200 200",
    "presentations:setup_chair": "login 404 404 404 404 404 404 302 404",
    "presentations:setup_distribute": "login 404 404 404 404 404 404 302 404",
    "presentations:setup_draw": "login 404 404 404 404 404 404 200 404",
    "presentations:setup_draw_room": "login 404 404 404 404 404 404 302 404",
    "presentations:setup_event": "login 404 404 404 404 404 404 200 404",
    "presentations:setup_move": "login 404 404 404 404 404 404 302 404",
    "presentations:setup_panels": "login 404 404 404 404 404 404 200 404",
    "presentations:setup_room_delete": "login 404 404 404 404 404 404 302 404",
    "presentations:setup_room_edit": "login 404 404 404 404 404 404 200 404",
    "presentations:setup_room_new": "login 404 404 404 404 404 404 200 404",
    "presentations:setup_rooms": "login 404 404 404 404 404 404 200 404",
    "presentations:setup_schedule": "login 404 404 404 404 404 404 200 404",
    "presentations:setup_schedule_file": "login 404 404 404 404 404 404 200 404",
    "presentations:setup_secretary_new": "login 404 404 404 404 404 404 200 404",
    "presentations:setup_selection": "login 404 404 404 404 404 404 200 404",
    "presentations:setup_swap": "login 404 404 404 404 404 404 302 404",
    "presentations:setup_undraw_room": "login 404 404 404 404 404 404 302 404",
    "presentations:sheet_return": "login 404 404 404 404 404 404 302 404",
    "presentations:sheet_scan": "login 404 404 404 404 404 404 200 404",
    "recommendations:attachment2": "login 404 404 200 404 404 404 200 404",
    "recommendations:batch": "login 404 404 200 200 404 404 302 404",
    "recommendations:batch_of": "login 404 404 200 404 404 404 200 404",
    "recommendations:board": "login 404 404 404 404 404 404 200 404",
    "recommendations:decline": "login 404 404 302 404 404 404 302 404",
    "recommendations:list": "login 404 404 200 200 404 404 200 404",
    "recommendations:recommend": "login 404 404 302 404 404 404 302 404",
    "recommendations:reopen_batch": "login 404 404 403 404 404 404 200 404",
    "recommendations:return": "login 404 404 302 404 404 404 302 404",
    "recommendations:review": "login 404 404 200 404 404 404 200 404",
    "recommendations:score": "login 404 404 200 404 404 404 200 404",
    "recommendations:score_total": "login 404 404 200 404 404 404 200 404",
    "recommendations:set_quota": "login 404 404 403 404 404 404 302 404",
    "recommendations:submit_batch": "login 404 404 200 404 404 404 200 404",
    "recommendations:view_pdf": "login 404 404 200 404 404 404 200 404",
    "review:add": "404 404 404 404 404 404 404 302 404",
    "review:application": "404 404 404 404 404 404 404 200 404",
    "review:assign": "404 404 404 404 404 404 404 200 404",
    "review:board": "404 404 404 404 404 404 404 200 404",
    "review:declare": "login 404 404 404 404 200 404 404 404",
    "review:download": "login 404 404 404 404 200 404 404 404",
    "review:expert_create": "login 404 404 404 404 404 404 200 404",
    "review:expert_edit": "login 404 404 404 404 404 404 200 404",
    "review:expert_import": "login 404 404 404 404 404 404 200 404",
    "review:expert_import_template": "login 404 404 404 404 404 404 200 404",
    "review:expert_invite": "login 404 404 404 404 404 404 302 404",
    "review:expert_invite_all": "login 404 404 404 404 404 404 302 404",
    "review:expert_welcome": "200 200 200 200 200 200 200 200 404",
    "review:experts": "login 404 404 404 404 404 404 200 404",
    "review:finish": "404 404 404 404 404 404 404 302 404",
    "review:mine": "login 404 404 404 404 200 200 404 404",
    "review:remind": "404 404 404 404 404 404 404 302 404",
    "review:remove": "404 404 404 404 404 404 404 302 404",
    "review:reopen": "404 404 404 404 404 404 404 302 404",
    "review:results": "404 404 404 404 404 404 404 200 404",
    "review:results_xlsx": "404 404 404 404 404 404 404 200 404",
    "review:sheet": "login 404 404 404 404 200 404 404 404",
    "review:sheet_total": "login 404 404 404 404 200 404 404 404",
    "review:view_pdf": "login 404 404 404 404 200 404 404 404",
    "screening:archive": "404 404 404 404 404 404 404 200 404",
    "screening:decide": "login 404 404 404 404 404 404 200 404",
    "screening:import_archive": "404 404 404 404 404 404 404 400 404",
    "screening:pass_many": "login 404 404 404 404 404 404 302 404",
    "screening:report": "404 404 404 404 404 404 404 404 404",
    "screening:settings": "login 404 404 404 404 404 404 200 404",
    "screening:side_by_side": "404 404 404 404 404 404 404 404 404",
    "screening:start_checks": "login 404 404 404 404 404 404 302 404",
    "screening:start_scan": "404 404 404 404 404 404 404 302 404",
    "screening:summary": "login 404 404 404 404 404 404 200 404",
    "screening:summary_xlsx": "login 404 404 404 404 404 404 200 404",
    "screening:workspace": "login 404 404 404 404 404 404 200 404",
    "set_language": "302 302 302 302 302 302 302 302 302",
}


for _part in matrix_parts.parts():
    EXPECTED |= _part.ROWS


def _row(text: str) -> dict[str, str]:
    return dict(zip(PERSONAS, text.split(), strict=True))


def test_every_url_has_a_row():
    assert sorted(set(_url_names()) - set(EXPECTED)) == []
    assert sorted(set(EXPECTED) - set(_url_names())) == []


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_url_for_every_persona(world, name):
    assert observe(world, name) == _row(EXPECTED[name])
