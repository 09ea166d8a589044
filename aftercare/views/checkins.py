"""Alumni check-ins: recording one, and the list of those due."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from audit.constants import DataCategory
from audit.services import access_log_record
from iop.forms import add_service_errors
from patients.selectors import patient_for_view

from ..forms import CheckinOutcomeForm
from ..models import AlumniCheckIn
from ..selectors.checkins import checkins_open_for
from ..services.checkins import alumni_checkin_record
from .common import chart_context, require_permission


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
            if request.POST.get("next") == "list":
                return redirect("aftercare:checkins_due")
            return redirect("aftercare:discharge_detail", pk=patient.pk, discharge_pk=checkin.discharge_id)
    context = chart_context(patient, form=form, checkin=checkin, next=request.GET.get("next", ""))
    return render(request, "aftercare/checkin_form.html", context)


def checkins_due(request):
    """Alumni check-ins overdue, due today and coming up this week, for the clinician (or everyone they see)."""
    require_permission(request, "aftercare.view_alumnicheckin")
    mine_only = request.GET.get("all") != "1"
    checkins = checkins_open_for(request.user, mine_only=mine_only)
    count = len(checkins.overdue) + len(checkins.due_today) + len(checkins.upcoming)
    # One row for the page: it lists many patients (as the registry search does).
    access_log_record(
        request=request, category=DataCategory.EPISODES, action="alumni check-ins due", detail=f"{count} listed"
    )
    context = {"checkins": checkins, "mine_only": mine_only, "today": timezone.localdate(), "count": count}
    return render(request, "aftercare/checkins_due.html", context)
