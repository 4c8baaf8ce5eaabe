"""Approved quarters per county: recorded when a county's last evaluation of a quarter is
approved, revoked when the county reopens one. Only an approved quarter's tiers move the warning
roster, and each county's counts for that county alone (``roster.py``)."""

from datetime import datetime

from django.db.models import Count, Q

from core.periods import Quarter
from earlywarning import roster
from earlywarning.models import Evaluation, EvaluationStatus, QuarterApproval
from villages.models import Region


def record(*, actor, counties: list[int], quarter: Quarter, now: datetime) -> list[Region]:
    """For each county whose every evaluation of ``quarter`` is now approved: record the
    approval (once) and let its class-3 villages join the current roster. Returns them."""
    complete = [row["county"] for row in Evaluation.objects.filter(
        county__in=counties, quarter=str(quarter)).values("county").annotate(
        total=Count("pk"), approved=Count("pk", filter=Q(status=EvaluationStatus.APPROVED)))
        .order_by() if row["total"] == row["approved"]]
    already = set(QuarterApproval.objects.filter(
        county__in=complete, quarter=str(quarter), revoked_at__isnull=True)
        .values_list("county_id", flat=True))
    approved = list(Region.objects.filter(pk__in=set(complete) - already).order_by("code"))
    QuarterApproval.objects.bulk_create([QuarterApproval(
        county=county, quarter=str(quarter), approved_at=now, approved_by=actor)
        for county in approved])
    for county in approved:
        roster.note_approved_quarter(county=county, quarter=str(quarter), now=now)
    return approved


def revoke(*, actor, county_id: int, quarter: str, reason: str, now: datetime) -> int:
    """A county reopened an evaluation of ``quarter``: the quarter no longer counts for it (the
    rosters already made keep what they were made from)."""
    return QuarterApproval.objects.filter(
        county_id=county_id, quarter=quarter, revoked_at__isnull=True).update(
        revoked_at=now, revoked_by=actor, revoke_reason=reason)


def latest_approved(county_ids=None) -> dict[int, str]:
    """Each county's latest approved quarter in force now."""
    approvals = QuarterApproval.objects.filter(revoked_at__isnull=True)
    if county_ids is not None:
        approvals = approvals.filter(county__in=county_ids)
    latest: dict[int, str] = {}
    for county, quarter in approvals.values_list("county_id", "quarter").order_by("quarter"):
        latest[county] = quarter
    return latest
