"""``load_demo``: deterministic, idempotent, and shaped like the Shaoxing report."""

import io

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.core.management.color import no_style
from django.db import connection

from rectify.demo.common import DEMO_PASSWORD
from tests.database import tables_children_first
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
    User,
    Village,
)
from villages.scoping import STAFF_ROLES

pytestmark = pytest.mark.usefixtures("demo_data")

# Tables that describe the schema rather than hold data; a rebuild keeps them.
KEPT_TABLES = {"django_migrations", "django_content_type", "auth_permission", "auth_group",
               "auth_group_permissions", "django_session"}


def wipe_data(migrated: str) -> None:
    """Put the database back to freshly migrated inside the test's transaction.

    Foreign keys are deferred on PostgreSQL and SQLite alike, and the rollback at the end of the
    test brings the module's demo data back.
    """
    tables = set(connection.introspection.django_table_names(only_existing=True)) - KEPT_TABLES
    with connection.cursor() as cursor:
        for sql in connection.ops.sql_flush(no_style(), tables_children_first(tables)):
            cursor.execute(sql)
    connection.creation.deserialize_db_from_string(migrated)


def load_demo(**options) -> str:
    out = io.StringIO()
    call_command("load_demo", stdout=out, **options)
    return out.getvalue()


def snapshot() -> dict:
    """What the demo data says, without database ids."""
    return {
        "regions": list(Region.objects.order_by("code").values_list(
            "code", "name", "level", "parent__code", "path")),
        "villages": list(Village.objects.order_by("code").values_list(
            "code", "name", "township__code", "terrain", "population", "households",
            "collective_income", "income_per_head", "star_rating")),
        "branches": list(PartyBranch.objects.order_by("village__code").values_list(
            "village__code", "name", "kind", "member_count", "founded")),
        "grades": list(AnnualGrade.objects.order_by("branch__village__code", "year").values_list(
            "branch__village__code", "year", "grade")),
        "posts": sorted(PostAssignment.objects.values_list(
            "village__code", "post", "start", "end", "person__name", "person__region__code")),
        "users": list(User.objects.order_by("username").values_list(
            "username", "role", "region__code", "is_staff")),
        "assigned": sorted(User.assigned_villages.through.objects.values_list(
            "user__username", "village__code")),
    }


def counts() -> dict:
    return {model.__name__: model.objects.count()
            for model in (Region, Village, PartyBranch, AnnualGrade, Person, PostAssignment, User)}


def test_default_demo_has_about_2000_villages(db):
    assert 2000 <= Village.objects.count() <= 2010
    assert PartyBranch.objects.count() == Village.objects.count()


def test_demo_is_deterministic_against_a_fresh_rebuild(db, demo_data):
    loaded = snapshot()
    wipe_data(demo_data)
    assert Village.objects.count() == 0

    load_demo()

    rebuilt = snapshot()
    for key in loaded:
        assert rebuilt[key] == loaded[key], key


def test_loading_the_demo_again_creates_nothing(db):
    before_counts, before = counts(), snapshot()

    output = load_demo()

    assert "0 regions, 0 villages, 0 grades, 0 people, 0 posts created" in output
    assert counts() == before_counts
    assert snapshot() == before


def test_95_branches_in_shaoxing_are_graded_poor_in_2025(db):
    poor = AnnualGrade.objects.filter(year=2025, grade=Grade.POOR)

    assert poor.filter(branch__village__code__startswith="3306").count() == 95
    assert AnnualGrade.objects.latest_year() == 2025


def test_every_demo_branch_has_a_grade_for_each_year(db):
    # Villages a split created in 2026 were never graded in the years before they existed.
    graded = PartyBranch.objects.exclude(village__lineage_links__created=True)
    assert PartyBranch.objects.count() - graded.count() == 2
    assert AnnualGrade.objects.count() == 3 * graded.count()


def test_backward_villages_are_weak_ones(db):
    poor = Village.objects.filter(party_branch__grades__year=2025,
                                  party_branch__grades__grade=Grade.POOR)

    assert not poor.filter(collective_income__gt=200_000).exists()


@pytest.mark.parametrize("township", ["枫桥镇", "店口镇"])
def test_the_demo_townships_have_at_least_five_villages(db, township):
    region = Region.objects.get(name=township, parent__name="诸暨市")

    assert region.villages.count() >= 5


def test_every_active_demo_village_has_exactly_one_current_secretary(db):
    current = PostAssignment.objects.filter(post=Post.SECRETARY, end__isnull=True)

    # A village retired by a merger or split has nobody in post any more.
    active = Village.objects.filter(is_active=True).count()
    assert current.count() == active == Village.objects.count() - 2
    assert current.values("village").distinct().count() == active


def test_demo_region_tree_is_consistent(db):
    for region in Region.objects.select_related("parent"):
        region.full_clean()
        assert region.path == region.computed_path()
    assert not Village.objects.exclude(township__level=RegionLevel.TOWNSHIP).exists()
    assert Region.objects.get(code="330681000000").name == "诸暨市"


@pytest.mark.parametrize("username, role, region", [
    ("city", Role.CITY_STAFF, "绍兴市"),
    ("zhuji", Role.COUNTY_STAFF, "诸暨市"),
    ("shangyu", Role.COUNTY_STAFF, "上虞市"),
    ("fengqiao", Role.TOWNSHIP_OFFICIAL, "枫桥镇"),
    ("diankou", Role.TOWNSHIP_OFFICIAL, "店口镇"),
    ("api", Role.API_CLIENT, "绍兴市"),
])
def test_demo_account_signs_in_with_the_documented_role_and_region(db, username, role, region):
    user = authenticate(username=username, password=DEMO_PASSWORD)

    assert user is not None
    assert user.role == role
    assert user.region.name == region
    assert user.region.path.startswith("330600000000/")
    user.full_clean()


def test_only_department_staff_demo_accounts_may_open_the_admin(db):
    for user in User.objects.all():
        assert user.is_staff == (user.role in STAFF_ROLES), user.username
    assert {"city", "zhuji", "shangyu"} <= set(
        User.objects.filter(is_staff=True).values_list("username", flat=True))


def test_demo_accounts_reject_a_wrong_password(db):
    assert authenticate(username="city", password="demo-pass-2025") is None
