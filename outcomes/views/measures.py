"""The outcome-measure forms on the chart: at admission (with the TEDS profile), at discharge, at check-ins."""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

from aftercare.models import AlumniCheckIn
from audit.constants import DataCategory
from iop.forms import add_service_errors
from iop.params import text_param
from patients.constants import EpisodeStatus, SexAtBirth
from patients.selectors import chart_header, patient_for_view

from ..constants import FOLLOW_UP_POINTS, MeasurePoint
from ..forms import AdmissionProfileForm, MeasuresForm, yes_no_initial
from ..selectors.measures import measures_at, measures_initial, profile_initial, substances_to_ask
from ..services.measures import admission_measures_record, outcome_measures_record

PERMISSION = "outcomes.add_outcomemeasures"
THEN_MAX = 2000  # a local page's path and query


def _then(request, patient) -> str:
    """Where the flow continues: a local page the lower app asked for, else the chart."""
    then = text_param(request.POST, "then", max_length=THEN_MAX) or text_param(request.GET, "then", max_length=THEN_MAX)
    if then and url_has_allowed_host_and_scheme(then, allowed_hosts={request.get_host()}, require_https=False):
        return then
    return reverse("patients:chart", args=[patient.pk])


def _context(patient, **extra) -> dict:
    return {"header": chart_header(patient), "patient": patient, "section": "overview", **extra}


@permission_required(PERMISSION, raise_exception=True)
def admission_measures(request, pk, episode_pk):
    """At admission: what TEDS asks once and the outcome measures, in plain words."""
    patient = patient_for_view(request, pk, category=DataCategory.EPISODES, action="admission outcome measures")
    episode = get_object_or_404(patient.episodes.valid().select_related("program"), pk=episode_pk)
    asks_pregnancy = patient.sex_at_birth == SexAtBirth.FEMALE
    initial = profile_initial(episode)
    for name in ("veteran", "pregnant", "medication_planned", "co_occurring"):
        if name in initial:
            initial[name] = yes_no_initial(initial[name])
    existing = measures_at(episode, MeasurePoint.ADMISSION)
    substances = substances_to_ask(episode, MeasurePoint.ADMISSION)
    data = request.POST if request.method == "POST" else None
    profile_form = AdmissionProfileForm(data, initial=initial, asks_pregnancy=asks_pregnancy, prefix="profile")
    measures_form = MeasuresForm(
        data, initial=measures_initial(existing), substances=substances, at_admission=True, prefix="measures"
    )
    then = _then(request, patient)
    if request.method == "POST":
        profile_ok, measures_ok = profile_form.is_valid(), measures_form.is_valid()
        if profile_ok and measures_ok:
            try:
                admission_measures_record(
                    episode=episode,
                    by=request.user,
                    profile=profile_form.profile(),
                    measures=measures_form.measures(),
                    substances=measures_form.answers(),
                )
            except ValidationError as error:
                _split_errors(error, profile_form, measures_form)
            else:
                messages.success(request, "Admission measures saved.")
                return redirect(then)
    context = _context(
        patient,
        episode=episode,
        point=MeasurePoint.ADMISSION,
        title="Measures at admission",
        profile_form=profile_form,
        measures_form=measures_form,
        recorded=existing,
        then=then,
    )
    return render(request, "outcomes/measures_form.html", context)


def _split_errors(error: ValidationError, profile_form, measures_form) -> None:
    """A service error next to the field it names, on whichever form has it."""
    if not hasattr(error, "error_dict"):
        add_service_errors(measures_form, error)
        return
    for field, messages_ in error.message_dict.items():
        form = profile_form if profile_form is not None and field in profile_form.fields else measures_form
        for message in messages_:
            form.add_error(field if field in form.fields else None, message)


def _point_form(request, patient, episode, point: str, *, checkin=None, title: str, subtitle: str):
    existing = measures_at(episode, point, checkin)
    substances = substances_to_ask(episode, point, checkin)
    form = MeasuresForm(
        request.POST if request.method == "POST" else None,
        initial=measures_initial(existing),
        substances=substances,
        at_admission=False,
        prefix="measures",
    )
    then = _then(request, patient)
    if request.method == "POST" and form.is_valid():
        try:
            outcome_measures_record(
                episode=episode,
                point=point,
                checkin=checkin,
                by=request.user,
                substances=form.answers(),
                **form.measures(),
            )
        except ValidationError as error:
            _split_errors(error, None, form)
        else:
            messages.success(request, f"{MeasurePoint(point).label}: measures saved.")
            return redirect(then)
    context = _context(
        patient,
        episode=episode,
        point=point,
        title=title,
        subtitle=subtitle,
        profile_form=None,
        measures_form=form,
        recorded=existing,
        then=then,
    )
    return render(request, "outcomes/measures_form.html", context)


@permission_required(PERMISSION, raise_exception=True)
def discharge_measures(request, pk, episode_pk):
    patient = patient_for_view(request, pk, category=DataCategory.EPISODES, action="discharge outcome measures")
    episode = get_object_or_404(
        patient.episodes.valid().select_related("program"), pk=episode_pk, status=EpisodeStatus.DISCHARGED
    )
    return _point_form(
        request,
        patient,
        episode,
        MeasurePoint.DISCHARGE,
        title="Measures at discharge",
        subtitle=f"Discharged from {episode.program} on {episode.discharged_on:%b %-d, %Y}.",
    )


@permission_required(PERMISSION, raise_exception=True)
def follow_up_measures(request, pk, checkin_pk):
    patient = patient_for_view(request, pk, category=DataCategory.EPISODES, action="check-in outcome measures")
    checkin = get_object_or_404(
        AlumniCheckIn.objects.valid().select_related("discharge__episode__program"),
        pk=checkin_pk,
        patient=patient,
        days_after_discharge__in=list(FOLLOW_UP_POINTS),
    )
    episode = checkin.discharge.episode
    return _point_form(
        request,
        patient,
        episode,
        FOLLOW_UP_POINTS[checkin.days_after_discharge],
        checkin=checkin,
        title=f"Measures at the {checkin.days_after_discharge}-day check-in",
        subtitle=f"Discharged from {episode.program} on {checkin.discharge.discharged_on:%b %-d, %Y}.",
    )
