"""``/talks/``: the Shangyu rule's consequences — talks (约谈) due and held, and townships that
lost award eligibility — where the county records a talk as held or restores eligibility."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from core.http import errors_as_message, errors_on_form
from core.pagination import paginate
from earlywarning import consequences, visibility
from earlywarning.models import EligibilityStatus, TalkStatus
from villages import scoping


class TalkForm(forms.Form):
    held_on = forms.DateField(label=gettext_lazy("Held on"),
                              widget=forms.DateInput(attrs={"type": "date"}))
    notes = forms.CharField(label=gettext_lazy("What the talk covered"), max_length=5000,
                            widget=forms.Textarea(attrs={"rows": 4}))
    follow_up = forms.CharField(label=gettext_lazy("Follow-up"), max_length=5000,
                                required=False, widget=forms.Textarea(attrs={"rows": 3}))


@login_required
def talk_list(request):
    talks = visibility.talks(request.user).select_related("township__parent", "held_by")
    status = request.GET.get("status", "")
    if status in TalkStatus.values:
        talks = talks.filter(status=status)
    page, query = paginate(request, talks.order_by("status", "-month", "township__code"))
    eligibility = (visibility.award_eligibility(request.user)
                   .select_related("township__parent", "restored_by").order_by("-year",
                                                                               "township__code"))
    return render(request, "earlywarning/talks/list.html", {
        "page": page, "query": query, "status": status, "statuses": TalkStatus.choices,
        "eligibility": eligibility[:200],
        "can_restore": scoping.can_change_any_roster(request.user),
        "lost": EligibilityStatus.LOST,
    })


@login_required
def talk_detail(request, pk: int):
    talk = get_object_or_404(visibility.talks(request.user).select_related(
        "township__parent", "held_by", "bulletin"), pk=pk)
    can_record = talk.status == TalkStatus.DUE and scoping.can_hold_talks(request.user,
                                                                          talk.township)
    form = TalkForm(request.POST or None) if can_record else None
    if request.method == "POST" and form is not None and form.is_valid():
        with errors_on_form(form):
            consequences.record_talk(actor=request.user, talk=talk, **form.cleaned_data)
            messages.success(request, _("The talk is recorded as held."))
            return redirect("talk-detail", talk.pk)
    return render(request, "earlywarning/talks/detail.html", {"talk": talk, "form": form},
                  status=400 if form is not None and form.errors else 200)


@login_required
@require_POST
def eligibility_restore(request, pk: int):
    eligibility = get_object_or_404(visibility.award_eligibility(request.user)
                                    .select_related("township"), pk=pk)
    with errors_as_message(request):
        consequences.restore_eligibility(actor=request.user, eligibility=eligibility,
                                         reason=request.POST.get("reason", ""))
        messages.success(request, _("%(township)s's award eligibility for %(year)s is restored.")
                         % {"township": eligibility.township.name, "year": eligibility.year})
    return redirect("talk-list")
