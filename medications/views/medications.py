"""The chart's medication list: add, edit, stop."""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from audit.constants import DataCategory
from iop.forms import add_service_errors
from patients.selectors import chart_header, patient_for_view

from ..forms import MedicationForm, MedicationStopForm
from ..selectors.medications import medications_of
from ..services import medications as medication_services


def _chart_context(patient, **extra) -> dict:
    return {"header": chart_header(patient), "patient": patient, "section": "medications", **extra}


@permission_required("medications.view_medication", raise_exception=True)
def chart_medications(request, pk):
    patient = patient_for_view(request, pk, category=DataCategory.MEDICATIONS, action="chart medications")
    today = timezone.localdate()
    medications = list(medications_of(patient))
    context = _chart_context(
        patient,
        current=[m for m in medications if m.stop_date is None or m.stop_date >= today],
        past=[m for m in medications if m.stop_date is not None and m.stop_date < today],
        today=today,
    )
    return render(request, "medications/list.html", context)


@permission_required("medications.add_medication", raise_exception=True)
def medication_add(request, pk):
    patient = patient_for_view(request, pk, category=DataCategory.MEDICATIONS, action="add medication")
    form = MedicationForm(request.POST or None, initial={"prescriber": request.user.pk})
    if request.method == "POST" and form.is_valid():
        analytes = form.cleaned_data["expected_analytes"]
        try:
            medication = medication_services.medication_add(
                patient=patient,
                recorded_by=request.user,
                # Nothing ticked: take the catalogue's analytes for a listed medication.
                expected_analytes=analytes if analytes else None,
                **form.service_fields(),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"{medication.name} added to the medication list.")
            return redirect("medications:chart_medications", pk=patient.pk)
    context = _chart_context(patient, form=form, title="Add a medication")
    return render(request, "medications/form.html", context)


@permission_required("medications.change_medication", raise_exception=True)
def medication_edit(request, pk, medication_pk):
    patient = patient_for_view(request, pk, category=DataCategory.MEDICATIONS, action="edit medication")
    medication = get_object_or_404(patient.medications.valid(), pk=medication_pk)
    form = MedicationForm(request.POST or None, instance=medication)
    stop_form = MedicationStopForm(prefix="stop")
    if request.method == "POST" and form.is_valid():
        try:
            medication_services.medication_update(
                medication=medication,
                by=request.user,
                expected_analytes=form.cleaned_data["expected_analytes"],
                **form.service_fields(),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"{medication.name} updated.")
            return redirect("medications:chart_medications", pk=patient.pk)
    context = _chart_context(
        patient, form=form, stop_form=stop_form, medication=medication, title=f"Edit {medication.name}"
    )
    return render(request, "medications/form.html", context)


@permission_required("medications.change_medication", raise_exception=True)
def medication_stop(request, pk, medication_pk):
    patient = patient_for_view(request, pk, category=DataCategory.MEDICATIONS, action="stop medication")
    medication = get_object_or_404(patient.medications.valid(), pk=medication_pk)
    stop_form = MedicationStopForm(request.POST or None, prefix="stop")
    if request.method == "POST" and stop_form.is_valid():
        try:
            medication_services.medication_stop(medication=medication, by=request.user, **stop_form.cleaned_data)
        except ValidationError as error:
            add_service_errors(stop_form, error)
        else:
            messages.success(request, f"{medication.name} stopped.")
            return redirect("medications:chart_medications", pk=patient.pk)
    context = _chart_context(
        patient, form=MedicationForm(instance=medication), stop_form=stop_form, medication=medication,
        title=f"Edit {medication.name}",
    )  # fmt: skip
    return render(request, "medications/form.html", context, status=400 if request.method == "POST" else 200)
