"""Evidence uploads: checked for size and type, stored under MEDIA_ROOT, never served by URL.

The type is decided twice: by the file name's extension (must be in the allowed list) and by
the file's first bytes (a renamed executable is still refused). The stored name is the content
hash, so the uploader's file name never touches the file system.
"""

import hashlib
from pathlib import PurePath

from django.conf import settings
from django.core.files.base import ContentFile
from django.utils import timezone
from django.utils.translation import gettext as _

from casework.models import EvidenceFile
from core.errors import DomainError

# Extension → (content type, accepted leading bytes).
SIGNATURES = {
    "pdf": ("application/pdf", (b"%PDF-",)),
    "png": ("image/png", (b"\x89PNG\r\n\x1a\n",)),
    "jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    "jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document",
             (b"PK\x03\x04",)),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
             (b"PK\x03\x04",)),
}


def allowed_extensions() -> list[str]:
    return [ext for ext in settings.RECTIFY_EVIDENCE_TYPES if ext in SIGNATURES]


def check_upload(upload, *, field: str = "evidence") -> tuple[str, str, bytes]:
    """Return (extension, content type, content) or raise DomainError naming ``field``."""
    if upload is None or not getattr(upload, "name", ""):
        raise DomainError(_("Attach the evidence file."), field=field)
    limit = settings.RECTIFY_EVIDENCE_MAX_BYTES
    if upload.size is not None and upload.size > limit:
        raise DomainError(_("The evidence file is larger than %(limit)s KB.")
                          % {"limit": limit // 1024}, field=field)
    ext = PurePath(upload.name).suffix.lower().lstrip(".")
    allowed = allowed_extensions()
    if ext not in allowed:
        raise DomainError(_("Evidence must be one of these types: %(types)s.")
                          % {"types": ", ".join(allowed)}, field=field)
    upload.seek(0)
    content = upload.read(limit + 1)
    if len(content) > limit:
        raise DomainError(_("The evidence file is larger than %(limit)s KB.")
                          % {"limit": limit // 1024}, field=field)
    if not content:
        raise DomainError(_("The evidence file is empty."), field=field)
    content_type, magics = SIGNATURES[ext]
    if not content.startswith(magics):
        raise DomainError(_("The file's content is not a .%(ext)s file.") % {"ext": ext},
                          field=field)
    return ext, content_type, content


def store_evidence(*, upload, village, actor, field: str = "evidence") -> EvidenceFile:
    """Validate and store one upload for ``village``. Call inside the caller's transaction."""
    ext, content_type, content = check_upload(upload, field=field)
    return store_bytes(content=content, name=upload.name, ext=ext, content_type=content_type,
                       village=village, actor=actor)


def store_bytes(*, content: bytes, name: str, ext: str, content_type: str, village,
                actor) -> EvidenceFile:
    evidence = EvidenceFile(
        village=village, original_name=PurePath(name).name[:200], content_type=content_type,
        ext=f".{ext}", size=len(content), sha256=hashlib.sha256(content).hexdigest(),
        uploaded_by=actor, uploaded_at=timezone.now())
    target = evidence_path_for(evidence)
    storage = EvidenceFile._meta.get_field("file").storage
    # Same content in the same village is the same file: store it once.
    if storage.exists(target):
        evidence.file.name = target
    else:
        evidence.file.save(target, ContentFile(content), save=False)
    evidence.save()
    return evidence


def evidence_path_for(evidence: EvidenceFile) -> str:
    return EvidenceFile._meta.get_field("file").generate_filename(evidence, "upload")
