"""The guided intake: referral → screening → assessment → admission decision, saved at each step."""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from audit.constants import DataCategory
from audit.services import access_log_record
from iop.forms import add_service_errors
from iop.hooks import follow_on_url

from .. import selectors, services
from ..constants import ConsentKind, IntakeStep
from ..forms import AdmitForm, AsamAssessmentForm, CloseIntakeForm, InstrumentForm, ReferralForm
from ..instruments import SPECS, IncompleteInstrument, Instrument
from ..models import Intake
from ..selectors import patient_for_view
from .chart import add_instrument_errors, instrument_saved_message

STEP_URLS = {
    IntakeStep.REFERRAL: "patients:intake_referral",
    IntakeStep.SCREENING: "patients:intake_screening",
    IntakeStep.ASSESSMENT: "patients:intake_assessment",
    IntakeStep.DECISION: "patients:intake_decision",
}
SCREENING_INSTRUMENTS = [
    Instrument.PHQ9,
    Instrument.GAD7,
    Instrument.AUDITC,
    Instrument.AUDIT,
    Instrument.DAST10,
    Instrument.COWS,
    Instrument.CIWAAR,
    Instrument.BAM,
]


def _intake_for_view(request, intake_pk, action: str) -> Intake:
    """The intake, if its patient is visible to this user; the look is logged."""
    intake = get_object_or_404(Intake.objects.valid().select_related("patient"), pk=intake_pk)
    patient_for_view(request, intake.patient_id, category=DataCategory.INTAKE, action=action)
    return intake


def _steps(intake: Intake, current: str) -> list[dict]:
    order = list(IntakeStep)
    reached = order.index(IntakeStep(intake.step))
    return [
        {
            "label": step.label,
            "url_name": STEP_URLS[step],
            "done": index < reached or not intake.is_open,
            "current": step == current,
            "reachable": index <= reached,
        }
        for index, step in enumerate(order)
    ]


def _context(intake: Intake, current: str, **extra) -> dict:
    return {
        "intake": intake,
        "patient": intake.patient,
        "header": selectors.chart_header(intake.patient),
        "steps": _steps(intake, current),
        "current_step": current,
        **extra,
    }


@permission_required("patients.view_intake", raise_exception=True)
def intake_list(request):
    intakes = selectors.open_intakes().filter(patient__in=selectors.patients_visible_to(request.user))
    access_log_record(request=request, category=DataCategory.INTAKE, action="open intakes list")
    return render(request, "patients/intake/list.html", {"intakes": intakes[:200]})


@permission_required("patients.add_intake", raise_exception=True)
def intake_start(request, pk):
    """Start an intake for a registered patient (or resume the one in progress)."""
    patient = patient_for_view(request, pk, category=DataCategory.INTAKE, action="start intake")
    open_intake = selectors.chart_header(patient).open_intake
    if open_intake:
        messages.info(request, "This patient already has an intake in progress; resuming it.")
        return redirect(STEP_URLS[open_intake.step], intake_pk=open_intake.pk)
    form = ReferralForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            intake = services.intake_start(patient=patient, started_by=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            services.intake_advance(intake=intake, to_step=IntakeStep.SCREENING, by=request.user)
            messages.success(request, "Referral saved. Next: screening.")
            return redirect("patients:intake_screening", intake_pk=intake.pk)
    return render(request, "patients/intake/start.html", {"form": form, "patient": patient})


@permission_required("patients.change_intake", raise_exception=True)
def intake_resume(request, intake_pk):
    intake = _intake_for_view(request, intake_pk, "resume intake")
    return redirect(STEP_URLS[intake.step], intake_pk=intake.pk)


@permission_required("patients.change_intake", raise_exception=True)
def intake_referral(request, intake_pk):
    intake = _intake_for_view(request, intake_pk, "intake referral")
    form = ReferralForm(request.POST or None, instance=intake)
    if request.method == "POST" and form.is_valid():
        try:
            services.intake_update_referral(intake=intake, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Referral saved.")
            return redirect("patients:intake_screening", intake_pk=intake.pk)
    return render(request, "patients/intake/referral.html", _context(intake, IntakeStep.REFERRAL, form=form))


@permission_required("patients.change_intake", raise_exception=True)
def intake_screening(request, intake_pk):
    intake = _intake_for_view(request, intake_pk, "intake screening")
    if request.method == "POST":
        try:
            services.intake_advance(intake=intake, to_step=IntakeStep.ASSESSMENT, by=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            return redirect("patients:intake_assessment", intake_pk=intake.pk)
    given = intake.instruments.valid().select_related("administered_by").order_by("administered_at")
    options = [(code, SPECS[code]) for code in SCREENING_INSTRUMENTS]
    context = _context(intake, IntakeStep.SCREENING, given=given, options=options)
    return render(request, "patients/intake/screening.html", context)


@permission_required("patients.add_instrumentresponse", raise_exception=True)
def intake_instrument(request, intake_pk, instrument):
    if instrument not in SPECS:
        raise Http404
    intake = _intake_for_view(request, intake_pk, "intake instrument")
    form = InstrumentForm(request.POST or None, instrument=instrument)
    if request.method == "POST" and form.is_valid():
        try:
            response = services.instrument_record(
                patient=intake.patient,
                instrument=instrument,
                answers=form.answers(),
                administered_by=request.user,
                administered_at=form.cleaned_data.get("administered_at"),
                intake=intake,
            )
        except IncompleteInstrument as error:
            add_instrument_errors(form, error)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            instrument_saved_message(request, response)
            return redirect("patients:intake_screening", intake_pk=intake.pk)
    context = _context(intake, IntakeStep.SCREENING, form=form, spec=SPECS[instrument])
    return render(request, "patients/intake/instrument.html", context)


@permission_required("patients.add_asamassessment", raise_exception=True)
def intake_assessment(request, intake_pk):
    intake = _intake_for_view(request, intake_pk, "intake assessment")
    latest = intake.asam_assessments.valid().order_by("-assessed_at").first()
    form = AsamAssessmentForm(request.POST or None, instance=None)
    if latest and request.method != "POST":
        form = AsamAssessmentForm(initial={f: getattr(latest, f) for f in AsamAssessmentForm.Meta.fields})
    if request.method == "POST" and form.is_valid():
        try:
            assessment = services.asam_assessment_record(
                patient=intake.patient, intake=intake, assessed_by=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"ASAM assessment saved. Recommended level: {assessment.recommendation_label}.")
            services.intake_advance(intake=intake, to_step=IntakeStep.DECISION, by=request.user)
            return redirect("patients:intake_decision", intake_pk=intake.pk)
    context = _context(
        intake,
        IntakeStep.ASSESSMENT,
        form=form,
        latest=latest,
        substance_use=intake.patient.substance_use.valid(),
        diagnoses=intake.patient.diagnoses.valid(),
    )
    return render(request, "patients/intake/assessment.html", context)


@permission_required("patients.add_episode", raise_exception=True)
def intake_decision(request, intake_pk):
    intake = _intake_for_view(request, intake_pk, "intake decision")
    assessment = intake.asam_assessments.valid().order_by("-assessed_at").first()
    if assessment is None:
        messages.info(request, "Complete the ASAM assessment first.")
        return redirect("patients:intake_assessment", intake_pk=intake.pk)
    admit_form = AdmitForm(
        request.POST if request.POST.get("decision") == "admit" else None,
        edition=assessment.edition,
        initial={
            "level_of_care": assessment.recommended_level,
            "withdrawal_management": assessment.recommended_withdrawal_management,
        },
    )
    close_form = CloseIntakeForm(request.POST if request.POST.get("decision") == "close" else None)
    if request.method == "POST" and request.POST.get("decision") == "admit" and admit_form.is_valid():
        data = admit_form.cleaned_data
        try:
            episode = services.patient_admit(
                intake=intake,
                admitted_by=request.user,
                program=data["program"],
                primary_clinician=data["primary_clinician"],
                target_weekly_hours=data["target_weekly_hours"],
                level_of_care=data["level_of_care"],
                withdrawal_management=data.get("withdrawal_management", ""),
                level_of_care_reason_category=data["level_of_care_reason_category"],
                level_of_care_reason=data["level_of_care_reason"],
                admitted_on=data["admitted_on"],
                expected_length_weeks=data["expected_length_weeks"],
                care_team=list(data["care_team"]),
            )
        except ValidationError as error:
            add_service_errors(admit_form, error)
        else:
            messages.success(request, f"Admitted to {episode.program} at level {episode.level_label}.")
            if episode.awaits_cosign:
                messages.info(request, "Below the recommended level: a supervisor co-signs within 24 hours.")
            # An app above may ask its admission questions next (outcomes: the measures TEDS needs).
            chart = reverse("patients:chart", args=[intake.patient_id])
            return redirect(follow_on_url("patients.admitted", episode, then=chart) or chart)
    if request.method == "POST" and request.POST.get("decision") == "close" and close_form.is_valid():
        try:
            services.intake_close_not_admitted(intake=intake, by=request.user, **close_form.cleaned_data)
        except ValidationError as error:
            add_service_errors(close_form, error)
        else:
            messages.success(request, "Intake closed without admission.")
            return redirect("patients:chart", pk=intake.patient_id)
    context = _context(
        intake,
        IntakeStep.DECISION,
        assessment=assessment,
        admit_form=admit_form,
        close_form=close_form,
        has_treatment_consent=selectors.consent_is_active(intake.patient, ConsentKind.TREATMENT),
        screening=intake.instruments.valid().order_by("administered_at"),
    )
    return render(request, "patients/intake/decision.html", context)
