"""In Chromium: the roster keeps work when a value is refused, in "Save all", in a row's own save, and on a phone."""

import os

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import DEMO_PASSWORD
from scheduling.models import Attendance, Session
from scheduling.tests.test_roster_errors import BOUNDS, NAMES, enrol

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def page():
    # Playwright's sync API runs an event loop in this thread; Django's ORM checks for one.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", headless=True, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        errors = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        yield page
        browser.close()
        assert not errors, errors


def recorded(session, patient):
    row = Attendance.objects.valid().filter(session=session, patient=patient).first()
    return row and (row.status, row.minutes_attended)


OVERFLOWING = """() => [...document.querySelectorAll("body *")]
    .filter((e) => e.getBoundingClientRect().right > window.innerWidth + 0.5 && !e.closest(".table-responsive"))
    .map((e) => e.tagName + "#" + e.id + "." + e.className + " " + Math.round(e.getBoundingClientRect().right))"""


def no_horizontal_overflow(page) -> bool:
    """The page is no wider than the screen; what overflows is named when it is."""
    fits = page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert fits, page.evaluate(OVERFLOWING)[:8]
    return fits


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_one_bad_value_keeps_every_edit_and_a_failed_row_save_says_so(
    live_server, browser_login, page, counselor, program, group
):
    ana, ben, cleo = enrol(group, counselor, program, NAMES[:3])
    session = Session.objects.filter(group=group, end__lt=timezone.now()).order_by("start").first()
    browser_login(page, counselor, DEMO_PASSWORD)
    roster = live_server.url + reverse("scheduling:roster", args=[session.pk])
    page.goto(roster)

    # Save all with one bad row: the others are saved, the bad one is named once and keeps "-30".
    page.select_option(f"#status-{ana.pk}", "late")
    page.fill(f"#minutes-{ana.pk}", "150")
    page.fill(f"#minutes-{ben.pk}", "-30")
    page.select_option(f"#status-{cleo.pk}", "excused")
    assert page.input_value(f"#minutes-{cleo.pk}") == "0"
    page.click("#save-all")
    page.wait_for_selector(f"#roster-row-{ben.pk}.error")
    assert recorded(session, ana) == ("late", 150)
    assert recorded(session, cleo) == ("excused", 0)
    assert recorded(session, ben) is None
    row_error = page.inner_text(f"#roster-row-{ben.pk} .roster-row-error")
    assert "Ben Brooks" in row_error and BOUNDS in row_error
    assert page.inner_text("main").count(BOUNDS) == 1
    assert "2 rows saved. 1 row not saved: Ben Brooks" in page.inner_text("#roster-summary")
    assert page.input_value(f"#minutes-{ben.pk}") == "-30"
    assert page.input_value(f"#minutes-{ana.pk}") == "150"
    assert page.input_value(f"#status-{cleo.pk}") == "excused"

    # A row's own (htmx) save that is refused shows why in the row and keeps the typed value.
    page.fill(f"#minutes-{ana.pk}", "-30")
    page.click(f"#roster-row-{ana.pk} button")
    page.wait_for_selector(f"#roster-row-{ana.pk}.error")
    assert "Not saved for Ana Alvarez: " + BOUNDS in page.inner_text(f"#roster-row-{ana.pk}")
    assert "Saved" not in page.inner_text(f"#roster-row-{ana.pk}")
    assert page.input_value(f"#minutes-{ana.pk}") == "-30"
    assert recorded(session, ana) == ("late", 150)

    # Correcting the bad row saves it, in the row.
    page.fill(f"#minutes-{ben.pk}", "120")
    page.click(f"#roster-row-{ben.pk} button")
    page.wait_for_selector(f"#roster-row-{ben.pk}.saved")
    assert recorded(session, ben) == ("present", 120)
    page.fill(f"#minutes-{ana.pk}", "140")
    page.click(f"#roster-row-{ana.pk} button")
    page.wait_for_selector(f"#roster-row-{ana.pk}.saved")
    assert recorded(session, ana) == ("late", 140)
    assert page.locator("#roster-summary").count() == 0  # nothing left unsaved

    # Any other failure (here a 500 from the server) is shown, not swallowed.
    row_url = reverse("scheduling:roster_row", args=[session.pk, cleo.pk])
    page.route(
        "**" + row_url,
        lambda route: route.fulfill(
            status=500,
            content_type="text/html",
            body="<html><body><main><h1>Server error</h1><p>Something went wrong on our side.</p></main></body></html>",
        ),
    )
    page.click(f"#roster-row-{cleo.pk} button")
    page.wait_for_selector("#htmx-error")
    assert "This was not saved. Server error: Something went wrong on our side." in page.inner_text("#htmx-error")
    page.unroute("**" + row_url)

    # On a 390-px phone the roster, and the roster with a refused row, fit the screen.
    page.set_viewport_size(PHONE)
    page.goto(roster)
    assert no_horizontal_overflow(page)
    assert page.evaluate("document.querySelector('.roster-table').getBoundingClientRect().right <= window.innerWidth")
    page.fill(f"#minutes-{ana.pk}", "999")
    page.click("#save-all")
    page.wait_for_selector(f"#roster-row-{ana.pk}.error")
    assert no_horizontal_overflow(page)
    save = page.locator(f"#roster-row-{ana.pk} button")
    save.scroll_into_view_if_needed()
    assert save.is_visible()
