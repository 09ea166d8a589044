from django.urls import path

from .views import disclosures, reports

app_name = "audit"

urlpatterns = [
    path("", reports.access_log_report, name="access_log"),
    path("export.csv", reports.access_log_export, name="access_log_export"),
    path("patients/<int:pk>/accesses/", reports.patient_accesses, name="patient_accesses"),
    path("patients/<int:pk>/disclosures/", disclosures.disclosure_accounting, name="disclosure_accounting"),
    path(
        "patients/<int:pk>/disclosures/print/",
        disclosures.disclosure_accounting_print,
        name="disclosure_accounting_print",
    ),
    path("patients/<int:pk>/disclose/", disclosures.disclosure_create, name="disclosure_create"),
    path(
        "patients/<int:pk>/disclosures/<int:disclosure_pk>/",
        disclosures.disclosure_packet,
        name="disclosure_packet",
    ),
]
