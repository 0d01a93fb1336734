"""The final publication's downloads (banzu.publicity.downloads). The commendation notice is
public once published (a room secretary is outside it: 404); the full results workbook is the
provincial admin's alone; a region's workbook is each recommender's own (the admin names the
region with ?recommender=, so without it the admin finds none: 404).

args() makes an edition of its own (the year before the earliest, as the publicity part does)
with a sealed version that ranks the applicant's 杭州 application 一等奖 and a publicity already
published (stored directly: the demo's own edition is still at its event)."""

from __future__ import annotations

from typing import Any

from banzu.applications.models import Application
from tests.access.matrix_world import edition_before_all, published_publicity, sealed_version

ROWS: dict[str, str] = {
    "publicity:commendation": "200 200 200 200 200 200 200 200 404",
    "publicity:results_xlsx": "login 404 404 404 404 404 404 200 404",
    "publicity:region_xlsx": "login 404 404 200 200 404 404 404 404",
}


def args(users: dict[str, Any]) -> dict[str, dict[str, Any]]:
    admin = users["admin"]
    application = Application.objects.filter(created_by=users["applicant"]).order_by("pk").first()
    assert application is not None
    edition = edition_before_all("矩阵，已公布")
    version = sealed_version(edition, admin, application)
    published_publicity(version, admin, "浙建质协〔矩阵〕1号")
    return {
        "publicity:commendation": {"year": edition.year, "fmt": "pdf"},
        "publicity:results_xlsx": {"year": edition.year},
        "publicity:region_xlsx": {"year": edition.year},
    }
