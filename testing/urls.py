"""Drug tests on the chart (under /patients/<id>/) and the program's testing desk (/testing/)."""

from django.urls import path
from django.views.generic import RedirectView

from .views import drug_tests, random_draws

app_name = "testing"

urlpatterns = [
    path("testing/", drug_tests.testing_lists, name="testing_lists"),
    path("testing/random-draws/", random_draws.random_draw_audit, name="random_draw_audit"),
    path("testing/random-draws/<int:pk>/", random_draws.random_draw_detail, name="random_draw_detail"),
    # The testing desk's address before drug testing became its own app.
    path("patients/drug-tests/", RedirectView.as_view(pattern_name="testing:testing_lists", permanent=True)),
    path("patients/<int:pk>/drug-tests/", drug_tests.chart_drug_tests, name="chart_drug_tests"),
    path("patients/<int:pk>/drug-tests/new/", drug_tests.drug_test_order, name="drug_test_order"),
    path("patients/<int:pk>/drug-tests/<int:test_pk>/", drug_tests.drug_test_detail, name="drug_test_detail"),
    path("patients/<int:pk>/drug-tests/<int:test_pk>/collect/", drug_tests.drug_test_collect, name="drug_test_collect"),
    path(
        "patients/<int:pk>/drug-tests/<int:test_pk>/not-collected/",
        drug_tests.drug_test_not_collected,
        name="drug_test_not_collected",
    ),
    path("patients/<int:pk>/drug-tests/<int:test_pk>/send/", drug_tests.drug_test_send, name="drug_test_send"),
    path("patients/<int:pk>/drug-tests/<int:test_pk>/result/", drug_tests.drug_test_result, name="drug_test_result"),
    path("patients/<int:pk>/sobriety-date/", drug_tests.sobriety_date_set, name="sobriety_date_set"),
]
