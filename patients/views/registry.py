from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render

from audit.constants import DataCategory
from audit.services import access_log_record
from iop.forms import add_service_errors
from iop.htmx import render_page_or_partial
from iop.params import choice_param, id_param, text_param

from .. import selectors, services
from ..constants import PatientStatus
from ..forms import PatientForm
from ..selectors import patient_for_view

PAGE_SIZE = 25


def registry(request):
    """Find a patient: by name, date of birth, MRN or phone."""
    query = text_param(request.GET, "q")
    status = choice_param(request.GET, "status", PatientStatus.values)
    after = id_param(request.GET, "after")
    patients = selectors.patients_visible_to(request.user)
    patients = selectors.patient_search(patients, query)
    if status:
        patients = patients.filter(status=status)
    page = selectors.registry_page(patients, after=after, page_size=PAGE_SIZE)
    if query or status:
        # Searches are looks at patient data too; the query text itself is not logged.
        access_log_record(request=request, category=DataCategory.REGISTRY, action="registry search")
    context = {"page": page, "query": query, "status": status, "statuses": PatientStatus.choices}
    return render_page_or_partial(request, "patients/registry.html", "patients/partials/registry_results.html", context)


@permission_required("patients.add_patient", raise_exception=True)
def patient_create(request):
    """Register a new patient; possible duplicates are shown before anything is saved."""
    form = PatientForm(request.POST or None)
    duplicates = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        duplicates = list(
            selectors.possible_duplicates(
                legal_first_name=data["legal_first_name"],
                legal_last_name=data["legal_last_name"],
                date_of_birth=data["date_of_birth"],
                phone=data.get("phone", ""),
            )
        )
        if duplicates and not data.get("confirm_not_duplicate"):
            form.add_error(None, "This may be someone already registered. Open the existing chart, or confirm below.")
        else:
            fields = {k: v for k, v in data.items() if k != "confirm_not_duplicate"}
            try:
                patient = services.patient_create(created_by=request.user, **fields)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, f"Registered {patient.display_name} (MRN {patient.mrn}).")
                if choice_param(request.POST, "next", ("intake", "chart")) == "intake":
                    return redirect("patients:intake_start", pk=patient.pk)
                return redirect("patients:chart", pk=patient.pk)
    return render(request, "patients/patient_form.html", {"form": form, "duplicates": duplicates, "creating": True})


@permission_required("patients.change_patient", raise_exception=True)
def patient_edit(request, pk):
    patient = patient_for_view(request, pk, category=DataCategory.DEMOGRAPHICS, action="edit demographics")
    form = PatientForm(request.POST or None, instance=patient)
    form.fields.pop("confirm_not_duplicate")
    if request.method == "POST" and form.is_valid():
        try:
            services.patient_update(patient=patient, updated_by=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Demographics saved.")
            return redirect("patients:chart", pk=patient.pk)
    return render(request, "patients/patient_form.html", {"form": form, "patient": patient, "creating": False})
