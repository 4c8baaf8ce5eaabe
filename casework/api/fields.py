"""Fields and permissions shared by the rectification work's API.

Querysets come from ``villages/scoping.py``; writes go through the domain functions, whose errors
carry their HTTP status (``core/errors.py``) and reach the client through one handler.
"""
from django.utils.translation import gettext as _
from rest_framework import permissions, serializers

from casework.models import (
    ProblemType,
)
from core.errors import DomainError
from villages import scoping


class ScopedVillageField(serializers.PrimaryKeyRelatedField):
    def get_queryset(self):
        return scoping.visible_villages(self.context["request"].user).select_related(
            "township__parent")


class ScopedPersonField(serializers.PrimaryKeyRelatedField):
    def get_queryset(self):
        return scoping.visible_people(self.context["request"].user)


class ProblemTypeField(serializers.SlugRelatedField):
    def __init__(self, **kwargs):
        super().__init__(slug_field="code", queryset=ProblemType.objects.all(), **kwargs)


class WritePermission(permissions.BasePermission):
    """Readers (API client, auditor) read; nobody writes outside what scoping allows, which
    the domain functions check per object."""

    def has_permission(self, request, view):
        if request.method in permissions.SAFE_METHODS:
            return True
        return scoping.can_write_anything(request.user)


BASE_PERMISSIONS = [permissions.IsAuthenticated, WritePermission]


# Query parameters every list understands besides its filters.
LIST_PARAMS = ("page", "page_size", "format")


class StrictQueryMixin:
    """A list refuses a query parameter it does not know (a typo would otherwise return every
    row unfiltered) with 400 naming the allowed ones."""

    def list(self, request, *args, **kwargs):
        allowed = [*self.filterset_class.base_filters, *LIST_PARAMS]
        unknown = sorted(set(request.query_params) - set(allowed))
        if unknown:
            raise DomainError(_("Unknown query parameter %(names)s; allowed: %(allowed)s.")
                              % {"names": ", ".join(unknown), "allowed": ", ".join(allowed)},
                              field=unknown[0])
        return super().list(request, *args, **kwargs)
