"""Factories for rectify/ and a small rectification world on top of ``tests.villages`` World."""

import io
from dataclasses import dataclass
from datetime import date

import factory
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from casework.models import (
    Campaign,
    Case,
    CaseSource,
    CaseStatus,
    HelpTeam,
    LedgerItem,
    Pairing,
    PairingKind,
    ProblemType,
)
from tests.villages.factories import PersonFactory

PDF = b"%PDF-1.4\n% evidence\n%%EOF\n"
PNG = bytes.fromhex("89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489"
                    "0000000d49444154789c6360000002000185d4d0c60000000049454e44ae426082")


def pdf_upload(name="验收材料.pdf", content=PDF):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def exe_upload(name="virus.exe"):
    return SimpleUploadedFile(name, b"MZ\x90\x00" + b"\x00" * 64,
                              content_type="application/octet-stream")


def renamed_exe_upload():
    return SimpleUploadedFile("looks-like.pdf", b"MZ\x90\x00" + b"\x00" * 64,
                              content_type="application/pdf")


def big_pdf_upload(size):
    return SimpleUploadedFile("big.pdf", PDF + b"0" * size, content_type="application/pdf")


def multipart_file(content=PDF, name="验收材料.pdf"):
    handle = io.BytesIO(content)
    handle.name = name
    return handle


def problem(code="soft") -> ProblemType:
    return ProblemType.objects.get(code=code)


class CampaignFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Campaign

    name = "百日集中整转"
    start = date(2026, 7, 1)
    end = date(2026, 10, 9)


class CaseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Case

    source = CaseSource.GRADE
    status = CaseStatus.RECTIFYING
    opened_at = factory.LazyFunction(timezone.now)
    confirmed_at = factory.LazyFunction(timezone.now)
    outcome = ""
    # "Moved up" needs data or the county's reason (case_moved_up_shown_by_data_or_reason).
    outcome_override_reason = factory.LazyAttribute(
        lambda case: "县委组织部研判晋位" if case.outcome == "moved_up" else "")


class LedgerItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LedgerItem

    number = factory.Sequence(lambda n: n + 1)
    problem = "三务公开不及时"
    problem_type = factory.LazyFunction(lambda: problem("scattered"))
    responsible = "村党支部书记"
    due = date(2026, 12, 31)
    listed_at = factory.LazyFunction(timezone.now)


@dataclass
class WorkWorld:
    """Open cases for the backward villages fq1 (枫桥镇), dk1 (店口镇), bg1 (上虞市), one
    ledger item each, a leader pairing for each and a help team in 诸暨市."""

    cases: dict
    items: dict
    pairings: dict
    team: HelpTeam

    @classmethod
    def create(cls, world) -> "WorkWorld":
        cases, items, pairings = {}, {}, {}
        for key in ("fq1", "dk1", "bg1"):
            village = getattr(world, key)
            staff = world.users["shangyu" if key == "bg1" else "zhuji"]
            cases[key] = CaseFactory(village=village, opened_by=staff, confirmed_by=staff)
            cases[key].problem_types.set([problem("soft")])
            items[key] = LedgerItemFactory(village=village, case=cases[key], listed_by=staff,
                                           number=1)
            leader = PersonFactory(region=village.township.parent, name=f"领导{key}")
            pairings[key] = Pairing.objects.create(kind=PairingKind.LEADER, village=village,
                                                   partner_person=leader,
                                                   start=date(2026, 3, 1))
        lead = PersonFactory(region=world.zhuji, name="团长")
        team = HelpTeam.objects.create(county=world.zhuji, name="诸暨第一帮扶团队", lead=lead,
                                       formed_on=date(2026, 3, 1))
        team.assignments.create(village=world.fq1)
        return cls(cases=cases, items=items, pairings=pairings, team=team)

    def ids(self) -> dict:
        return {"cases": {key: case.pk for key, case in self.cases.items()},
                "items": {key: item.pk for key, item in self.items.items()},
                "pairings": {key: pairing.pk for key, pairing in self.pairings.items()},
                "team": self.team.pk}

    @classmethod
    def fetch(cls, ids: dict, world) -> "WorkWorld":
        """The work ``create()`` built on ``world``, read back as new objects, with the related
        objects cached as ``create()`` leaves them."""
        cases = Case.objects.in_bulk(ids["cases"].values())
        items = LedgerItem.objects.select_related("problem_type").in_bulk(ids["items"].values())
        pairings = Pairing.objects.select_related("partner_person").in_bulk(
            ids["pairings"].values())
        team = HelpTeam.objects.select_related("lead").get(pk=ids["team"])
        team.county = world.zhuji
        work = cls(cases={key: cases[pk] for key, pk in ids["cases"].items()},
                   items={key: items[pk] for key, pk in ids["items"].items()},
                   pairings={key: pairings[pk] for key, pk in ids["pairings"].items()},
                   team=team)
        for key in ids["cases"]:
            village = getattr(world, key)
            staff = world.users["shangyu" if key == "bg1" else "zhuji"]
            case, item, pairing = work.cases[key], work.items[key], work.pairings[key]
            case.village, case.opened_by, case.confirmed_by = village, staff, staff
            item.village, item.case, item.listed_by = village, case, staff
            pairing.village = village
            pairing.partner_person.region = village.township.parent
        return work
