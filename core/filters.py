"""API filtering that never ignores what a client asked for.

``StrictFilterBackend`` refuses a query parameter the endpoint does not know with 400, naming the
ones it does: a client's typo (``?villag=12``) must not silently return everything. ``since``
(records changed at or after an ISO time) is one filter for every list.
"""

from datetime import datetime

import django_filters
from django import forms
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework.exceptions import ValidationError

# Understood by every list: DRF's pagination and content negotiation.
ALWAYS_ALLOWED = frozenset({"page", "page_size", "format"})
EARLIEST, LATEST = 2000, 2100


class InstantField(forms.CharField):
    """An ISO 8601 time (``2026-11-20T08:00:00+08:00``; a date alone means its local midnight);
    a time without an offset is local (Asia/Shanghai). Years outside 2000–2100 are refused."""

    default_error_messages = {
        "invalid": _("Give a time like 2026-11-20T08:00:00+08:00 or a date like 2026-11-20."),
        "range": _("Give a time between the years 2000 and 2100."),
    }

    def to_python(self, value):
        value = super().to_python(value)
        if not value:
            return None
        # A "+" in an unencoded query string arrives as a space.
        text = value.strip().replace(" ", "+")
        if len(text) == 10:
            text += "T00:00:00"
        try:
            moment = parse_datetime(text)
        except ValueError:
            moment = None
        if moment is None:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        if not EARLIEST <= moment.year <= LATEST:
            raise forms.ValidationError(self.error_messages["range"], code="range")
        return timezone.make_aware(moment) if timezone.is_naive(moment) else moment


class SinceFilter(django_filters.Filter):
    """``?since=`` — records changed at or after the given time (``field`` >= it)."""

    field_class = InstantField

    def __init__(self, field_name: str, **kwargs):
        kwargs.setdefault("help_text", _("Records changed at or after this time (ISO 8601)."))
        super().__init__(field_name=field_name, lookup_expr="gte", **kwargs)

    def filter(self, qs, value: datetime | None):
        return qs if value is None else super().filter(qs, value)


class StrictFilterBackend(DjangoFilterBackend):
    """django-filter's backend, refusing query parameters the endpoint does not know. A view
    names parameters it reads itself (``?expand=``) in ``extra_query_params``."""

    def filter_queryset(self, request, queryset, view):
        allowed = set(ALWAYS_ALLOWED) | set(getattr(view, "extra_query_params", ()))
        filterset_class = self.get_filterset_class(view, queryset)
        if filterset_class is not None:
            allowed |= set(filterset_class.base_filters)
        unknown = sorted(set(request.query_params) - allowed)
        if unknown:
            raise ValidationError({"detail": _(
                "Unknown query parameter: %(unknown)s. This endpoint takes: %(allowed)s.") % {
                "unknown": ", ".join(unknown), "allowed": ", ".join(sorted(allowed))}})
        return super().filter_queryset(request, queryset, view)
