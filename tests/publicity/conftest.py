"""The publicity world: the results of tests/results/test_gather sealed as version 1 (甲 一等奖,
乙 二等奖, 丁 三等奖, 戊 and 己 优秀奖), the day set to 2026-12-07 (a Monday) and the people
who look at it: 王敏 the objector (an individual), the admin, applicant A (staff of 甲班组's
enterprise) and the others of tests/conftest."""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from PIL import Image
from pypdf import PdfWriter

from banzu.applications.models import Application
from banzu.editions.models import Edition
from banzu.publicity import services
from banzu.publicity.models import Publicity
from banzu.results.models import ResultsVersion
from banzu.results.versions import seal, settings_for
from tests.factories import UserFactory
from tests.results.test_gather import ResultsWorld, build_results

TODAY = dt.date(2026, 12, 7)
OBJECTOR = {
    "objector_kind": "person",
    "real_name": "王敏",
    "organisation": "杭州某监理公司",
    "phone": "13900001111",
    "email": "wangmin@example.cn",
    "grounds": "该班组的成果数据与2024年度发表材料雷同。",
}


@dataclass
class PublicityWorld:
    edition: Edition
    results: ResultsWorld
    version: ResultsVersion

    def team(self, name: str) -> Application:
        return self.results.teams[name]


def pdf_bytes() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def png_bytes() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), "white").save(out, format="PNG")
    return out.getvalue()


def pdf_file(name: str = "证据.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, pdf_bytes(), content_type="application/pdf")


@pytest.fixture(autouse=True)
def _english(settings, request):
    """The strings asserted are the English msgids, whatever the lead translates later; the
    browser walk keeps the visitor's Chinese."""
    if request.node.get_closest_marker("browser"):
        yield
        return
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _today(monkeypatch):
    monkeypatch.setattr(services, "today", lambda: TODAY)


@pytest.fixture
def sealed(edition, admin_user) -> PublicityWorld:
    results = build_results(edition)
    settings = settings_for(edition)
    settings.non_presenter_tier = "优秀奖"
    settings.save()
    version = seal(edition, by=admin_user)
    return PublicityWorld(edition=edition, results=results, version=version)


@pytest.fixture
def opened(sealed, admin_user) -> Publicity:
    """The window opened on 2026-12-07 for 5 working days (to Friday 2026-12-11)."""
    return services.open_publicity(
        sealed.edition, services.Window(starts_on=TODAY, working_days=5), by=admin_user
    )


@pytest.fixture
def secretary(db):
    return UserFactory(username="secretary_1", role="secretary")
