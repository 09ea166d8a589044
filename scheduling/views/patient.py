"""A patient's schedule: the week view, enrolling in groups, booking individual and family sessions."""

import datetime as dt

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from audit.constants import DataCategory
from iop.forms import add_service_errors
from patients.constants import EpisodeStatus
from patients.selectors import chart_header, patient_for_view

from .. import selectors, services
from ..constants import EnrolmentStatus, SessionStatus
from ..forms import BookingForm, ScheduleForm
from ..models import Enrolment
from .common import require_perm

WEEKS_BACK = 4
WEEKS_AHEAD = 4


def _active_episode(patient):
    return patient.episodes.valid().filter(status=EpisodeStatus.ACTIVE).select_related("program", "patient").first()


def _week_context(request, patient, *, schedule_form=None, booking_form=None) -> dict:
    episode = _active_episode(patient)
    today = timezone.localdate()
    context = {
        "header": chart_header(patient),
        "patient": patient,
        "section": "schedule",
        "episode": episode,
    }
    if episode is None:
        return context
    weeks = selectors.weeks_around(today, WEEKS_BACK, WEEKS_AHEAD)
    enrolments = list(
        Enrolment.objects.filter(episode=episode)
        .filter(ends_on__isnull=True)
        .select_related("group__room", "group__facilitator")
        .order_by("status", "group__name")
    )
    upcoming = (
        selectors.sessions_of_episode(episode)
        .filter(start__gte=timezone.now(), day__lte=today + dt.timedelta(days=14))
        .select_related("group", "room", "clinician", "topic")
        .order_by("start")
    )
    context.update(
        ledger=selectors.ledger_weeks([episode], weeks, today=today)[episode.pk],
        enrolments=[e for e in enrolments if e.status == EnrolmentStatus.ENROLLED],
        waitlisted=[e for e in enrolments if e.status == EnrolmentStatus.WAITLISTED],
        upcoming=upcoming,
        authorization_warnings=selectors.authorization_warnings(patient, today),
        schedule_form=schedule_form
        or ScheduleForm(episode=episode, initial={"groups": [e.group for e in enrolments if e.status == "enrolled"]}),
        booking_form=booking_form or BookingForm(patient=patient),
        cancelled=SessionStatus.CANCELLED,
    )
    return context


def patient_week(request, pk):
    """Planned and attended hours per ISO week against the target and the program's band."""
    require_perm(request, "scheduling.view_session")
    patient = patient_for_view(request, pk, category=DataCategory.SCHEDULE, action="schedule week")
    return render(request, "scheduling/patient_week.html", _week_context(request, patient))


def patient_schedule_save(request, pk):
    require_perm(request, "scheduling.add_enrolment")
    patient = patient_for_view(request, pk, category=DataCategory.SCHEDULE, action="schedule save")
    episode = _active_episode(patient)
    if episode is None or request.method != "POST":
        return redirect("scheduling:patient_week", pk=patient.pk)
    form = ScheduleForm(request.POST, episode=episode)
    if form.is_valid():
        try:
            result = services.patient_schedule_save(
                episode=episode,
                groups=list(form.cleaned_data["groups"]),
                starts_on=form.cleaned_data["starts_on"],
                by=request.user,
                reason=form.cleaned_data["reason"],
                waitlist_if_full=form.cleaned_data["waitlist_if_full"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            parts = []
            if result.enrolled:
                parts.append("enrolled in " + ", ".join(g.name for g in result.enrolled))
            if result.waitlisted:
                parts.append("wait-listed for " + ", ".join(g.name for g in result.waitlisted))
            if result.ended:
                parts.append("left " + ", ".join(g.name for g in result.ended))
            messages.success(request, "Schedule saved" + (": " + "; ".join(parts) if parts else "") + ".")
            return redirect("scheduling:patient_week", pk=patient.pk)
    context = _week_context(request, patient, schedule_form=form)
    return render(request, "scheduling/patient_week.html", context, status=400)


def patient_session_book(request, pk):
    require_perm(request, "scheduling.add_session")
    patient = patient_for_view(request, pk, category=DataCategory.SCHEDULE, action="book session")
    episode = _active_episode(patient)
    if episode is None or request.method != "POST":
        return redirect("scheduling:patient_week", pk=patient.pk)
    form = BookingForm(request.POST, patient=patient)
    if form.is_valid():
        data = form.cleaned_data
        try:
            session = services.session_book(
                episode=episode,
                kind=data["kind"],
                clinician=data["clinician"],
                room=data["room"],
                start=data["start"],
                duration_minutes=data["duration_minutes"],
                contacts=list(data["contacts"]),
                notes=data["notes"],
                reason=data["reason"],
                by=request.user,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            start = timezone.localtime(session.start)
            messages.success(request, f"{session.get_kind_display()} booked for {start:%a %b %d %H:%M}.")
            return redirect("scheduling:patient_week", pk=patient.pk)
    context = _week_context(request, patient, booking_form=form)
    return render(request, "scheduling/patient_week.html", context, status=400)


@require_POST
def enrolment_promote(request, pk, enrolment_pk):
    require_perm(request, "scheduling.change_enrolment")
    patient = patient_for_view(request, pk, category=DataCategory.SCHEDULE, action="wait list promote")
    enrolment = get_object_or_404(Enrolment, pk=enrolment_pk, episode__patient=patient)
    try:
        services.enrolment_promote(enrolment=enrolment, starts_on=timezone.localdate(), by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"Enrolled in {enrolment.group.name} from the wait list.")
    return redirect("scheduling:patient_week", pk=patient.pk)
