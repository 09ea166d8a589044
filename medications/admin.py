from django.contrib import admin

from iop.admin import PATIENT_SEARCH, ChartAdmin, PatientColumnMixin
from testing.services.drug_tests import drug_tests_reinterpret

from .models import Medication


@admin.register(Medication)
class MedicationAdmin(PatientColumnMixin, ChartAdmin):
    list_display = (
        "patient_name",
        "name",
        "dose",
        "frequency",
        "source",
        "start_date",
        "stop_date",
        "entered_in_error",
    )
    list_filter = ("category", "source", ("stop_date", admin.EmptyFieldListFilter))
    list_select_related = ("patient",)
    search_fields = (*PATIENT_SEARCH, "name")
    autocomplete_fields = ("patient", "prescriber", "recorded_by")
    filter_horizontal = ("expected_analytes",)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # The expected analytes are saved only now: re-read the patient's tests against them.
        drug_tests_reinterpret(patient=form.instance.patient)
