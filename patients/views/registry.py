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
    # A merged chart is out of every list, so its status is no filter.
    statuses = [choice for choice in PatientStatus.choices if choice[0] != PatientStatus.MERGED]
    context = {"page": page, "query": query, "status": status, "statuses": statuses}
    return render_page_or_partial(request, "patients/registry.html", "patients/partials/registry_results.html", context)


@permission_required("patients.add_patient", raise_exception=True)
def patient_create(request):
    """Register a new patient; possible duplicates are shown, and a reason asked, before anything is saved."""
    form = PatientForm(request.POST or None)
    duplicates = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        duplicates = selectors.possible_duplicates(
            legal_first_name=data["legal_first_name"],
            legal_last_name=data["legal_last_name"],
            date_of_birth=data["date_of_birth"],
            phone=data.get("phone", ""),
            email=data.get("email", ""),
        )
        fields = {name: value for name, value in data.items() if name != "not_duplicate_reason"}
        if duplicates and not data.get("not_duplicate_reason", "").strip():
            form.add_error(
                None,
                "This may be someone already registered. Open the existing chart, or write below why this is "
                "a different person.",
            )
        else:
            try:
                patient = services.patient_create(
                    created_by=request.user,
                    possible_duplicates=duplicates,
                    not_duplicate_reason=data.get("not_duplicate_reason", ""),
                    **fields,
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, f"Registered {patient.display_name} (MRN {patient.mrn}).")
                if choice_param(request.POST, "next", ("intake", "chart")) == "intake":
                    return redirect("patients:intake_start", pk=patient.pk)
                return redirect("patients:chart", pk=patient.pk)
    context = {"form": form, "duplicates": _shown_duplicates(request, duplicates), "creating": True}
    return render(request, "patients/patient_form.html", context)


def _shown_duplicates(request, duplicates) -> list[dict]:
    """The matches as this user may see them: names and a link only for charts the access rule opens.

    Each chart shown by name is a look at patient data and gets its access-log row; a chart outside
    the user's reach is shown by MRN and reasons alone, so they can ask intake to check it.
    """
    visible = selectors.visible_patient_ids(request.user, [match.patient.pk for match in duplicates])
    shown = []
    for match in duplicates:
        can_open = match.patient.pk in visible
        if can_open:
            access_log_record(
                request=request,
                category=DataCategory.REGISTRY,
                action="possible duplicate shown",
                patient=match.patient,
            )
        shown.append({"patient": match.patient, "reasons": match.reasons, "can_open": can_open})
    return shown


@permission_required("patients.change_patient", raise_exception=True)
def patient_edit(request, pk):
    patient = patient_for_view(request, pk, category=DataCategory.DEMOGRAPHICS, action="edit demographics")
    form = PatientForm(request.POST or None, instance=patient)
    form.fields.pop("not_duplicate_reason")
    if request.method == "POST" and form.is_valid():
        try:
            services.patient_update(patient=patient, updated_by=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Demographics saved.")
            return redirect("patients:chart", pk=patient.pk)
    return render(request, "patients/patient_form.html", {"form": form, "patient": patient, "creating": False})
