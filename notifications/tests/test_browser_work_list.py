"""A supervisor, in a real browser, triages 30 team tasks: by patient, a collapsed row expanded, a group snoozed."""

import pytest

from accounts.tests.factories import DEMO_PASSWORD, CounselorFactory, SupervisorFactory
from notifications.constants import TaskKind, TaskStatus
from notifications.models import StaffTask
from patients.tests.factories import EpisodeFactory
from patients.tests.test_browser_intake import page  # noqa: F401 (the Chromium page fixture)
from programs.tests.factories import ProgramFactory

from .factories import StaffTaskFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_a_supervisor_groups_by_patient_expands_a_row_and_snoozes_a_group(page, live_server, browser_login):  # noqa: F811
    program = ProgramFactory(name="Adult IOP — evenings")
    supervisor = SupervisorFactory(first_name="Ruth", last_name="Okafor", programs=[program])
    counselor = CounselorFactory(first_name="Dana", last_name="Whitfield", programs=[program], supervisor=supervisor)
    patients = [EpisodeFactory(program=program, primary_clinician=counselor).patient for _ in range(10)]
    for patient in patients:
        for n in range(3):
            StaffTaskFactory(
                assignee=counselor,
                patient=patient,
                kind=TaskKind.MISSED_SESSION,
                title=f"Call {patient.display_name} after missed session {n + 1}",
            )
    assert StaffTask.objects.count() == 30

    page.set_viewport_size({"width": 1366, "height": 768})
    browser_login(page, supervisor, DEMO_PASSWORD)
    assert page.locator("text=My team's tasks").first.is_visible()
    # Thirty tasks are ten rows ×3, not thirty cards.
    assert page.locator("[data-collapsed-row]").count() == 10

    page.click("text=By patient")
    page.wait_for_load_state()
    assert "group=patient" in page.url
    first_group = page.locator("[data-task-group]").first
    name = first_group.locator("h3").inner_text()
    assert name in {patient.display_name for patient in patients}
    assert first_group.locator(".badge", has_text="3 tasks").is_visible()

    # Expand the collapsed row: its three tasks, each by its own title.
    first_group.locator("summary:has-text('Show the 3 tasks')").click()
    assert first_group.locator(f"text=Call {name} after missed session 2").is_visible()

    # Nothing overflows sideways on the clinic laptop.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    # Choose the whole group and snooze it; a reason that says nothing is refused first, kept on screen.
    first_group.locator("[data-group-select]").check()
    assert page.locator("[data-selected-count]").inner_text() == "1"
    page.select_option("#bulk_action", "snooze")
    page.select_option("#bulk_snooze_for", "tomorrow")
    page.fill("#bulk_reason", "ok")
    page.click("button:has-text('Apply to chosen')")
    page.wait_for_load_state()
    assert page.locator("text=at least 20 characters").first.is_visible()
    assert page.input_value("#bulk_reason") == "ok"
    assert not StaffTask.objects.filter(status=TaskStatus.SNOOZED).exists()

    page.fill("#bulk_reason", "Each patient rebooked for Thursday; calls done")
    page.select_option("#bulk_action", "snooze")
    page.click("button:has-text('Apply to chosen')")
    page.wait_for_load_state()
    assert page.locator("text=3 tasks snoozed until").first.is_visible()
    snoozed = StaffTask.objects.filter(status=TaskStatus.SNOOZED)
    assert snoozed.count() == 3 and {task.patient.display_name for task in snoozed} == {name}
    assert {task.history.latest().history_user for task in snoozed} == {supervisor}
    assert page.locator("[data-collapsed-row]").count() == 9
