"""Who and where: the region tree, villages, party branches, people in post, users and roles."""

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models, transaction
from django.db.models import F, Q, Value
from django.db.models.functions import Concat, Length, Substr
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

division_code = RegexValidator(
    r"^\d{12}$", _("A statistical division code has exactly 12 digits.")
)


class RegionLevel(models.TextChoices):
    CITY = "city", _("City")
    COUNTY = "county", _("County-level")
    TOWNSHIP = "township", _("Township")


# The level a region's parent must have; a city has none.
PARENT_LEVEL = {
    RegionLevel.CITY: None,
    RegionLevel.COUNTY: RegionLevel.CITY,
    RegionLevel.TOWNSHIP: RegionLevel.COUNTY,
}


class Region(models.Model):
    """One node of city → county-level (县/区/县级市) → township (乡/镇/街道).

    ``path`` is a materialised path of the codes from the root ("330600000000/330681000000/"),
    so a whole subtree at any depth is one ``path LIKE 'prefix%'`` query.
    """

    code = models.CharField(_("division code"), max_length=12, unique=True,
                            validators=[division_code])
    name = models.CharField(_("name"), max_length=50)
    level = models.CharField(_("level"), max_length=10, choices=RegionLevel.choices)
    parent = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True,
                               related_name="children", verbose_name=_("parent region"))
    path = models.CharField(max_length=255, unique=True, editable=False)

    class Meta:
        ordering = ["path"]
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        indexes = [
            models.Index(fields=["path"], name="region_path_prefix",
                         opclasses=["varchar_pattern_ops"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(level__in=RegionLevel.values), name="region_level_valid"
            ),
            models.CheckConstraint(
                condition=(Q(level=RegionLevel.CITY, parent__isnull=True)
                           | (~Q(level=RegionLevel.CITY) & Q(parent__isnull=False))),
                name="region_only_city_is_root",
            ),
            models.CheckConstraint(condition=Q(code__regex=r"^[0-9]{12}$"),
                                   name="region_code_12_digits"),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        new_path = self.computed_path()
        old_path = self.path
        with transaction.atomic():
            self.path = new_path
            super().save(*args, **kwargs)
            if old_path and old_path != new_path:
                # Re-root the subtree in one statement; descendants keep their own tail.
                Region.objects.filter(path__startswith=old_path).exclude(pk=self.pk).update(
                    path=Concat(Value(new_path), Substr(F("path"), len(old_path) + 1))
                )

    def clean(self):
        expected = PARENT_LEVEL.get(self.level)
        parent = self.parent if self.parent_id else None
        if expected is None and parent is not None:
            raise ValidationError({"parent": _("A city has no parent region.")})
        if expected is not None and (parent is None or parent.level != expected):
            raise ValidationError({"parent": _("The parent of a %(level)s must be a %(parent)s.")
                                   % {"level": self.get_level_display(),
                                      "parent": RegionLevel(expected).label}})
        if parent is not None and self.pk and parent.path.startswith(self.path or "\0"):
            raise ValidationError({"parent": _("A region cannot be placed under itself.")})

    def computed_path(self) -> str:
        return (self.parent.path if self.parent_id else "") + f"{self.code}/"

    def subtree(self):
        return Region.objects.filter(path__startswith=self.path)

    def ancestors(self):
        codes = self.path.rstrip("/").split("/")[:-1]
        return Region.objects.filter(code__in=codes).order_by(Length("path"))

    @property
    def county(self):
        """The county-level unit this region lies in (itself for a county), else None."""
        if self.level == RegionLevel.COUNTY:
            return self
        if self.level == RegionLevel.TOWNSHIP:
            return self.parent
        return None


class Terrain(models.TextChoices):
    MOUNTAIN = "mountain", _("Mountain")
    PLAIN = "plain", _("Plain")
    COASTAL = "coastal", _("Coastal")


class VillageQuerySet(models.QuerySet):
    def in_region(self, region: Region):
        # A semi-join on township ids, not a join: the planner can then walk villages in the
        # list's order and stop at the page size instead of sorting the whole subtree.
        return self.filter(township__in=Region.objects.filter(path__startswith=region.path))


class Village(models.Model):
    """An administrative village (行政村)."""

    code = models.CharField(_("division code"), max_length=12, unique=True,
                            validators=[division_code])
    name = models.CharField(_("name"), max_length=50)
    township = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="villages",
                                 limit_choices_to={"level": RegionLevel.TOWNSHIP},
                                 verbose_name=_("township"))
    terrain = models.CharField(_("terrain"), max_length=10, choices=Terrain.choices,
                               default=Terrain.PLAIN)
    population = models.PositiveIntegerField(_("population"), default=0)
    households = models.PositiveIntegerField(_("households"), default=0)
    collective_income = models.DecimalField(
        _("collective disposable income (yuan)"), max_digits=14, decimal_places=2, default=0,
        validators=[MinValueValidator(0)])
    income_per_head = models.DecimalField(
        _("income per head (yuan)"), max_digits=10, decimal_places=2, default=0,
        validators=[MinValueValidator(0)])
    star_rating = models.PositiveSmallIntegerField(
        _("star rating"), default=0, validators=[MaxValueValidator(5)])
    is_active = models.BooleanField(_("active"), default=True)
    merged_into = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="merged_from", verbose_name=_("merged into"))
    history = HistoricalRecords()

    objects = VillageQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        verbose_name = _("village")
        verbose_name_plural = _("villages")
        constraints = [
            models.CheckConstraint(condition=Q(code__regex=r"^[0-9]{12}$"),
                                   name="village_code_12_digits"),
            models.CheckConstraint(condition=Q(star_rating__lte=5), name="village_star_0_5"),
            models.CheckConstraint(condition=Q(collective_income__gte=0),
                                   name="village_income_not_negative"),
            models.CheckConstraint(condition=Q(income_per_head__gte=0),
                                   name="village_income_per_head_not_negative"),
            models.CheckConstraint(condition=Q(terrain__in=Terrain.values),
                                   name="village_terrain_valid"),
            # A village merged away is no longer active, and is never merged into itself.
            models.CheckConstraint(
                condition=Q(merged_into__isnull=True) | (Q(is_active=False)
                                                        & ~Q(merged_into=F("id"))),
                name="village_merged_is_inactive",
            ),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        errors = {}
        if self.township_id and self.township.level != RegionLevel.TOWNSHIP:
            errors["township"] = _("A village belongs to a township, not to a %(level)s.") % {
                "level": self.township.get_level_display()}
        if self.merged_into_id:
            if self.merged_into_id == self.pk:
                errors["merged_into"] = _("A village cannot be merged into itself.")
            elif self.is_active:
                errors["is_active"] = _("A village merged into another is no longer active.")
        if errors:
            raise ValidationError(errors)

    @property
    def county(self):
        return self.township.parent


class BranchKind(models.TextChoices):
    BRANCH = "branch", _("Party branch (党支部)")
    GENERAL_BRANCH = "general_branch", _("General party branch (党总支)")
    COMMITTEE = "committee", _("Party committee (党委)")


class PartyBranch(models.Model):
    """The village's party organization (村党组织). Its secretary is a PostAssignment."""

    village = models.OneToOneField(Village, on_delete=models.PROTECT, related_name="party_branch",
                                   verbose_name=_("village"))
    name = models.CharField(_("name"), max_length=80)
    kind = models.CharField(_("kind"), max_length=20, choices=BranchKind.choices,
                            default=BranchKind.BRANCH)
    member_count = models.PositiveIntegerField(_("party members"), default=0)
    founded = models.DateField(_("founded"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["village__code"]
        verbose_name = _("party branch")
        verbose_name_plural = _("party branches")
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=BranchKind.values),
                                   name="branch_kind_valid"),
        ]

    def __str__(self):
        return self.name


class Grade(models.TextChoices):
    GOOD = "good", _("Good (好)")
    FAIRLY_GOOD = "fairly_good", _("Fairly good (较好)")
    AVERAGE = "average", _("Average (一般)")
    POOR = "poor", _("Poor (较差)")


class AnnualGradeQuerySet(models.QuerySet):
    def latest_year(self) -> int | None:
        return self.aggregate(year=models.Max("year"))["year"]


class AnnualGrade(models.Model):
    """The annual grade (定级) of a party branch. 较差 (poor) makes a backward village."""

    branch = models.ForeignKey(PartyBranch, on_delete=models.PROTECT, related_name="grades",
                               verbose_name=_("party branch"))
    year = models.PositiveSmallIntegerField(
        _("year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)])
    grade = models.CharField(_("grade"), max_length=12, choices=Grade.choices)
    graded_on = models.DateField(_("graded on"), null=True, blank=True)
    history = HistoricalRecords()

    objects = AnnualGradeQuerySet.as_manager()

    class Meta:
        ordering = ["-year"]
        verbose_name = _("annual grade")
        verbose_name_plural = _("annual grades")
        constraints = [
            models.UniqueConstraint(fields=["branch", "year"], name="grade_once_per_branch_year"),
            models.CheckConstraint(condition=Q(grade__in=Grade.values), name="grade_valid"),
            models.CheckConstraint(condition=Q(year__gte=2000, year__lte=2100),
                                   name="grade_year_range"),
        ]
        indexes = [models.Index(fields=["year", "grade"], name="grade_year_grade")]

    def __str__(self):
        return f"{self.branch} {self.year} {self.get_grade_display()}"


class Gender(models.TextChoices):
    MALE = "male", _("Male")
    FEMALE = "female", _("Female")


class Person(models.Model):
    """A cadre, party member or reserve: anyone who holds a post in or for a village."""

    name = models.CharField(_("name"), max_length=40)
    gender = models.CharField(_("gender"), max_length=6, choices=Gender.choices, blank=True)
    birth_year = models.PositiveSmallIntegerField(
        _("birth year"), null=True, blank=True,
        validators=[MinValueValidator(1920), MaxValueValidator(2015)])
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    employer = models.CharField(_("employer or unit"), max_length=100, blank=True)
    is_party_member = models.BooleanField(_("party member"), default=True)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="people",
                               verbose_name=_("home region"))
    history = HistoricalRecords()

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("person")
        verbose_name_plural = _("people")

    def __str__(self):
        return self.name


class Post(models.TextChoices):
    SECRETARY = "secretary", _("Secretary (书记)")
    COMMITTEE_MEMBER = "committee_member", _("Committee member (委员)")
    FIRST_SECRETARY = "first_secretary", _("First secretary sent down (第一书记)")
    RESERVE_CADRE = "reserve_cadre", _("Reserve cadre (后备干部)")
    SECRETARY_RESERVE = "secretary_reserve", _("Secretary reserve (书记后备人选)")
    STATIONED_INSTRUCTOR = "stationed_instructor", _("Stationed instructor (驻村指导员)")


class PostAssignmentQuerySet(models.QuerySet):
    def current(self, on=None):
        on = on or timezone.localdate()
        return self.filter(Q(start__lte=on), Q(end__isnull=True) | Q(end__gte=on))


class PostAssignment(models.Model):
    """A person holding a post in a village between two dates; ``end`` empty means current.

    Replacements are rows too: the old secretary's post ends with a reason, a new one starts.
    """

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="posts",
                               verbose_name=_("person"))
    village = models.ForeignKey(Village, on_delete=models.PROTECT, related_name="posts",
                                verbose_name=_("village"))
    post = models.CharField(_("post"), max_length=24, choices=Post.choices)
    start = models.DateField(_("start"))
    end = models.DateField(_("end"), null=True, blank=True)
    end_reason = models.CharField(_("reason for ending"), max_length=200, blank=True)
    history = HistoricalRecords()

    objects = PostAssignmentQuerySet.as_manager()

    class Meta:
        ordering = ["village", "post", "-start"]
        verbose_name = _("post assignment")
        verbose_name_plural = _("post assignments")
        constraints = [
            models.CheckConstraint(condition=Q(end__isnull=True) | Q(end__gte=F("start")),
                                   name="post_ends_after_start"),
            models.CheckConstraint(condition=Q(post__in=Post.values), name="post_valid"),
            models.UniqueConstraint(fields=["village"],
                                    condition=Q(post=Post.SECRETARY, end__isnull=True),
                                    name="one_current_secretary_per_village"),
            models.UniqueConstraint(fields=["person", "village", "post"],
                                    condition=Q(end__isnull=True),
                                    name="post_not_held_twice_at_once"),
        ]
        indexes = [models.Index(fields=["village", "post", "end"], name="post_village_current")]

    def __str__(self):
        return f"{self.person} · {self.get_post_display()} · {self.village}"

    def clean(self):
        if self.end and self.start and self.end < self.start:
            raise ValidationError({"end": _("A post cannot end before it starts.")})


class TownshipPostKind(models.TextChoices):
    DEPUTY_SECRETARY = "deputy_secretary", _("Deputy secretary of the township party committee")
    ORGANIZATION_MEMBER = "organization_member", _("Organization committee member")
    COUNTY_ORGANIZER = "county_organizer", _("County organizer (组织员) for the township")


class TownshipPost(models.Model):
    """A person in a township-level post: the people called to a talk (约谈) under the Shangyu
    rule. ``end`` empty means current."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="township_posts",
                               verbose_name=_("person"))
    township = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="posts",
                                 limit_choices_to={"level": RegionLevel.TOWNSHIP},
                                 verbose_name=_("township"))
    post = models.CharField(_("post"), max_length=24, choices=TownshipPostKind.choices)
    start = models.DateField(_("start"))
    end = models.DateField(_("end"), null=True, blank=True)
    history = HistoricalRecords()

    objects = PostAssignmentQuerySet.as_manager()

    class Meta:
        ordering = ["township", "post", "-start"]
        verbose_name = _("township post")
        verbose_name_plural = _("township posts")
        constraints = [
            models.CheckConstraint(condition=Q(end__isnull=True) | Q(end__gte=F("start")),
                                   name="township_post_ends_after_start"),
            models.CheckConstraint(condition=Q(post__in=TownshipPostKind.values),
                                   name="township_post_valid"),
            models.UniqueConstraint(fields=["township", "post"], condition=Q(end__isnull=True),
                                    name="one_current_holder_per_township_post"),
        ]

    def __str__(self):
        return f"{self.person} · {self.get_post_display()} · {self.township}"


class Role(models.TextChoices):
    CITY_STAFF = "city_staff", _("City organization department staff")
    COUNTY_STAFF = "county_staff", _("County organization department staff")
    TOWNSHIP_OFFICIAL = "township_official", _("Township party committee official")
    HELPER = "helper", _("Helper (help team, paired cadre, instructor)")
    API_CLIENT = "api_client", _("Read-only API client")
    AUDITOR = "auditor", _("Auditor (read-only)")


# The region level each role is anchored at; None means any level.
ROLE_LEVEL = {
    Role.CITY_STAFF: RegionLevel.CITY,
    Role.COUNTY_STAFF: RegionLevel.COUNTY,
    Role.TOWNSHIP_OFFICIAL: RegionLevel.TOWNSHIP,
    Role.HELPER: None,
    Role.API_CLIENT: None,
    Role.AUDITOR: None,
}


class User(AbstractUser):
    """A login. What it may see and write is decided in ``villages/scoping.py`` alone."""

    role = models.CharField(_("role"), max_length=20, choices=Role.choices, blank=True)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, null=True, blank=True,
                               related_name="users", verbose_name=_("region"))
    person = models.OneToOneField(Person, on_delete=models.SET_NULL, null=True, blank=True,
                                  related_name="user", verbose_name=_("person"))
    assigned_villages = models.ManyToManyField(
        Village, blank=True, related_name="helpers", verbose_name=_("assigned villages"),
        help_text=_("For helpers: the villages they work in."))

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            # Everyone but a superuser has a role and a region; without them nothing is visible.
            models.CheckConstraint(
                condition=Q(is_superuser=True) | (~Q(role="") & Q(region__isnull=False)),
                name="user_has_role_and_region",
            ),
            models.CheckConstraint(condition=Q(role="") | Q(role__in=Role.values),
                                   name="user_role_valid"),
        ]

    def clean(self):
        super().clean()
        if self.is_superuser:
            return
        if not self.role:
            raise ValidationError({"role": _("Choose a role.")})
        if not self.region_id:
            raise ValidationError({"region": _("Choose the region this user works in.")})
        expected = ROLE_LEVEL.get(self.role)
        if expected and self.region.level != expected:
            raise ValidationError({"region": _("A %(role)s works at %(level)s level.") % {
                "role": self.get_role_display(), "level": RegionLevel(expected).label}})


# Lineage (mergers, splits, 撤乡并镇) lives in its own module; its models are part of this app.
from villages.models.lineage import (  # noqa: E402, F401
    LineageEvent,
    LineageKind,
    LineageLink,
    LineageRole,
)
