"""Fetching a patient for a view: through the access rule, with the look written to the access log."""

from django.http import Http404
from django.shortcuts import get_object_or_404

from audit.constants import DataCategory, Outcome
from audit.services import access_log_record

from .models import Patient
from .selectors import patients_visible_to


def patient_for_view(request, pk, *, category: DataCategory, action: str) -> Patient:
    """Return the patient if this user may see them, else 404 (and log the refusal)."""
    try:
        if not str(pk).isdigit():
            raise Http404
        # The rule asked about this one patient, not the user's whole caseload.
        patient = get_object_or_404(patients_visible_to(request.user, among=[int(pk)]), pk=pk)
    except Http404:
        exists = Patient.objects.filter(pk=pk).first() if str(pk).isdigit() else None
        access_log_record(request=request, category=category, action=action, patient=exists, outcome=Outcome.REFUSED)
        raise
    access_log_record(request=request, category=category, action=action, patient=patient)
    return patient
