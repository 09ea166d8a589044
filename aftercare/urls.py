"""Discharge and aftercare on the chart (under /patients/<id>/) and the check-ins due (/aftercare/check-ins/)."""

from django.urls import path
from django.views.generic import RedirectView

from .views import checkins, discharge

app_name = "aftercare"

urlpatterns = [
    path("aftercare/check-ins/", checkins.checkins_due, name="checkins_due"),
    # The list's address before aftercare became its own app.
    path("patients/check-ins/", RedirectView.as_view(pattern_name="aftercare:checkins_due", permanent=True)),
    path(
        "patients/<int:pk>/episodes/<int:episode_pk>/discharge/", discharge.episode_discharge, name="episode_discharge"
    ),
    path("patients/<int:pk>/discharges/<int:discharge_pk>/", discharge.discharge_detail, name="discharge_detail"),
    path("patients/<int:pk>/discharges/<int:discharge_pk>/edit/", discharge.discharge_edit, name="discharge_edit"),
    path("patients/<int:pk>/discharges/<int:discharge_pk>/sign/", discharge.discharge_sign, name="discharge_sign"),
    path("patients/<int:pk>/discharges/<int:discharge_pk>/aftercare/", discharge.aftercare_edit, name="aftercare_edit"),
    path(
        "patients/<int:pk>/discharges/<int:discharge_pk>/aftercare/print/",
        discharge.aftercare_print,
        name="aftercare_print",
    ),
    path("patients/<int:pk>/check-ins/<int:checkin_pk>/", checkins.checkin_record, name="checkin_record"),
]
