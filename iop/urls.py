from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.generic import RedirectView

urlpatterns = [
    path("accounts/", include("accounts.urls")),
    path("patients/", include("patients.urls")),
    # Chart tabs of the apps above patients keep their /patients/<id>/… addresses.
    path("", include("testing.urls")),
    path("", include("medications.urls")),
    path("", include("aftercare.urls")),
    path("schedule/", include("scheduling.urls")),
    path("clinical/", include("clinical.urls")),
    path("audit/", include("audit.urls")),
    # The home page (the work list) and the outbox's pages.
    path("", include("notifications.urls")),
    # One sign-in page (with lockout and MFA) for the whole site, the admin included.
    path("admin/login/", login_not_required(RedirectView.as_view(pattern_name="login", query_string=True))),
    path("admin/", admin.site.urls),
]
