"""History rows for state moves made with a conditional ``update()``.

``filter(status=old).update(status=new)`` is what makes a move safe against retries and races,
but it bypasses ``save()`` and with it django-simple-history's signal. The domain functions call
``record_change`` right after a successful move so the history stays complete.
"""

from django.utils import timezone


def record_change(instance, *, actor, reason: str = "") -> None:
    instance.refresh_from_db()
    historical = instance.history.model
    attrs = {field.attname: getattr(instance, field.attname)
             for field in historical.tracked_fields}
    historical.objects.create(
        history_date=timezone.now(), history_type="~",
        history_user=actor if getattr(actor, "pk", None) else None,
        history_change_reason=reason[:100] or None, **attrs)
