"""42 CFR Part 2 disclosures from the chart: the disclose flow, the packet, the accounting of disclosures."""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render

from audit import selectors, services
from audit.constants import DISCLOSURE_ACCOUNTING_YEARS, DataCategory, Outcome
from audit.disclosure_scope import consent_unusable_reason
from audit.forms import DisclosureForm
from audit.models import Disclosure
from audit.services import access_log_record
from iop.forms import add_service_errors
from iop.params import id_param
from patients.selectors import chart_header, patient_for_view


def _chart_context(patient, **extra) -> dict:
    return {"header": chart_header(patient), "patient": patient, "section": "disclosures", **extra}


def _chosen_consent(request, consents, active):
    """The consent named in ?consent=, or the only active one; None when staff must pick."""
    consent_id = id_param(request.GET, "consent")
    if consent_id is not None:
        return next((consent for consent in consents if consent.pk == consent_id), None), True
    return (active[0] if len(active) == 1 else None), False


@permission_required("audit.add_disclosure", raise_exception=True)
def disclosure_create(request, pk):
    """Disclose records under an active Part 2 consent: recipient and purpose must match, sections must be allowed."""
    patient = patient_for_view(request, pk, category=DataCategory.DISCLOSURE, action="disclose records form")
    consents = list(selectors.part2_consents(patient))
    for consent in consents:
        consent.unusable_reason = consent_unusable_reason(consent, patient)
    active = [consent for consent in consents if not consent.unusable_reason]
    consent, asked = _chosen_consent(request, consents, active)
    refusal = None
    if asked and consent is None:
        refusal = "That consent is not one of this patient's 42 CFR Part 2 disclosure consents."
    elif consent is not None and consent.unusable_reason:
        refusal = consent.unusable_reason
    form = None
    if consent is not None and not refusal:
        form = DisclosureForm(request.POST or None, allowed_sections=consent.allowed_sections)
        if request.method == "POST" and form.is_valid():
            try:
                disclosure = services.disclosure_record(
                    patient=patient,
                    consent=consent,
                    recipient=form.cleaned_data["recipient"],
                    purpose=form.cleaned_data["purpose"],
                    sections=form.cleaned_data["sections"],
                    disclosed_by=request.user,
                    request=request,
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, f"Disclosure to {disclosure.recipient} recorded. Print the packet below.")
                return redirect("audit:disclosure_packet", pk=patient.pk, disclosure_pk=disclosure.pk)
    if request.method == "POST" and (refusal or (form is not None and form.errors)):
        # A disclosure that was asked for and refused is an access attempt too.
        access_log_record(
            request=request,
            category=DataCategory.DISCLOSURE,
            action="disclose records (Part 2)",
            patient=patient,
            outcome=Outcome.REFUSED,
            detail="refused: " + ("consent" if refusal else ", ".join(sorted(form.errors))),
        )
    context = _chart_context(patient, consents=consents, active=active, consent=consent, form=form, refusal=refusal)
    return render(
        request, "audit/disclosure_form.html", context, status=400 if refusal and request.method == "POST" else 200
    )


@permission_required("audit.view_disclosure", raise_exception=True)
def disclosure_packet(request, pk, disclosure_pk):
    """The printable packet: the sections as disclosed, the §2.32 notice and a copy of the consent."""
    patient = patient_for_view(request, pk, category=DataCategory.DISCLOSURE, action="print disclosure packet")
    disclosure = get_object_or_404(Disclosure.objects.select_related("disclosed_by"), pk=disclosure_pk, patient=patient)
    return render(request, "audit/disclosure_packet.html", {"patient": patient, "disclosure": disclosure})


@permission_required("audit.view_disclosure", raise_exception=True)
def disclosure_accounting(request, pk):
    """The patient's accounting of disclosures (42 CFR §2.25): date, recipient, purpose, what, by whom."""
    patient = patient_for_view(request, pk, category=DataCategory.DISCLOSURE, action="accounting of disclosures")
    context = _chart_context(
        patient, disclosures=selectors.disclosures_of(patient), accounting_years=DISCLOSURE_ACCOUNTING_YEARS
    )
    return render(request, "audit/disclosure_accounting.html", context)


@permission_required("audit.view_disclosure", raise_exception=True)
def disclosure_accounting_print(request, pk):
    """The accounting of disclosures as a page to print and hand to the patient."""
    patient = patient_for_view(request, pk, category=DataCategory.DISCLOSURE, action="print accounting of disclosures")
    context = {"patient": patient, "disclosures": selectors.disclosures_of(patient)}
    return render(request, "audit/disclosure_accounting_print.html", context)
