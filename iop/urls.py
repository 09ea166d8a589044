from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from .admin_site import admin_login

# Models that moved to another app when patients/ and scheduling/ were split (issue 15):
# their old admin addresses (bookmarks, links in old messages) redirect to the new ones.
MOVED_ADMIN_MODELS = {
    ("scheduling", "program"): "programs",
    **{
        ("patients", model): "testing"
        for model in (
            "analyte",
            "panel",
            "panelanalyte",
            "programclinicalpolicy",
            "randomdraw",
            "drugtest",
            "drugtestresultset",
            "analyteresult",
            "sobrietydate",
        )
    },
    ("patients", "medication"): "medications",
    **{("patients", model): "aftercare" for model in ("discharge", "aftercareplan", "alumnicheckin")},
}


def moved_admin_redirects() -> list:
    patterns = []
    for (old_app, model), new_app in MOVED_ADMIN_MODELS.items():
        target = f"/admin/{new_app}/{model}/"
        patterns += [
            path(f"admin/{old_app}/{model}/", RedirectView.as_view(url=target, query_string=True, permanent=True)),
            path(
                f"admin/{old_app}/{model}/<path:rest>",
                RedirectView.as_view(url=target + "%(rest)s", query_string=True, permanent=True),
            ),
        ]
    return patterns


urlpatterns = [
    path("accounts/", include("accounts.urls")),
    path("patients/", include("patients.urls")),
    # Chart tabs of the apps above patients keep their /patients/<id>/… addresses.
    path("", include("testing.urls")),
    path("", include("medications.urls")),
    path("", include("aftercare.urls")),
    # The outcomes page and TEDS under /outcomes/, the outcome-measure forms under the chart.
    path("", include("outcomes.urls")),
    path("schedule/", include("scheduling.urls")),
    path("clinical/", include("clinical.urls")),
    path("audit/", include("audit.urls")),
    # The home page (the work list) and the outbox's pages.
    path("", include("notifications.urls")),
    # One sign-in page (with lockout and MFA) for the whole site, the admin included; a signed-in
    # user goes on to the admin, which tells a non-admin so instead of sending them back (issue 16).
    path("admin/login/", admin_login),
    *moved_admin_redirects(),
    path("admin/", admin.site.urls),
]
