"""The outcomes page and state reporting (/outcomes/), and the outcome-measure forms on the chart (/patients/…)."""

from django.urls import path

from .views import measures, outcomes, teds

app_name = "outcomes"

urlpatterns = [
    path("outcomes/", outcomes.outcomes_page, name="page"),
    path("outcomes/export.csv", outcomes.outcomes_csv, name="csv"),
    path("outcomes/print/", outcomes.outcomes_print, name="print"),
    path("outcomes/patients/<slug:figure>/", outcomes.outcomes_patients, name="patients"),
    path("outcomes/teds/", teds.teds_page, name="teds"),
    path("outcomes/teds/export/", teds.teds_download, name="teds_export"),
    path(
        "patients/<int:pk>/episodes/<int:episode_pk>/measures/admission/",
        measures.admission_measures,
        name="admission_measures",
    ),
    path(
        "patients/<int:pk>/episodes/<int:episode_pk>/measures/discharge/",
        measures.discharge_measures,
        name="discharge_measures",
    ),
    path(
        "patients/<int:pk>/check-ins/<int:checkin_pk>/measures/", measures.follow_up_measures, name="follow_up_measures"
    ),
]
