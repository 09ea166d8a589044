"""The chart's medication list, under /patients/<id>/medications/."""

from django.urls import path

from .views import medications

app_name = "medications"

urlpatterns = [
    path("patients/<int:pk>/medications/", medications.chart_medications, name="chart_medications"),
    path("patients/<int:pk>/medications/new/", medications.medication_add, name="medication_add"),
    path("patients/<int:pk>/medications/<int:medication_pk>/", medications.medication_edit, name="medication_edit"),
    path(
        "patients/<int:pk>/medications/<int:medication_pk>/stop/", medications.medication_stop, name="medication_stop"
    ),
]
