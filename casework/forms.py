"""HTML forms: they check shape; the domain functions check meaning and rights."""

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from casework import visibility
from casework.models import (
    CaseSource,
    Method,
    Outcome,
    PairingKind,
    ProblemType,
    ProjectKind,
    ProjectStatus,
)
from casework.models.pairing import month_validator
from villages import scoping
from villages.models import RegionLevel


class DateInput(forms.DateInput):
    input_type = "date"


def choosable_people(user, village):
    """Leaders and cadres from the county or city, and the people in post in this village:
    a drop-down of every villager in a county would hold a hundred thousand names."""
    return (scoping.visible_people(user)
            .filter(Q(region__level__in=[RegionLevel.CITY, RegionLevel.COUNTY])
                    | Q(posts__village=village))
            .distinct().order_by("name"))


class OpenCaseForm(forms.Form):
    village = forms.ModelChoiceField(label=_("Village"), queryset=None)
    source = forms.ChoiceField(label=_("Opened from"), choices=CaseSource.choices)
    campaign = forms.ModelChoiceField(label=_("Campaign"), queryset=None, required=False)
    problem_types = forms.ModelMultipleChoiceField(
        label=_("Problem types"), queryset=ProblemType.objects.all(), required=False,
        widget=forms.CheckboxSelectMultiple)
    methods = forms.MultipleChoiceField(label=_("Methods used"), choices=Method.choices,
                                        required=False, widget=forms.CheckboxSelectMultiple)
    summary = forms.CharField(label=_("Situation"), required=False, widget=forms.Textarea(
        attrs={"rows": 3}))

    def __init__(self, *args, user, villages, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["village"].queryset = villages
        self.fields["campaign"].queryset = visibility.campaigns(user)


class CaseEditForm(forms.Form):
    problem_types = forms.ModelMultipleChoiceField(
        label=_("Problem types"), queryset=ProblemType.objects.all(), required=False,
        widget=forms.CheckboxSelectMultiple)
    methods = forms.MultipleChoiceField(label=_("Methods used"), choices=Method.choices,
                                        required=False, widget=forms.CheckboxSelectMultiple)
    responsible_leader = forms.ModelChoiceField(label=_("Responsible leader"), queryset=None,
                                                required=False)
    tracking_person = forms.ModelChoiceField(label=_("Tracking person"), queryset=None,
                                             required=False)
    summary = forms.CharField(label=_("Situation"), required=False,
                              widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, user, village, **kwargs):
        super().__init__(*args, **kwargs)
        people = choosable_people(user, village)
        self.fields["responsible_leader"].queryset = people
        self.fields["tracking_person"].queryset = people


class MeasureForm(forms.Form):
    description = forms.CharField(label=_("Measure"), max_length=300)
    owner = forms.CharField(label=_("Owner"), max_length=60)
    due = forms.DateField(label=_("Due date"), widget=DateInput)
    problem_type = forms.ModelChoiceField(label=_("Problem type"),
                                          queryset=ProblemType.objects.all(), required=False)


OVERRIDE_HELP = _("Needed for “moved up” only when the data does not show it (color improved "
                  "and held two half-months, a better approved tier or annual grade).")


class OutcomeForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Outcome"), choices=Outcome.choices)
    override_reason = forms.CharField(
        label=_("Reason, where the data does not show it"), required=False, max_length=2000,
        help_text=OVERRIDE_HELP, widget=forms.Textarea(attrs={"rows": 2}))


class CloseCaseForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Outcome"), required=False,
                                choices=[("", _("(as recorded)")), *Outcome.choices])
    override_reason = forms.CharField(
        label=_("Reason, where the data does not show it"), required=False, max_length=2000,
        help_text=OVERRIDE_HELP, widget=forms.Textarea(attrs={"rows": 2}))
    note = forms.CharField(label=_("Closing note"), widget=forms.Textarea(attrs={"rows": 3}))
    evidence = forms.FileField(label=_("Evidence file"))


class LedgerItemForm(forms.Form):
    problem = forms.CharField(label=_("Problem"), max_length=300)
    problem_type = forms.ModelChoiceField(label=_("Type"), queryset=ProblemType.objects.all())
    responsible = forms.CharField(label=_("Responsible person"), max_length=60)
    due = forms.DateField(label=_("Due date"), widget=DateInput)


class StrikeOffForm(forms.Form):
    resolution = forms.CharField(label=_("Resolution"), widget=forms.Textarea(attrs={"rows": 3}))
    evidence = forms.FileField(label=_("Evidence file"), required=False)


class VisitForm(forms.Form):
    date = forms.DateField(label=_("Date"), widget=DateInput)
    visitor = forms.CharField(label=_("Who"), max_length=60)
    purpose = forms.CharField(label=_("What was done"), widget=forms.Textarea(attrs={"rows": 2}))


class ProjectForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    kind = forms.ChoiceField(label=_("Kind"), choices=ProjectKind.choices)
    funds = forms.DecimalField(label=_("Funds (yuan)"), max_digits=14, decimal_places=2)
    status = forms.ChoiceField(label=_("Status"), choices=ProjectStatus.choices)
    partner = forms.CharField(label=_("Partner"), max_length=100, required=False)


class InstructorDaysForm(forms.Form):
    month = forms.CharField(label=_("Month"), max_length=7, validators=[month_validator],
                            help_text=_("Like 2026-11."))
    days = forms.IntegerField(label=_("Days in village"), min_value=0, max_value=31)


class PairingForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=PairingKind.choices)
    partner_person = forms.ModelChoiceField(label=_("Paired person"), queryset=None,
                                            required=False)
    partner_village = forms.ModelChoiceField(label=_("Paired strong village"), queryset=None,
                                             required=False)
    partner_name = forms.CharField(label=_("Paired department or enterprise"), max_length=100,
                                   required=False)
    start = forms.DateField(label=_("Start"), widget=DateInput)
    end = forms.DateField(label=_("End"), widget=DateInput, required=False)
    commitments = forms.CharField(label=_("Commitments"), required=False,
                                  widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, user, village, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["partner_person"].queryset = choosable_people(user, village)
        self.fields["partner_village"].queryset = scoping.visible_villages(user).filter(
            star_rating__gte=4).order_by("code")


class MeetingForm(forms.Form):
    date = forms.DateField(label=_("Date"), widget=DateInput)
    decisions = forms.CharField(label=_("Decisions"), widget=forms.Textarea(attrs={"rows": 3}))


# --- Points (积分制) ------------------------------------------------------------------------------


class MonthInput(forms.TextInput):
    input_type = "month"


class RuleChangeForm(forms.Form):
    label = forms.CharField(label=_("Label"), max_length=80)
    # Range and meaning are the domain's (casework/points.py), which names the field.
    points = forms.IntegerField(label=_("Points"))
    effective_from = forms.CharField(label=_("Effective from (month)"), max_length=7,
                                     widget=MonthInput, help_text=_("Like 2027-01."))


class RuleAddForm(RuleChangeForm):
    code = forms.CharField(label=_("Code"), max_length=40,
                           help_text=_("Lower-case letters, digits and _, e.g. commendation."))
    field_order = ["code", "label", "points", "effective_from"]


class ReverseEntryForm(forms.Form):
    reason = forms.CharField(label=_("Reason for the correction"), max_length=500)


class RecordPointsForm(forms.Form):
    rule = forms.ModelChoiceField(label=_("Rule"), queryset=None)
    village = forms.ModelChoiceField(label=_("Village"), queryset=None)
    period = forms.CharField(label=_("Month"), max_length=7, widget=MonthInput)
    reason = forms.CharField(label=_("Reason"), max_length=500)

    def __init__(self, *args, rules, villages, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["rule"].queryset = rules
        self.fields["village"].queryset = villages
