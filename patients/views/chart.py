from collections.abc import Callable
from dataclasses import dataclass
from pathlib import PurePath

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from audit.constants import DataCategory
from iop.forms import add_service_errors

from .. import selectors, services
from ..constants import PART2_REVOCATION_STATEMENT, AlertKind, ConsentKind, ConsentMethod, EpisodeStatus
from ..forms import (
    AlertAcknowledgeForm,
    AlertResolveForm,
    AuthorizationForm,
    ConsentForm,
    ConsentSectionsForm,
    ContactForm,
    DiagnosisForm,
    InstrumentForm,
    InsurancePolicyForm,
    LevelOfCareChangeForm,
    ReasonForm,
    SubstanceUseForm,
)
from ..instruments import SPECS, IncompleteInstrument, Instrument
from ..models import Authorization, Episode
from ..selectors import patient_for_view


def _chart_context(patient, section: str, **extra) -> dict:
    return {"header": selectors.chart_header(patient), "patient": patient, "section": section, **extra}


def chart(request, pk):
    """The chart's overview: episode, care team, diagnoses, substance use, recent instruments."""
    patient = patient_for_view(request, pk, category=DataCategory.DEMOGRAPHICS, action="chart overview")
    episodes = (
        patient.episodes.valid()
        .select_related("program", "primary_clinician", "cosigned_by", "assessment")
        .prefetch_related("level_changes__recorded_by")
        .order_by("-admitted_on")
    )
    context = _chart_context(
        patient,
        "overview",
        episodes=episodes,
        care_team=patient.care_team.select_related("user").order_by("role"),
        diagnoses=patient.diagnoses.valid(),
        substance_use=patient.substance_use.valid(),
        recent_instruments=patient.instrument_responses.valid().select_related("administered_by")[:5],
        intakes=patient.intakes.valid().select_related("last_worked_by"),
    )
    return render(request, "patients/chart/overview.html", context)


def chart_assessments(request, pk):
    patient = patient_for_view(request, pk, category=DataCategory.ASSESSMENTS, action="chart assessments")
    trend = selectors.instrument_trend(patient)
    context = _chart_context(
        patient,
        "assessments",
        instruments=patient.instrument_responses.valid().select_related("administered_by"),
        asam_assessments=patient.asam_assessments.valid().select_related("assessed_by"),
        trend_data={SPECS[code].title: points for code, points in trend.items()},
        has_trend=any(trend.values()),
        instrument_choices=Instrument.choices,
    )
    return render(request, "patients/chart/assessments.html", context)


def chart_consents(request, pk):
    patient = patient_for_view(request, pk, category=DataCategory.CONSENTS, action="chart consents")
    consents = list(patient.consents.valid().select_related("recorded_by", "sections_confirmed_by"))
    context = _chart_context(
        patient,
        "consents",
        consents=consents,
        needing_confirmation=[consent for consent in consents if consent.needs_section_confirmation],
    )
    return render(request, "patients/chart/consents.html", context)


def _consent_initial(request, patient) -> dict:
    """A Part 2 consent asked for from the chart starts signed on screen, naming this program as the discloser."""
    if request.GET.get("kind") != ConsentKind.PART2_DISCLOSURE:
        return {}
    episode = patient.episodes.valid().filter(status=EpisodeStatus.ACTIVE).select_related("program").first()
    discloser = settings.CLINIC_NEUTRAL_NAME + (f", {episode.program.name}" if episode else "")
    return {"kind": ConsentKind.PART2_DISCLOSURE, "method": ConsentMethod.ELECTRONIC, "disclosing_program": discloser}


def consent_add(request, patient, spec):
    """Record a consent; a Part 2 disclosure consent written (paper attached or signed on screen) and structured."""
    form = ConsentForm(request.POST or None, request.FILES or None, initial=_consent_initial(request, patient))
    form.instance.patient = patient
    if request.method == "POST" and form.is_valid():
        try:
            services.consent_record(
                consent=form.save(commit=False),
                recorded_by=request.user,
                sections=form.cleaned_data["sections"],
                signature=form.cleaned_data["signature"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Consent saved: {form.instance.get_kind_display()}.")
            return redirect("patients:chart_consents", pk=patient.pk)
    context = _chart_context(
        patient, "consents", form=form, title=spec.title, revocation_statement=PART2_REVOCATION_STATEMENT
    )
    return render(request, "patients/chart/consent_form.html", context)


@permission_required("patients.change_consent", raise_exception=True)
def consent_confirm_sections(request, pk, consent_pk):
    """Record which sections an older Part 2 consent allows, read from the consent the patient signed."""
    patient = patient_for_view(request, pk, category=DataCategory.CONSENTS, action="confirm consent sections")
    consent = get_object_or_404(
        patient.consents.valid().filter(kind=ConsentKind.PART2_DISCLOSURE).select_related("recorded_by"),
        pk=consent_pk,
    )
    if not consent.needs_section_confirmation:
        messages.info(request, "The sections of this consent are recorded already.")
        return redirect("patients:chart_consents", pk=patient.pk)
    form = ConsentSectionsForm(
        request.POST or None, request.FILES or None, initial={"disclosing_program": consent.disclosing_program}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.consent_sections_confirm(consent=consent, confirmed_by=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Sections recorded: disclosures may now use this consent.")
            return redirect("patients:chart_consents", pk=patient.pk)
    context = _chart_context(patient, "consents", form=form, consent=consent, title="Confirm what the consent allows")
    return render(request, "patients/chart/consent_confirm.html", context)


def consent_signed_copy(request, pk, consent_pk):
    """The signed paper consent as attached, to whoever may see the chart's consents (the look is logged)."""
    patient = patient_for_view(request, pk, category=DataCategory.CONSENTS, action="consent signed copy")
    consent = get_object_or_404(patient.consents.valid().exclude(document=""), pk=consent_pk)
    suffix = PurePath(consent.document.name).suffix
    response = FileResponse(
        consent.document.open("rb"), as_attachment=True, filename=f"consent-{consent.pk}-signed{suffix}"
    )
    response["Cache-Control"] = "private, no-store"
    return response


def chart_contacts(request, pk):
    patient = patient_for_view(request, pk, category=DataCategory.CONTACTS, action="chart contacts")
    context = _chart_context(patient, "contacts", contacts=patient.contacts.valid())
    return render(request, "patients/chart/contacts.html", context)


def chart_insurance(request, pk):
    patient = patient_for_view(request, pk, category=DataCategory.INSURANCE, action="chart insurance")
    policies = patient.insurance_policies.valid().prefetch_related(
        Prefetch("authorizations", queryset=Authorization.objects.valid().order_by("-starts_on"))
    )
    return render(request, "patients/chart/insurance.html", _chart_context(patient, "insurance", policies=policies))


@dataclass(frozen=True)
class ChartRecordKind:
    form_class: type
    title: str
    category: DataCategory
    permission: str
    return_to: str
    # A record that needs more than the generic form (files, a signature, its own service) has its own view.
    view: Callable | None = None


RECORD_KINDS = {
    "contact": ChartRecordKind(ContactForm, "Add a contact", DataCategory.CONTACTS, "patients.add_contact", "contacts"),
    "consent": ChartRecordKind(
        ConsentForm, "Record a consent", DataCategory.CONSENTS, "patients.add_consent", "consents", consent_add
    ),
    "insurance": ChartRecordKind(
        InsurancePolicyForm, "Add insurance", DataCategory.INSURANCE, "patients.add_insurancepolicy", "insurance"
    ),
    "authorization": ChartRecordKind(
        AuthorizationForm, "Add an authorization", DataCategory.INSURANCE, "patients.add_authorization", "insurance"
    ),
    "diagnosis": ChartRecordKind(
        DiagnosisForm, "Add a diagnosis", DataCategory.DIAGNOSES, "patients.add_diagnosis", "overview"
    ),
    "substance": ChartRecordKind(
        SubstanceUseForm, "Add substance use history", DataCategory.DIAGNOSES, "patients.add_substanceuse", "overview"
    ),
}
SECTION_URLS = {
    "overview": "patients:chart",
    "contacts": "patients:chart_contacts",
    "consents": "patients:chart_consents",
    "insurance": "patients:chart_insurance",
    "assessments": "patients:chart_assessments",
}


def chart_record_add(request, pk, kind):
    """One view for the chart's simple records: contacts, consents, insurance, diagnoses…"""
    spec = RECORD_KINDS.get(kind)
    if spec is None:
        raise Http404
    if not request.user.has_perm(spec.permission):
        raise PermissionDenied
    patient = patient_for_view(request, pk, category=spec.category, action=f"add {kind}")
    if spec.view is not None:
        return spec.view(request, patient, spec)
    form_kwargs = {"patient": patient} if kind == "authorization" else {}
    form = spec.form_class(request.POST or None, **form_kwargs)
    if hasattr(form.instance, "patient_id"):
        form.instance.patient = patient
    if request.method == "POST" and form.is_valid():
        try:
            services.chart_record_add(instance=form.save(commit=False), recorded_by=request.user)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"{spec.title.split(' ', 1)[1].capitalize()} saved.")
            return redirect(SECTION_URLS[spec.return_to], pk=patient.pk)
    context = _chart_context(patient, spec.return_to, form=form, title=spec.title, kind=kind)
    return render(request, "patients/chart/record_form.html", context)


@permission_required("patients.add_instrumentresponse", raise_exception=True)
def instrument_add(request, pk, instrument):
    """Give an instrument from the chart (repeat measurement, e.g. a fortnightly PHQ-9)."""
    if instrument not in SPECS:
        raise Http404
    patient = patient_for_view(request, pk, category=DataCategory.ASSESSMENTS, action="add instrument")
    form = InstrumentForm(request.POST or None, instrument=instrument)
    if request.method == "POST" and form.is_valid():
        episode = patient.episodes.valid().filter(status=EpisodeStatus.ACTIVE).first()
        try:
            response = services.instrument_record(
                patient=patient,
                instrument=instrument,
                answers=form.answers(),
                administered_by=request.user,
                administered_at=form.cleaned_data.get("administered_at"),
                episode=episode,
            )
        except IncompleteInstrument as error:
            add_instrument_errors(form, error)
        else:
            instrument_saved_message(request, response)
            return redirect("patients:chart_assessments", pk=patient.pk)
    context = _chart_context(patient, "assessments", form=form, spec=SPECS[instrument])
    return render(request, "patients/chart/instrument_form.html", context)


def add_instrument_errors(form, error: IncompleteInstrument) -> None:
    missing = sorted(n for n, message in error.errors.items() if message == "Answer this item.")
    for number, message in error.errors.items():
        name = f"item_{number}"
        form.add_error(name if name in form.fields else None, message)
    if missing:
        form.add_error(None, f"Not saved: answer item{'s' if len(missing) > 1 else ''} {', '.join(map(str, missing))}.")


def instrument_saved_message(request, response) -> None:
    label = response.get_instrument_display()
    if response.score is None:
        summary = ", ".join(f"{name} {value}" for name, value in response.subscales.items())
        messages.success(request, f"{label} saved: {summary}.")
    else:
        messages.success(request, f"{label} saved: score {response.score} ({response.band}).")
    if response.alerts.exists():
        messages.error(request, "Safety alert raised: PHQ-9 item 9 is positive. Follow the safety protocol today.")


@permission_required("patients.add_levelofcarechange", raise_exception=True)
def level_of_care_change(request, pk, episode_pk):
    patient = patient_for_view(request, pk, category=DataCategory.EPISODES, action="level of care change")
    episode = get_object_or_404(Episode.objects.valid(), pk=episode_pk, patient=patient)
    form = LevelOfCareChangeForm(
        request.POST or None, edition=episode.edition, initial={"to_level": episode.level_of_care}
    )
    if request.method == "POST" and form.is_valid():
        try:
            change = services.level_of_care_change(episode=episode, recorded_by=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Level of care changed ({change.direction}) to {change.to_level_label}.")
            return redirect("patients:chart", pk=patient.pk)
    context = _chart_context(patient, "overview", form=form, episode=episode)
    return render(request, "patients/chart/level_change_form.html", context)


@require_POST
@permission_required("patients.cosign_episode", raise_exception=True)
def episode_cosign(request, pk, episode_pk):
    """A supervisor co-signs an admission below the recommended level (the work-list task closes)."""
    patient = patient_for_view(request, pk, category=DataCategory.EPISODES, action="co-sign admission")
    episode = get_object_or_404(Episode.objects.valid(), pk=episode_pk, patient=patient)
    try:
        services.episode_cosign(episode=episode, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"Admission at {episode.level_label} co-signed.")
    return redirect("patients:chart", pk=patient.pk)


@require_POST
@permission_required("patients.change_consent", raise_exception=True)
def consent_revoke(request, pk, consent_pk):
    patient = patient_for_view(request, pk, category=DataCategory.CONSENTS, action="revoke consent")
    consent = get_object_or_404(patient.consents.valid(), pk=consent_pk)
    form = ReasonForm(request.POST)
    if form.is_valid():
        try:
            services.consent_revoke(consent=consent, by=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, f"{consent.get_kind_display()} revoked.")
    else:
        messages.error(request, "Record how and why the patient revoked the consent.")
    return redirect("patients:chart_consents", pk=patient.pk)


@permission_required("patients.change_patientalert", raise_exception=True)
def alert_resolve(request, pk, alert_pk):
    """Close an alert: safety, withdrawal and overdose alerts with the assessment's risk level and action."""
    patient = patient_for_view(request, pk, category=DataCategory.ASSESSMENTS, action="resolve alert")
    alert = get_object_or_404(patient.alerts.valid().filter(resolved_at__isnull=True), pk=alert_pk)
    form = AlertResolveForm(request.POST or None, alert=alert)
    if request.method == "POST" and form.is_valid():
        try:
            services.alert_resolve(
                alert=alert,
                by=request.user,
                resolution=form.cleaned_data["note"],
                risk_level=form.cleaned_data.get("risk_level", ""),
                action=form.cleaned_data.get("action", ""),
            )
        except ValidationError as error:
            add_service_errors(form, _alert_form_errors(error))
        else:
            messages.success(request, f"{alert.get_kind_display()} alert resolved.")
            return redirect("patients:chart", pk=patient.pk)
    context = _chart_context(patient, "overview", alert=alert, form=form, title="Resolve the alert")
    return render(request, "patients/chart/alert_form.html", context)


@permission_required("patients.acknowledge_patientalert", raise_exception=True)
def alert_acknowledge(request, pk, alert_pk):
    """A supervisor lets discharge go ahead with an open safety alert, by name and with a reason."""
    patient = patient_for_view(request, pk, category=DataCategory.ASSESSMENTS, action="acknowledge alert")
    alert = get_object_or_404(
        patient.alerts.valid().filter(resolved_at__isnull=True, kind=AlertKind.SAFETY), pk=alert_pk
    )
    form = AlertAcknowledgeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.alert_acknowledge_for_discharge(alert=alert, by=request.user, note=form.cleaned_data["note"])
        except ValidationError as error:
            add_service_errors(form, _alert_form_errors(error))
        else:
            messages.success(request, "Acknowledged: discharge may go ahead with this alert open.")
            return redirect("patients:chart", pk=patient.pk)
    context = _chart_context(patient, "overview", alert=alert, form=form, title="Acknowledge for discharge")
    return render(request, "patients/chart/alert_form.html", context)


def _alert_form_errors(error: ValidationError) -> ValidationError:
    """The services name model fields; the forms call them note, risk_level and action."""
    if not hasattr(error, "error_dict"):
        return error
    names = {
        "resolution": "note",
        "discharge_acknowledgement": "note",
        "resolution_risk_level": "risk_level",
        "resolution_action": "action",
    }
    return ValidationError({names.get(key, key): value for key, value in error.error_dict.items()})
