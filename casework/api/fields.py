"""Fields and permissions shared by the rectification work's API.

Querysets come from ``villages/scoping.py``; writes go through the domain functions, whose errors
carry their HTTP status (``core/errors.py``) and reach the client through one handler.
"""
from rest_framework import permissions, serializers

from casework.models import (
    ProblemType,
)
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
