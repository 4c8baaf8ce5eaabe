"""History rows for state moves made with a conditional (or bulk) ``update()``.

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


def record_changes(queryset, *, actor, reason: str = "") -> int:
    """``record_change`` for every row of ``queryset`` after a bulk ``update()``: two statements
    however many rows (read them, write their history rows)."""
    historical = queryset.model.history.model
    names = [field.attname for field in historical.tracked_fields]
    now = timezone.now()
    rows = [historical(history_date=now, history_type="~",
                       history_user=actor if getattr(actor, "pk", None) else None,
                       history_change_reason=reason[:100] or None, **values)
            for values in queryset.values(*names)]
    historical.objects.bulk_create(rows)
    return len(rows)
