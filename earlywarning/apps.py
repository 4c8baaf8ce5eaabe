from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EarlyWarningConfig(AppConfig):
    name = "earlywarning"
    verbose_name = _("Early warning")

    def ready(self):
        from casework import targets
        from earlywarning.case_targets import WarningFacts

        # The rectification work opens cases from red ratings and class-3 tiers; early warning,
        # the layer above it, answers which villages those are (casework/targets.py).
        targets.provide(WarningFacts())
