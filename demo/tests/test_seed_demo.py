"""The demo clinic: every stage and role present, valid against the clinical rules, repeatable."""

from collections import Counter
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import transaction
from django.db.models import Count

from accounts.constants import Role
from demo.management.commands.demo_logins import DEMO_PASSWORD, DEMO_STAFF
from patients.constants import (
    AlertKind,
    ConsentKind,
    EpisodeStatus,
    IntakeStatus,
    IntakeStep,
    LevelOfCare,
    PatientStatus,
)
from patients.instruments import Instrument, score
from patients.models import (
    Authorization,
    CareTeamMember,
    Consent,
    Diagnosis,
    Episode,
    InstrumentResponse,
    Intake,
    LevelOfCareChange,
    Patient,
    PatientAlert,
)
from patients.text import fold
from patients.validators import validate_icd10

pytestmark = pytest.mark.django_db

User = get_user_model()


def seed(**options) -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out, **options)
    return out.getvalue()


def row_counts() -> dict[str, int]:
    models = (User, Patient, Intake, Episode, InstrumentResponse, Consent, Diagnosis, Authorization, PatientAlert)
    return {model.__name__: model.objects.count() for model in models}


def test_demo_clinic_covers_every_stage_role_and_rule():
    # A developer's own account that happens to share a demo username is left alone.
    own = User.objects.create_user(username="prescriber2", password="my-own-Secret-123")
    output = seed(seed=7)

    own.refresh_from_db()
    assert own.check_password("my-own-Secret-123")
    assert not own.groups.exists()

    assert 55 <= Patient.objects.count() <= 75
    assert 10 <= User.objects.count() <= 16
    for role in Role:
        assert User.objects.filter(groups__name=role.value).exists(), role
    assert {s.username for s in DEMO_STAFF} <= set(User.objects.values_list("username", flat=True))
    admin = User.objects.get(username="admin")
    assert admin.is_superuser and admin.check_password(DEMO_PASSWORD)
    counselors = User.objects.filter(groups__name=Role.COUNSELOR)
    assert not counselors.filter(supervisor__isnull=True).exists()
    assert counselors.filter(in_training=True).exists()
    assert not User.objects.filter(is_superuser=False, programs__isnull=True).exclude(pk=own.pk).exists()

    statuses = Counter(Patient.objects.values_list("status", flat=True))
    # Every stage of the path; a merged chart is an admin's correction, not a stage the demo shows.
    assert set(statuses) == set(PatientStatus.values) - {PatientStatus.MERGED}
    assert 30 <= statuses[PatientStatus.ADMITTED] <= 40
    assert 8 <= statuses[PatientStatus.DISCHARGED] <= 12

    # Each pre-admission stage sits on an open intake at the matching step.
    for status, step in (
        (PatientStatus.REFERRAL, IntakeStep.REFERRAL),
        (PatientStatus.SCREENING, IntakeStep.SCREENING),
        (PatientStatus.ASSESSMENT, IntakeStep.ASSESSMENT),
    ):
        patients = Patient.objects.filter(status=status)
        assert (
            patients.count() == Intake.objects.filter(patient__in=patients, status=IntakeStatus.OPEN, step=step).count()
        )
    screened = Patient.objects.filter(status=PatientStatus.SCREENING)
    for instrument in (Instrument.PHQ9, Instrument.GAD7, Instrument.AUDITC, Instrument.DAST10):
        assert (
            InstrumentResponse.objects.filter(patient__in=screened, instrument=instrument).count() == screened.count()
        )
    assessed = Patient.objects.filter(status=PatientStatus.ASSESSMENT).annotate(n=Count("asam_assessments"))
    assert all(patient.n == 1 for patient in assessed)

    active = Episode.objects.filter(status=EpisodeStatus.ACTIVE).select_related("program", "patient")
    assert active.count() == statuses[PatientStatus.ADMITTED]
    for episode in active:
        low, high = episode.weekly_hours_band  # half-open; a step-down to 1.0 is held under 9 (6)
        assert low <= episode.target_weekly_hours < high, episode
        assert episode.patient.status == PatientStatus.ADMITTED
        assert episode.patient.primary_clinician_id == episode.primary_clinician_id
    assert not Episode.objects.filter(status=EpisodeStatus.DISCHARGED, discharged_on__isnull=True).exists()
    assert Episode.objects.filter(status=EpisodeStatus.DISCHARGED).count() >= statuses[PatientStatus.DISCHARGED]
    assert {"adult-evenings", "adolescent-afternoons"} <= set(active.values_list("program__code", flat=True))

    admitted = Patient.objects.filter(status=PatientStatus.ADMITTED)
    team_sizes = CareTeamMember.objects.filter(patient__in=admitted).values("patient").annotate(n=Count("id"))
    assert {row["n"] for row in team_sizes} <= {2, 3, 4}
    for kind in (ConsentKind.TREATMENT, ConsentKind.TELEHEALTH):
        assert Consent.objects.filter(patient__in=admitted, kind=kind).count() == admitted.count()
    assert Consent.objects.filter(kind=ConsentKind.REMINDERS_SMS).exists()
    assert Consent.objects.filter(kind=ConsentKind.PART2_DISCLOSURE).exists()
    assert not admitted.filter(insurance_policies__isnull=True).exists()
    assert not admitted.exclude(insurance_policies__authorizations__isnull=False).exists()
    assert not admitted.exclude(diagnoses__code__startswith="F1").exists()
    assert not admitted.filter(substance_use__isnull=True).exists()
    for code in Diagnosis.objects.values_list("code", flat=True).distinct():
        validate_icd10(code)

    # Trend charts: repeated PHQ-9 and GAD-7, every score the real scorer's.
    phq_counts = Counter(
        InstrumentResponse.objects.filter(instrument=Instrument.PHQ9, episode__isnull=False).values_list(
            "patient", flat=True
        )
    )
    assert sum(1 for n in phq_counts.values() if n >= 3) >= 10
    for response in InstrumentResponse.objects.select_related("patient"):
        result = score(response.instrument, response.items, sex=response.patient.sex_at_birth)
        assert (response.score, response.band, response.is_positive) == (
            result.score,
            result.band,
            result.is_positive,
        )

    safety = PatientAlert.objects.filter(kind=AlertKind.SAFETY)
    assert safety.exists()
    assert all(alert.source_instrument.items[8] > 0 for alert in safety)
    assert LevelOfCareChange.objects.filter(from_level=LevelOfCare.IOP, to_level=LevelOfCare.OP).exists()

    # Accent-insensitive search has something to find.
    assert Patient.objects.filter(search_name__contains=fold("Núñez José")).exists()
    assert Patient.objects.filter(search_name__contains=fold("Brontë Zoë")).exists()

    # The summary gives counts, never a patient's name.
    assert "patients" in output
    names = set(Patient.objects.values_list("legal_last_name", flat=True))
    assert not any(name in output for name in names)

    before = row_counts()
    assert "not seeded" in seed(if_empty=True)
    assert row_counts() == before


def snapshot() -> dict:
    """The seeded data without MRNs, ids or creation times."""
    patients = list(
        Patient.objects.order_by("search_name", "date_of_birth").values_list(
            "search_name", "date_of_birth", "status", "phone", "email", "city"
        )
    )
    episodes = list(
        Episode.objects.order_by("patient__search_name", "admitted_on").values_list(
            "patient__search_name", "program__code", "status", "admitted_on", "discharged_on", "target_weekly_hours"
        )
    )
    responses = sorted(
        (search_name, instrument, tuple(items), at.isoformat())
        for search_name, instrument, items, at in InstrumentResponse.objects.values_list(
            "patient__search_name", "instrument", "items", "administered_at"
        )
    )
    return {"patients": patients, "episodes": episodes, "responses": responses}


def seed_and_forget(**options) -> dict:
    with transaction.atomic():
        seed(**options)
        data = snapshot()
        transaction.set_rollback(True)
    return data


def test_same_seed_gives_the_same_clinic():
    first = seed_and_forget(seed=11)
    assert not Patient.objects.exists()
    second = seed_and_forget(seed=11)
    assert first == second


def test_factories_and_demo_share_one_password():
    from accounts.tests.factories import DEMO_PASSWORD as FACTORY_PASSWORD

    assert FACTORY_PASSWORD == DEMO_PASSWORD


def test_demo_logins_only_with_debug_or_force(settings):
    settings.DEBUG = False
    out, err = StringIO(), StringIO()
    call_command("demo_logins", stdout=out, stderr=err)
    assert DEMO_PASSWORD not in out.getvalue()
    assert "development only" in err.getvalue()

    out = StringIO()
    call_command("demo_logins", "--force", stdout=out)
    text = out.getvalue()
    assert DEMO_PASSWORD in text
    assert all(staff.username in text for staff in DEMO_STAFF)
    assert all(role.value in text for role in Role)
