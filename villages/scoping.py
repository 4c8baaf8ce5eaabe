"""The one place that decides who may see or write what.

Every surface asks here: HTML views, API querysets and permissions, admin querysets and
permissions, exports. A user sees the subtree of their region; nobody sees outside it.

| role              | sees                          | writes                                   |
|-------------------|-------------------------------|------------------------------------------|
| city staff        | the city's subtree            | master data in the subtree; admin        |
| county staff      | the county's subtree          | master data in the subtree; admin        |
| township official | the township's villages       | the township's ratings and ledger items  |
| helper            | assigned villages in region   | their own visits and proposals           |
| API client        | the region's subtree          | nothing                                  |
| auditor           | the region's subtree          | nothing                                  |

Reading rules and write rules are separate functions, so a view can tell "you may not know this
exists" (404) from "you may see it but not change it" (403).
"""

from django.db.models import QuerySet

from villages.models import Person, PostAssignment, Region, RegionLevel, Role, User, Village

STAFF_ROLES = frozenset({Role.CITY_STAFF, Role.COUNTY_STAFF})
READ_ONLY_ROLES = frozenset({Role.API_CLIENT, Role.AUDITOR})


def _active(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


def is_superuser(user) -> bool:
    return _active(user) and user.is_superuser


def scope_region(user) -> Region | None:
    """The root of what the user may see; None for a superuser (everything) or nobody."""
    if not _active(user) or user.is_superuser:
        return None
    return user.region


# --- What a user may see ------------------------------------------------------------------------


def visible_regions(user) -> QuerySet[Region]:
    if is_superuser(user):
        return Region.objects.all()
    region = scope_region(user)
    if region is None:
        return Region.objects.none()
    return Region.objects.filter(path__startswith=region.path)


def visible_villages(user) -> QuerySet[Village]:
    if is_superuser(user):
        return Village.objects.all()
    region = scope_region(user)
    if region is None:
        return Village.objects.none()
    villages = Village.objects.in_region(region)
    if user.role == Role.HELPER:
        villages = villages.filter(helpers=user)
    return villages


def visible_people(user) -> QuerySet[Person]:
    if is_superuser(user):
        return Person.objects.all()
    region = scope_region(user)
    if region is None:
        return Person.objects.none()
    return Person.objects.filter(region__path__startswith=region.path)


def visible_posts(user) -> QuerySet[PostAssignment]:
    return PostAssignment.objects.filter(village__in=visible_villages(user))


def visible_users(user) -> QuerySet[User]:
    if is_superuser(user):
        return User.objects.all()
    region = scope_region(user)
    if region is None or user.role not in STAFF_ROLES:
        return User.objects.filter(pk=user.pk) if _active(user) else User.objects.none()
    return User.objects.filter(region__path__startswith=region.path)


def can_see_village(user, village: Village) -> bool:
    return visible_villages(user).filter(pk=village.pk).exists()


def can_see_region(user, region: Region) -> bool:
    if is_superuser(user):
        return True
    root = scope_region(user)
    return root is not None and region.path.startswith(root.path)


# --- What a user may write ----------------------------------------------------------------------


def is_staff_over(user, region: Region) -> bool:
    """City or county staff whose region contains ``region`` (or a superuser)."""
    if is_superuser(user):
        return True
    return (_active(user) and user.role in STAFF_ROLES and user.region_id is not None
            and region.path.startswith(user.region.path))


def can_manage_master_data(user) -> bool:
    """Create and edit regions, villages, branches, grades, people and posts at all."""
    return is_superuser(user) or (_active(user) and user.role in STAFF_ROLES)


def can_edit_region(user, region: Region) -> bool:
    # A county may edit its townships but not itself or its city; the city edits its counties.
    if is_superuser(user):
        return True
    return is_staff_over(user, region) and region.pk != user.region_id


def can_edit_village(user, village: Village) -> bool:
    return is_staff_over(user, village.township)


def can_place_village_in(user, township: Region) -> bool:
    return is_staff_over(user, township)


def can_work_in_village(user, village: Village) -> bool:
    """Day-to-day work on a village (ratings, ledger items): its own township or above."""
    if is_staff_over(user, village.township):
        return True
    return (_active(user) and user.role == Role.TOWNSHIP_OFFICIAL
            and user.region_id == village.township_id)


def can_edit_person(user, person: Person) -> bool:
    return is_staff_over(user, person.region)


def can_use_admin(user) -> bool:
    return can_manage_master_data(user)


def can_export(user) -> bool:
    # An API client pulls over the API; exports are for people.
    return _active(user) and (user.is_superuser or user.role != Role.API_CLIENT)


def assignable_townships(user) -> QuerySet[Region]:
    """Townships a user may place a village in."""
    if not can_manage_master_data(user):
        return Region.objects.none()
    return visible_regions(user).filter(level=RegionLevel.TOWNSHIP)
