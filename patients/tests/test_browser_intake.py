"""An intake worker, in a real browser, from login to an admitted patient."""

import os

import pytest

from accounts.tests.factories import DEMO_PASSWORD, CounselorFactory, IntakeCoordinatorFactory
from patients.constants import EpisodeStatus, PatientStatus
from patients.models import Patient
from programs.tests.factories import ProgramFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

CHROMIUM = "/usr/bin/chromium"
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


def test_intake_worker_admits_a_new_patient(page, live_server, browser_login):
    program = ProgramFactory(name="Adult IOP — evenings")
    clinician = CounselorFactory(first_name="Dana", last_name="Whitfield", programs=[program])
    worker = IntakeCoordinatorFactory()

    browser_login(page, worker, DEMO_PASSWORD)
    page.click("text=Intake")
    page.click("text=New referral")

    # Register, with a bad phone first: the message appears next to the field and nothing is saved.
    page.fill("#id_legal_first_name", "Renée")
    page.fill("#id_legal_last_name", "Okafor")
    page.fill("#id_date_of_birth", "1991-04-12")
    page.select_option("#id_sex_at_birth", "female")
    page.fill("#id_phone", "555")
    page.click("text=Register and start intake")
    assert page.locator("text=phone number").first.is_visible()
    assert not Patient.objects.exists()
    page.fill("#id_phone", "(617) 555-0166")
    page.click("text=Register and start intake")

    # Step 1: referral.
    page.select_option("#id_referral_source", "hospital")
    page.fill("#id_referred_by", "City Hospital ED")
    page.click("text=Save and continue to screening")

    # Step 2: screening with a PHQ-9.
    page.click("text=PHQ-9")
    for item in range(1, 10):
        page.check(f"input[name=item_{item}][value='1']")
    page.click("text=Score and save")
    assert page.locator("text=PHQ-9 saved: score 9 (mild)").is_visible()
    assert page.locator("text=Safety risk").first.is_visible()
    page.click("text=Continue to assessment")

    # Step 3: ASAM dimensions.
    for name, rating in [
        ("d1_intoxication", 0),
        ("d2_biomedical", 0),
        ("d3_emotional", 2),
        ("d4_readiness", 1),
        ("d5_relapse", 2),
        ("d6_environment", 1),
    ]:
        page.check(f"input[name={name}][value='{rating}']")
    page.click("text=Save assessment and continue")
    assert page.locator("text=2.1 Intensive outpatient").first.is_visible()

    # Consent to treatment is needed first; record it from the link, then resume the intake.
    page.click("text=Record it")
    page.select_option("#id_kind", "treatment")
    page.click("button:has-text('Save')")
    page.click("text=Resume intake")

    # Step 4: admit into the program with the target inside the band.
    page.select_option("#id_program", str(program.pk))
    page.select_option("#id_primary_clinician", str(clinician.pk))
    page.fill("#id_target_weekly_hours", "7")
    page.click("button:has-text('Admit')")
    assert page.locator("text=needs at least 9 hours a week").is_visible()
    page.fill("#id_target_weekly_hours", "12")
    page.click("button:has-text('Admit')")

    assert page.locator("text=Admitted to Adult IOP — evenings").is_visible()
    patient = Patient.objects.get()
    assert patient.status == PatientStatus.ADMITTED
    assert patient.episodes.get().status == EpisodeStatus.ACTIVE
    assert page.locator(f"text={patient.mrn}").first.is_visible()
