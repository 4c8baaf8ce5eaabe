"""HTML forms of the top layer: they check shape and turn village codes into villages the user
may see; the domain function (``rectify/lineage.py``) checks meaning and rights."""

import re

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from villages import scoping
from villages.lineage import NewVillage
from villages.models import LineageKind, Village

CODE_SEPARATORS = re.compile(r"[\s,，、;；]+")


class DateInput(forms.DateInput):
    input_type = "date"


class LineageEventForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("Kind of event"), choices=LineageKind.choices)
    effective_date = forms.DateField(label=gettext_lazy("Effective date"), widget=DateInput)
    document_number = forms.CharField(label=gettext_lazy("Document number (文号)"),
                                      max_length=60)
    reason = forms.CharField(label=gettext_lazy("Reason"),
                             widget=forms.Textarea(attrs={"rows": 2}))
    predecessors = forms.CharField(
        label=gettext_lazy("Villages before (codes)"), required=False,
        help_text=gettext_lazy("Merger or split: the codes of the villages before the event, "
                               "separated by spaces."))
    successors = forms.CharField(
        label=gettext_lazy("Existing villages after (codes)"), required=False,
        help_text=gettext_lazy("Merger: the code of the village that stays, if any. Split: "
                               "the codes of existing villages that take a part."))
    new_villages = forms.CharField(
        label=gettext_lazy("New villages"), required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy("One per line: the 12-digit code and the name, e.g. "
                               "330681108301 枫栎村."))
    new_township = forms.ModelChoiceField(
        label=gettext_lazy("Township of the new villages"), queryset=None, required=False,
        help_text=gettext_lazy("Empty: the township of the first village before."))
    carried_to = forms.CharField(
        label=gettext_lazy("Open work goes to (code)"), max_length=12, required=False,
        help_text=gettext_lazy("Split: the successor that takes over the open cases, ledger "
                               "items and pairings. Empty: the village itself if it stays, "
                               "else the first successor."))
    from_township = forms.ModelChoiceField(label=gettext_lazy("Township merged away"),
                                           queryset=None, required=False)
    to_township = forms.ModelChoiceField(label=gettext_lazy("Township merged into"),
                                         queryset=None, required=False)
    villages = forms.CharField(
        label=gettext_lazy("Villages that move (codes)"), required=False,
        help_text=gettext_lazy("Township merger: empty moves every active village."))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        townships = scoping.assignable_townships(user).order_by("code")
        for name in ("new_township", "from_township", "to_township"):
            self.fields[name].queryset = townships

    def _codes_to_villages(self, name: str) -> list[Village]:
        codes = [c for c in CODE_SEPARATORS.split(self.cleaned_data.get(name) or "") if c]
        found = {v.code: v for v in scoping.visible_villages(self.user).filter(code__in=codes)
                 .select_related("township__parent")}
        unknown = [c for c in codes if c not in found]
        if unknown:
            raise forms.ValidationError(_("Unknown village code: %(codes)s.")
                                        % {"codes": ", ".join(unknown)})
        return [found[c] for c in dict.fromkeys(codes)]

    def clean_predecessors(self):
        return self._codes_to_villages("predecessors")

    def clean_successors(self):
        return self._codes_to_villages("successors")

    def clean_villages(self):
        return self._codes_to_villages("villages")

    def clean_new_villages(self):
        lines = [line.strip() for line in (self.cleaned_data.get("new_villages") or "")
                 .splitlines() if line.strip()]
        pairs = []
        for line in lines:
            parts = line.split(maxsplit=1)
            if len(parts) != 2:
                raise forms.ValidationError(_("Write the code and the name on each line: "
                                              "“%(line)s”.") % {"line": line})
            pairs.append((parts[0], parts[1]))
        return pairs

    def arguments(self) -> dict:
        """The keyword arguments of ``rectify.lineage.make_event`` (bar the actor)."""
        data = self.cleaned_data
        before = data["predecessors"]
        township = data["new_township"] or (before[0].township if before else None)
        return {
            "kind": data["kind"], "effective_date": data["effective_date"],
            "document_number": data["document_number"], "reason": data["reason"],
            "predecessors": before, "successors": data["successors"],
            "new_villages": [NewVillage(code, name, township)
                             for code, name in data["new_villages"]],
            "carried_to": data["carried_to"], "from_township": data["from_township"],
            "to_township": data["to_township"], "villages": data["villages"],
        }
