"""``load_demo`` at other sizes, on an empty register (no session demo to wipe first)."""

import pytest
from django.contrib.auth import authenticate
from django.core.management.base import CommandError

from rectify.demo.common import DEMO_PASSWORD
from tests.rectify.test_demo_data import load_demo
from villages.models import AnnualGrade, Grade, Region, Village


def test_scaled_demo_has_about_the_requested_villages(db):
    load_demo(villages=300)

    assert 300 <= Village.objects.count() <= 310
    shaoxing_poor = AnnualGrade.objects.filter(
        year=2025, grade=Grade.POOR, branch__village__code__startswith="3306")
    assert shaoxing_poor.count() == round(95 * 300 / 2000)
    for township in ("枫桥镇", "店口镇"):
        assert Region.objects.get(name=township).villages.count() >= 5
    assert authenticate(username="fengqiao", password=DEMO_PASSWORD) is not None


def test_load_demo_refuses_a_tiny_data_set(db):
    with pytest.raises(CommandError):
        load_demo(villages=5)
