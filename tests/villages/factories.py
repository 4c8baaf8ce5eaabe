"""factory_boy factories for villages/, and ``World``: two counties, three townships, users."""

from dataclasses import dataclass

import factory
from django.contrib.auth import get_user_model

from villages.models import (
    AnnualGrade,
    Grade,
    PartyBranch,
    Person,
    Post,
    PostAssignment,
    Region,
    RegionLevel,
    Role,
    Village,
)

PASSWORD = "test-pass-2026"


class RegionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Region
        django_get_or_create = ["code"]

    level = RegionLevel.CITY
    parent = None
    code = factory.Sequence(lambda n: f"{330000 + n:06d}000000")
    name = factory.Sequence(lambda n: f"区域{n}")


class VillageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Village

    code = factory.Sequence(lambda n: f"{n:012d}")
    name = factory.Sequence(lambda n: f"村{n}")
    township = None
    population = 1000
    households = 330


class PartyBranchFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PartyBranch

    village = factory.SubFactory(VillageFactory)
    name = factory.LazyAttribute(lambda b: f"{b.village.name}党支部")
    member_count = 40


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    name = factory.Sequence(lambda n: f"干部{n}")


class PostAssignmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PostAssignment

    person = factory.SubFactory(PersonFactory, region=factory.SelfAttribute("..village.township"))
    post = Post.SECRETARY
    start = factory.Faker("date_between", start_date="-5y", end_date="-1y")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def saved(obj, create, extracted, **kwargs):
        if create:
            obj.save()


def make_village(township: Region, *, grade: str | None = None, year: int = 2025, **kwargs):
    village = VillageFactory(township=township, **kwargs)
    branch = PartyBranchFactory(village=village)
    if grade:
        AnnualGrade.objects.create(branch=branch, year=year, grade=grade)
    return village


@dataclass
class World:
    """绍兴市 → 诸暨市 (枫桥镇, 店口镇) and 上虞市 (百官街道), two villages each, one user a role.

    The other-region objects are what cross-region tests reach for.
    """

    city: Region
    zhuji: Region
    shangyu: Region
    fengqiao: Region
    diankou: Region
    baiguan: Region
    fq1: Village
    fq2: Village
    dk1: Village
    dk2: Village
    bg1: Village
    bg2: Village
    users: dict

    @classmethod
    def create(cls) -> "World":
        city = RegionFactory(code="330600000000", name="绍兴市", level=RegionLevel.CITY)
        zhuji = RegionFactory(code="330681000000", name="诸暨市", level=RegionLevel.COUNTY,
                              parent=city)
        shangyu = RegionFactory(code="330682000000", name="上虞市", level=RegionLevel.COUNTY,
                                parent=city)
        fengqiao = RegionFactory(code="330681108000", name="枫桥镇",
                                 level=RegionLevel.TOWNSHIP, parent=zhuji)
        diankou = RegionFactory(code="330681105000", name="店口镇",
                                level=RegionLevel.TOWNSHIP, parent=zhuji)
        baiguan = RegionFactory(code="330682001000", name="百官街道",
                                level=RegionLevel.TOWNSHIP, parent=shangyu)
        villages = {
            "fq1": make_village(fengqiao, code="330681108201", name="枫源村", grade=Grade.POOR),
            "fq2": make_village(fengqiao, code="330681108202", name="栎桥村", grade=Grade.GOOD),
            "dk1": make_village(diankou, code="330681105201", name="湖西村", grade=Grade.POOR),
            "dk2": make_village(diankou, code="330681105202", name="紫草坞村"),
            "bg1": make_village(baiguan, code="330682001201", name="五星村", grade=Grade.POOR),
            "bg2": make_village(baiguan, code="330682001202", name="新河村"),
        }
        roles = {
            "city": (Role.CITY_STAFF, city, True),
            "zhuji": (Role.COUNTY_STAFF, zhuji, True),
            "shangyu": (Role.COUNTY_STAFF, shangyu, True),
            "fengqiao": (Role.TOWNSHIP_OFFICIAL, fengqiao, False),
            "diankou": (Role.TOWNSHIP_OFFICIAL, diankou, False),
            "helper": (Role.HELPER, fengqiao, False),
            "api": (Role.API_CLIENT, city, False),
            "auditor": (Role.AUDITOR, zhuji, False),
        }
        users = {
            name: UserFactory(username=name, role=role, region=region, is_staff=staff)
            for name, (role, region, staff) in roles.items()
        }
        users["helper"].assigned_villages.add(villages["fq1"])
        return cls(city=city, zhuji=zhuji, shangyu=shangyu, fengqiao=fengqiao, diankou=diankou,
                   baiguan=baiguan, users=users, **villages)

    def ids(self) -> dict:
        return {"regions": {name: getattr(self, name).pk for name in REGIONS},
                "villages": {name: getattr(self, name).pk for name in VILLAGES},
                "users": {name: user.pk for name, user in self.users.items()}}

    @classmethod
    def fetch(cls, ids: dict) -> "World":
        """The world ``create()`` built, read back as new objects (three queries), with the
        related objects cached as ``create()`` leaves them: a village's township and branch,
        a region's parent, a user's region."""
        regions = Region.objects.in_bulk(ids["regions"].values())
        for region in regions.values():
            if region.parent_id is not None:
                region.parent = regions[region.parent_id]
        villages = Village.objects.select_related("party_branch").in_bulk(
            ids["villages"].values())
        for village in villages.values():
            village.township = regions[village.township_id]
        users = get_user_model().objects.in_bulk(ids["users"].values())
        for user in users.values():
            user.region = regions[user.region_id]
        return cls(**{name: regions[pk] for name, pk in ids["regions"].items()},
                   **{name: villages[pk] for name, pk in ids["villages"].items()},
                   users={name: users[pk] for name, pk in ids["users"].items()})


REGIONS = ("city", "zhuji", "shangyu", "fengqiao", "diankou", "baiguan")
VILLAGES = ("fq1", "fq2", "dk1", "dk2", "bg1", "bg2")
