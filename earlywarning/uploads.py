"""A score file between its preview and its confirmation (the upload page's two steps).

Step 1 keeps the uploaded file under ``MEDIA_ROOT/score-uploads/<token>.upload``, checks it
without storing anything (a dry run of ``imports.import_scores``) and remembers in the user's
session what was checked: region, quarter, file name, replace. Step 2 imports exactly that file
once and forgets it, whatever the outcome. A preview nobody confirms leaves its file behind;
each new upload sweeps away those older than a day.
"""

import time
import uuid
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from core.errors import DomainError
from earlywarning import imports
from earlywarning.models.evaluations import ScoreImport
from villages.models import Region

UPLOAD_DIR = "score-uploads"
UPLOAD_TTL_SECONDS = 24 * 60 * 60


class UploadExpired(DomainError):
    def __init__(self):
        super().__init__(_("That upload has expired; choose the file again."))


def _path(token: str) -> Path:
    return Path(settings.MEDIA_ROOT) / UPLOAD_DIR / f"{token}.upload"


def _session_key(token: str) -> str:
    return f"score-upload-{token}"


def sweep_abandoned() -> None:
    """Previews never confirmed leave their file behind; a day later nobody will confirm."""
    cutoff = time.time() - UPLOAD_TTL_SECONDS
    for stale in (Path(settings.MEDIA_ROOT) / UPLOAD_DIR).glob("*.upload"):
        if stale.stat().st_mtime < cutoff:
            stale.unlink(missing_ok=True)


def preview(*, session, actor, region: Region, quarter: str, upload,
            replace: bool) -> tuple[str, imports.ImportResult]:
    """Keep ``upload`` and check it completely without storing a score; returns the token that
    confirms it and the preview. Raises what ``import_scores`` raises, keeping nothing."""
    token = uuid.uuid4().hex
    path = _path(token)
    path.parent.mkdir(parents=True, exist_ok=True)
    sweep_abandoned()
    with path.open("wb") as stored:
        for chunk in upload.chunks():
            stored.write(chunk)
    try:
        with path.open("rb") as stored:
            result = imports.import_scores(actor=actor, region=region, quarter=quarter,
                                           file=stored, file_name=upload.name,
                                           replace=replace, dry_run=True)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    session[_session_key(token)] = {"region": region.pk, "quarter": str(result.quarter),
                                    "name": upload.name, "replace": replace}
    return token, result


def confirm(*, session, actor, token: str) -> imports.ImportResult:
    """Import the file previewed under ``token``, once. Raises ``UploadExpired`` when there is
    no such preview (confirmed already, swept, or from another session)."""
    pending = session.get(_session_key(token)) if token.isalnum() else None
    path = _path(token) if pending else None
    if not pending or not path.exists():
        raise UploadExpired
    region = Region.objects.get(pk=pending["region"])
    try:
        with path.open("rb") as stored:
            return imports.import_scores(
                actor=actor, region=region, quarter=pending["quarter"], file=stored,
                file_name=pending["name"], replace=pending["replace"],
                source=ScoreImport.Source.UPLOAD)
    finally:
        path.unlink(missing_ok=True)
        session.pop(_session_key(token), None)
