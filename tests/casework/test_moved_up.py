"""晋位升级 is checked against the data: a case is recorded as "moved up" when the village's color
improved and held for two half-months, its tier in an approved quarter or its annual grade is
better than when the case opened — or, where the data does not show it, with the county's
reason, kept in the case's history."""

from datetime import datetime

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from casework.models import Case, CaseStatus, LedgerItem
from earlywarning.models import RatingStatus, WarningRating
from tests.conftest import SHANGHAI

OPENED = datetime(2026, 10, 5, 9, 0, tzinfo=SHANGHAI)


@pytest.fixture
def case(world, work, time_machine):
    time_machine.move_to(datetime(2026, 11, 20, 10, 0, tzinfo=SHANGHAI), tick=False)
    case = work.cases["fq1"]
    Case.objects.filter(pk=case.pk).update(opened_at=OPENED)
    LedgerItem.objects.filter(case=case).update(case=None)  # no open item in the way
    return Case.objects.get(pk=case.pk)


def rated(village, period, color, by):
    WarningRating.objects.create(village=village, period=period, color=color, reason="整改",
                                 status=RatingStatus.SUBMITTED, rated_by=by,
                                 rated_at=timezone.now(), submitted_at=timezone.now())


def post_outcome(world, case, **extra):
    client = APIClient(HTTP_HOST="127.0.0.1")
    client.force_authenticate(world.users["zhuji"])
    return client.post(f"/api/v1/cases/{case.pk}/outcome/", {"outcome": "moved_up", **extra})


def test_moved_up_without_data_or_reason_is_400_naming_the_reason(world, case):
    response = post_outcome(world, case)
    assert response.status_code == 400
    assert "override_reason" in response.json()
    assert Case.objects.get(pk=case.pk).status == CaseStatus.RECTIFYING


def test_moved_up_shown_by_color_improved_and_held_for_two_half_months(world, case):
    zhuji = world.users["zhuji"]
    rated(world.fq1, "2026-09-H2", "red", zhuji)      # before the case opened
    rated(world.fq1, "2026-10-H2", "yellow", zhuji)
    rated(world.fq1, "2026-11-H1", "green", zhuji)

    assert post_outcome(world, case).status_code == 200
    case.refresh_from_db()
    assert case.status == CaseStatus.MOVED_UP
    assert "2026-10-H2" in case.outcome_evidence and "2026-11-H1" in case.outcome_evidence
    assert case.outcome_override_reason == ""


def test_one_better_half_month_is_not_enough(world, case):
    zhuji = world.users["zhuji"]
    rated(world.fq1, "2026-09-H2", "red", zhuji)
    rated(world.fq1, "2026-10-H2", "red", zhuji)
    rated(world.fq1, "2026-11-H1", "green", zhuji)
    assert post_outcome(world, case).status_code == 400


def test_the_countys_reason_stands_in_for_data_and_stays_in_the_history(world, case):
    response = post_outcome(world, case, override_reason="班子调整到位，群众评议满意")
    assert response.status_code == 200
    case.refresh_from_db()
    assert case.outcome_override_reason == "班子调整到位，群众评议满意"
    assert case.history.filter(outcome_override_reason="班子调整到位，群众评议满意").exists()
