"""Writes to the village register. Every surface (API, admin, commands) saves through here."""

from django.db import transaction
from django.utils.translation import gettext as _

from core.errors import DomainError, NotAllowed
from villages import scoping
from villages.models import LineageLink, Village


@transaction.atomic
def save_village(*, actor, village: Village) -> Village:
    """Validate and save a new or changed village, refusing anything outside the actor's scope.

    A change of township is checked against both the old and the new place, so nobody can move a
    village out of, or into, a region they do not manage.
    """
    if village.pk:
        before = Village.objects.select_for_update().select_related("township").get(pk=village.pk)
        if not scoping.can_edit_village(actor, before):
            raise NotAllowed(_("You may not change this village."))
        # The database refuses it too (lineage links refer to the code), but only at commit.
        if before.code != village.code and LineageLink.objects.filter(
                village_id=before.code).exists():
            raise DomainError(_("The code of a village in a merger or split never changes: a "
                                "retired village keeps its code for good."), field="code")
    if village.township_id and not scoping.can_place_village_in(actor, village.township):
        raise NotAllowed(_("You may not place a village in this region."), field="township")
    village.full_clean()
    village.save()
    return village
