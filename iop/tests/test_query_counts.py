"""The regression gate of issue 7: every benchmarked page runs the same number of queries at 10× the data.

Two synthetic clinics come from ``seed_scale`` (the benchmark's own generator): a small
one and one with ten times the patients, twice the history and so many more sessions,
attendance rows and drug tests. Each page gets one budget, asserted at both sizes with
``django_assert_max_num_queries``: a query added per row or per patient fails here.
"""

from urllib.parse import urlencode

import pytest
from django.core.management import call_command
from django.urls import reverse

from demo.management.commands import seed_scale
from scheduling.models import Attendance

CLINICS = {
    "small": seed_scale.Size(active=30, total=60, programs=2, clinicians=4, weeks=3),
    "ten_times": seed_scale.Size(active=300, total=600, programs=2, clinicians=4, weeks=6),
}

# Queries per page, the same at both sizes. Most of each budget is fixed cost: the session,
# the user and their roles, the MFA device, and the access-log row with its hash chain.
BUDGETS = {
    "registry search": 12,
    "registry deep page": 9,
    "patient chart": 21,
    "heavy patient chart": 21,
    "heavy patient drug tests": 19,
    # The feeds look names up by id (groups, topics, rooms, clinicians, patients) rather than
    # joining them: a few more queries, each reading a handful of rows.
    "clinician week feed": 16,
    "program week feed": 16,
    "group roster": 12,
    # 18 for the save itself and 5 for the outcomes facts it keeps current (the sessions' weeks,
    # the episodes, their level changes, the weeks' totals, one upsert), whatever the roster's size.
    "attendance POST (15)": 24,
    # The access rule asked by id, then enrolments, group days, bookings and attendance apart.
    "compliance dashboard": 18,
    "work list": 15,
    "drug-test lists": 11,
}


@pytest.fixture(params=list(CLINICS))
def clinic(request, db, monkeypatch):
    monkeypatch.setitem(seed_scale.SIZES, request.param, CLINICS[request.param])
    call_command("seed_scale", size=request.param, stdout=open("/dev/null", "w"))  # noqa: SIM115
    return seed_scale.benchmark_subjects()


def attendance_form(patient_ids: list[int], status: str, minutes: int) -> dict:
    form = {"patient": [str(pk) for pk in patient_ids]}
    for pk in patient_ids:
        form[f"status-{pk}"] = status
        form[f"minutes-{pk}"] = str(minutes)
    return form


def test_pages_keep_their_query_budget_as_data_grows(clinic, login, django_assert_max_num_queries):
    client = login(clinic["clinician"])
    week = urlencode({"start": clinic["week_start"], "end": clinic["week_end"]})
    heavy, patient = clinic["heavy_patient_id"], clinic["patient_id"]
    first_page = client.get(reverse("patients:registry"))
    assert first_page.context["page"].next_after, "the clinic should fill more than one registry page"
    pages = {
        "registry search": reverse("patients:registry") + "?q=garcia",
        "registry deep page": reverse("patients:registry") + f"?after={first_page.context['page'].next_after}",
        "patient chart": reverse("patients:chart", args=[patient]),
        "heavy patient chart": reverse("patients:chart", args=[heavy]),
        "heavy patient drug tests": reverse("testing:chart_drug_tests", args=[heavy]),
        "clinician week feed": reverse("scheduling:calendar_events", args=["clinician", clinic["clinician_id"]])
        + f"?{week}",
        "program week feed": reverse("scheduling:calendar_events", args=["program", clinic["program_id"]]) + f"?{week}",
        "group roster": reverse("scheduling:roster", args=[clinic["session_id"]]),
        "work list": reverse("notifications:home"),
        "drug-test lists": reverse("testing:testing_lists"),
    }
    for name, url in pages.items():
        with django_assert_max_num_queries(BUDGETS[name], info=name):
            response = client.get(url)
        assert response.status_code == 200, name

    roster = clinic["roster_patient_ids"]
    # A seat may sit empty for a few days between one patient's discharge and the next admission.
    assert len(roster) >= seed_scale.SEATS_PER_COHORT - 3
    with django_assert_max_num_queries(BUDGETS["attendance POST (15)"]):
        response = client.post(
            reverse("scheduling:roster_save_all", args=[clinic["session_id"]]), attendance_form(roster, "late", 45)
        )
    assert response.status_code == 302
    assert Attendance.objects.valid().filter(session_id=clinic["session_id"], status="late").count() == len(roster)

    director = login(clinic["director"])
    with django_assert_max_num_queries(BUDGETS["compliance dashboard"], info="compliance dashboard"):
        response = director.get(reverse("scheduling:compliance") + f"?program={clinic['program_id']}")
    assert response.status_code == 200
    assert response.context["page"].paginator.count >= CLINICS["small"].active // CLINICS["small"].programs - 1


def test_registry_deep_pages_follow_the_name_order(clinic, login):
    """Keyset pages continue exactly where the previous one stopped: no patient skipped or repeated."""
    client = login(clinic["clinician"])
    seen, after = [], ""
    for _ in range(200):
        page = client.get(reverse("patients:registry") + (f"?after={after}" if after else "")).context["page"]
        seen += [(p.legal_last_name, p.legal_first_name, p.pk) for p in page.rows]
        if not page.next_after:
            break
        after = page.next_after
    assert seen == sorted(seen)
    assert len(seen) == len(set(seen)) == client.get(reverse("patients:registry")).context["page"].count
