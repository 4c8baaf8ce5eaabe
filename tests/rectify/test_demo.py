"""The demo shows every figure of the report's rectification work, and loads only once."""

from django.db.models import Count

from casework.models import (
    Campaign,
    Case,
    EvidenceFile,
    HelpTeam,
    InstructorDays,
    LedgerItem,
    LedgerStatus,
    Pairing,
    PairingKind,
    Project,
)
from rectify.demo.villages import DemoBuilder
from villages.models import AnnualGrade, Grade


def counts():
    return (Case.objects.count(), LedgerItem.objects.count(), Pairing.objects.count(),
            HelpTeam.objects.count(), EvidenceFile.objects.count())


def test_demo_builds_the_rectification_work_at_the_reports_scale(demo_data, evidence_root):

    backward = AnnualGrade.objects.filter(year=2025, grade=Grade.POOR).count()
    assert Case.objects.count() == backward > 0
    assert HelpTeam.objects.filter(county__name="嵊州市").count() == 17
    strong = Pairing.objects.filter(kind=PairingKind.STRONG_VILLAGE,
                                    village__township__parent__name="新昌县")
    assert strong.count() == 14
    assert not strong.exclude(partner_village__star_rating=5).exists()
    assert Project.objects.filter(pairing__kind=PairingKind.ENTERPRISE, funds__gt=0).exists()
    assert InstructorDays.objects.filter(days__lt=20).exists()
    assert InstructorDays.objects.filter(days__gte=20).exists()
    statuses = dict(LedgerItem.objects.values_list("status").annotate(n=Count("pk")))
    assert statuses[LedgerStatus.LISTED] and statuses[LedgerStatus.STRUCK_OFF]
    struck = LedgerItem.objects.filter(status=LedgerStatus.STRUCK_OFF).select_related(
        "evidence")
    for item in struck[:5]:
        assert (evidence_root / item.evidence.file.name).read_bytes()[:4] in (b"%PDF",
                                                                              b"\x89PNG")
    campaign = Campaign.objects.get(name="百日集中整转", region__name="余姚市")
    assert (campaign.end - campaign.start).days == 100
    cases = campaign.cases.count()
    moved = campaign.cases.filter(outcome="moved_up").count()
    assert cases and abs(moved / cases - 0.8) <= 0.1

    before = counts()
    DemoBuilder().build()
    assert counts() == before
