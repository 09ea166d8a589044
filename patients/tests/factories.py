"""Chart factories: one per patients model, all synthetic and all valid against the database constraints."""

import datetime as dt
from decimal import Decimal

import factory
import factory.random
from django.utils import timezone

from accounts.tests.factories import CounselorFactory, IntakeCoordinatorFactory
from audit.constants import DisclosureSection
from patients.asam import recommend_level_of_care
from patients.constants import (
    AlertKind,
    AsamEdition,
    AuthorizationUnit,
    CareTeamRole,
    ConsentKind,
    ConsentMethod,
    EpisodeStatus,
    IntakeStatus,
    IntakeStep,
    LevelOfCare,
    PatientStatus,
    ReferralSource,
    Relationship,
    Route,
    SexAtBirth,
    Substance,
    UseFrequency,
)
from patients.instruments import SPECS, Instrument, score
from patients.models import (
    AsamAssessment,
    Authorization,
    CareTeamMember,
    Consent,
    Contact,
    Diagnosis,
    Episode,
    InstrumentResponse,
    InsurancePolicy,
    Intake,
    LevelOfCareChange,
    Patient,
    PatientAlert,
    SubstanceUse,
)
from patients.models.consents import SECTION_FIELDS
from programs.tests.factories import ProgramFactory


def demo_phone(n: int) -> str:
    """555-0100 to 555-0199: the North American range reserved for fiction, yet a valid number."""
    return f"+1617555{100 + n % 100:04d}"


def valid_answers(instrument: str) -> list[int]:
    """A random answer for every item, chosen among the item's allowed values."""
    rng = factory.random.randgen
    answers = [rng.choice(sorted(item.allowed)) for item in SPECS[instrument].items]
    if instrument == Instrument.PHQ9:
        # Item 9 stays 0 unless a test asks for a safety alert by passing the items.
        answers[8] = 0
    return answers


def days_ago(days: int) -> dt.date:
    return timezone.localdate() - dt.timedelta(days=days)


class PatientFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Patient

    legal_first_name = factory.Faker("first_name")
    legal_last_name = factory.Faker("last_name")
    date_of_birth = factory.Faker("date_of_birth", minimum_age=18, maximum_age=70)
    sex_at_birth = factory.Iterator([SexAtBirth.FEMALE, SexAtBirth.MALE])
    phone = factory.Sequence(demo_phone)
    email = factory.LazyAttribute(lambda p: f"{p.legal_first_name}.{p.legal_last_name}@example.com".lower())
    address_line1 = factory.Faker("street_address")
    city = "Boston"
    state = "MA"
    postal_code = "02118"
    status = PatientStatus.REFERRAL


class IntakeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Intake

    patient = factory.SubFactory(PatientFactory)
    status = IntakeStatus.OPEN
    step = IntakeStep.REFERRAL
    referral_source = ReferralSource.PRIMARY_CARE
    referred_by = "Harbor Street Family Practice"
    referral_date = factory.LazyFunction(lambda: days_ago(3))
    referral_reason = "Daily drinking, asks for help cutting down."
    started_by = factory.SubFactory(IntakeCoordinatorFactory)
    last_worked_by = factory.SelfAttribute("started_by")


class AsamAssessmentFactory(factory.django.DjangoModelFactory):
    """Ratings that recommend level 2.1 (IOP) unless a test passes others."""

    class Meta:
        model = AsamAssessment

    patient = factory.SubFactory(PatientFactory)
    intake = None
    d1_intoxication = 1
    d2_biomedical = 1
    d3_emotional = 2
    d4_readiness = 2
    d5_relapse = 2
    d6_environment = 1
    edition = AsamEdition.THIRD

    class Params:
        recommendation = factory.LazyAttribute(
            lambda a: recommend_level_of_care(
                [a.d1_intoxication, a.d2_biomedical, a.d3_emotional, a.d4_readiness, a.d5_relapse, a.d6_environment],
                a.edition,
            )
        )

    recommended_level = factory.LazyAttribute(lambda a: a.recommendation.level)
    recommended_withdrawal_management = factory.LazyAttribute(lambda a: a.recommendation.withdrawal_management)
    recommendation_rule = factory.LazyAttribute(lambda a: a.recommendation.rule.key)
    assessed_by = factory.SubFactory(IntakeCoordinatorFactory)


class EpisodeFactory(factory.django.DjangoModelFactory):
    """An active IOP episode; ``EpisodeFactory(discharged=True)`` closes it."""

    class Meta:
        model = Episode

    class Params:
        discharged = factory.Trait(
            status=EpisodeStatus.DISCHARGED,
            discharged_on=factory.LazyFunction(timezone.localdate),
            patient=factory.SubFactory(PatientFactory, status=PatientStatus.DISCHARGED),
        )

    patient = factory.SubFactory(PatientFactory, status=PatientStatus.ADMITTED)
    program = factory.SubFactory(ProgramFactory)
    status = EpisodeStatus.ACTIVE
    level_of_care = LevelOfCare.IOP
    admitted_on = factory.LazyFunction(lambda: days_ago(21))
    primary_clinician = factory.SubFactory(CounselorFactory)
    target_weekly_hours = Decimal("12")
    expected_length_weeks = 12
    discharged_on = None
    admitted_by = factory.SubFactory(IntakeCoordinatorFactory)


class LevelOfCareChangeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LevelOfCareChange

    episode = factory.SubFactory(EpisodeFactory)
    from_level = LevelOfCare.IOP
    to_level = LevelOfCare.OP
    effective_on = factory.LazyFunction(timezone.localdate)
    reason = "Stable for four weeks; steps down to weekly outpatient."
    recorded_by = factory.SelfAttribute("episode.primary_clinician")


class ConsentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Consent

    patient = factory.SubFactory(PatientFactory)
    kind = ConsentKind.TREATMENT
    method = ConsentMethod.SIGNED
    granted_on = factory.LazyFunction(lambda: days_ago(7))
    recorded_by = factory.SubFactory(IntakeCoordinatorFactory)


class Part2DisclosureConsentFactory(ConsentFactory):
    """A written 42 CFR Part 2 consent (§2.31), signed on screen, allowing episodes and diagnoses.

    ``sections=[...]`` chooses the sections it allows; ``on_paper=True`` signs it on paper with a
    scan attached (written to MEDIA_ROOT: point it at a temporary directory); ``needs_confirmation=True``
    is a consent from before structured sections, which allows nothing.
    """

    kind = ConsentKind.PART2_DISCLOSURE
    method = ConsentMethod.ELECTRONIC
    disclosing_program = "Riverside Health, Adult IOP — evenings"
    recipient = "Harbor Street Family Practice (primary care)"
    purpose = "Coordination of care"
    information_scope = "Attendance and diagnoses; no counseling notes."
    expires_on = factory.LazyAttribute(lambda c: c.granted_on + dt.timedelta(days=365))
    revocation_right_stated = True
    signature_name = factory.LazyAttribute(lambda c: c.patient.legal_name)
    signed_at = factory.LazyAttribute(lambda c: timezone.make_aware(dt.datetime.combine(c.granted_on, dt.time(10, 30))))
    sections_confirmed_at = factory.LazyFunction(timezone.now)
    sections_confirmed_by = factory.SelfAttribute("recorded_by")

    class Params:
        on_paper = factory.Trait(
            method=ConsentMethod.SIGNED,
            signature_name="",
            signed_at=None,
            document=factory.django.FileField(filename="signed.pdf", data=b"%PDF-1.4\n% synthetic signed consent\n"),
        )
        needs_confirmation = factory.Trait(
            method=ConsentMethod.SIGNED,
            disclosing_program="",
            information_scope="Attendance, diagnosis and treatment plan; no counseling notes.",
            revocation_right_stated=False,
            signature_name="",
            signed_at=None,
            sections_confirmed_at=None,
            sections_confirmed_by=None,
        )

    @classmethod
    def _adjust_kwargs(cls, **kwargs):
        sections = kwargs.pop("sections", (DisclosureSection.EPISODES, DisclosureSection.DIAGNOSES))
        if kwargs.get("sections_confirmed_at") is not None:
            for code, field in SECTION_FIELDS.items():
                kwargs.setdefault(field, code in sections)
        return kwargs


class ContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contact

    patient = factory.SubFactory(PatientFactory)
    name = factory.Faker("name")
    relationship = Relationship.SPOUSE
    phone = factory.Sequence(lambda n: demo_phone(n + 50))
    email = factory.Sequence(lambda n: f"contact{n}@example.com")
    takes_part_in_family_sessions = True
    patient_consents_to_contact = True
    is_emergency_contact = True


class InsurancePolicyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = InsurancePolicy

    patient = factory.SubFactory(PatientFactory)
    payer = "Bayside Health Plan"
    plan_name = "Bayside PPO"
    member_id = factory.Sequence(lambda n: f"BHP{n:08d}")
    group_number = "G-4410"
    is_primary = True
    effective_on = factory.LazyFunction(lambda: days_ago(365))


class AuthorizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Authorization

    policy = factory.SubFactory(InsurancePolicyFactory)
    number = factory.Sequence(lambda n: f"AUTH-{n:06d}")
    level_of_care = LevelOfCare.IOP
    starts_on = factory.LazyFunction(lambda: days_ago(14))
    ends_on = factory.LazyAttribute(lambda a: a.starts_on + dt.timedelta(days=29))
    units_authorized = 12
    unit = AuthorizationUnit.DAYS
    units_used = 4
    next_review_on = factory.LazyAttribute(lambda a: a.ends_on - dt.timedelta(days=5))


class InstrumentResponseFactory(factory.django.DjangoModelFactory):
    """Items are a valid answer list; score, band and subscales come from the real scorer."""

    class Meta:
        model = InstrumentResponse

    class Params:
        result = factory.LazyAttribute(lambda r: score(r.instrument, r.items, sex=r.patient.sex_at_birth))

    patient = factory.SubFactory(PatientFactory)
    intake = None
    episode = None
    instrument = Instrument.PHQ9
    items = factory.LazyAttribute(lambda r: valid_answers(r.instrument))
    score = factory.SelfAttribute("result.score")
    band = factory.SelfAttribute("result.band")
    subscales = factory.SelfAttribute("result.subscales")
    is_positive = factory.SelfAttribute("result.is_positive")
    sex_for_scoring = factory.LazyAttribute(
        lambda r: r.patient.sex_at_birth if r.instrument == Instrument.AUDITC else ""
    )
    administered_at = factory.LazyFunction(timezone.now)
    administered_by = factory.SubFactory(CounselorFactory)


class SubstanceUseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SubstanceUse

    patient = factory.SubFactory(PatientFactory)
    substance = Substance.ALCOHOL
    route = Route.ORAL
    frequency = UseFrequency.DAILY
    age_of_first_use = 16
    last_used_on = factory.LazyFunction(lambda: days_ago(2))
    is_primary = True
    recorded_by = factory.SubFactory(IntakeCoordinatorFactory)


class DiagnosisFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Diagnosis

    patient = factory.SubFactory(PatientFactory)
    code = "F10.20"
    description = "Alcohol dependence, uncomplicated"
    is_primary = True
    diagnosed_on = factory.LazyFunction(lambda: days_ago(7))
    diagnosed_by = factory.SubFactory(CounselorFactory)


class CareTeamMemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CareTeamMember

    patient = factory.SubFactory(PatientFactory)
    user = factory.SubFactory(CounselorFactory)
    role = CareTeamRole.COUNSELOR


class PatientAlertFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PatientAlert

    patient = factory.SubFactory(PatientFactory)
    kind = AlertKind.SAFETY
    message = "PHQ-9 item 9 answered 1: thoughts of death or self-harm. Complete a suicide risk assessment today."
    raised_at = factory.LazyFunction(timezone.now)
    raised_by = factory.SubFactory(CounselorFactory)
    source_instrument = None
