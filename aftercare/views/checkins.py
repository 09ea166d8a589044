"""Alumni check-ins: recording one, and the list of those due."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone

from audit.constants import DataCategory
from audit.services import access_log_record
from iop.forms import add_service_errors
from iop.hooks import follow_on_url
from iop.params import choice_param, flag_param
from patients.selectors import patient_for_view

from ..forms import CheckinOutcomeForm
from ..models import AlumniCheckIn
from ..selectors.checkins import checkins_open_for
from ..services.checkins import alumni_checkin_record
from .common import chart_context, require_permission

# Where recording a check-in returns to: the list of those due ("list"), else the discharge.
NEXT_PAGES = ("list",)


def checkin_record(request, pk, checkin_pk):
    """Record the outcome of one alumni check-in."""
    require_permission(request, "aftercare.change_alumnicheckin")
    patient = patient_for_view(request, pk, category=DataCategory.EPISODES, action="record alumni check-in")
    checkin = get_object_or_404(
        AlumniCheckIn.objects.valid().select_related("discharge__episode__program"), pk=checkin_pk, patient=patient
    )
    if checkin.is_completed:
        messages.info(request, "This check-in is already recorded.")
        return redirect("aftercare:discharge_detail", pk=patient.pk, discharge_pk=checkin.discharge_id)
    form = CheckinOutcomeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            checkin = alumni_checkin_record(checkin=checkin, by=request.user, **form.service_kwargs())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if checkin.referral_id:
                messages.success(request, "Check-in recorded; a referral was opened in intake for re-admission.")
            else:
                messages.success(request, "Check-in recorded.")
            if choice_param(request.POST, "next", NEXT_PAGES) == "list":
                then = reverse("aftercare:checkins_due")
            else:
                then = reverse("aftercare:discharge_detail", args=[patient.pk, checkin.discharge_id])
            # At 30, 90 and 180 days an app above asks its follow-up questions (outcomes: the measures).
            return redirect(follow_on_url("aftercare.checkin_recorded", checkin, then=then) or then)
    context = chart_context(patient, form=form, checkin=checkin, next=choice_param(request.GET, "next", NEXT_PAGES))
    return render(request, "aftercare/checkin_form.html", context)


def checkins_due(request):
    """Alumni check-ins overdue, due today and coming up this week, for the clinician (or everyone they see)."""
    require_permission(request, "aftercare.view_alumnicheckin")
    mine_only = not flag_param(request.GET, "all")
    checkins = checkins_open_for(request.user, mine_only=mine_only)
    count = len(checkins.overdue) + len(checkins.due_today) + len(checkins.upcoming)
    # One row for the page: it lists many patients (as the registry search does).
    access_log_record(
        request=request, category=DataCategory.EPISODES, action="alumni check-ins due", detail=f"{count} listed"
    )
    context = {"checkins": checkins, "mine_only": mine_only, "today": timezone.localdate(), "count": count}
    return render(request, "aftercare/checkins_due.html", context)
