"""The rectification work (整顿转化): cases, problem types, campaigns, help teams, pairings,
visits, projects, instructor days, personnel measures and the 挂牌销号 ledger.

Records of the work are evidence of what the county did: every foreign key is PROTECT, and
nothing here is deleted by any surface (ledger items least of all). Writes go through the
domain modules (``cases.py``, ``ledger.py``, ``teams.py``, ``pairing.py``).
"""

from decimal import Decimal

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

MONTH_REGEX = r"^[0-9]{4}-(0[1-9]|1[0-2])$"
month_validator = RegexValidator(MONTH_REGEX, _("A month looks like 2026-11."))


# Uploaded evidence lives under MEDIA_ROOT and has no URL: it can only be streamed by a view
# that has checked the caller's scope, never fetched by guessing a path. No location is fixed
# here, so the storage follows MEDIA_ROOT (and tests' overrides of it).
_evidence_storage = FileSystemStorage()


def evidence_storage():
    return _evidence_storage


# --- Classification ---------------------------------------------------------------------------


class ProblemGroup(models.TextChoices):
    CLASSIFICATION = "classification", _("Classification (软乱散弱)")
    YUYAO = "yuyao", _("Yuyao's nine types (九字诀)")


class ProblemType(models.Model):
    """A kind of problem a backward village has: 软 乱 散 弱, or one of Yuyao's nine types with
    the word of its remedy (调 督 议 扶 疏 蹲 激 包 育). Loaded by a data migration."""

    code = models.SlugField(_("code"), max_length=30, unique=True)
    group = models.CharField(_("group"), max_length=20, choices=ProblemGroup.choices)
    name = models.CharField(_("name"), max_length=30)
    word = models.CharField(_("word"), max_length=2)
    remedy = models.CharField(_("remedy"), max_length=200, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["group", "order"]
        verbose_name = _("problem type")
        verbose_name_plural = _("problem types")
        constraints = [
            models.CheckConstraint(condition=Q(group__in=ProblemGroup.values),
                                   name="problem_type_group_valid"),
            models.UniqueConstraint(fields=["group", "word"], name="problem_type_word_unique"),
        ]

    def __str__(self):
        return f"{self.word} {self.name}"


# --- Evidence ---------------------------------------------------------------------------------


def evidence_path(instance, filename):
    # The stored name never uses the uploader's file name: it cannot climb out of the folder
    # or collide with another upload.
    return f"evidence/{instance.village_id}/{instance.sha256[:2]}/{instance.sha256}{instance.ext}"


class EvidenceFile(models.Model):
    """An uploaded file proving a ledger item solved or a case closed."""

    village = models.ForeignKey("villages.Village", on_delete=models.PROTECT,
                                related_name="evidence_files", verbose_name=_("village"))
    file = models.FileField(_("file"), storage=evidence_storage, upload_to=evidence_path,
                            max_length=200)
    original_name = models.CharField(_("original name"), max_length=200)
    content_type = models.CharField(_("content type"), max_length=100)
    ext = models.CharField(max_length=10)
    size = models.PositiveIntegerField(_("size in bytes"))
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    related_name="+", verbose_name=_("uploaded by"))
    uploaded_at = models.DateTimeField(_("uploaded at"))

    class Meta:
        ordering = ["-uploaded_at"]
        verbose_name = _("evidence file")
        verbose_name_plural = _("evidence files")
        constraints = [
            models.CheckConstraint(condition=Q(size__gt=0), name="evidence_not_empty"),
        ]

    def __str__(self):
        return self.original_name


# --- Campaigns and cases ----------------------------------------------------------------------


class Campaign(models.Model):
    """A concentrated rectification drive, e.g. 余姚市's 百日集中整转 with an 80% target."""

    region = models.ForeignKey("villages.Region", on_delete=models.PROTECT,
                               related_name="campaigns", verbose_name=_("region"))
    name = models.CharField(_("name"), max_length=80)
    start = models.DateField(_("start"))
    end = models.DateField(_("end"))
    target_share = models.DecimalField(
        _("target share moved up"), max_digits=3, decimal_places=2, default=Decimal("0.80"),
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(Decimal("1"))],
        help_text=_("Share of the campaign's cases that should move up, e.g. 0.80."))
    history = HistoricalRecords()

    class Meta:
        ordering = ["-start", "name"]
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        constraints = [
            models.CheckConstraint(condition=Q(end__gt=F("start")), name="campaign_ends_after"),
            models.CheckConstraint(condition=Q(target_share__gt=0, target_share__lte=1),
                                   name="campaign_target_share_range"),
            models.UniqueConstraint(fields=["region", "name", "start"],
                                    name="campaign_unique_name_start"),
        ]

    def __str__(self):
        return self.name

    @property
    def days(self) -> int:
        return (self.end - self.start).days


class CaseSource(models.TextChoices):
    GRADE = "grade", _("Annual grade 较差")
    TIER = "tier", _("Class-3 tier")
    RATING = "rating", _("Red rating")


class CaseStatus(models.TextChoices):
    OPENED = "opened", _("Opened")
    RECTIFYING = "rectifying", _("Rectifying")
    MOVED_UP = "moved_up", _("Moved up")
    NOT_MOVED_UP = "not_moved_up", _("Not moved up")
    CLOSED = "closed", _("Closed")


class Outcome(models.TextChoices):
    MOVED_UP = "moved_up", _("Moved up")
    NOT_MOVED_UP = "not_moved_up", _("Not moved up")


class Method(models.TextChoices):
    WARNING = "warning", _("Early warning (预警式)")
    CLASSIFICATION = "classification", _("Classification (分类式)")
    TEAM = "team", _("Help team (组团式)")
    PAIRING = "pairing", _("Pairing (结对式)")
    SPECIAL = "special", _("Special action (专项式)")


OPEN_CASE_STATUSES = (CaseStatus.OPENED, CaseStatus.RECTIFYING, CaseStatus.MOVED_UP,
                      CaseStatus.NOT_MOVED_UP)


class Case(models.Model):
    """One backward village's rectification (整顿转化), within a campaign or on its own."""

    village = models.ForeignKey("villages.Village", on_delete=models.PROTECT,
                                related_name="cases", verbose_name=_("village"))
    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="cases", verbose_name=_("campaign"))
    source = models.CharField(_("opened from"), max_length=10, choices=CaseSource.choices)
    status = models.CharField(_("status"), max_length=14, choices=CaseStatus.choices,
                              default=CaseStatus.OPENED)
    problem_types = models.ManyToManyField(ProblemType, blank=True, related_name="cases",
                                           verbose_name=_("problem types"))
    methods = models.JSONField(_("methods used"), default=list, blank=True)
    responsible_leader = models.ForeignKey(
        "villages.Person", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("responsible leader"))
    tracking_person = models.ForeignKey(
        "villages.Person", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("tracking person"))
    summary = models.TextField(_("situation"), blank=True)
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                  related_name="+", verbose_name=_("opened by"))
    opened_at = models.DateTimeField(_("opened at"))
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                     null=True, blank=True, related_name="+",
                                     verbose_name=_("confirmed by"))
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=14, choices=Outcome.choices, blank=True)
    outcome_at = models.DateTimeField(_("outcome recorded at"), null=True, blank=True)
    closing_note = models.TextField(_("closing note"), blank=True)
    closing_evidence = models.ForeignKey(EvidenceFile, on_delete=models.PROTECT, null=True,
                                         blank=True, related_name="+",
                                         verbose_name=_("closing evidence"))
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True,
                                  blank=True, related_name="+", verbose_name=_("closed by"))
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-opened_at"]
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        constraints = [
            models.UniqueConstraint(fields=["village", "campaign"],
                                    name="case_once_per_village_campaign"),
            # NULL never equals NULL in a unique index: without a campaign, one open case.
            models.UniqueConstraint(fields=["village"],
                                    condition=Q(campaign__isnull=True) & ~Q(status="closed"),
                                    name="case_one_open_without_campaign"),
            models.CheckConstraint(condition=Q(status__in=CaseStatus.values),
                                   name="case_status_valid"),
            models.CheckConstraint(condition=Q(source__in=CaseSource.values),
                                   name="case_source_valid"),
            models.CheckConstraint(condition=Q(outcome="") | Q(outcome__in=Outcome.values),
                                   name="case_outcome_valid"),
            # Only the county's confirmation lets rectification start.
            models.CheckConstraint(
                condition=Q(status=CaseStatus.OPENED) | Q(confirmed_at__isnull=False),
                name="case_confirmed_before_work"),
            models.CheckConstraint(
                condition=~Q(status__in=[CaseStatus.MOVED_UP, CaseStatus.NOT_MOVED_UP])
                | Q(outcome=F("status")),
                name="case_outcome_matches_status"),
            models.CheckConstraint(
                condition=~Q(status=CaseStatus.CLOSED) | (
                    ~Q(outcome="") & ~Q(closing_note="") & Q(closing_evidence__isnull=False)
                    & Q(closed_by__isnull=False) & Q(closed_at__isnull=False)),
                name="case_closed_with_outcome_and_evidence"),
        ]
        indexes = [models.Index(fields=["status"], name="case_status")]

    def __str__(self):
        return f"{self.village} · {self.get_status_display()}"

    @property
    def is_open(self) -> bool:
        return self.status != CaseStatus.CLOSED


class CaseMeasure(models.Model):
    """One line of the one-village-one-policy plan (一村一策)."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="measures",
                             verbose_name=_("case"))
    problem_type = models.ForeignKey(ProblemType, on_delete=models.PROTECT, null=True,
                                     blank=True, related_name="+",
                                     verbose_name=_("problem type"))
    description = models.CharField(_("measure"), max_length=300)
    owner = models.CharField(_("owner"), max_length=60)
    due = models.DateField(_("due date"))
    done = models.BooleanField(_("done"), default=False)
    done_on = models.DateField(_("done on"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["due", "id"]
        verbose_name = _("plan measure")
        verbose_name_plural = _("plan measures")
        constraints = [
            models.CheckConstraint(condition=Q(done=False, done_on__isnull=True)
                                   | Q(done=True, done_on__isnull=False),
                                   name="measure_done_has_date"),
            models.CheckConstraint(condition=~Q(description="") & ~Q(owner=""),
                                   name="measure_has_text_and_owner"),
        ]

    def __str__(self):
        return self.description


# --- Help teams (组团式) -----------------------------------------------------------------------


class HelpTeamStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    DISSOLVED = "dissolved", _("Dissolved")


class HelpTeam(models.Model):
    """A help team (帮扶团队) of leaders, departments and enterprises for a group of villages."""

    county = models.ForeignKey("villages.Region", on_delete=models.PROTECT,
                               related_name="help_teams", verbose_name=_("county"))
    name = models.CharField(_("name"), max_length=80)
    lead = models.ForeignKey("villages.Person", on_delete=models.PROTECT, related_name="+",
                             verbose_name=_("team lead"))
    formed_on = models.DateField(_("formed on"))
    status = models.CharField(_("status"), max_length=10, choices=HelpTeamStatus.choices,
                              default=HelpTeamStatus.ACTIVE)
    dissolved_on = models.DateField(_("dissolved on"), null=True, blank=True)
    villages = models.ManyToManyField("villages.Village", through="HelpTeamVillage",
                                      related_name="help_teams", verbose_name=_("villages"))
    history = HistoricalRecords()

    class Meta:
        ordering = ["county", "name"]
        verbose_name = _("help team")
        verbose_name_plural = _("help teams")
        constraints = [
            models.UniqueConstraint(fields=["county", "name"], name="help_team_name_unique"),
            models.CheckConstraint(condition=Q(status__in=HelpTeamStatus.values),
                                   name="help_team_status_valid"),
            models.CheckConstraint(
                condition=Q(status=HelpTeamStatus.ACTIVE, dissolved_on__isnull=True)
                | Q(status=HelpTeamStatus.DISSOLVED, dissolved_on__isnull=False),
                name="help_team_dissolved_has_date"),
        ]

    def __str__(self):
        return self.name


class HelpTeamVillage(models.Model):
    """分片包干: each village is covered by one team."""

    team = models.ForeignKey(HelpTeam, on_delete=models.PROTECT, related_name="assignments",
                             verbose_name=_("help team"))
    village = models.ForeignKey("villages.Village", on_delete=models.PROTECT,
                                related_name="help_team_assignments", verbose_name=_("village"))

    class Meta:
        verbose_name = _("village of a help team")
        verbose_name_plural = _("villages of help teams")
        constraints = [
            models.UniqueConstraint(fields=["village"], name="village_in_one_help_team"),
        ]

    def __str__(self):
        return f"{self.team} · {self.village}"


class TeamRole(models.TextChoices):
    RESPONSIBLE = "responsible", _("Responsible person")
    MEMBER = "member", _("Member")
    LIAISON = "liaison", _("Liaison")


class HelpTeamMember(models.Model):
    team = models.ForeignKey(HelpTeam, on_delete=models.PROTECT, related_name="members",
                             verbose_name=_("help team"))
    person = models.ForeignKey("villages.Person", on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("person"))
    role = models.CharField(_("role"), max_length=12, choices=TeamRole.choices)
    unit = models.CharField(_("unit"), max_length=80, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["team", "role", "id"]
        verbose_name = _("help team member")
        verbose_name_plural = _("help team members")
        constraints = [
            models.UniqueConstraint(fields=["team", "person"], name="team_member_once"),
            models.CheckConstraint(condition=Q(role__in=TeamRole.values),
                                   name="team_member_role_valid"),
        ]

    def __str__(self):
        return f"{self.person} · {self.get_role_display()}"


class CoordinationMeeting(models.Model):
    team = models.ForeignKey(HelpTeam, on_delete=models.PROTECT, related_name="meetings",
                             verbose_name=_("help team"))
    date = models.DateField(_("date"))
    attendees = models.ManyToManyField("villages.Person", blank=True, related_name="+",
                                       verbose_name=_("attendees"))
    decisions = models.TextField(_("decisions"))
    history = HistoricalRecords()

    class Meta:
        ordering = ["-date"]
        verbose_name = _("coordination meeting")
        verbose_name_plural = _("coordination meetings")
        constraints = [
            models.CheckConstraint(condition=~Q(decisions=""), name="meeting_has_decisions"),
        ]

    def __str__(self):
        return f"{self.team} {self.date}"


# --- Pairing (结对式) --------------------------------------------------------------------------


class PairingKind(models.TextChoices):
    LEADER = "leader", _("Leader ↔ village")
    DEPARTMENT = "department", _("Department ↔ village")
    STRONG_VILLAGE = "strong_village", _("Strong village ↔ weak village")
    ENTERPRISE = "enterprise", _("Enterprise ↔ village")
    INSTRUCTOR = "instructor", _("Stationed instructor ↔ village")


PERSON_KINDS = (PairingKind.LEADER, PairingKind.INSTRUCTOR)
NAMED_KINDS = (PairingKind.DEPARTMENT, PairingKind.ENTERPRISE)


class Pairing(models.Model):
    """A partner paired with a (weak) village: a person, a department, a strong village or an
    enterprise, for a period, with its commitments."""

    kind = models.CharField(_("kind"), max_length=16, choices=PairingKind.choices)
    village = models.ForeignKey("villages.Village", on_delete=models.PROTECT,
                                related_name="pairings", verbose_name=_("village"))
    partner_person = models.ForeignKey("villages.Person", on_delete=models.PROTECT, null=True,
                                       blank=True, related_name="pairings",
                                       verbose_name=_("paired person"))
    partner_village = models.ForeignKey("villages.Village", on_delete=models.PROTECT, null=True,
                                        blank=True, related_name="pairings_as_partner",
                                        verbose_name=_("paired strong village"))
    partner_name = models.CharField(_("paired department or enterprise"), max_length=100,
                                    blank=True)
    start = models.DateField(_("start"))
    end = models.DateField(_("end"), null=True, blank=True)
    commitments = models.TextField(_("commitments"), blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["village", "kind", "start"]
        verbose_name = _("pairing")
        verbose_name_plural = _("pairings")
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=PairingKind.values),
                                   name="pairing_kind_valid"),
            models.CheckConstraint(condition=Q(end__isnull=True) | Q(end__gte=F("start")),
                                   name="pairing_ends_after_start"),
            models.CheckConstraint(
                condition=(Q(kind__in=PERSON_KINDS, partner_person__isnull=False)
                           | Q(kind=PairingKind.STRONG_VILLAGE, partner_village__isnull=False)
                           | (Q(kind__in=NAMED_KINDS) & ~Q(partner_name=""))),
                name="pairing_partner_matches_kind"),
            models.CheckConstraint(
                condition=Q(partner_village__isnull=True) | ~Q(partner_village=F("village")),
                name="pairing_not_with_itself"),
        ]
        indexes = [models.Index(fields=["kind", "village"], name="pairing_kind_village")]

    def __str__(self):
        return f"{self.partner_label} ↔ {self.village}"

    @property
    def partner_label(self) -> str:
        if self.partner_person_id:
            return str(self.partner_person)
        if self.partner_village_id:
            return str(self.partner_village)
        return self.partner_name


class Visit(models.Model):
    """A visit to a village by a paired leader, a team member or an instructor."""

    village = models.ForeignKey("villages.Village", on_delete=models.PROTECT,
                                related_name="visits", verbose_name=_("village"))
    pairing = models.ForeignKey(Pairing, on_delete=models.PROTECT, null=True, blank=True,
                                related_name="visits", verbose_name=_("pairing"))
    visitor = models.CharField(_("who"), max_length=60)
    date = models.DateField(_("date"))
    purpose = models.TextField(_("what was done"))
    logged_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                  related_name="+", verbose_name=_("logged by"))
    history = HistoricalRecords()

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name = _("visit")
        verbose_name_plural = _("visits")
        constraints = [
            models.CheckConstraint(condition=~Q(visitor="") & ~Q(purpose=""),
                                   name="visit_has_who_and_what"),
        ]
        indexes = [models.Index(fields=["pairing", "date"], name="visit_pairing_date")]

    def __str__(self):
        return f"{self.visitor} {self.date} {self.village}"


class ProjectKind(models.TextChoices):
    WELFARE = "welfare", _("Welfare project (惠民工程)")
    CO_BUILT = "co_built", _("Co-built project")


class ProjectStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    IN_PROGRESS = "in_progress", _("In progress")
    COMPLETED = "completed", _("Completed")


class Project(models.Model):
    village = models.ForeignKey("villages.Village", on_delete=models.PROTECT,
                                related_name="projects", verbose_name=_("village"))
    pairing = models.ForeignKey(Pairing, on_delete=models.PROTECT, null=True, blank=True,
                                related_name="projects", verbose_name=_("pairing"))
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=10, choices=ProjectKind.choices,
                            default=ProjectKind.WELFARE)
    partner = models.CharField(_("partner"), max_length=100, blank=True)
    funds = models.DecimalField(_("funds (yuan)"), max_digits=14, decimal_places=2,
                                default=Decimal("0"), validators=[MinValueValidator(0)])
    status = models.CharField(_("status"), max_length=12, choices=ProjectStatus.choices,
                              default=ProjectStatus.PLANNED)
    history = HistoricalRecords()

    class Meta:
        ordering = ["village", "name"]
        verbose_name = _("project")
        verbose_name_plural = _("projects")
        constraints = [
            models.CheckConstraint(condition=Q(funds__gte=0), name="project_funds_not_negative"),
            models.CheckConstraint(condition=Q(kind__in=ProjectKind.values),
                                   name="project_kind_valid"),
            models.CheckConstraint(condition=Q(status__in=ProjectStatus.values),
                                   name="project_status_valid"),
        ]

    def __str__(self):
        return self.name


class InstructorDays(models.Model):
    """Days a stationed instructor (驻村指导员) spent in the village in one month (goal ≥ 20)."""

    person = models.ForeignKey("villages.Person", on_delete=models.PROTECT,
                               related_name="instructor_days", verbose_name=_("instructor"))
    village = models.ForeignKey("villages.Village", on_delete=models.PROTECT,
                                related_name="instructor_days", verbose_name=_("village"))
    month = models.CharField(_("month"), max_length=7, validators=[month_validator])
    days = models.PositiveSmallIntegerField(_("days in village"),
                                            validators=[MaxValueValidator(31)])
    logged_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                  null=True, blank=True, related_name="+",
                                  verbose_name=_("logged by"))
    history = HistoricalRecords()

    class Meta:
        ordering = ["-month", "village"]
        verbose_name = _("instructor days")
        verbose_name_plural = _("instructor days")
        constraints = [
            models.UniqueConstraint(fields=["person", "village", "month"],
                                    name="instructor_days_once_per_month"),
            models.CheckConstraint(condition=Q(days__gte=0, days__lte=31),
                                   name="instructor_days_0_31"),
            models.CheckConstraint(condition=Q(month__regex=MONTH_REGEX),
                                   name="instructor_days_month_format"),
        ]
        indexes = [models.Index(fields=["month", "village"], name="instructor_days_month")]

    def __str__(self):
        return f"{self.person} {self.month}: {self.days}"


# --- Personnel measures ------------------------------------------------------------------------


class MeasureKind(models.TextChoices):
    SECRETARY_REPLACED = "secretary_replaced", _("Secretary replaced")
    MEMBER_REPLACED = "member_replaced", _("Committee member replaced")
    FIRST_SECRETARY_SENT = "first_secretary_sent", _("First secretary sent")
    ADMONITION_TALK = "admonition_talk", _("Admonition talk (诫勉谈话)")
    RESERVE_CADRE_ADDED = "reserve_cadre_added", _("Reserve cadre added")
    AUDIT = "audit", _("Audit")


class PersonnelMeasure(models.Model):
    """A measure about people (调: replacements, talks; 育: reserves), tied to the foundation's
    people and posts."""

    village = models.ForeignKey("villages.Village", on_delete=models.PROTECT,
                                related_name="personnel_measures", verbose_name=_("village"))
    case = models.ForeignKey(Case, on_delete=models.PROTECT, null=True, blank=True,
                             related_name="personnel_measures", verbose_name=_("case"))
    kind = models.CharField(_("kind"), max_length=24, choices=MeasureKind.choices)
    person = models.ForeignKey("villages.Person", on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("person"))
    post = models.ForeignKey("villages.PostAssignment", on_delete=models.PROTECT, null=True,
                             blank=True, related_name="+", verbose_name=_("post"))
    date = models.DateField(_("date"))
    note = models.CharField(_("note"), max_length=300, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-date"]
        verbose_name = _("personnel measure")
        verbose_name_plural = _("personnel measures")
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=MeasureKind.values),
                                   name="personnel_measure_kind_valid"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} · {self.person}"


class HouseholdContact(models.Model):
    """包: a party member's responsibility zone; each member contacts at least 10 households."""

    village = models.ForeignKey("villages.Village", on_delete=models.PROTECT,
                                related_name="household_contacts", verbose_name=_("village"))
    member = models.ForeignKey("villages.Person", on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("party member"))
    households = models.PositiveSmallIntegerField(_("households contacted"))
    history = HistoricalRecords()

    class Meta:
        ordering = ["village", "member"]
        verbose_name = _("household contact zone")
        verbose_name_plural = _("household contact zones")
        constraints = [
            models.UniqueConstraint(fields=["village", "member"], name="household_zone_once"),
            models.CheckConstraint(condition=Q(households__gte=0),
                                   name="household_zone_not_negative"),
        ]

    def __str__(self):
        return f"{self.member}: {self.households}"


# --- Ledger (挂牌销号) -------------------------------------------------------------------------


class LedgerStatus(models.TextChoices):
    LISTED = "listed", _("Listed (挂牌)")
    IN_PROGRESS = "in_progress", _("In progress (整改中)")
    STRUCK_OFF = "struck_off", _("Struck off (销号)")


class LedgerItem(models.Model):
    """One problem on a village's rectification ledger (整转工作台帐). Never deleted: struck off
    only when solved, with the resolution, the evidence and who verified it."""

    village = models.ForeignKey("villages.Village", on_delete=models.PROTECT,
                                related_name="ledger_items", verbose_name=_("village"))
    number = models.PositiveIntegerField(_("number"))
    case = models.ForeignKey(Case, on_delete=models.PROTECT, null=True, blank=True,
                             related_name="ledger_items", verbose_name=_("case"))
    problem = models.CharField(_("problem"), max_length=300)
    problem_type = models.ForeignKey(ProblemType, on_delete=models.PROTECT,
                                     related_name="ledger_items", verbose_name=_("type"))
    responsible = models.CharField(_("responsible person"), max_length=60)
    due = models.DateField(_("due date"))
    status = models.CharField(_("status"), max_length=12, choices=LedgerStatus.choices,
                              default=LedgerStatus.LISTED)
    overdue = models.BooleanField(_("overdue"), default=False,
                                  help_text=_("Flagged daily for items past their due date."))
    listed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                  related_name="+", verbose_name=_("listed by"))
    listed_at = models.DateTimeField(_("listed at"))
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    resolution = models.TextField(_("resolution"), blank=True)
    evidence = models.ForeignKey(EvidenceFile, on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="ledger_items", verbose_name=_("evidence"))
    verified_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    null=True, blank=True, related_name="+",
                                    verbose_name=_("verified by"))
    struck_off_at = models.DateTimeField(_("struck off at"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["village", "number"]
        verbose_name = _("ledger item")
        verbose_name_plural = _("ledger items")
        constraints = [
            models.UniqueConstraint(fields=["village", "number"],
                                    name="ledger_item_number_per_village"),
            models.CheckConstraint(condition=Q(status__in=LedgerStatus.values),
                                   name="ledger_status_valid"),
            models.CheckConstraint(condition=~Q(problem="") & ~Q(responsible=""),
                                   name="ledger_item_has_problem_and_responsible"),
            # 问题解决一项、销号一项: struck off exactly when resolved, proven and verified.
            models.CheckConstraint(
                condition=(~Q(status=LedgerStatus.STRUCK_OFF) & Q(struck_off_at__isnull=True))
                | (Q(status=LedgerStatus.STRUCK_OFF) & ~Q(resolution="")
                   & Q(evidence__isnull=False) & Q(verified_by__isnull=False)
                   & Q(struck_off_at__isnull=False)),
                name="ledger_struck_off_needs_proof"),
            models.CheckConstraint(
                condition=Q(status=LedgerStatus.LISTED) | Q(started_at__isnull=False),
                name="ledger_started_has_time"),
            models.CheckConstraint(
                condition=~Q(status=LedgerStatus.STRUCK_OFF) | Q(overdue=False),
                name="ledger_struck_off_not_overdue"),
        ]
        indexes = [
            models.Index(fields=["status", "due"], name="ledger_status_due"),
            models.Index(fields=["overdue", "status"], name="ledger_overdue"),
        ]

    def __str__(self):
        return f"{self.village} #{self.number} {self.problem}"
