"""`manage.py verify_results`: OK per sealed version with its hash, or a failure naming the first
difference (on the world of test_gather)."""

from __future__ import annotations

import io
from decimal import Decimal as D

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from banzu.results.versions import seal
from banzu.scoring.models import ItemScore, ScoreSheet
from tests.results.test_gather import _english, build_results  # noqa: F401


def run(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("verify_results", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.fixture
def sealed(edition, admin_user):
    world = build_results(edition)
    return world, seal(edition, by=admin_user)


def test_verify_results_prints_ok_with_the_hash_of_each_version(sealed, admin_user):
    world, first = sealed
    second = seal(world.edition, by=admin_user, reason="复核：未发现变动")

    out, err = run()

    assert out == f"OK 2026 v1 sha256 {first.sha256}\nOK 2026 v2 sha256 {second.sha256}\n"
    assert err == ""
    assert run("--edition", "2026", "--version", "2")[0] == f"OK 2026 v2 sha256 {second.sha256}\n"


def test_verify_results_fails_naming_a_sheet_whose_total_changed_afterwards(sealed):
    world, _version = sealed
    sheet = ScoreSheet.objects.get(application=world.teams["甲班组"], total=D("90"))
    ScoreSheet.objects.filter(pk=sheet.pk).update(total=D("91"))

    with pytest.raises(CommandError) as failed:
        run()

    assert str(failed.value) == (
        "1 of 1 results versions do not reproduce:\n"
        f'2026 v1: materials sheet {sheet.pk} (甲班组): total is "91.0", "90.0" recorded'
    )


def test_verify_results_fails_naming_a_sheet_whose_item_points_changed(sealed):
    world, _version = sealed
    sheet = ScoreSheet.objects.get(application=world.teams["丙班组"], total=D("80"))
    item = ItemScore.objects.get(sheet=sheet, rubric_item__position=1)
    ItemScore.objects.filter(pk=item.pk).update(points=D("14.5"))

    with pytest.raises(CommandError) as failed:
        run("--edition", "2026")

    assert f"2026 v1: materials sheet {sheet.pk} (丙班组): items is " in str(failed.value)


def test_verify_results_with_no_matching_version_says_so(sealed):
    with pytest.raises(CommandError) as failed:
        run("--version", "3")

    assert str(failed.value) == "No sealed results version matches."
