"""In a real browser: a counselor discloses records under a consent; the director audits who looked."""

import os

import pytest

from accounts.tests.factories import DEMO_PASSWORD, CounselorFactory, DirectorFactory
from audit.models import Disclosure
from patients.tests.factories import (
    CareTeamMemberFactory,
    DiagnosisFactory,
    EpisodeFactory,
    Part2DisclosureConsentFactory,
)
from programs.tests.factories import ProgramFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]


@pytest.fixture
def page():
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"Chromium is not installed at {CHROMIUM}: run `make browser` (apt-get install chromium).")
    # Playwright's sync API runs an event loop; Django's ORM must still be usable from the test.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        page = browser.new_page()
        page.set_default_timeout(15_000)
        yield page
        browser.close()


def test_disclose_under_consent_then_audit_the_chart(page, live_server, browser_login):
    program = ProgramFactory()
    counselor = CounselorFactory(programs=[program])
    episode = EpisodeFactory(program=program, primary_clinician=counselor)
    patient = episode.patient
    CareTeamMemberFactory(patient=patient, user=counselor, role="primary")
    DiagnosisFactory(patient=patient, code="F10.20", description="Alcohol dependence, uncomplicated")
    consent = Part2DisclosureConsentFactory(patient=patient)

    browser_login(page, counselor, DEMO_PASSWORD)
    page.goto(f"{live_server.url}/patients/{patient.pk}/")
    page.click("a.nav-link:text('Disclosures')")
    page.click("text=Disclose records")

    # The wrong recipient is refused next to the field and nothing is recorded.
    page.fill("#id_recipient", "Acme Employment Screening")
    page.fill("#id_purpose", consent.purpose)
    page.check("input[name=sections][value=diagnoses]")
    page.click("text=Record the disclosure and make the packet")
    assert page.locator("text=Records may go only to the recipient the patient named").is_visible()
    assert not Disclosure.objects.exists()

    page.fill("#id_recipient", consent.recipient)
    page.click("text=Record the disclosure and make the packet")
    assert page.locator("[data-notice]").is_visible()
    assert "42 CFR part 2" in page.locator("[data-notice]").inner_text()
    assert page.locator("text=F10.20").is_visible()
    assert Disclosure.objects.filter(patient=patient, recipient=consent.recipient).exists()

    director = DirectorFactory(programs=[program])
    page.context.clear_cookies()
    browser_login(page, director, DEMO_PASSWORD)
    page.goto(f"{live_server.url}/patients/{patient.pk}/")
    page.click("a.nav-link:text('Who looked')")
    assert page.locator("td:text('disclose records (Part 2)')").first.is_visible()
    page.click("text=Full access log for this patient")
    assert page.locator(f"td:has-text('{patient.mrn}')").first.is_visible()
    page.click("th a:text('Staff member')")
    assert "sort=user" in page.url
