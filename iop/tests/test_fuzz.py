"""Hostile input to every patients form and the registry's query parameters: never a 500, never raw script.

Each form is fetched first and every field it renders is filled from the hostile
strategies below, so a field added later is fuzzed without touching this file.
"""

import math
import re

import pytest
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.tests.factories import AdminFactory
from accounts.tests.helpers import login_verified
from patients.constants import ConsentKind
from patients.instruments import SPECS
from patients.models import AsamAssessment
from patients.services import asam_assessment_record
from patients.tests.factories import ConsentFactory, EpisodeFactory, IntakeFactory, PatientFactory
from patients.views.chart import RECORD_KINDS

SCRIPT = "<script>alert(1)</script>"
HOSTILE_VALUES = [
    "",
    " ",
    "\x00",
    "Ann\x00e",
    "9" * 40,
    "-" + "9" * 40,
    str(2**63),
    "-1",
    "NaN",
    "nan",
    "Infinity",
    "-inf",
    str(math.pi),
    "1e309",
    "0001-01-01",
    "9999-12-31",
    "0000-00-00",
    "2026-02-30",
    "9999-12-31T23:59",
    "0001-01-01T00:00",
    "\u202eevil\u202c",
    "Zero\u200bWidth\u200d",
    "\ufeff",
    SCRIPT,
    '"><img src=x onerror=alert(1)>',
    '=HYPERLINK("http://x")',
    "+1+cmd|' /C calc'!A0",
    "@SUM(1+1)",
    "-2+3",
    "Jane\r\nDoe",
    "555\r\n0100",
    "+1 (555) 010-0100\r\nX-Injected: 1",
    "on",
    "true",
    "x" * 5000,
]
hostile_text = st.one_of(st.sampled_from(HOSTILE_VALUES), st.text(max_size=40))
FIELD_NAME = re.compile(r'<(?:input|select|textarea)\b[^>]*\bname="([^"]+)"')
OPTION_VALUE = re.compile(r'<option value="([^"]*)"')

pytestmark = [pytest.mark.django_db]
FUZZ = settings(
    max_examples=6,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    derandomize=True,
)


@pytest.fixture
def world(db):
    client = login_verified(Client(raise_request_exception=False), AdminFactory(is_superuser=True))
    patient = PatientFactory()
    episode = EpisodeFactory()
    intake = IntakeFactory()
    # The admission decision opens only once the ASAM assessment is recorded and treatment consented.
    ratings = dict(zip(AsamAssessment.RATING_FIELDS, [0, 0, 1, 2, 2, 1], strict=True))
    asam_assessment_record(patient=intake.patient, intake=intake, assessed_by=intake.started_by, **ratings)
    ConsentFactory(patient=intake.patient, kind=ConsentKind.TREATMENT)
    return {"client": client, "patient": patient, "episode": episode, "intake": intake}


def post_form_fields(client, url) -> tuple[list[str], list[str]]:
    """The field names of the page's POST forms and the option values offered (for realistic picks)."""
    page = client.get(url)
    assert page.status_code == 200, (url, page.status_code)
    html = page.content.decode()
    names = sorted({name for name in FIELD_NAME.findall(html) if name not in {"csrfmiddlewaretoken", "q"}})
    return names, OPTION_VALUE.findall(html)


# The decision page holds several forms chosen by the submit button; a post naming no known
# button redisplays the page unchanged (nothing saved), which is a fair answer to garbage.
REDISPLAYS_ON_UNKNOWN_ACTION = ("/decision/",)


def assert_safe(response, url):
    assert response.status_code < 500, (url, response.status_code)
    body = response.content.decode(errors="replace")
    assert SCRIPT not in body, f"unescaped script payload echoed by {url}"
    assert "<img src=x onerror" not in body, f"unescaped attribute payload echoed by {url}"
    if response.status_code == 200 and not url.endswith(REDISPLAYS_ON_UNKNOWN_ACTION):
        assert re.search(r"invalid-feedback|is-invalid|alert-danger|errorlist", body), (
            f"{url} answered 200 to hostile input without saying what is wrong"
        )


def fuzz_form(client, url):
    names, options = post_form_fields(client, url)
    assert names, f"no form fields found on {url}"
    values = st.one_of(hostile_text, st.sampled_from(options)) if options else hostile_text

    @FUZZ
    @given(data=st.fixed_dictionaries(dict.fromkeys(names, values)))
    def run(data):
        assert_safe(client.post(url, data), url)

    run()


def form_urls(world) -> dict[str, str]:
    patient, episode, intake = world["patient"], world["episode"], world["intake"]
    urls = {
        "patient_create": reverse("patients:patient_create"),
        "patient_edit": reverse("patients:patient_edit", args=[patient.pk]),
        "level_change": reverse("patients:level_of_care_change", args=[episode.patient.pk, episode.pk]),
        "intake_start": reverse("patients:intake_start", args=[patient.pk]),
        "intake_referral": reverse("patients:intake_referral", args=[intake.pk]),
        "intake_assessment": reverse("patients:intake_assessment", args=[intake.pk]),
        "intake_decision": reverse("patients:intake_decision", args=[intake.pk]),
    }
    for kind in RECORD_KINDS:
        urls[f"record_{kind}"] = reverse("patients:chart_record_add", args=[patient.pk, kind])
    for instrument in SPECS:
        urls[f"instrument_{instrument}"] = reverse("patients:instrument_add", args=[patient.pk, instrument])
        urls[f"intake_instrument_{instrument}"] = reverse("patients:intake_instrument", args=[intake.pk, instrument])
    return urls


FORM_NAMES = [
    "patient_create",
    "patient_edit",
    "level_change",
    "intake_start",
    "intake_referral",
    "intake_assessment",
    "intake_decision",
    *(f"record_{kind}" for kind in RECORD_KINDS),
    *(f"instrument_{instrument}" for instrument in SPECS),
]


@pytest.mark.parametrize("form_name", FORM_NAMES)
def test_hostile_posts_never_break_a_form(world, form_name):
    url = form_urls(world)[form_name]
    fuzz_form(world["client"], url)


def test_hostile_posts_to_intake_screening_instruments(world):
    urls = form_urls(world)
    for instrument in list(SPECS)[:3]:
        fuzz_form(world["client"], urls[f"intake_instrument_{instrument}"])


@FUZZ
@given(q=hostile_text, status=hostile_text, page=hostile_text)
def test_hostile_registry_queries_never_break_the_registry(world, q, status, page):
    client = world["client"]
    for headers in ({}, {"HX-Request": "true"}):
        response = client.get(reverse("patients:registry"), {"q": q, "status": status, "page": page}, headers=headers)
        # A search with control characters (NUL, ESC) or too long is refused with 400 naming the parameter.
        assert response.status_code in (200, 400)
        if response.status_code == 400:
            assert "in this address is not valid" in response.content.decode()
        assert SCRIPT not in response.content.decode()
