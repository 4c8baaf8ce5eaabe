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
    ]
    if scoping.can_use_admin(user):
        nav.append((reverse("admin:index"), _("Administration")))
    nav.append((reverse("api-docs"), _("API")))
    return {"nav": nav}
