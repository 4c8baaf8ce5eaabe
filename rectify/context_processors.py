from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from villages import scoping


def navigation(request):
    """The menu a user sees depends on their role; links they cannot use are not shown."""
    user = getattr(request, "user", None)
    if not user or not user.is_authenticated:
        return {"nav": []}
    nav = [
        (reverse("dashboard"), _("Dashboard")),
        (reverse("village-list"), _("Villages")),
        (reverse("region-browse"), _("Regions")),
        (reverse("lineage-list"), _("Lineage")),
        (reverse("evaluation-list"), _("Evaluations")),
    ]
    if scoping.can_enter_ratings(user):
        nav.append((reverse("rating-sheet"), _("Warning ratings")))
    if scoping.can_view_completeness(user):
        nav.append((reverse("rating-completeness"), _("Rating completeness")))
    if scoping.can_manage_master_data(user):
        nav.append((reverse("rating-warning-list"), _("Warning list")))
    nav.append((reverse("bulletin-list"), _("Bulletins")))
    nav.append((reverse("notifications"), _("Notifications")))
    # Rectification work: everyone signed in reads what scoping shows them.
    nav += [
        (reverse("case-list"), _("Cases")),
        (reverse("ledger-list"), _("Ledger")),
        (reverse("pairing-list"), _("Pairings")),
        (reverse("team-list"), _("Help teams")),
        (reverse("campaign-list"), _("Campaigns")),
        (reverse("compliance"), _("Compliance")),
        (reverse("points-list"), _("Points")),
    ]
    if scoping.can_use_admin(user):
        nav.append((reverse("admin:index"), _("Administration")))
    nav.append((reverse("api-docs"), _("API")))
    return {"nav": nav}
