"""Seed a realistic but entirely SYNTHETIC clinic, for demos and local development.

Every person is invented: phone numbers sit in the 555-0100…0199 range reserved for
fiction, e-mail addresses use example.com, payers and referrers do not exist. The
clinical writes go through ``patients.services`` so the demo data obeys the same rules
as data entered by staff. Dates are relative to today; with the same ``--seed`` the
same people, stages, scores and dates come out (MRNs are random by design).

Staff logins: see ``manage.py demo_logins`` (accounts/management/commands/demo_logins.py).
"""

import datetime as dt
import random
import time
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand
from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from faker import Faker
from simple_history.utils import bulk_create_with_history

from accounts.constants import Role
from aftercare.constants import NO_FOLLOW_UP_TYPES, DischargeType
from aftercare.models import AlumniCheckIn, Discharge
from aftercare.services.aftercare_plans import aftercare_plan_save
from demo.management.commands.demo_logins import ADULT, DEMO_PASSWORD, DEMO_STAFF, MATRIX, TEEN
from demo.stories import Story, life_of, stories_for
from medications.constants import MedicationSource
from patients import services
from patients.constants import (
    AlertKind,
    AuthorizationUnit,
    CareTeamRole,
    ConsentKind,
    ConsentMethod,
    ContactChannel,
    EpisodeStatus,
    LevelOfCare,
    LevelOfCareReasonCategory,
    PatientStatus,
    ReferralSource,
    Relationship,
    SexAtBirth,
    Substance,
)
from patients.instruments import DAST10_REVERSED, SPECS, Instrument, score
from patients.models import (
    Authorization,
    CareTeamMember,
    Consent,
    Contact,
    Diagnosis,
    Episode,
    InstrumentResponse,
    InsurancePolicy,
    Intake,
    Patient,
    PatientAlert,
    SubstanceUse,
)
from patients.text import fold
from programs.constants import Population
from programs.models import Program


@dataclass(frozen=True)
class ProgramSpec:
    code: str
    name: str
    population: str
    min_hours: Decimal
    max_hours: Decimal
    weeks: int
    description: str


PROGRAMS = (
    ProgramSpec(
        ADULT,
        "Adult IOP — evenings",
        Population.ADULT,
        Decimal("9"),
        Decimal("20"),
        12,
        "Three-hour evening groups Monday, Tuesday and Thursday, plus individual sessions.",
    ),
    ProgramSpec(
        TEEN,
        "Adolescent IOP — afternoons",
        Population.ADOLESCENT,
        Decimal("6"),
        Decimal("20"),
        10,
        "After-school groups for ages 13–17 with a weekly multi-family group.",
    ),
    ProgramSpec(
        MATRIX,
        "Matrix Model stimulant track",
        Population.ADULT,
        Decimal("9"),
        Decimal("20"),
        16,
        "16-week Matrix Model curriculum: early recovery, relapse prevention, family education.",
    ),
)

# Who carries the caseload in each program (usernames from the demo roster).
PRIMARY_CLINICIANS = {
    ADULT: ("counselor", "counselor", "counselor2", "counselor3", "counselor5"),
    TEEN: ("counselor4",),
    MATRIX: ("counselor2", "counselor5"),
}
PRESCRIBERS = {ADULT: ("prescriber", "prescriber2"), TEEN: ("prescriber2",), MATRIX: ("prescriber",)}
SUPERVISORS = {ADULT: "supervisor", TEEN: "supervisor2", MATRIX: "supervisor2"}
INTAKE_STAFF = ("intake", "intake2")

# How many patients are at each stage of the path (referral → … → discharge).
STAGE_PLAN = (
    (PatientStatus.REFERRAL, 6),
    (PatientStatus.SCREENING, 5),
    (PatientStatus.ASSESSMENT, 4),
    (PatientStatus.ADMITTED, 35),
    (PatientStatus.DISCHARGED, 10),
    (PatientStatus.NOT_ADMITTED, 4),
)
# Program of each admitted / discharged patient, in order before shuffling.
ADMITTED_PROGRAMS = [ADULT] * 20 + [TEEN] * 7 + [MATRIX] * 8
DISCHARGED_PROGRAMS = [ADULT] * 6 + [TEEN] * 2 + [MATRIX] * 2

# Name pools by heritage, so a person's names fit together. Accented names on purpose:
# the registry search folds accents ("jose nunez" finds "José Núñez").
NAME_POOLS = (
    (
        4,
        ("María", "Sofía", "Inés", "Lucía", "Yesenia", "Beatriz", "Ana", "Marisol"),
        ("José", "Andrés", "Raúl", "Tomás", "Jesús", "Luis", "Santiago", "Iván"),
        ("Núñez", "Peña", "Muñoz", "Ibáñez", "Rodríguez", "García", "Hernández", "Díaz", "Gómez", "Cruz", "Rivera"),
    ),
    (
        2,
        ("Zoë", "Chloé", "Renée", "Noémie", "Hélène", "Maëlle"),
        ("François", "Joël", "Étienne", "Loïc", "Rémi", "Benoît"),
        ("Brontë", "Lefèvre", "Dubé", "Gagné", "Côté", "Lévesque", "Bélanger"),
    ),
    (
        1,
        ("Lan", "Thảo", "Ngọc", "Hương"),
        ("Minh", "Quang", "Tuấn", "Hiếu"),
        ("Nguyễn", "Trần", "Phạm", "Lê", "Võ"),
    ),
    (
        1,
        ("Siobhán", "Aoife", "Niamh", "Caitríona"),
        ("Seán", "Pádraig", "Ciarán", "Eoin"),
        ("Ó Briain", "Murphy", "Sullivan", "O'Neill", "Fitzgerald", "Ní Dhomhnaill"),
    ),
    (
        1,
        ("Åsa", "Ingrid", "Greta", "Mette", "Käthe"),
        ("Björn", "Jürgen", "Anders", "Håkan", "Lukas"),
        ("Åberg", "Bergström", "Müller", "Schäfer", "Lindqvist", "Öberg"),
    ),
    (
        4,
        ("Ashley", "Brianna", "Kayla", "Megan", "Nicole", "Tamika", "Jasmine", "Crystal", "Heather"),
        ("Tyler", "Brandon", "Cody", "Darnell", "Marcus", "Kevin", "DeShawn", "Ryan", "Jamal", "Travis"),
        ("Johnson", "Williams", "Brown", "Washington", "Jackson", "Thompson", "Miller", "Davis", "Walker", "Harris"),
    ),
    (
        1,
        ("Ama", "Chiamaka", "Efua", "Ngozi"),
        ("Kwame", "Chinedu", "Kofi", "Emeka"),
        ("Mensah", "Okafor", "Adeyemi", "Boateng", "Eze"),
    ),
    (
        1,
        ("Priyanka", "Anjali", "Fatima", "Amina", "Leila"),
        ("Arjun", "Rohan", "Ahmed", "Omar", "Karim"),
        ("Patel", "Sharma", "Haddad", "Rahman", "Khoury"),
    ),
    (
        1,
        ("Mei", "Ji-woo", "Yuki", "Xiu"),
        ("Wei", "Hiroshi", "Min-jun", "Kenji"),
        ("Chen", "Kim", "Tanaka", "Park", "Liu"),
    ),
)
NICKNAMES = {"Santiago": "Santi", "Siobhán": "Shiv", "Jesús": "Chuy", "Caitríona": "Cat", "Benoît": "Ben"}
# The first two patients are fixed so accent-insensitive search can always be demonstrated.
SHOWCASE = ((("José", "Núñez"), SexAtBirth.MALE), (("Zoë", "Brontë"), SexAtBirth.FEMALE))

CITIES = (
    ("Boston", "02118"),
    ("Dorchester", "02124"),
    ("Quincy", "02169"),
    ("Cambridge", "02139"),
    ("Somerville", "02143"),
    ("Lynn", "01902"),
    ("Brockton", "02301"),
    ("Chelsea", "02150"),
    ("Malden", "02148"),
    ("Waltham", "02453"),
)
AREA_CODES = ("617", "857", "781", "508", "978")

REFERRERS = {
    ReferralSource.SELF: "",
    ReferralSource.FAMILY: "Family member",
    ReferralSource.PRIMARY_CARE: "Harbor Street Family Practice",
    ReferralSource.HOSPITAL: "Bayview General Hospital emergency department",
    ReferralSource.RESIDENTIAL: "Cedar Ridge Recovery Center (level 3.5)",
    ReferralSource.COURT: "County probation department",
    ReferralSource.EMPLOYER: "Northshore Transit EAP",
    ReferralSource.OTP: "Eastside Opioid Treatment Program",
    ReferralSource.OTHER: "School adjustment counselor",
}
PAYERS = (
    ("Bayside Health Plan", "Bayside PPO", "BHP"),
    ("Tri-County Medicaid ACO", "Community Care", "TCM"),
    ("Granite Mutual Insurance", "Granite Choice HMO", "GMI"),
    ("Pioneer Valley Health", "Pioneer Select", "PVH"),
)

# Screening scores follow the story's diagnoses: PHQ-9 high with depression, GAD-7 with anxiety or trauma.
DEPRESSION_CODES = ("F32", "F33")
ANXIETY_CODES = ("F41", "F43")
ASAM_NOTES = {
    "d1_notes": "No current withdrawal signs; last use several days ago.",
    "d2_notes": "No acute medical issues; primary care follows blood pressure.",
    "d4_notes": "Ambivalent but engaged; wants to keep job and family.",
    "d5_notes": "Cravings in the evenings; limited coping skills so far.",
    "d6_notes": "Lives with family; some peers still use.",
}
# Dimension 3 as the story's co-occurring diagnoses describe it.
D3_NOTES = {
    (True, False): "Depressed mood, poor sleep; no psychosis; denies suicidal intent, safety plan reviewed.",
    (False, True): "Anxious, worries most of the day; no psychosis; no safety concerns today.",
    (True, True): "Depressed and anxious; no psychosis; safety plan reviewed.",
    (False, False): "No co-occurring mental health condition found; mood reactive to consequences of use.",
}
LEVEL_OF_CARE_OVERRIDE = "Declined partial hospitalization because of work hours; IOP evenings with weekly review."
STEP_DOWN_REASON = "Eight weeks abstinent with negative urine tests; goals met. Steps down to weekly outpatient."


@dataclass
class Person:
    """The plan for one synthetic patient, drawn before anything is written."""

    index: int
    stage: str
    first: str
    last: str
    sex: str
    program: str
    birth: dt.date
    story: Story
    preferred: str = ""
    pronouns: str = ""
    gender_identity: str = ""
    language: str = "English"
    extras: dict = field(default_factory=dict)


def answers_for_total(instrument: str, total: int, rng: random.Random, *, fixed: dict[int, int] | None = None):
    """Answers whose item values add up to ``total`` (clamped), each within the item's options."""
    spec = SPECS[instrument]
    fixed = fixed or {}
    answers = [0] * spec.item_count
    for index, value in fixed.items():
        answers[index] = value
    free = [i for i in range(spec.item_count) if i not in fixed]
    ceiling = {i: max(spec.items[i].allowed) for i in free}
    remaining = max(0, min(total - sum(fixed.values()), sum(ceiling.values())))
    while remaining:
        i = rng.choice([i for i in free if answers[i] < ceiling[i]])
        answers[i] += 1
        remaining -= 1
    return answers


def dast_answers(target: int, rng: random.Random) -> list[int]:
    """DAST-10 yes/no answers scoring ``target`` (item 3 is reverse-scored)."""
    scored = [1] * target + [0] * (10 - target)
    rng.shuffle(scored)
    return [1 - s if number in DAST10_REVERSED else s for number, s in enumerate(scored, start=1)]


class Command(BaseCommand):
    help = "Fill the database with a synthetic demo clinic (staff, programs, ~60 patients at every stage)."

    def add_arguments(self, parser):
        parser.add_argument("--if-empty", action="store_true", help="Do nothing when any patient exists.")
        parser.add_argument("--seed", type=int, default=2026, help="Random seed; the same seed gives the same clinic.")

    def handle(self, *args, if_empty=False, seed=2026, **options):
        if if_empty and Patient.objects.exists():
            self.stdout.write("Patients already exist; demo data not seeded.")
            return
        started = time.monotonic()
        self.rng = random.Random(seed)
        self.fake = Faker("en_US")
        self.fake.seed_instance(seed)
        self.today = timezone.localdate()
        with transaction.atomic():
            self.programs = self.seed_programs()
            self.staff = self.seed_staff()
            self.seed_patients()
        self.report(time.monotonic() - started)

    # Programs and staff ---------------------------------------------------------------

    def seed_programs(self) -> dict[str, Program]:
        programs = {}
        for spec in PROGRAMS:
            programs[spec.code], _ = Program.objects.get_or_create(
                code=spec.code,
                defaults={
                    "name": spec.name,
                    "population": spec.population,
                    "min_weekly_hours": spec.min_hours,
                    "max_weekly_hours": spec.max_hours,
                    "typical_length_weeks": spec.weeks,
                    "description": spec.description,
                },
            )
        return programs

    def seed_staff(self) -> dict:
        User = get_user_model()
        # One hash for everyone: the production hasher is deliberately slow.
        password = make_password(DEMO_PASSWORD)
        groups = {group.name: group for group in Group.objects.all()}
        staff, created = {}, set()
        for member in DEMO_STAFF:
            user = User.objects.filter(username=member.username).first()
            if user is not None:
                # An account of the same name (e.g. a developer's own "admin") is left exactly as it is.
                staff[member.username] = user
                continue
            user = User.objects.create(
                username=member.username,
                first_name=member.first_name,
                last_name=member.last_name,
                email=f"{member.username}@example.org",
                credentials=member.credentials,
                in_training=member.in_training,
                is_staff=member.is_superuser,
                is_superuser=member.is_superuser,
                password=password,
            )
            user.groups.add(*(groups.get(role) or Group.objects.get_or_create(name=role)[0] for role in member.roles))
            user.programs.add(*(self.programs[code] for code in member.programs))
            staff[member.username] = user
            created.add(member.username)
        for member in DEMO_STAFF:
            if member.supervisor and member.username in created:
                staff[member.username].supervisor = staff[member.supervisor]
                staff[member.username].save(update_fields=["supervisor"])
        return staff

    # Planning --------------------------------------------------------------------------

    def plan_people(self) -> list[Person]:
        rng = self.rng
        stages = [stage for stage, count in STAGE_PLAN for _ in range(count)]
        # The showcase patients come first, admitted to the adult program; the rest are shuffled.
        for _ in SHOWCASE:
            stages.remove(PatientStatus.ADMITTED)
        rng.shuffle(stages)
        stages[:0] = [PatientStatus.ADMITTED] * len(SHOWCASE)
        admitted_programs = ADMITTED_PROGRAMS[:]
        for _ in SHOWCASE:
            admitted_programs.remove(ADULT)
        discharged_programs = DISCHARGED_PROGRAMS[:]
        rng.shuffle(admitted_programs)
        rng.shuffle(discharged_programs)
        admitted_programs[:0] = [ADULT] * len(SHOWCASE)

        taken: set[tuple[str, str]] = set()
        people = []
        for index, stage in enumerate(stages):
            if stage == PatientStatus.ADMITTED:
                program = admitted_programs.pop(0)
            elif stage == PatientStatus.DISCHARGED:
                program = discharged_programs.pop(0)
            else:
                program = rng.choice((ADULT, ADULT, ADULT, TEEN, MATRIX))
            if index < len(SHOWCASE):
                (first, last), sex = SHOWCASE[index]
            else:
                sex = rng.choice((SexAtBirth.FEMALE, SexAtBirth.MALE))
                first, last = self.draw_name(sex, taken)
            taken.add((first, last))
            if program == TEEN:
                age = rng.randint(14, 17)
            else:
                age = rng.choice((rng.randint(19, 34), rng.randint(25, 49), rng.randint(35, 66)))
            # Days rather than calendar years, so a 29 February "today" needs no special case.
            birth = self.today - dt.timedelta(days=int(age * 365.25) + rng.randint(1, 360))
            person = Person(
                index=index,
                stage=stage,
                first=first,
                last=last,
                sex=sex,
                program=program,
                birth=birth,
                story=self.draw_story(program),
            )
            person.preferred = NICKNAMES.get(first, "")
            if rng.random() < 0.06:
                person.pronouns, person.gender_identity = "they/them", "Non-binary"
            else:
                person.pronouns = "she/her" if sex == SexAtBirth.FEMALE else "he/him"
            if last in ("Núñez", "Peña", "Muñoz", "Rodríguez", "Hernández") and rng.random() < 0.4:
                person.language = "Spanish"
            elif last in ("Nguyễn", "Trần", "Phạm") and rng.random() < 0.5:
                person.language = "Vietnamese"
            people.append(person)
        return people

    def draw_story(self, program: str) -> Story:
        stories = stories_for(program)
        return self.rng.choices(stories, weights=[story.weight for story in stories])[0]

    def draw_name(self, sex: str, taken: set) -> tuple[str, str]:
        weights = [pool[0] for pool in NAME_POOLS]
        while True:
            _, women, men, surnames = self.rng.choices(NAME_POOLS, weights=weights)[0]
            name = (self.rng.choice(women if sex == SexAtBirth.FEMALE else men), self.rng.choice(surnames))
            if name not in taken:
                return name

    # Patients ------------------------------------------------------------------------

    def seed_patients(self) -> None:
        people = self.plan_people()
        admitted = [p for p in people if p.stage == PatientStatus.ADMITTED]
        # Special cases among the admitted (never the showcase patients, so their charts stay plain).
        specials = self.rng.sample(admitted[len(SHOWCASE) :], 5)
        specials[0].extras["safety_alert"] = True
        specials[1].extras["safety_alert"] = True
        specials[2].extras["step_down"] = True
        specials[3].extras["override_php"] = True
        specials[4].extras["readmission"] = True
        self.pending: dict[type, list] = {}
        for person in people:
            self.seed_person(person)
        self.flush()
        self.date_intakes()

    def seed_person(self, person: Person) -> None:
        rng = self.rng
        intake_user = self.staff[rng.choice(INTAKE_STAFF)]
        patient = self.create_patient(person, intake_user)
        if person.stage == PatientStatus.REFERRAL:
            self.start_intake(patient, person, intake_user, referral_days_ago=rng.randint(0, 6))
        elif person.stage == PatientStatus.SCREENING:
            intake = self.start_intake(patient, person, intake_user, referral_days_ago=rng.randint(2, 10))
            self.screen(patient, person, intake, intake_user, self.today - dt.timedelta(days=rng.randint(1, 2)))
        elif person.stage == PatientStatus.ASSESSMENT:
            intake = self.start_intake(patient, person, intake_user, referral_days_ago=rng.randint(5, 14))
            self.screen(
                patient, person, intake, intake_user, intake.referral_date + dt.timedelta(days=2), last_step=False
            )
            recommend_php = person.index % 2 == 0
            self.assess(patient, person, intake, intake_user, self.today - dt.timedelta(days=1), php=recommend_php)
        elif person.stage == PatientStatus.NOT_ADMITTED:
            self.not_admitted(patient, person, intake_user)
        elif person.stage == PatientStatus.ADMITTED:
            if person.extras.get("readmission"):
                earlier = self.today - dt.timedelta(days=rng.randint(300, 420))
                self.admit(patient, person, intake_user, earlier, discharged_on=earlier + dt.timedelta(days=63))
            # A step-down or a follow-up alert needs a few weeks in the program first.
            settled = person.extras.get("step_down") or person.extras.get("safety_alert")
            days_in = rng.randint(42, 84) if settled else rng.randint(3, 84)
            self.admit(patient, person, intake_user, self.today - dt.timedelta(days=days_in))
        elif person.stage == PatientStatus.DISCHARGED:
            admitted_on = self.today - dt.timedelta(days=rng.randint(90, 240))
            discharged_on = admitted_on + dt.timedelta(days=rng.randint(35, 84))
            self.admit(patient, person, intake_user, admitted_on, discharged_on=discharged_on)

    def create_patient(self, person: Person, intake_user) -> Patient:
        rng = self.rng
        city, postal_code = rng.choice(CITIES)
        area = AREA_CODES[person.index % len(AREA_CODES)]
        ascii_name = fold(f"{person.first}.{person.last}").replace(" ", "").replace("'", "")
        channel = rng.choice((ContactChannel.SMS, ContactChannel.SMS, ContactChannel.PHONE, ContactChannel.EMAIL))
        relationship = (
            Relationship.PARENT
            if person.program == TEEN
            else rng.choice((Relationship.SPOUSE, Relationship.SIBLING, Relationship.PARENT, Relationship.FRIEND))
        )
        contact_first = self.fake.first_name()
        contact_last = person.last if relationship != Relationship.FRIEND else self.fake.last_name()
        return services.patient_create(
            created_by=intake_user,
            legal_first_name=person.first,
            legal_last_name=person.last,
            preferred_name=person.preferred,
            pronouns=person.pronouns,
            gender_identity=person.gender_identity,
            date_of_birth=person.birth,
            sex_at_birth=person.sex,
            phone=f"+1{area}555{100 + person.index % 100:04d}",
            email=f"{ascii_name}{person.index}@example.com" if channel != ContactChannel.PHONE else "",
            preferred_contact_channel=channel,
            language=person.language,
            needs_interpreter=person.language != "English" and rng.random() < 0.5,
            address_line1=self.fake.street_address(),
            city=city,
            state="MA",
            postal_code=postal_code,
            emergency_contact_name=f"{contact_first} {contact_last}",
            emergency_contact_phone=f"+1{AREA_CODES[(person.index + 2) % len(AREA_CODES)]}555"
            f"{100 + (person.index * 7) % 100:04d}",
            emergency_contact_relationship=relationship,
        )

    def start_intake(self, patient, person: Person, intake_user, *, referral_days_ago=None, referral_date=None):
        source = (
            self.rng.choice((ReferralSource.FAMILY, ReferralSource.OTHER, ReferralSource.PRIMARY_CARE))
            if person.program == TEEN
            else self.rng.choice(list(REFERRERS))
        )
        return services.intake_start(
            patient=patient,
            started_by=intake_user,
            referral_source=source,
            referred_by=REFERRERS[source],
            referral_date=referral_date or self.today - dt.timedelta(days=referral_days_ago),
            referral_reason=person.story.referral_reason,
        )

    def at(self, day: dt.date, hour: int = 16) -> dt.datetime:
        # Callers pass days before today, so no record is dated later than the seeding.
        minute = self.rng.choice((0, 15, 30, 45))
        return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))

    def screen(self, patient, person: Person, intake, by, day: dt.date, *, last_step=True) -> tuple[int, int]:
        """Baseline PHQ-9, GAD-7, AUDIT-C and DAST-10 at intake; returns the PHQ-9 and GAD-7 totals."""
        rng = self.rng
        codes = [code for code, _ in person.story.diagnoses]
        depressed = any(code.startswith(DEPRESSION_CODES) for code in codes)
        anxious = any(code.startswith(ANXIETY_CODES) for code in codes)
        phq = rng.randint(11, 20) if depressed else rng.randint(3, 9)
        gad = rng.randint(10, 17) if anxious else rng.randint(2, 8)
        drinks = Substance.ALCOHOL in person.story.substances
        other_drugs = person.story.substances - {Substance.ALCOHOL, Substance.NICOTINE}
        audit_c = rng.randint(6, 12) if drinks else rng.randint(0, 2)
        dast = rng.randint(4, 9) if other_drugs else rng.randint(0, 1)
        for instrument, answers in (
            (Instrument.PHQ9, answers_for_total(Instrument.PHQ9, phq, rng, fixed={8: 0})),
            (Instrument.GAD7, answers_for_total(Instrument.GAD7, gad, rng)),
            (Instrument.AUDITC, answers_for_total(Instrument.AUDITC, audit_c, rng)),
            (Instrument.DAST10, dast_answers(dast, rng)),
        ):
            response = self.scored_response(patient, instrument, answers, by, self.at(day, 10), intake=intake)
            self.later(response)
        if last_step:
            # The intake moves on to screening, as instrument_record would move it (the ASAM step
            # moves it further when an assessment follows, so then this write is skipped).
            services.intake_update_referral(intake=intake, by=by)
        return phq, gad

    def assess(self, patient, person: Person, intake, by, day: dt.date, *, php: bool = False):
        rng = self.rng
        codes = [code for code, _ in person.story.diagnoses]
        d3_notes = D3_NOTES[
            any(code.startswith(DEPRESSION_CODES) for code in codes),
            any(code.startswith(ANXIETY_CODES) for code in codes),
        ]
        ratings = {
            "d1_intoxication": rng.choice((0, 1, 1)),
            "d2_biomedical": rng.choice((0, 0, 1)),
            "d3_emotional": rng.choice((1, 2, 2)),
            "d4_readiness": rng.choice((1, 2, 2, 3)),
            # Relapse potential 2 recommends IOP (2.1); 3 recommends partial hospitalization (2.5).
            "d5_relapse": 3 if php else 2,
            "d6_environment": rng.choice((1, 1, 2)),
        }
        return services.asam_assessment_record(
            patient=patient,
            assessed_by=by,
            intake=intake,
            assessed_at=self.at(day, 11),
            **ratings,
            **ASAM_NOTES,
            d3_notes=d3_notes,
        )

    def not_admitted(self, patient, person: Person, intake_user) -> None:
        rng = self.rng
        intake = self.start_intake(patient, person, intake_user, referral_days_ago=rng.randint(15, 60))
        self.screen(patient, person, intake, intake_user, intake.referral_date + dt.timedelta(days=2))
        if person.index % 2:
            services.intake_close_not_admitted(
                intake=intake, by=intake_user, reason="Did not return three calls after screening.", withdrawn=True
            )
            return
        self.assess(patient, person, intake, intake_user, intake.referral_date + dt.timedelta(days=5), php=True)
        services.intake_close_not_admitted(
            intake=intake,
            by=intake_user,
            reason="Assessment supports a higher level of care; referred to partial hospitalization elsewhere.",
        )

    def admit(self, patient, person: Person, intake_user, admitted_on: dt.date, *, discharged_on=None) -> Episode:
        rng = self.rng
        program = self.programs[person.program]
        referral_date = admitted_on - dt.timedelta(days=rng.randint(6, 14))
        intake = self.start_intake(patient, person, intake_user, referral_date=referral_date)
        phq, gad = self.screen(
            patient, person, intake, intake_user, referral_date + dt.timedelta(days=1), last_step=False
        )
        override = bool(person.extras.get("override_php")) and discharged_on is None
        self.assess(patient, person, intake, intake_user, admitted_on - dt.timedelta(days=2), php=override)
        first_time = not patient.consents.exists()
        if first_time:
            self.consents(patient, person, intake_user, admitted_on - dt.timedelta(days=1))
            self.history(patient, person, intake_user, admitted_on)
        primary = self.staff[rng.choice(PRIMARY_CLINICIANS[person.program])]
        team = [self.staff[rng.choice(PRESCRIBERS[person.program])]]
        if rng.random() < 0.5 or primary.in_training:
            team.append(self.staff[SUPERVISORS[person.program]])
        low, high = program.weekly_hours_band
        hours = (
            Decimal("6"),
            Decimal("8"),
            Decimal("9"),
            Decimal("9.5"),
            Decimal("10.5"),
            Decimal("12"),
            Decimal("15"),
        )
        target = rng.choice([h for h in hours if low <= h < high])  # the band is half-open
        episode = services.patient_admit(
            intake=intake,
            program=program,
            primary_clinician=primary,
            admitted_by=intake_user,
            target_weekly_hours=target,
            level_of_care=LevelOfCare.IOP,
            withdrawal_management="",
            level_of_care_reason_category=LevelOfCareReasonCategory.PATIENT_PREFERENCE if override else "",
            level_of_care_reason=LEVEL_OF_CARE_OVERRIDE if override else "",
            admitted_on=admitted_on,
            care_team=team,
        )
        self.coverage(patient, admitted_on, discharged_on or self.today)
        self.follow_ups(patient, person, episode, primary, admitted_on, discharged_on or self.today, phq, gad)
        if person.extras.get("step_down") and discharged_on is None:
            services.level_of_care_change(
                episode=episode,
                to_level=LevelOfCare.OP,
                # Level 1 is under 9 hours a week (under 6 for adolescents): the target comes down with it.
                target_weekly_hours=Decimal("4"),
                reason=STEP_DOWN_REASON,
                recorded_by=primary,
                effective_on=max(admitted_on, self.today - dt.timedelta(days=5)),
            )
        self.care_team_roles(patient, team)
        if discharged_on is not None:
            episode.status = EpisodeStatus.DISCHARGED
            episode.discharged_on = discharged_on
            episode.full_clean()
            episode.save()
            patient.status = PatientStatus.DISCHARGED
            patient.save(update_fields=["status", "updated_at"])
            self.discharge(episode, person, primary, readmitted=person.stage == PatientStatus.ADMITTED)
        return episode

    def care_team_roles(self, patient, team) -> None:
        """Label each member by their role: patient_admit adds everyone but the primary as "Counselor"."""
        roles = (
            (Role.PRESCRIBER, CareTeamRole.PRESCRIBER),
            (Role.SUPERVISOR, CareTeamRole.SUPERVISOR),
            (Role.COUNSELOR, CareTeamRole.COUNSELOR),
        )
        for member in CareTeamMember.objects.filter(patient=patient, user__in=team).exclude(role=CareTeamRole.PRIMARY):
            groups = {group.name for group in member.user.groups.all()}
            role = next((label for group, label in roles if group in groups), member.role)
            if member.role != role:
                member.role = role
                member.save(update_fields=["role", "updated_at"])

    def discharge(self, episode, person: Person, clinician, *, readmitted: bool) -> Discharge:
        """The discharge, aftercare plan and alumni check-ins of an episode the demo closes in the past.

        ``episode_discharge`` would refuse these: it counts attended days from the schedule, and the
        demo schedules only the current weeks. So the rows are written as that service writes them,
        with the aftercare plan through its service and check-ins recorded on their due dates.
        """
        rng, story = self.rng, person.story
        life = life_of(episode.patient, teen=person.program == TEEN)
        stayed = (episode.discharged_on - episode.admitted_on).days
        if readmitted:
            kind = DischargeType.AGAINST_ADVICE
        else:
            kind = rng.choice(
                [DischargeType.COMPLETED] * 4
                + [DischargeType.STEP_DOWN] * 2
                + [DischargeType.AGAINST_ADVICE, DischargeType.TRANSFERRED]
            )
        reasons = {
            DischargeType.COMPLETED: f"Completed the {self.programs[person.program].name} plan: goals met, "
            f"negative screens for the last four weeks.",
            DischargeType.STEP_DOWN: "Goals of the IOP phase met; continues with weekly outpatient counselling.",
            DischargeType.AGAINST_ADVICE: "Stopped attending after a return to use; declined a higher level of care "
            "when reached by phone.",
            DischargeType.TRANSFERRED: "Moved out of the area; care transferred to a program near the new home.",
        }
        referred = {
            DischargeType.STEP_DOWN: "Harbor Street Counseling (outpatient, level 1.0)",
            DischargeType.TRANSFERRED: "Pioneer Valley Recovery Services IOP",
        }
        medications = ", ".join(f"{med.catalogue_code.replace('_', '-')} {med.dose}" for med in story.medications)
        course = {
            DischargeType.AGAINST_ADVICE: "Engaged for the first weeks, then attendance fell after a return to use; "
            "outreach calls were made and a referral back to intake was offered.",
        }.get(
            kind,
            "Attended groups and individual sessions steadily; early positive screens gave way to negative ones "
            "by the second month.",
        )
        discharge = Discharge(
            episode=episode,
            patient=episode.patient,
            discharged_on=episode.discharged_on,
            discharge_type=kind,
            reason=reasons[kind],
            next_level_of_care=LevelOfCare.OP if kind == DischargeType.STEP_DOWN else "",
            referred_to=referred.get(kind, ""),
            summary=(
                f"Admitted {episode.admitted_on:%b %d, %Y} for {story.diagnoses[0][1].lower()}; discharged after "
                f"{stayed} days ({DischargeType(kind).label.lower()}). {course} "
                + (f"Medications at discharge: {medications}. " if medications else "")
                + f"Main trigger identified: {life.trigger}."
            ),
            recorded_by=clinician,
            signed_at=self.at(episode.discharged_on, 17),
            signed_by=clinician,
        )
        discharge.full_clean()
        discharge.save()
        aftercare_plan_save(
            discharge=discharge,
            by=clinician,
            outpatient_provider=referred.get(kind, "Harbor Street Counseling, 40 Harbor St, (617) 555-0142"),
            first_appointment=f"{episode.discharged_on + dt.timedelta(days=6):%A %B %d}, 10:00",
            medication_plan=" ".join(
                f"Continue {med.catalogue_code.replace('_', '-')} {med.dose} {med.frequency}"
                + (
                    f" ({med.outside_prescriber})."
                    if med.outside_prescriber
                    else "; refills from the prescriber below."
                )
                for med in story.medications
            )
            or "No medications.",
            prescriber="Harbor Street Family Practice"
            if any(med.source == MedicationSource.OURS for med in story.medications)
            else "",
            support_groups="SMART Recovery, Tuesdays 7 p.m. at the community centre; a home group on Saturdays.",
            family_support=f"Weekly check-in with {life.person}.",
            relapse_warning_signs=f"Skipping meetings; {life.trigger}; telling myself “just once”.",
            coping_strategies=life.fill("Call {my_person} first, then try {activity}; get to a meeting."),
            emergency_plan="Call the clinic during the day; 988 at any hour; 911 for an overdose.",
            emergency_contacts=episode.patient.emergency_contact_name,
        )
        if kind not in NO_FOLLOW_UP_TYPES:
            self.checkins(discharge, clinician, completed=kind in (DischargeType.COMPLETED, DischargeType.STEP_DOWN))
        return discharge

    def checkins(self, discharge: Discharge, by, *, completed: bool) -> None:
        """Check-ins at every stage: made (reached or not), the latest due one still open, and those to come."""
        rng = self.rng
        due = sorted(set(settings.ALUMNI_CHECKIN_DAYS))
        rows = []
        past = [days for days in due if discharge.discharged_on + dt.timedelta(days=days) < self.today]
        # The most recent due check-in waits on the work list in about half the discharges.
        keep_latest_open = rng.random() < 0.5
        for days in due:
            due_on = discharge.discharged_on + dt.timedelta(days=days)
            checkin = AlumniCheckIn(
                discharge=discharge, patient=discharge.patient, days_after_discharge=days, due_on=due_on
            )
            left_open = past and days == past[-1] and keep_latest_open
            if due_on < self.today and not left_open:
                reached = rng.random() < (0.85 if completed else 0.55)
                checkin.reached = reached
                checkin.completed_at = self.at(due_on, 14)
                checkin.completed_by = by
                if reached:
                    checkin.using = rng.random() < (0.15 if completed else 0.45)
                    checkin.attending_support_groups = rng.random() < (0.7 if completed else 0.3)
                    checkin.employed_or_in_school = rng.random() < 0.7
                    checkin.readmitted_elsewhere = False
                    checkin.notes = (
                        "Reached; reports a lapse and is going to more meetings." if checkin.using
                        else "Reached; sober, keeping outpatient appointments."
                    )  # fmt: skip
                else:
                    checkin.notes = "No answer; left a neutral voicemail (no program name)."
            rows.append(checkin)
        bulk_create_with_history(rows, AlumniCheckIn)

    def consents(self, patient, person: Person, by, granted_on: dt.date) -> None:
        kinds = [ConsentKind.TREATMENT, ConsentKind.TELEHEALTH]
        if patient.preferred_contact_channel == ContactChannel.SMS:
            kinds.append(ConsentKind.REMINDERS_SMS)
        if patient.email:
            kinds.append(ConsentKind.REMINDERS_EMAIL)
        for kind in kinds:
            consent = Consent(patient=patient, kind=kind, method=ConsentMethod.SIGNED, granted_on=granted_on)
            if kind == ConsentKind.TREATMENT:
                # Admission looks for this one, so it is saved at once, through the service.
                services.chart_record_add(instance=consent, recorded_by=by)
            else:
                self.later(consent, recorded_by=by)
        if person.index % 3 == 0:
            # Written (signed on screen, the intake worker witnessing) and structured: only the
            # sections it allows can be disclosed; the patient's words are kept beside them.
            signed_at = timezone.make_aware(dt.datetime.combine(granted_on, dt.time(10, 0)))
            self.later(
                Consent(
                    patient=patient,
                    kind=ConsentKind.PART2_DISCLOSURE,
                    method=ConsentMethod.ELECTRONIC,
                    granted_on=granted_on,
                    expires_on=granted_on + dt.timedelta(days=365),
                    disclosing_program=f"{settings.CLINIC_NEUTRAL_NAME}, {self.programs[person.program].name}",
                    recipient="Harbor Street Family Practice (primary care)",
                    purpose="Coordination of care with the primary care provider",
                    information_scope="My attendance and my diagnoses, nothing from counseling.",
                    allows_episodes=True,
                    allows_diagnoses=True,
                    revocation_right_stated=True,
                    signature_name=patient.legal_name,
                    signed_at=signed_at,
                    sections_confirmed_at=signed_at,
                    sections_confirmed_by=by,
                ),
                recorded_by=by,
            )
        elif person.index % 7 == 1:
            # As recorded before Part 2 consents had sections (issue 12): it allows nothing until
            # someone confirms, from the signed paper, what the patient agreed to.
            self.later(
                Consent(
                    patient=patient,
                    kind=ConsentKind.PART2_DISCLOSURE,
                    method=ConsentMethod.SIGNED,
                    granted_on=granted_on,
                    expires_on=granted_on + dt.timedelta(days=180),
                    recipient="Bayside County Probation Department",
                    purpose="Report attendance and progress to the probation officer",
                    information_scope="Attendance and drug test results only; no diagnoses or counseling notes.",
                ),
                recorded_by=by,
            )

    def history(self, patient, person: Person, by, admitted_on: dt.date) -> None:
        """Substance use, diagnoses and contacts gathered at admission, as the story tells them."""
        rng = self.rng
        age_now = patient.age_on(admitted_on)
        for rank, use in enumerate(person.story.uses):
            self.later(
                SubstanceUse(
                    patient=patient,
                    substance=use.substance,
                    route=rng.choice(use.routes),
                    frequency=use.frequency,
                    age_of_first_use=rng.randint(min(12, age_now), min(age_now, 25 if rank == 0 else 30)),
                    last_used_on=admitted_on
                    - dt.timedelta(days=rng.randint(2, 20) if rank == 0 else rng.randint(5, 40)),
                    is_primary=rank == 0,
                ),
                recorded_by=by,
            )
        prescriber = self.staff[PRESCRIBERS[person.program][0]]
        for rank, (code, description) in enumerate(person.story.diagnoses):
            self.later(
                Diagnosis(
                    patient=patient,
                    code=code,
                    description=description,
                    is_primary=rank == 0,
                    diagnosed_on=admitted_on,
                ),
                recorded_by=prescriber,
            )
        relationship = patient.emergency_contact_relationship
        self.later(
            Contact(
                patient=patient,
                name=patient.emergency_contact_name,
                relationship=relationship,
                phone=patient.emergency_contact_phone,
                takes_part_in_family_sessions=relationship in (Relationship.PARENT, Relationship.SPOUSE),
                patient_consents_to_contact=True,
                is_emergency_contact=True,
            ),
            recorded_by=by,
        )

    def coverage(self, patient, admitted_on: dt.date, until: dt.date) -> None:
        """An insurance policy and 30-day authorizations covering the stay up to ``until``."""
        rng = self.rng
        policy = patient.insurance_policies.first()
        if policy is None:
            payer, plan, prefix = rng.choice(PAYERS)
            policy = services.chart_record_add(
                instance=InsurancePolicy(
                    patient=patient,
                    payer=payer,
                    plan_name=plan,
                    member_id=f"{prefix}{rng.randint(10**7, 10**8 - 1)}",
                    group_number=f"G-{rng.randint(1000, 9999)}",
                    is_primary=True,
                    effective_on=dt.date(admitted_on.year - rng.randint(1, 4), 1, 1),
                )
            )
        start = admitted_on
        while start <= until:
            end = start + dt.timedelta(days=29)
            elapsed_days = (min(until, end) - start).days
            authorized = rng.choice((12, 15, 20))
            self.later(
                Authorization(
                    policy=policy,
                    number=f"PA-{rng.randint(100000, 999999)}",
                    level_of_care=LevelOfCare.IOP,
                    starts_on=start,
                    ends_on=end,
                    units_authorized=authorized,
                    unit=AuthorizationUnit.DAYS,
                    # About three program days a week.
                    units_used=min(authorized, elapsed_days * 3 // 7),
                    next_review_on=end - dt.timedelta(days=5),
                )
            )
            start = end + dt.timedelta(days=1)

    def follow_ups(self, patient, person, episode, clinician, admitted_on, until, phq: int, gad: int) -> None:
        """PHQ-9 and GAD-7 every two weeks of the stay, so the trend charts have data."""
        rng = self.rng
        responder = rng.random() < 0.75
        day = admitted_on + dt.timedelta(days=14)
        visits = []
        while day < until:
            visits.append(day)
            day += dt.timedelta(days=rng.choice((13, 14, 14, 15)))
        for number, day in enumerate(visits, start=1):
            drift = -2 if responder else 1
            phq = max(0, min(24, phq + drift + rng.randint(-2, 2)))
            gad = max(0, min(21, gad + drift + rng.randint(-2, 2)))
            item9 = 1 if person.extras.get("safety_alert") and number == len(visits) else 0
            administered_at = self.at(day, 17)
            for instrument, answers in (
                (Instrument.PHQ9, answers_for_total(Instrument.PHQ9, phq + item9, rng, fixed={8: item9})),
                (Instrument.GAD7, answers_for_total(Instrument.GAD7, gad, rng)),
            ):
                if item9:
                    # Through the service, which raises the safety alert as it would in the clinic.
                    services.instrument_record(
                        patient=patient,
                        instrument=instrument,
                        answers=answers,
                        administered_by=clinician,
                        administered_at=administered_at,
                        episode=episode,
                    )
                else:
                    self.later(self.scored_response(patient, instrument, answers, clinician, administered_at, episode))
        if person.extras.get("safety_alert") and not visits:
            # Admitted less than two weeks ago: the alert comes from a first-week check instead.
            services.instrument_record(
                patient=patient,
                instrument=Instrument.PHQ9,
                answers=answers_for_total(Instrument.PHQ9, phq, rng, fixed={8: 1}),
                administered_by=clinician,
                administered_at=self.at(min(until - dt.timedelta(days=1), admitted_on + dt.timedelta(days=2)), 17),
                episode=episode,
            )

    def scored_response(
        self, patient, instrument, answers, by, administered_at, episode=None, intake=None
    ) -> InstrumentResponse:
        """The row instrument_record would write (scored by the same scorer), for a bulk insert."""
        result = score(instrument, answers, sex=patient.sex_at_birth)
        return InstrumentResponse(
            patient=patient,
            intake=intake,
            episode=episode,
            instrument=instrument,
            items=list(answers),
            score=result.score,
            band=result.band,
            subscales=result.subscales,
            is_positive=result.is_positive,
            sex_for_scoring=patient.sex_at_birth if instrument == Instrument.AUDITC else "",
            administered_at=administered_at,
            administered_by=by,
        )

    def date_intakes(self) -> None:
        """Give each intake the times its steps happened: the services stamp them with the time of seeding.

        Taken on the referral date (before its first screening), each step at its instrument's or
        assessment's time, closed on the admission day (or the day after the last step when not
        admitted); the intake's history rows take the same times, in their order.
        """
        now = timezone.now()
        admitted = dict(Episode.objects.values_list("intake_id", "admitted_on"))
        history = Intake.history.model
        rows_by_intake: dict[int, list] = {}
        for row in history.objects.order_by("history_id"):
            rows_by_intake.setdefault(row.id, []).append(row)
        dated_rows, first_seen = [], {}
        for intake in Intake.objects.prefetch_related("instruments", "asam_assessments").order_by("pk"):
            steps = sorted(
                [response.administered_at for response in intake.instruments.all()]
                + [assessment.assessed_at for assessment in intake.asam_assessments.all()]
            )
            created = min([self.at(intake.referral_date, 9), now, *steps[:1]])
            if intake.pk in admitted:
                closed = max([self.at(admitted[intake.pk], 9), *steps])
            elif intake.closed_at is not None:
                closed = min(now, max([created, *steps]) + dt.timedelta(days=1))
            else:
                closed = None
            last = closed or max([created, *steps])
            Intake.objects.filter(pk=intake.pk).update(created_at=created, updated_at=last, closed_at=closed)
            first_seen[intake.patient_id] = min(created, first_seen.get(intake.patient_id, created))
            rows = rows_by_intake.get(intake.pk, [])
            # First row when the referral was taken, last when it closed (or last moved), those
            # between at the screening and assessment they followed.
            between = sorted({step for step in steps if created <= step <= last}) or [created]
            for number, row in enumerate(rows):
                if number == 0:
                    row.history_date = created
                elif number == len(rows) - 1:
                    row.history_date = last
                else:
                    row.history_date = between[min(number - 1, len(between) - 1)]
                dated_rows.append(row)
        history.objects.bulk_update(dated_rows, ["history_date"], batch_size=500)
        for patient_id, created in first_seen.items():
            Patient.objects.filter(pk=patient_id).update(created_at=created)

    # Bulk writes -----------------------------------------------------------------------

    def later(self, instance, *, recorded_by=None) -> None:
        """Queue a routine chart row for one bulk insert per model (with its history rows).

        Field values are checked here; the database still enforces every constraint on insert.
        Foreign keys are skipped in the check because they point at rows saved a moment ago.
        """
        for name in ("recorded_by", "diagnosed_by"):
            if hasattr(instance, f"{name}_id") and getattr(instance, f"{name}_id") is None:
                setattr(instance, name, recorded_by)
        relations = [f.name for f in instance._meta.concrete_fields if f.is_relation]
        instance.clean_fields(exclude=relations)
        self.pending.setdefault(type(instance), []).append(instance)

    def flush(self) -> None:
        for model, rows in self.pending.items():
            bulk_create_with_history(rows, model, batch_size=500)
        self.pending = {}

    # Summary ---------------------------------------------------------------------------

    def report(self, seconds: float) -> None:
        by_status = dict(Patient.objects.values_list("status").annotate(n=Count("id")).order_by())
        statuses = ", ".join(f"{label.lower()} {by_status.get(value, 0)}" for value, label in PatientStatus.choices)
        self.stdout.write(
            self.style.SUCCESS(
                f"Seeded demo clinic in {seconds:.1f}s: {len(self.programs)} programs, {len(self.staff)} staff, "
                f"{Patient.objects.count()} patients ({statuses}); "
                f"{Episode.objects.filter(status=EpisodeStatus.ACTIVE).count()} active episodes, "
                f"{InstrumentResponse.objects.count()} instrument responses, "
                f"{PatientAlert.objects.filter(kind=AlertKind.SAFETY).count()} safety alerts."
            )
        )
        self.stdout.write("Demo logins: manage.py demo_logins")
