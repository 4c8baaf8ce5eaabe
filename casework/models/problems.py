"""Problem types: 软 乱 散 弱 and Yuyao's nine types (九字诀), loaded by a data migration."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


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
