"""A clinician, in a real browser: a PHQ-9 item 9 raises the safety alert; discharge waits; the alert is resolved."""

import pytest
from django.utils import timezone

from accounts.tests.factories import DEMO_PASSWORD, CounselorFactory, SupervisorFactory
from aftercare.models import Discharge
from notifications.constants import TaskKind, TaskStatus
from notifications.models import StaffTask
from patients.constants import EpisodeStatus
from patients.instruments import Instrument
from patients.models import PatientAlert
from patients.services import instrument_record
from patients.tests.factories import CareTeamMemberFactory, EpisodeFactory
from patients.tests.test_browser_intake import page  # noqa: F401 (the Chromium page fixture)
from programs.tests.factories import ProgramFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_a_safety_alert_stops_discharge_until_resolved_with_the_structured_form(page, live_server, browser_login):  # noqa: F811
    program = ProgramFactory(name="Adult IOP — evenings")
    supervisor = SupervisorFactory(programs=[program])
    clinician = CounselorFactory(first_name="Dana", last_name="Whitfield", programs=[program], supervisor=supervisor)
    episode = EpisodeFactory(program=program, primary_clinician=clinician)
    CareTeamMemberFactory(patient=episode.patient, user=clinician, role="primary")
    instrument_record(
        patient=episode.patient, instrument=Instrument.PHQ9, answers=[1] * 8 + [1], administered_by=clinician
    )
    task = StaffTask.objects.get(kind=TaskKind.SUICIDE_RISK_ASSESSMENT)

    browser_login(page, clinician, DEMO_PASSWORD)
    # The work list shows the task first, and the chart header the alert.
    assert page.locator("text=Suicide risk assessment today").first.is_visible()
    page.goto(f"{live_server.url}/patients/{episode.patient.pk}/")
    assert page.locator("text=Thoughts of death or self-harm").first.is_visible()

    # Discharge is refused while the alert is open, with the alert named; nothing is saved.
    page.goto(f"{live_server.url}/patients/{episode.patient.pk}/episodes/{episode.pk}/discharge/")
    page.fill("#id_discharged_on", timezone.localdate().isoformat())
    page.select_option("#id_discharge_type", "against_advice")
    page.fill("#id_reason", "Stopped attending and declined to continue")
    page.click("button:has-text('Discharge')")
    assert page.locator("text=open safety alert").first.is_visible()
    assert not Discharge.objects.exists()

    # Resolve it: a note of "." and no assessment are refused next to the fields, what was typed stays.
    page.goto(f"{live_server.url}/patients/{episode.patient.pk}/")
    page.click("text=Resolve…")
    page.fill("#id_note", ".")
    page.click("button:has-text('Resolve')")
    assert page.locator("text=at least 20 characters").first.is_visible()
    assert PatientAlert.objects.get().resolved_at is None
    page.check("input[name=risk_level][value=low]")
    page.select_option("#id_action", "safety_plan")
    page.fill("#id_note", "C-SSRS: passive ideation, no plan or intent; safety plan made with the patient.")
    page.click("button:has-text('Resolve')")
    assert page.locator("text=alert resolved").first.is_visible()
    alert = PatientAlert.objects.get()
    assert (alert.resolution_risk_level, alert.resolution_action) == ("low", "safety_plan")
    task.refresh_from_db()
    assert task.status == TaskStatus.DONE

    # Now the discharge goes through.
    page.goto(f"{live_server.url}/patients/{episode.patient.pk}/episodes/{episode.pk}/discharge/")
    page.fill("#id_discharged_on", timezone.localdate().isoformat())
    page.select_option("#id_discharge_type", "against_advice")
    page.fill("#id_reason", "Stopped attending and declined to continue")
    page.click("button:has-text('Discharge')")
    page.wait_for_load_state()
    episode.refresh_from_db()
    assert episode.status == EpisodeStatus.DISCHARGED
