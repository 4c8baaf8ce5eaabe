"""The named questions of ``villages/scoping.py`` that pages and APIs ask, user by user.

Written out by hand (as in test_scoping_matrix.py) so a change nobody meant shows up here; and
the ``{% may %}`` template tag asks the same questions.
"""

import pytest
from django.template import Context, Template, TemplateSyntaxError

from tests.villages.factories import UserFactory
from villages import scoping

USERS = ("city", "zhuji", "shangyu", "fengqiao", "diankou", "helper", "api", "auditor")
STAFF = {"city", "zhuji", "shangyu"}


def expect(allowed: set[str]):
    return [(user, user in allowed) for user in USERS]


@pytest.mark.parametrize("username, allowed",
                         expect(STAFF | {"fengqiao", "diankou", "helper"}))
def test_everyone_but_the_readers_may_write_something(world, username, allowed):
    assert scoping.can_write_anything(world.users[username]) is allowed


@pytest.mark.parametrize("username, allowed", expect(STAFF | {"auditor"}))
def test_staff_and_the_auditor_see_rating_completeness(world, username, allowed):
    assert scoping.can_view_completeness(world.users[username]) is allowed


@pytest.mark.parametrize("username, allowed", expect(STAFF))
def test_only_staff_grant_lock_exceptions(world, username, allowed):
    assert scoping.can_grant_lock_exceptions(world.users[username]) is allowed


@pytest.mark.parametrize("username, allowed", expect({"city", "zhuji"}))
def test_the_county_over_a_township_grants_it_a_lock_exception(world, username, allowed):
    assert scoping.can_grant_lock_exception(world.users[username], world.fengqiao) is allowed


@pytest.mark.parametrize("username, allowed", expect(STAFF))
def test_only_staff_build_publish_or_correct_bulletins(world, username, allowed):
    assert scoping.can_manage_any_bulletins(world.users[username]) is allowed


@pytest.mark.parametrize("username, allowed", expect({"city", "zhuji"}))
def test_the_staff_over_a_county_name_its_tracking_people(world, username, allowed):
    assert scoping.can_assign_tracking_in(world.users[username], world.zhuji) is allowed


@pytest.mark.parametrize("username, allowed", expect(STAFF | {"fengqiao", "diankou"}))
def test_staff_and_township_officials_upload_scores(world, username, allowed):
    assert scoping.can_upload_scores(world.users[username]) is allowed


@pytest.mark.parametrize("username, allowed", expect({"fengqiao", "diankou"}))
def test_a_township_official_rates_only_their_own_township(world, username, allowed):
    assert scoping.rates_own_township_only(world.users[username]) is allowed


@pytest.mark.parametrize("username, allowed", expect(STAFF | {"fengqiao", "diankou"}))
def test_the_may_tag_asks_scoping(world, username, allowed):
    rendered = Template('{% load scoping %}{% may "open_cases" as ok %}{{ ok }}').render(
        Context({"user": world.users[username]}))

    assert rendered == str(allowed)


def test_the_may_tag_passes_the_objects_it_is_given(world):
    template = Template('{% load scoping %}{% may "see_region" region as ok %}{{ ok }}')

    assert template.render(Context({"user": world.users["fengqiao"],
                                    "region": world.zhuji})) == "False"
    assert template.render(Context({"user": world.users["zhuji"],
                                    "region": world.zhuji})) == "True"


def test_the_may_tag_refuses_a_question_scoping_does_not_have(world):
    with pytest.raises(TemplateSyntaxError):
        Template('{% load scoping %}{% may "rule_the_world" as ok %}').render(
            Context({"user": world.users["city"]}))


@pytest.mark.parametrize("username, linked", [("zhuji", True), ("fengqiao", False)])
def test_the_village_page_links_the_county_only_for_who_may_see_it(world, login, username,
                                                                    linked):
    page = login(username).get(f"/villages/{world.fq1.pk}/").content.decode()

    assert (f'href="/regions/{world.zhuji.pk}/"' in page) is linked


@pytest.mark.parametrize("username, other, allowed", [
    ("city", "fengqiao", True), ("zhuji", "fengqiao", True), ("zhuji", "shangyu", False),
    ("zhuji", "zhuji", True), ("shangyu", "fengqiao", False), ("fengqiao", "diankou", False),
    ("auditor", "fengqiao", False),
])
def test_staff_edit_the_accounts_in_their_region(world, username, other, allowed):
    assert scoping.can_edit_user(world.users[username], world.users[other]) is allowed


@pytest.mark.parametrize("question", ["can_grant_privileges", "can_delete_records",
                                      "can_manage_problem_types"])
@pytest.mark.parametrize("username", USERS)
def test_privileges_deletion_and_problem_types_are_for_a_superuser_only(world, username,
                                                                        question):
    assert getattr(scoping, question)(world.users[username]) is False


def test_a_superuser_may_all_of_them(world):
    root = UserFactory(username="root", is_superuser=True, is_staff=True)

    assert all(getattr(scoping, question)(root) for question in (
        "can_grant_privileges", "can_delete_records", "can_manage_problem_types",
        "can_write_anything", "can_view_completeness", "can_grant_lock_exceptions",
        "can_manage_any_bulletins", "can_upload_scores"))
    assert scoping.can_edit_user(root, world.users["city"])
    assert scoping.can_grant_lock_exception(root, world.fengqiao)
    assert not scoping.rates_own_township_only(root)
