"""Demo points (积分制): today's six rules for every county, a second version of 新昌县's visit
rule (+2 from 2026-01, as if the county had changed it), a rule of 新昌县's own recorded by hand,
the monthly postings of 2026 as the task would have made them, one hand-recorded entry and one
correction (a reversing entry with its reason).

Postings are idempotent and the extras are made only once, so a second ``load_demo`` adds
nothing."""

from datetime import datetime, time

from django.contrib.auth import get_user_model
from django.utils import timezone

from casework import points, points_posting
from casework.models import Pairing, PairingKind, PointsEntry, PointsRule, PointsSource
from core.periods import Month
from villages.models import Region

FIRST = Month(2026, 1)
XINCHANG = "330624000000"


def _xinchang_rules(xinchang: Region, actor) -> None:
    if PointsRule.objects.filter(county=xinchang, code=PointsSource.VISIT_MONTH,
                                 version=2).exists():
        return
    # History as it stands after the county's change last winter: version 1 ended, 2 began.
    PointsRule.objects.filter(county=xinchang, code=PointsSource.VISIT_MONTH,
                              effective_until__isnull=True).update(
        effective_until=FIRST.start)
    PointsRule.objects.create(
        county=xinchang, code=PointsSource.VISIT_MONTH, derived_from=PointsSource.VISIT_MONTH,
        label="当月到结对村走访（每月至少一次）", points=2, version=2,
        effective_from=FIRST.start, created_by=actor)
    PointsRule.objects.create(
        county=xinchang, code="commendation", derived_from=PointsSource.MANUAL,
        label="获县级以上表彰", points=5, effective_from=FIRST.start, created_by=actor)


def _post(first: Month, last: Month) -> None:
    """What the monthly task would have posted for ``first`` … ``last`` (the past only)."""
    latest = Month.containing(timezone.localdate()).previous()
    month = first
    while month <= min(last, latest):
        ran = timezone.make_aware(datetime.combine(month.next_start(), time(2, 0)))
        points_posting.post_month(month=month, now=ran)
        month = Month.containing(month.next_start())


def _hand_entries(xinchang: Region, actor) -> None:
    rule = PointsRule.objects.filter(county=xinchang, code="commendation").first()
    cadre = (Pairing.objects.filter(kind=PairingKind.LEADER, village__township__parent=xinchang)
             .select_related("village__township", "partner_person")
             .order_by("village__code").first())
    if rule and cadre and not PointsEntry.objects.filter(code="commendation").exists():
        points.record_entry(actor=actor, rule=rule, person=cadre.partner_person,
                            village=cadre.village, period="2026-06",
                            reason="获评县级优秀结对帮扶干部")
    if PointsEntry.objects.filter(reverses__isnull=False).exists():
        return
    wrong = (PointsEntry.objects.filter(code=PointsSource.LEDGER_OVERDUE,
                                        village__township__parent__code="330681000000")
             .select_related("village__township")
             .order_by("village__code", "period", "person__name", "ledger_item__number").first())
    if wrong is not None:
        points.reverse_entry(actor=actor, entry=wrong,
                             reason="该问题已于到期前提交销号材料，逾期系录入延迟，予以更正")


def build_points(builder, *, first: Month = FIRST, last: Month | None = None) -> None:
    """Rules, then the postings of ``first`` … ``last`` (default: up to last month), then —
    on the call that posts the latest months — the hand-recorded entry and the correction."""
    actor = get_user_model().objects.filter(username="city").first()
    if actor is None:
        return
    points.ensure_default_rules()
    xinchang = Region.objects.filter(code=XINCHANG).first()
    if xinchang is not None:
        _xinchang_rules(xinchang, actor)
    _post(first, last or Month(2100, 12))
    if xinchang is not None and last is None:
        _hand_entries(xinchang, actor)

