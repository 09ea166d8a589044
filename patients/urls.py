from django.urls import path

from .views import access, chart, intake, registry

app_name = "patients"

urlpatterns = [
    path("", registry.registry, name="registry"),
    path("new/", registry.patient_create, name="patient_create"),
    path("emergency-access/", access.break_glass, name="break_glass"),
    path("<int:pk>/", chart.chart, name="chart"),
    path("<int:pk>/edit/", registry.patient_edit, name="patient_edit"),
    path("<int:pk>/assessments/", chart.chart_assessments, name="chart_assessments"),
    path("<int:pk>/assessments/<slug:instrument>/new/", chart.instrument_add, name="instrument_add"),
    path("<int:pk>/consents/", chart.chart_consents, name="chart_consents"),
    path("<int:pk>/consents/<int:consent_pk>/revoke/", chart.consent_revoke, name="consent_revoke"),
    path("<int:pk>/consents/<int:consent_pk>/confirm/", chart.consent_confirm_sections, name="consent_confirm"),
    path("<int:pk>/consents/<int:consent_pk>/signed-copy/", chart.consent_signed_copy, name="consent_signed_copy"),
    path("<int:pk>/contacts/", chart.chart_contacts, name="chart_contacts"),
    path("<int:pk>/insurance/", chart.chart_insurance, name="chart_insurance"),
    path("<int:pk>/add/<slug:kind>/", chart.chart_record_add, name="chart_record_add"),
    path("<int:pk>/alerts/<int:alert_pk>/resolve/", chart.alert_resolve, name="alert_resolve"),
    path("<int:pk>/alerts/<int:alert_pk>/acknowledge/", chart.alert_acknowledge, name="alert_acknowledge"),
    path("<int:pk>/episodes/<int:episode_pk>/level/", chart.level_of_care_change, name="level_of_care_change"),
    path("<int:pk>/episodes/<int:episode_pk>/cosign/", chart.episode_cosign, name="episode_cosign"),
    path("<int:pk>/intake/start/", intake.intake_start, name="intake_start"),
    path("intake/", intake.intake_list, name="intake_list"),
    path("intake/<int:intake_pk>/", intake.intake_resume, name="intake_resume"),
    path("intake/<int:intake_pk>/referral/", intake.intake_referral, name="intake_referral"),
    path("intake/<int:intake_pk>/screening/", intake.intake_screening, name="intake_screening"),
    path("intake/<int:intake_pk>/screening/<slug:instrument>/", intake.intake_instrument, name="intake_instrument"),
    path("intake/<int:intake_pk>/assessment/", intake.intake_assessment, name="intake_assessment"),
    path("intake/<int:intake_pk>/decision/", intake.intake_decision, name="intake_decision"),
]
