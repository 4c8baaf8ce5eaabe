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

from django.db.models import Q, QuerySet

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


def can_edit_user(user, other: User) -> bool:
    """Change another account: the staff over its region, never a superuser's account."""
    if is_superuser(user):
        return True
    return (other.region_id is not None and not other.is_superuser
            and is_staff_over(user, other.region))


def can_grant_privileges(user) -> bool:
    """Hand out the superuser and staff flags, raw permissions and groups."""
    return is_superuser(user)


def can_delete_records(user) -> bool:
    """Delete in the admin: records are merged, deactivated or struck off instead, so only a
    superuser repairing data may."""
    return is_superuser(user)


def can_manage_problem_types(user) -> bool:
    """The nine problem types (软乱散弱 and Yuyao's words) are the system's, not a region's."""
    return is_superuser(user)


def can_export(user) -> bool:
    # An API client pulls over the API; exports are for people.
    return _active(user) and (user.is_superuser or user.role != Role.API_CLIENT)


def can_write_anything(user) -> bool:
    """Write at all, somewhere: everyone signed in but the readers (API client, auditor). What
    and where is each domain function's own question."""
    return is_superuser(user) or (_active(user) and user.role not in READ_ONLY_ROLES)


def assignable_townships(user) -> QuerySet[Region]:
    """Townships a user may place a village in."""
    if not can_manage_master_data(user):
        return Region.objects.none()
    return visible_regions(user).filter(level=RegionLevel.TOWNSHIP)


# --- Warning ratings ----------------------------------------------------------------------------


def can_enter_ratings(user) -> bool:
    """Township officials rate their township; county and city staff any village below them."""
    return is_superuser(user) or (_active(user) and (
        user.role in STAFF_ROLES or user.role == Role.TOWNSHIP_OFFICIAL))


def rates_own_township_only(user) -> bool:
    """A township official's rating sheet is always their own township's."""
    return _active(user) and not user.is_superuser and user.role == Role.TOWNSHIP_OFFICIAL


def can_view_completeness(user) -> bool:
    """Who sees how completely each township rated: staff and auditors."""
    return is_superuser(user) or (_active(user) and (
        user.role in STAFF_ROLES or user.role == Role.AUDITOR))


def can_grant_lock_exceptions(user) -> bool:
    """Whether to offer lock exceptions at all (per township: ``can_grant_lock_exception``)."""
    return is_superuser(user) or (_active(user) and user.role in STAFF_ROLES)


def can_change_any_roster(user) -> bool:
    """Whether to offer roster changes at all (per village: ``can_change_roster``)."""
    return is_superuser(user) or (_active(user) and user.role in STAFF_ROLES)


def can_change_roster(user, village: Village) -> bool:
    """Add a village to a period's warning roster or remove it: the county (or city) over it."""
    return is_staff_over(user, village.township)


def can_grant_lock_exception(user, township: Region) -> bool:
    return is_staff_over(user, township)


def can_restore_eligibility(user, township: Region) -> bool:
    """Give a township back the award eligibility the Shangyu rule took: its county (or city)."""
    return is_staff_over(user, township)


def can_hold_talks(user, township: Region) -> bool:
    """Record a talk (约谈) with a township's leaders: its county (or city)."""
    return is_staff_over(user, township)


# --- Rectification work ---------------------------------------------------------------------------
# Cases, plans, pairings, help teams and campaigns are the county's (city above it); township
# officials keep their villages' ledgers; helpers log field work (visits, projects, days in
# village) and move ledger items into progress, only in villages assigned to them. Readers
# (API client, auditor) read the rectification work of their region and write nothing.


def visible_by_village(user, queryset: QuerySet, field: str = "village") -> QuerySet:
    """Records that belong to a village are visible exactly when the village is."""
    return queryset.filter(**{f"{field}__in": visible_villages(user)})


def visible_in_subtree(user, queryset: QuerySet, field: str = "township") -> QuerySet:
    """Records of a region in the user's subtree (a township's talks, its eligibility)."""
    if is_superuser(user):
        return queryset
    region = scope_region(user)
    if region is None:
        return queryset.none()
    return queryset.filter(**{f"{field}__path__startswith": region.path})


def visible_in_or_above(user, queryset: QuerySet, field: str = "region") -> QuerySet:
    """Records of a region in the user's subtree, and of the regions above it: a township
    official follows the county's campaign and reads the city's indicator catalogue."""
    if is_superuser(user):
        return queryset
    region = scope_region(user)
    if region is None:
        return queryset.none()
    above = region.path.rstrip("/").split("/")
    return queryset.filter(Q(**{f"{field}__path__startswith": region.path})
                           | Q(**{f"{field}__code__in": above}))


def visible_help_teams(user, teams: QuerySet, covering: QuerySet) -> QuerySet:
    """Teams of a county in scope, and teams covering a village the user can see; a helper sees
    only the teams covering their own villages. ``covering`` is the team-village table."""
    covered = covering.filter(village__in=visible_villages(user)).values("team_id")
    if user_is_helper(user):
        return teams.filter(pk__in=covered)
    return teams.filter(Q(county__in=visible_regions(user)) | Q(pk__in=covered))


def user_is_helper(user) -> bool:
    return _active(user) and not user.is_superuser and user.role == Role.HELPER


def can_open_cases(user) -> bool:
    """Open a case at all: staff, or a township official for their township's villages (the
    county confirms it). Per village: ``can_work_in_village``."""
    return is_superuser(user) or (_active(user) and (
        user.role in STAFF_ROLES or user.role == Role.TOWNSHIP_OFFICIAL))


def can_manage_cases(user, village: Village) -> bool:
    """Open, confirm, plan, advance and close cases: the county (or city) over the village."""
    return is_staff_over(user, village.township)


def can_manage_pairings(user, village: Village) -> bool:
    return is_staff_over(user, village.township)


def can_manage_help_teams(user, county: Region) -> bool:
    return is_staff_over(user, county)


def can_manage_campaigns(user, region: Region) -> bool:
    return is_staff_over(user, region)


def can_list_ledger_items(user, village: Village) -> bool:
    """List and strike off: the village's own township or above (strike-off also verifies)."""
    return can_work_in_village(user, village)


def can_strike_off(user, village: Village) -> bool:
    return can_work_in_village(user, village)


def can_start_ledger_item(user, village: Village) -> bool:
    return can_work_in_village(user, village) or can_log_field_work(user, village)


def can_log_field_work(user, village: Village) -> bool:
    """Visits, projects and instructor days: the township or above, or a helper assigned to
    this very village (a helper's other villages in the same township are not theirs)."""
    if can_work_in_village(user, village):
        return True
    return (user_is_helper(user) and user.region_id is not None
            and village.township.path.startswith(user.region.path)
            and user.assigned_villages.filter(pk=village.pk).exists())


# --- Evaluations ----------------------------------------------------------------------------------
# Quarterly 111-indicator evaluations: everyone reads the evaluations of the villages they see;
# the village's township (or above) enters and submits scores; the county (or city) over the
# village approves, reopens, and names tracking people; indicator catalogues belong to the staff
# of the region they apply to (the city's catalogue to the city, a county's own to the county).


def can_enter_scores(user, village: Village) -> bool:
    """Enter, import and submit scores: the village's own township official or staff above."""
    return can_work_in_village(user, village)


def can_import_scores(user, region: Region) -> bool:
    """Import a score file for every village under ``region``."""
    if is_staff_over(user, region):
        return True
    return (_active(user) and user.role == Role.TOWNSHIP_OFFICIAL
            and user.region_id == region.pk)


def can_approve_evaluations(user, region: Region) -> bool:
    """Approve and reopen: the county (or city) staff over ``region``, never a township."""
    return is_staff_over(user, region)


def can_assign_tracking(user, village: Village) -> bool:
    return can_assign_tracking_in(user, village.township)


def can_assign_tracking_in(user, region: Region) -> bool:
    """Name the tracking people of the warned villages under ``region``: the staff over it."""
    return is_staff_over(user, region)


def can_manage_indicator_sets(user, region: Region) -> bool:
    return is_staff_over(user, region)


def can_upload_scores(user) -> bool:
    """Upload a score file for some region at all (the upload page and its links)."""
    return score_writable_villages(user).exists()


def score_writable_villages(user) -> QuerySet[Village]:
    """Villages whose scores the user may write: staff's subtree or the official's township."""
    if is_superuser(user):
        return Village.objects.all()
    if _active(user) and (user.role in STAFF_ROLES or user.role == Role.TOWNSHIP_OFFICIAL):
        return visible_villages(user)
    return Village.objects.none()


# --- Bulletins ------------------------------------------------------------------------------------
# A bulletin is the county's (or the city's) notice to everyone below it: published bulletins of
# the user's region, of the regions above it and of those inside it are readable by everyone
# signed in there (API clients included); drafts only by the staff who may build and publish.


def can_manage_bulletins(user, region: Region) -> bool:
    """Build, publish and correct: county or city staff over the bulletin's region."""
    return is_staff_over(user, region)


def can_manage_any_bulletins(user) -> bool:
    """Build, publish or correct bulletins somewhere: county or city staff."""
    return can_manage_master_data(user)


def visible_bulletins(user, bulletins: QuerySet, *, published: Q) -> QuerySet:
    """Published bulletins of the user's region, of the regions above it and of those inside it
    (API clients included); drafts only for the staff who may build and publish them."""
    if is_superuser(user):
        return bulletins
    region = scope_region(user)
    if region is None:
        return bulletins.none()
    readable = visible_in_or_above(user, bulletins.filter(published))
    if user.role in STAFF_ROLES:
        return bulletins.filter(Q(pk__in=readable.values("pk"))
                                | Q(region__path__startswith=region.path))
    return readable


# --- Points (积分制) ------------------------------------------------------------------------------
# Points entries are read like the rest of the work: an entry of a village is visible when the
# village is (township officials and helpers see their villages' points). Rules belong to the
# county (city above it); only its staff change them, record points by hand or reverse an entry.


def can_manage_points_rules(user, county: Region) -> bool:
    return is_staff_over(user, county)


def can_correct_points(user, village: Village) -> bool:
    """Record an entry by hand, or reverse a wrong one: the county over the village."""
    return is_staff_over(user, village.township)


# --- Village lineage (mergers, splits, 撤乡并镇) -----------------------------------------------
# A lineage event changes the register of a county: only staff over every village and township
# it touches may make one. Everyone who sees one of its villages reads it.


def can_make_lineage_event(user, regions) -> bool:
    """``regions``: the townships of every village involved, and every township named."""
    regions = list(regions)
    return bool(regions) and all(is_staff_over(user, region) for region in regions)


def visible_lineage_events(user, events: QuerySet, links: QuerySet) -> QuerySet:
    """Events with at least one visible village among ``links`` (the event-village table)."""
    return events.filter(pk__in=links.filter(village__in=visible_villages(user))
                         .values("event_id"))
