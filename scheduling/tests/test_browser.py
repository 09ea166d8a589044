"""In Chromium: build a patient's week, take attendance for the group, see the compliance dashboard change."""

import os

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import DEMO_PASSWORD
from scheduling.models import Session

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture
def page():
    # Playwright's sync API runs an event loop in this thread; Django's ORM checks for one.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", headless=True, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        yield page
        browser.close()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_build_week_take_attendance_and_see_the_dashboard(live_server, browser_login, page, counselor, episode, group):
    browser_login(page, counselor, DEMO_PASSWORD)
    url = live_server.url

    page.goto(url + reverse("scheduling:patient_week", args=[episode.patient.pk]))
    page.check(f"input[name=groups][value='{group.pk}']")
    page.fill("#id_starts_on", group.starts_on.isoformat())
    page.click("#schedule-form button[type=submit]")
    page.wait_for_load_state()
    assert "Schedule saved: enrolled in Early recovery skills" in page.inner_text(".alert-success")

    compliance = url + reverse("scheduling:compliance") + f"?program={group.program.pk}"
    page.goto(compliance)
    row = page.locator(f"tr[data-patient='{episode.patient.pk}']")
    assert "0 / 9" in row.inner_text()

    session = Session.objects.filter(group=group, end__lt=timezone.now()).order_by("start").first()
    page.goto(url + reverse("scheduling:roster", args=[session.pk]))
    pid = episode.patient.pk
    assert page.input_value(f"#minutes-{pid}") == "180"
    page.select_option(f"#status-{pid}", "late")
    page.fill(f"#minutes-{pid}", "150")
    page.click(f"#roster-row-{pid} button")  # the htmx row save
    page.wait_for_selector(f"#roster-row-{pid}.saved")
    page.select_option(f"#status-{pid}", "present")
    assert page.input_value(f"#minutes-{pid}") == "180"
    page.click("#save-all")
    page.wait_for_load_state()
    assert "Attendance saved" in page.inner_text(".alert-success")

    page.goto(compliance)
    assert "3 / 9" in page.locator(f"tr[data-patient='{pid}']").inner_text()

    page.goto(url + reverse("scheduling:calendar", args=["program", group.program.pk]))
    page.wait_for_selector("text=Early recovery skills")
