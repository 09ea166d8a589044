"""In a real browser: a director reads the outcomes, changes the period, drills into the 30-day dropouts,
fixes the TEDS record the validation report flags, and exports the state's file."""

import datetime as dt
import os
from pathlib import Path

import pytest
from django.utils import timezone

from accounts.tests.factories import DEMO_PASSWORD, DirectorFactory
from aftercare.constants import DischargeType
from aftercare.services.discharge import episode_discharge
from outcomes.models import TedsExport
from outcomes.services.facts import facts_rebuild
from patients.constants import IntakeStatus, PatientStatus, SexAtBirth
from patients.tests.factories import EpisodeFactory, IntakeFactory, PatientFactory, SubstanceUseFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]


def day(offset: int) -> dt.date:
    return timezone.localdate() - dt.timedelta(days=offset)


@pytest.fixture
def page():
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"Chromium is not installed at {CHROMIUM}: run `make browser` (apt-get install chromium).")
    # Playwright's sync API runs an event loop; Django's ORM must still be usable from the test.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        page = browser.new_page(accept_downloads=True)
        page.set_default_timeout(15_000)
        yield page
        browser.close()


@pytest.fixture
def clinic(program, counselor, maria):
    """Maria (complete TEDS records), a patient who left on day 10, and one admitted with nothing asked yet."""
    dropout = EpisodeFactory(
        program=program,
        primary_clinician=counselor,
        admitted_on=day(80),
        patient=PatientFactory(legal_first_name="Dorian", legal_last_name="Leftearly", status=PatientStatus.ADMITTED),
    )
    episode_discharge(
        episode=dropout,
        discharged_on=day(70),
        discharge_type=DischargeType.AGAINST_ADVICE,
        reason="Stopped coming.",
        by=counselor,
    )
    newcomer = PatientFactory(
        legal_first_name="Nadia",
        legal_last_name="Newcomer",
        sex_at_birth=SexAtBirth.MALE,
        status=PatientStatus.ADMITTED,
    )
    intake = IntakeFactory(
        patient=newcomer, referral_date=day(24), status=IntakeStatus.ADMITTED, closed_at=timezone.now()
    )
    SubstanceUseFactory(patient=newcomer, age_of_first_use=16)
    flagged = EpisodeFactory(
        patient=newcomer, program=program, primary_clinician=counselor, admitted_on=day(20), intake=intake
    )
    facts_rebuild()
    return {"maria": maria, "dropout": dropout, "flagged": flagged}


def test_director_reads_outcomes_drills_into_dropouts_fixes_a_teds_record_and_exports(
    page, live_server, browser_login, program, clinic, tmp_path
):
    director = DirectorFactory(programs=[program])
    browser_login(page, director, DEMO_PASSWORD)

    page.goto(f"{live_server.url}/outcomes/")
    assert page.locator("h1").first.inner_text().startswith("Outcomes")

    # Another period: the last 100 days.
    page.select_option("#period", "custom")
    page.fill("#start", day(100).isoformat())
    page.fill("#end", day(1).isoformat())
    page.click("#outcomes-filters button[type=submit]")
    page.wait_for_load_state()
    dropouts = page.locator("tr[data-figure=dropouts_30]")
    assert "1 of 2 admissions" in dropouts.inner_text()  # Maria stayed, Dorian left on day 10

    # The patients behind the figure.
    dropouts.locator("a", has_text="counted").click()
    page.wait_for_load_state()
    listed = page.locator("#drilldown tbody").inner_text()
    assert "Dorian Leftearly" in listed and "Quintero" not in listed

    # The TEDS file of the last 65 days: Nadia's admission is flagged.
    page.goto(f"{live_server.url}/outcomes/?period=custom&start={day(100)}&end={day(1)}")
    page.click("a:has-text('TEDS')")
    page.fill("#teds-start", day(65).isoformat())
    page.fill("#teds-end", day(1).isoformat())
    page.click("#teds-period button[type=submit]")
    page.wait_for_load_state()
    assert "1 with missing or inconsistent fields" in page.locator("#teds-summary").inner_text()
    assert "Nadia Newcomer" in page.locator("#teds-issues").inner_text()

    # Fix it on the form the report links to, and come back to the report.
    page.locator("#teds-issues a", has_text="Admission measures").first.click()
    page.wait_for_load_state()
    for name, value in {
        "#id_profile-race": "white",
        "#id_profile-ethnicity": "not_hispanic",
        "#id_profile-marital_status": "never_married",
        "#id_profile-education": "grade_12",
        "#id_profile-veteran": "no",
        "#id_profile-medication_planned": "no",
        "#id_profile-co_occurring": "no",
        "#id_profile-health_insurance": "private",
        "#id_profile-primary_payer": "private",
        "#id_measures-employment": "full_time",
        "#id_measures-living_arrangement": "independent",
        "#id_measures-rank_alcohol": "1",
        "#id_measures-route_alcohol": "oral",
    }.items():
        page.select_option(name, value)
    page.fill("#id_profile-prior_episodes", "1")
    page.fill("#id_measures-arrests", "0")
    page.fill("#id_measures-self_help_times", "2")
    page.fill("#id_measures-days_alcohol", "12")
    page.fill("#id_measures-age_alcohol", "16")
    page.click("button:has-text('Save measures')")
    page.wait_for_load_state()
    assert "/outcomes/teds/" in page.url
    assert "0 with missing or inconsistent fields" in page.locator("#teds-summary").inner_text()

    # Export: three records (Maria's admission and discharge, Nadia's admission), no names.
    with page.expect_download() as download:
        page.click("#teds-export button[type=submit]")
    saved = tmp_path / "teds.csv"
    download.value.save_as(saved)
    content = Path(saved).read_text()
    assert len(content.strip().splitlines()) == 4  # the header and three records
    for name in ("Maria", "Quintero", "Nadia", "Newcomer", clinic["flagged"].patient.mrn):
        assert name not in content
    export = TedsExport.objects.get()
    assert (export.exported_by, export.total_records, export.excluded_records) == (director, 3, 0)
