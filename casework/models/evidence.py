"""Uploaded evidence: files proving a ledger item solved or a case closed."""

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

# Uploaded evidence lives under MEDIA_ROOT and has no URL: it can only be streamed by a view
# that has checked the caller's scope, never fetched by guessing a path. No location is fixed
# here, so the storage follows MEDIA_ROOT (and tests' overrides of it).
_evidence_storage = FileSystemStorage()


def evidence_storage():
    return _evidence_storage


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
