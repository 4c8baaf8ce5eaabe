"""Bad village data is refused on every way in: API, admin form, model validation, database."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from tests.villages.adminforms import admin_form_data
from tests.villages.factories import PersonFactory, PostAssignmentFactory, UserFactory
from villages.models import AnnualGrade, Grade, Post, Region, RegionLevel, Role, Village

NEW_CODE = "330681108299"

# (case, changes to a valid new village, the field that must be named)
BAD_VILLAGES = [
    ("duplicate-code", {"code": "330681108201"}, "code"),
    ("code-11-digits", {"code": "33068110829"}, "code"),
    ("code-13-digits", {"code": "3306811082990"}, "code"),
    ("code-with-letter", {"code": "33068110829x"}, "code"),
    ("code-with-spaces", {"code": "330681 08299"}, "code"),
    ("unknown-township", {"township": 987654}, "township"),
    ("county-as-township", {"township": "zhuji"}, "township"),
    ("city-as-township", {"township": "city"}, "township"),
    ("negative-population", {"population": -1}, "population"),
    ("negative-households", {"households": -5}, "households"),
    ("star-rating-6", {"star_rating": 6}, "star_rating"),
    ("negative-income", {"collective_income": "-0.01"}, "collective_income"),
    ("negative-income-per-head", {"income_per_head": "-3"}, "income_per_head"),
    ("unknown-terrain", {"terrain": "desert"}, "terrain"),
]
CASE_IDS = [case for case, _changes, _field in BAD_VILLAGES]


def resolve(world, changes: dict) -> dict:
    """Turn fixture names ("zhuji") into ids, as a client would send them."""
    return {key: getattr(world, value).pk if key == "township" and isinstance(value, str)
            else value for key, value in changes.items()}


def village_body(world, **changes) -> dict:
    body = {"code": NEW_CODE, "name": "新建村", "township": world.fengqiao.pk,
            "population": 1200, "households": 400, "collective_income": "250000.00",
            "income_per_head": "208.33", "star_rating": 3, "terrain": "plain"}
    body.update(resolve(world, changes))
    return body


def village_rows() -> list[tuple]:
    return list(Village.objects.order_by("pk").values_list())


@pytest.fixture
def city_client(world, client):
    client.force_login(world.users["city"])
    return client


# --- API ----------------------------------------------------------------------------------------


def test_valid_village_body_is_accepted(world, city_client):
    # The bad bodies below differ from this one in one field only.
    response = city_client.post("/api/v1/villages/", village_body(world),
                                content_type="application/json")

    assert response.status_code == 201
    assert Village.objects.filter(code=NEW_CODE).exists()


@pytest.mark.parametrize("case, changes, field", BAD_VILLAGES, ids=CASE_IDS)
def test_api_refuses_bad_new_village_naming_the_field(world, city_client, case, changes, field):
    before = village_rows()

    response = city_client.post("/api/v1/villages/", village_body(world, **changes),
                                content_type="application/json")

    assert response.status_code == 400
    assert field in response.json()
    assert all(isinstance(m, str) for m in response.json()[field])
    assert village_rows() == before


@pytest.mark.parametrize("case, changes, field",
                         [c for c in BAD_VILLAGES if c[0] != "duplicate-code"],
                         ids=[c for c in CASE_IDS if c != "duplicate-code"])
def test_api_refuses_bad_change_to_existing_village(world, city_client, case, changes, field):
    before = village_rows()

    response = city_client.patch(f"/api/v1/villages/{world.fq2.pk}/", resolve(world, changes),
                                 content_type="application/json")

    assert response.status_code == 400
    assert field in response.json()
    assert village_rows() == before


def test_api_refuses_code_of_another_village_on_change(world, city_client):
    before = village_rows()

    response = city_client.patch(f"/api/v1/villages/{world.fq2.pk}/", {"code": world.fq1.code},
                                 content_type="application/json")

    assert response.status_code == 400
    assert "code" in response.json()
    assert village_rows() == before


@pytest.mark.parametrize("body", [
    {"population": "many"},
    {"star_rating": "five"},
    {"collective_income": "a lot"},
    {"township": "枫桥镇"},
    {"township": None},
    {"is_active": "perhaps"},
], ids=lambda body: "-".join(f"{k}={v}" for k, v in body.items()))
def test_api_refuses_values_of_the_wrong_type(world, city_client, body):
    before = village_rows()

    response = city_client.patch(f"/api/v1/villages/{world.fq2.pk}/", body,
                                 content_type="application/json")

    assert response.status_code == 400
    assert set(body) <= set(response.json())
    assert village_rows() == before


def test_api_refuses_missing_required_fields(world, city_client):
    response = city_client.post("/api/v1/villages/", {}, content_type="application/json")

    assert response.status_code == 400
    assert {"code", "name", "township"} <= set(response.json())


def test_api_refuses_malformed_json(world, city_client):
    response = city_client.post("/api/v1/villages/", "{not json",
                                content_type="application/json")

    assert response.status_code == 400
    assert "detail" in response.json()


def test_api_refuses_merging_a_village_into_itself(world, city_client):
    before = village_rows()

    response = city_client.patch(f"/api/v1/villages/{world.fq2.pk}/",
                                 {"merged_into": world.fq2.pk, "is_active": False},
                                 content_type="application/json")

    assert response.status_code == 400
    assert "merged_into" in response.json()
    assert village_rows() == before


def test_api_refuses_merged_village_that_stays_active(world, city_client):
    response = city_client.patch(f"/api/v1/villages/{world.fq2.pk}/",
                                 {"merged_into": world.fq1.pk},
                                 content_type="application/json")

    assert response.status_code == 400
    assert "is_active" in response.json()
    assert Village.objects.get(pk=world.fq2.pk).merged_into is None


def test_api_accepts_a_merge_that_deactivates_the_village(world, city_client):
    response = city_client.patch(f"/api/v1/villages/{world.fq2.pk}/",
                                 {"merged_into": world.fq1.pk, "is_active": False},
                                 content_type="application/json")

    assert response.status_code == 200
    assert Village.objects.get(pk=world.fq2.pk).merged_into == world.fq1


def test_api_refuses_merging_into_a_village_outside_scope(world, client):
    client.force_login(world.users["zhuji"])

    response = client.patch(f"/api/v1/villages/{world.fq2.pk}/",
                            {"merged_into": world.bg1.pk, "is_active": False},
                            content_type="application/json")

    assert response.status_code == 400
    assert "merged_into" in response.json()
    assert Village.objects.get(pk=world.fq2.pk).merged_into is None


# --- admin form ---------------------------------------------------------------------------------


@pytest.mark.parametrize("case, changes, field", BAD_VILLAGES, ids=CASE_IDS)
def test_admin_add_form_refuses_bad_village(world, city_client, case, changes, field):
    form = city_client.get("/admin/villages/village/add/")
    body = village_body(world, **changes)
    before = village_rows()

    response = city_client.post("/admin/villages/village/add/", admin_form_data(form, **body))

    assert response.status_code == 200
    assert field in response.context["adminform"].form.errors
    assert village_rows() == before


def test_admin_add_form_saves_a_valid_village(world, city_client):
    form = city_client.get("/admin/villages/village/add/")

    response = city_client.post("/admin/villages/village/add/",
                                admin_form_data(form, **village_body(world)))

    assert response.status_code == 302
    assert Village.objects.get(code=NEW_CODE).township == world.fengqiao


def test_admin_change_form_refuses_merging_a_village_into_itself(world, city_client):
    url = f"/admin/villages/village/{world.fq2.pk}/change/"
    data = admin_form_data(city_client.get(url), merged_into=world.fq2.pk, is_active=None)
    before = village_rows()

    response = city_client.post(url, data)

    assert response.status_code == 200
    assert "merged_into" in response.context["adminform"].form.errors
    assert village_rows() == before


# --- model validation ---------------------------------------------------------------------------


@pytest.mark.parametrize("case, changes, field",
                         [c for c in BAD_VILLAGES if c[0] != "unknown-township"],
                         ids=[c for c in CASE_IDS if c != "unknown-township"])
def test_full_clean_names_the_bad_field(world, case, changes, field):
    values = village_body(world, **changes)
    values["township"] = Region.objects.get(pk=values["township"])
    village = Village(**values)

    with pytest.raises(ValidationError) as error:
        village.full_clean()

    assert field in error.value.message_dict


# --- database constraints -----------------------------------------------------------------------


def saved_with(world, **changes):
    village = Village.objects.get(pk=world.fq2.pk)
    for key, value in changes.items():
        setattr(village, key, value)
    village.save()


@pytest.mark.parametrize("changes", [
    {"code": "33068110820"},
    {"code": "33068110820x"},
    {"star_rating": 6},
    {"collective_income": Decimal("-1")},
    {"income_per_head": Decimal("-0.5")},
    {"population": -1},
    {"terrain": "desert"},
], ids=lambda changes: "-".join(changes))
def test_database_refuses_bad_village_saved_without_validation(world, changes):
    with pytest.raises(IntegrityError), transaction.atomic():
        saved_with(world, **changes)


def test_database_refuses_village_merged_into_itself(world):
    with pytest.raises(IntegrityError), transaction.atomic():
        saved_with(world, merged_into_id=world.fq2.pk, is_active=False)


def test_database_refuses_merged_village_that_stays_active(world):
    with pytest.raises(IntegrityError), transaction.atomic():
        saved_with(world, merged_into=world.fq1, is_active=True)


def test_database_refuses_two_villages_with_one_code(world):
    with pytest.raises(IntegrityError), transaction.atomic():
        Village.objects.create(code=world.fq1.code, name="重码村", township=world.fengqiao)


def test_database_refuses_county_without_parent(world):
    with pytest.raises(IntegrityError), transaction.atomic():
        Region.objects.create(code="330699000000", name="无主县", level=RegionLevel.COUNTY)


def test_database_refuses_city_with_parent(world):
    with pytest.raises(IntegrityError), transaction.atomic():
        Region.objects.create(code="330699000000", name="市中市", level=RegionLevel.CITY,
                              parent=world.city)


def test_database_refuses_unknown_region_level(world):
    with pytest.raises(IntegrityError), transaction.atomic():
        Region.objects.create(code="330699000000", name="省", level="province",
                              parent=world.city)


def test_database_refuses_malformed_region_code(world):
    with pytest.raises(IntegrityError), transaction.atomic():
        Region.objects.create(code="3306990", name="短码县", level=RegionLevel.COUNTY,
                              parent=world.city)


def test_database_refuses_a_second_current_secretary(world):
    PostAssignmentFactory(village=world.fq1, post=Post.SECRETARY, start=date(2021, 3, 1))

    with pytest.raises(IntegrityError), transaction.atomic():
        PostAssignmentFactory(village=world.fq1, post=Post.SECRETARY, start=date(2026, 5, 1))


def test_a_replaced_secretary_leaves_room_for_a_new_one(world):
    PostAssignmentFactory(village=world.fq1, post=Post.SECRETARY, start=date(2021, 3, 1),
                          end=date(2026, 4, 30), end_reason="不胜任现职")

    PostAssignmentFactory(village=world.fq1, post=Post.SECRETARY, start=date(2026, 5, 1))

    assert world.fq1.posts.filter(post=Post.SECRETARY).count() == 2


def test_database_refuses_a_post_ending_before_it_starts(world):
    with pytest.raises(IntegrityError), transaction.atomic():
        PostAssignmentFactory(village=world.fq1, post=Post.RESERVE_CADRE,
                              start=date(2026, 5, 1), end=date(2026, 4, 30))


def test_database_refuses_one_person_holding_the_same_post_twice_at_once(world):
    person = PersonFactory(region=world.fengqiao)
    PostAssignmentFactory(person=person, village=world.fq1, post=Post.COMMITTEE_MEMBER,
                          start=date(2021, 3, 1))

    with pytest.raises(IntegrityError), transaction.atomic():
        PostAssignmentFactory(person=person, village=world.fq1, post=Post.COMMITTEE_MEMBER,
                              start=date(2024, 3, 1))


def test_database_refuses_two_grades_for_one_branch_and_year(world):
    with pytest.raises(IntegrityError), transaction.atomic():
        AnnualGrade.objects.create(branch=world.fq1.party_branch, year=2025, grade=Grade.GOOD)


def test_full_clean_refuses_two_grades_for_one_branch_and_year(world):
    grade = AnnualGrade(branch=world.fq1.party_branch, year=2025, grade=Grade.GOOD)

    with pytest.raises(ValidationError):
        grade.full_clean()


@pytest.mark.parametrize("values", [{"grade": "excellent"}, {"year": 1999}, {"year": 2101}],
                         ids=["grade", "year-1999", "year-2101"])
def test_database_refuses_bad_annual_grade(world, values):
    fields = {"branch": world.fq2.party_branch, "year": 2024, "grade": Grade.GOOD, **values}

    with pytest.raises(IntegrityError), transaction.atomic():
        AnnualGrade.objects.create(**fields)


def test_database_refuses_user_without_role_or_region(world):
    with pytest.raises(IntegrityError), transaction.atomic():
        UserFactory(username="nobody", role="", region=None)


def test_superuser_needs_no_role_or_region(world):
    UserFactory(username="root", role="", region=None, is_superuser=True)


def test_user_clean_refuses_role_at_the_wrong_level(world):
    user = UserFactory.build(username="misplaced", role=Role.TOWNSHIP_OFFICIAL, region=world.zhuji)

    with pytest.raises(ValidationError) as error:
        user.full_clean()

    assert "region" in error.value.message_dict
