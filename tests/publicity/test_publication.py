"""Final publication: what must stand first, what publishing changes, and the admin's page, with
the world of conftest (window 2026-12-07 to 2026-12-11) and its personas."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from banzu.applications.enums import ApplicationState
from banzu.applications.models import Application
from banzu.audit.models import AuditEntry
from banzu.core.errors import ServiceError
from banzu.editions.signals import edition_published
from banzu.publicity import publication, services
from banzu.publicity.models import Objection, ObjectionState, Publicity
from banzu.results.versions import seal
from tests.conftest import client_for
from tests.publicity.conftest import OBJECTOR, TODAY, pdf_file

AFTER = dt.date(2026, 12, 14)  # the Monday after the window's last day
NOTICE = "浙建质协〔2026〕15号"


@pytest.fixture
def after_window(monkeypatch):
    monkeypatch.setattr(services, "today", lambda: AFTER)
    monkeypatch.setattr(publication, "today", lambda: AFTER)


def objection(publicity: Publicity, application: Application) -> Objection:
    return services.file_objection(
        publicity,
        services.ObjectionData(
            **OBJECTOR,
            application_id=application.pk,
            letter=None,
            evidence=(pdf_file(),),
        ),
        ip="203.0.113.9",
        on=TODAY,
    )


def states(world) -> dict[str, str]:
    return {
        name: Application.objects.get(pk=app.pk).state
        for name, app in sorted(world.results.teams.items())
    }


def test_nothing_is_published_while_the_window_runs_or_an_objection_waits(
    opened, sealed, admin_user, monkeypatch
):
    filed = objection(opened, sealed.team("乙班组"))
    assert publication.readiness(opened).problems == [
        "The publicity window runs until 2026-12-11; publish after it has closed.",
        f"Decide every objection first: {filed.receipt}.",
    ]
    monkeypatch.setattr(publication, "today", lambda: AFTER)
    with pytest.raises(ServiceError, match=f"Decide every objection first: {filed.receipt}"):
        publication.publish(opened, notice_number=NOTICE, notice_date=AFTER, by=admin_user)
    assert not Publicity.objects.get().published
    assert Application.objects.filter(state=ApplicationState.PUBLISHED).count() == 0


def test_a_version_sealed_after_the_one_shown_blocks_publication(
    opened, sealed, admin_user, after_window
):
    seal(sealed.edition, by=admin_user, reason="表格复核")
    assert publication.readiness(opened).problems == [
        "Results version 2 was sealed after the version the publicity shows (1); publish only "
        "what the public has seen."
    ]


def test_publishing_moves_every_listed_team_to_published_and_records_the_notice(
    opened, sealed, admin_user, after_window, django_capture_on_commit_callbacks
):
    filed = objection(opened, sealed.team("乙班组"))
    services.decide(
        filed, state=ObjectionState.NOT_UPHELD, reply="经核实，异议不成立。", by=admin_user
    )
    assert publication.readiness(opened).ready
    received = []

    def listener(sender, edition, by, **kwargs):
        received.append((edition.year, by.username))

    edition_published.connect(listener)
    mail.outbox.clear()
    try:
        with django_capture_on_commit_callbacks(execute=True):
            publication.publish(
                opened, notice_number=f"  {NOTICE} ", notice_date=AFTER, by=admin_user
            )
    finally:
        edition_published.disconnect(listener)
    assert states(sealed) == {
        "丁班组": "published",
        "丙班组": "published",
        "乙班组": "published",
        "己班组": "published",  # did not present: listed apart, published with the others
        "庚班组": "eliminated",
        "戊班组": "published",
        "甲班组": "published",
        "辛班组": "disqualified",
    }
    done = Publicity.objects.get()
    assert (done.published, done.closed, done.notice_number, done.notice_date) == (
        True,
        True,
        NOTICE,
        AFTER,
    )
    assert received == [(2026, admin_user.username)]
    entry = AuditEntry.objects.get(action="publicity.published")
    assert entry.data == {
        "edition": 2026,
        "version": 1,
        "sha256": sealed.version.sha256,
        "applications": 6,
        "notice_number": NOTICE,
        "notice_date": "2026-12-14",
    }
    # Each application went ranked → published through the one transition function.
    jia = sealed.team("甲班组")
    moves = list(
        AuditEntry.objects.filter(target_id=str(jia.pk), action__startswith="application.")
        .order_by("pk")
        .values_list("action", flat=True)
    )
    assert moves[-2:] == ["application.rank", "application.publish"]
    assert [m.subject for m in mail.outbox if "published" in m.subject][:1] == [
        "The 2026 results are published"
    ]
    with pytest.raises(ServiceError, match=r"The results are already published\."):
        publication.publish(done, notice_number=NOTICE, notice_date=AFTER, by=admin_user)


def test_a_notice_number_is_required(opened, admin_user, after_window):
    with pytest.raises(ServiceError, match=r"Give the commendation notice's number\."):
        publication.publish(opened, notice_number="  ", notice_date=AFTER, by=admin_user)


def test_the_admin_publishes_on_the_page_and_the_public_page_shows_the_final_list(
    opened, sealed, admin_user, after_window
):
    client = client_for(admin_user)
    url = reverse("publicity:publish", kwargs={"year": 2026})
    page = client.get(url).content.decode()
    assert "Publish the final results" in page
    unconfirmed = client.post(url, {"notice_number": NOTICE, "notice_date": "2026-12-14"})
    assert unconfirmed.status_code == 400
    assert not Publicity.objects.get().published
    response = client.post(
        url, {"notice_number": NOTICE, "notice_date": "2026-12-14", "confirm": "on"}
    )
    assert response.status_code == 302
    after = client.get(url).content.decode()
    assert "data-published" in after
    assert NOTICE in after
    public = Client().get(reverse("publicity:public", kwargs={"year": 2026})).content.decode()
    assert "Awarded teams, 2026" in public
    assert "Proposed award" not in public
    assert "File an objection" not in public
    assert NOTICE in public


def test_the_page_says_what_stands_in_the_way(opened, admin_user):
    page = client_for(admin_user).get(reverse("publicity:publish", kwargs={"year": 2026}))
    text = page.content.decode()
    assert "The publicity window runs until 2026-12-11; publish after it has closed." in text
    assert 'name="notice_number"' not in text


@pytest.mark.parametrize("persona", ["applicant_a", "recommender_hz", "expert"])
def test_only_the_admin_reaches_the_publish_page(opened, persona, request, after_window):
    user = request.getfixturevalue(persona)
    url = reverse("publicity:publish", kwargs={"year": 2026})
    assert client_for(user).get(url).status_code == 404
    assert client_for(user).post(url, {"notice_number": NOTICE}).status_code == 404
    assert not Publicity.objects.get().published
