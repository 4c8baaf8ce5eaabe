"""Half-monthly three-color warning ratings (三色预警) by township party committees."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.periods import PERIOD_REGEX


class Color(models.TextChoices):
    GREEN = "green", _("Green")
    YELLOW = "yellow", _("Yellow")
    RED = "red", _("Red")


# Lower is better: a move from red (3) to yellow (2) or green (1) is 晋位升级.
COLOR_RANK = {Color.GREEN: 1, Color.YELLOW: 2, Color.RED: 3}


class Movement(models.TextChoices):
    UP = "up", _("Moved up")
    DOWN = "down", _("Moved down")
    SAME = "same", _("Unchanged")
    NEW = "new", _("New")


def movement(previous: str | None, current: str | None) -> str | None:
    if current is None:
        return None
    if previous is None:
        return Movement.NEW
    delta = COLOR_RANK[Color(previous)] - COLOR_RANK[Color(current)]
    return Movement.UP if delta > 0 else Movement.DOWN if delta < 0 else Movement.SAME


class RatingStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")


class WarningRating(models.Model):
    """One village's color for one half-month. Every change is kept in ``history``."""

    village = models.ForeignKey("villages.Village", on_delete=models.PROTECT,
                                related_name="warning_ratings", verbose_name=_("village"))
    period = models.CharField(_("half-month"), max_length=10,
                              help_text=_("Like 2026-11-H1 (1st–15th) or 2026-11-H2."))
    color = models.CharField(_("color"), max_length=6, choices=Color.choices)
    reason = models.TextField(_("reason"), blank=True)
    status = models.CharField(_("status"), max_length=10, choices=RatingStatus.choices,
                              default=RatingStatus.DRAFT)
    rated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                 related_name="+", verbose_name=_("rated by"))
    rated_at = models.DateTimeField(_("rated at"))
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-period", "village__code"]
        verbose_name = _("warning rating")
        verbose_name_plural = _("warning ratings")
        constraints = [
            models.UniqueConstraint(fields=["village", "period"],
                                    name="one_rating_per_village_period"),
            models.CheckConstraint(condition=Q(period__regex=PERIOD_REGEX),
                                   name="rating_period_format"),
            models.CheckConstraint(condition=Q(color__in=Color.values), name="rating_color_valid"),
            models.CheckConstraint(condition=Q(status__in=RatingStatus.values),
                                   name="rating_status_valid"),
            # A submitted red warning always says why (a draft may leave it for later).
            models.CheckConstraint(condition=~Q(color=Color.RED) | ~Q(reason="")
                                   | Q(status=RatingStatus.DRAFT),
                                   name="rating_red_needs_reason"),
            models.CheckConstraint(
                condition=Q(status=RatingStatus.DRAFT) | Q(submitted_at__isnull=False),
                name="rating_submitted_has_time"),
        ]
        indexes = [
            models.Index(fields=["village", "status", "period"], name="rating_village_latest"),
            models.Index(fields=["period", "status"], name="rating_period_status"),
        ]

    def __str__(self):
        return f"{self.village} {self.period} {self.get_color_display()}"


class LockException(models.Model):
    """The county reopens a locked period for one township until ``open_until`` (DHIS2)."""

    township = models.ForeignKey("villages.Region", on_delete=models.PROTECT,
                                 related_name="rating_lock_exceptions",
                                 verbose_name=_("township"))
    period = models.CharField(_("half-month"), max_length=10)
    reason = models.CharField(_("reason"), max_length=300)
    open_until = models.DateField(_("open until"))
    granted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   related_name="+", verbose_name=_("granted by"))
    granted_at = models.DateTimeField(_("granted at"), auto_now_add=True)

    class Meta:
        ordering = ["-granted_at"]
        verbose_name = _("lock exception")
        verbose_name_plural = _("lock exceptions")
        constraints = [
            models.UniqueConstraint(fields=["township", "period"],
                                    name="one_lock_exception_per_township_period"),
            models.CheckConstraint(condition=Q(period__regex=PERIOD_REGEX),
                                   name="lock_exception_period_format"),
            models.CheckConstraint(condition=~Q(reason=""), name="lock_exception_reason"),
        ]

    def __str__(self):
        return f"{self.township} {self.period}"


class Notification(models.Model):
    """An in-app message (reminders about missing ratings); also e-mailed where possible.

    ``key`` makes sending idempotent: a retried reminder task finds its row and sends nothing.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="notifications", verbose_name=_("user"))
    key = models.CharField(max_length=100)
    message = models.CharField(_("message"), max_length=500)
    link = models.CharField(_("link"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="notification_once_per_key"),
        ]
        indexes = [models.Index(fields=["user", "read_at"], name="notification_unread")]

    def __str__(self):
        return self.message
