"""A synthetic clinic network at benchmark scale: ``manage.py seed_scale --size S|M|L``.

Everything is made up (names from short lists, MRNs from a counter). The big tables
(patients, episodes, enrolments, sessions, attendance, drug tests) go in with
PostgreSQL ``COPY``; the small ones with ``bulk_create``. Neither path writes
django-simple-history rows: a seeded row has no edits to keep, so its history simply
starts at its first real change. Every row still satisfies the models' constraints
(one active episode per patient, absences have 0 minutes, discharges are dated…).

The shape of the clinic: each program runs *cohorts* of 15 seats; a cohort meets three
days a week for three one-hour groups (a 3-hour billable IOP day, 9 hours a week) and
each patient also sees their primary clinician once a week. A seat holds one episode
after another for the whole history, so the active census stays at the size asked for
while discharged patients pile up behind it; the rest of the registry is older
patients discharged before the history window, and referrals never admitted.
"""

import csv
import datetime as dt
import io
import itertools
import json
import random
import time
from dataclasses import dataclass, field
from decimal import Decimal

from django.apps import apps
from django.contrib.auth.models import Group as RoleGroup
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone

from accounts.constants import Role
from accounts.models import User
from patients.constants import AsamEdition, EpisodeStatus, LevelOfCare, PatientStatus, SexAtBirth
from patients.models import Episode, LevelOfCareChange, Patient
from patients.models.registry import luhn_check_digit, name_key
from patients.text import fold
from programs.models import Program
from scheduling.constants import AttendanceStatus, SessionKind, SessionStatus
from scheduling.models import Attendance, Enrolment, Group, Room, Session
from scheduling.recurrence import clinic_zone, week_start

MARKER_TABLE = "seed_scale_marker"
BENCH_PASSWORD = "Bench-Clinic-2026!"  # noqa: S105 (synthetic users of a throwaway benchmark database)
# Fifteen seats: the benchmark records attendance for a full group of 15.
SEATS_PER_COHORT = 15
COPY_CHUNK_ROWS = 100_000


@dataclass(frozen=True)
class Size:
    active: int
    total: int
    programs: int
    clinicians: int
    weeks: int


SIZES = {
    "S": Size(active=60, total=120, programs=2, clinicians=8, weeks=12),
    "M": Size(active=500, total=5_000, programs=4, clinicians=40, weeks=52),
    "L": Size(active=5_000, total=50_000, programs=10, clinicians=200, weeks=52),
}


def _words(text: str) -> list[str]:
    return text.split()


FIRST_NAMES = _words(
    "Ava Ben Carla Dev Elena Farid Grace Hugo Iris Jamal Kira Luis Maya Noah Olga Pedro Quinn Rosa Sami Tara "
    "Umar Vera Wes Ximena Yusuf Zoe Amir Bea Cole Dina Eli Fern Gus Hana Ivan June Kai Lena Milo Nia"
)
LAST_NAMES = _words(
    "Abbott Baker Chen Diaz Evans Fischer Garcia Haddad Ibarra Jensen Kowalski Lopez Murphy Nguyen Okafor Patel "
    "Quinn Rossi Silva Tanaka Ueda Vargas Walsh Xu Young Zimmerman Adeyemi Brennan Castro Dubois Eriksen Flores "
    "Gonzalez Horvat Ito Jovanovic Kim Larsen Moreau Novak"
)
# Cohort meeting patterns (IOPs meet 3–5 days a week) and the three one-hour groups of a day.
DAY_PATTERNS = ((0, 1, 3), (0, 2, 4), (1, 2, 3))
DAY_CODES = ("MO", "TU", "WE", "TH", "FR")
BLOCKS = (dt.time(9, 0), dt.time(18, 0))
GROUPS_OF_A_DAY = (
    ("process group", SessionKind.GROUP_THERAPY, 0),
    ("psychoeducation", SessionKind.PSYCHOEDUCATION, 75),
    ("relapse prevention", SessionKind.GROUP_THERAPY, 150),
)
GROUP_MINUTES = 60
HEAVY_BOOKED_KINDS = (
    SessionKind.INDIVIDUAL,
    SessionKind.FAMILY,
    SessionKind.INDIVIDUAL,
    SessionKind.MEDICATION_MANAGEMENT,
    SessionKind.INDIVIDUAL,
)
INDIVIDUAL_MINUTES = 50


@dataclass(frozen=True)
class DischargeKind:
    """How an episode ends; weights follow the usual IOP mix (about half complete the program)."""

    label: str
    weight: int
    weeks: tuple[int, int]
    unexcused_rate: float
    level_change_to: str = ""


DISCHARGE_KINDS = (
    DischargeKind("completed", 50, (8, 16), 0.05),
    DischargeKind("step-down to outpatient", 10, (6, 12), 0.04, LevelOfCare.OP),
    DischargeKind("step-up to partial hospitalization", 6, (2, 6), 0.12, LevelOfCare.PHP),
    DischargeKind("left against advice", 18, (1, 5), 0.25),
    DischargeKind("administrative discharge", 6, (2, 8), 0.3),
    DischargeKind("transferred", 10, (3, 10), 0.06),
)
POSITIVE_ANALYTES = (("cocaine", "Cocaine"), ("thc", "THC"), ("fentanyl", "Fentanyl"), ("methamphetamine", "Meth"))


@dataclass
class Cohort:
    index: int
    program: Program
    facilitator: User
    co_facilitator: User | None
    room: Room
    days: tuple[int, ...]
    block: dt.time
    groups: list[Group] = field(default_factory=list)


@dataclass
class SeededEpisode:
    id: int
    patient_id: int
    cohort: Cohort
    seat: int
    admitted_on: dt.date
    discharged_on: dt.date | None
    kind: DischargeKind


def copy_rows(model, columns: list[str], rows) -> int:
    """COPY ``rows`` (tuples in ``columns`` order, attnames) into ``model``'s table in chunks."""
    table = connection.ops.quote_name(model._meta.db_table)
    column_sql = ", ".join(connection.ops.quote_name(model._meta.get_field(name).column) for name in columns)
    sql = f"COPY {table} ({column_sql}) FROM STDIN WITH (FORMAT csv, NULL '\\N')"
    count = 0
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")

    def flush():
        buffer.seek(0)
        with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:  # psycopg 3's COPY FROM STDIN
            copy.write(buffer.getvalue())
        buffer.seek(0)
        buffer.truncate()

    for row in rows:
        writer.writerow(["\\N" if value is None else _csv_value(value) for value in row])
        count += 1
        if count % COPY_CHUNK_ROWS == 0:
            flush()
    flush()
    return count


def _csv_value(value):
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, (dt.date, dt.datetime, dt.time)):
        return value.isoformat()
    return value


def next_ids(model, count: int) -> range:
    """Reserve ``count`` primary keys from the table's identity sequence."""
    table = model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])
        sequence = cursor.fetchone()[0]
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {connection.ops.quote_name(table)}")  # noqa: S608
        start = max(cursor.fetchone()[0], 0) + 1
        cursor.execute("SELECT setval(%s, %s)", [sequence, start + count])
    return range(start, start + count)


class Command(BaseCommand):
    help = "Seed a synthetic clinic network of size S, M or L for the benchmark (PostgreSQL only)."

    def add_arguments(self, parser):
        parser.add_argument("--size", choices=sorted(SIZES), default="S")
        parser.add_argument("--if-absent", action="store_true", help="Do nothing if this database was seeded.")
        parser.add_argument("--seed", type=int, default=7, help="Random seed: the same seed gives the same clinic.")

    def handle(self, *args, size, if_absent, seed, **options):
        if connection.vendor != "postgresql":
            raise CommandError("seed_scale loads with PostgreSQL COPY; point DATABASE_URL at PostgreSQL.")
        existing = self.marker()
        if existing:
            if if_absent:
                self.stdout.write(f"Already seeded ({existing['size']}, {existing['seeded_at']}); nothing to do.")
                return
            raise CommandError(f"This database was already seeded ({existing['size']}); use a fresh database.")
        if Patient.objects.exists():
            raise CommandError("This database already has patients; seed_scale needs an empty clinic.")
        self.rng = random.Random(seed)
        self.spec = SIZES[size]
        self.now = timezone.now()
        self.today = timezone.localdate()
        self.zone = clinic_zone()
        self.history_start = week_start(self.today) - dt.timedelta(weeks=self.spec.weeks)
        # Sessions run through next week so calendars and "this week" have a future too.
        self.schedule_end = week_start(self.today) + dt.timedelta(days=13)
        started = time.monotonic()
        counts = {}
        with transaction.atomic():
            self.staff()
            self.cohorts = self.build_cohorts()
            counts.update(self.patients_and_episodes())
            counts["sessions"], counts["attendance"] = self.sessions_and_attendance()
            counts["drug_tests"] = self.drug_tests()
            counts.update(self.heavy_patient_extras())
            counts["seconds"] = round(time.monotonic() - started, 1)
            self.write_marker(size, counts)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        self.stdout.write(self.style.SUCCESS(f"Seeded size {size}: {json.dumps(counts)}"))

    # --- marker -------------------------------------------------------------------------------

    def marker(self) -> dict | None:
        with connection.cursor() as cursor:
            cursor.execute("SELECT to_regclass(%s)", [MARKER_TABLE])
            if cursor.fetchone()[0] is None:
                return None
            cursor.execute(f"SELECT size, seeded_at, summary FROM {MARKER_TABLE} LIMIT 1")  # noqa: S608
            row = cursor.fetchone()
        return {"size": row[0], "seeded_at": row[1], "summary": row[2]} if row else None

    def write_marker(self, size: str, counts: dict) -> None:
        # A plain table outside the migrations: it belongs to the benchmark database, not the app.
        with connection.cursor() as cursor:
            cursor.execute(
                f"CREATE TABLE IF NOT EXISTS {MARKER_TABLE} (size text, seeded_at timestamptz, summary jsonb)"
            )
            cursor.execute(
                f"INSERT INTO {MARKER_TABLE} VALUES (%s, %s, %s)",  # noqa: S608
                [size, self.now, json.dumps({**counts, "heavy_patient_id": self.heavy_patient_id})],
            )

    # --- staff, programs, rooms, groups -------------------------------------------------------

    def staff(self) -> None:
        spec = self.spec
        self.programs = [
            Program.objects.create(
                name=f"Program {number:02d} — {'adults' if number % 5 else 'adolescents'}",
                code=f"program-{number:02d}",
                meeting_days="MO,TU,WE,TH,FR",
                day_starts_at=dt.time(9, 0),
                day_ends_at=dt.time(21, 30),
            )
            for number in range(1, spec.programs + 1)
        ]
        password = User(username="x")
        password.set_password(BENCH_PASSWORD)
        hashed = password.password
        clinicians = [
            User(
                username=f"clinician{number:03d}",
                first_name=self.rng.choice(FIRST_NAMES),
                last_name=self.rng.choice(LAST_NAMES),
                credentials="LCSW",
                password=hashed,
            )
            for number in range(1, spec.clinicians + 1)
        ]
        self.clinicians = User.objects.bulk_create(clinicians)
        self.director = User.objects.create(
            username="director01", first_name="Dana", last_name="Director", password=hashed
        )
        self.intake = User.objects.create(username="intake01", first_name="Ira", last_name="Intake", password=hashed)
        self.admin = User.objects.create(
            username="admin01", first_name="Ada", last_name="Admin", password=hashed, is_staff=True
        )
        roles = {role: RoleGroup.objects.get_or_create(name=str(role))[0] for role in Role}
        membership = User.groups.through
        membership.objects.bulk_create(
            [membership(user_id=user.pk, group_id=roles[Role.COUNSELOR].pk) for user in self.clinicians]
            + [
                membership(user_id=self.director.pk, group_id=roles[Role.DIRECTOR].pk),
                membership(user_id=self.intake.pk, group_id=roles[Role.INTAKE].pk),
                membership(user_id=self.admin.pk, group_id=roles[Role.ADMIN].pk),
            ]
        )
        self.director.programs.add(*self.programs)
        self.rooms = []

    def build_cohorts(self) -> list[Cohort]:
        spec = self.spec
        cohort_count = -(-spec.active // SEATS_PER_COHORT)
        room_count = -(-cohort_count // len(BLOCKS))
        self.rooms = Room.objects.bulk_create(
            Room(name=f"Room {number:03d}", location=f"Site {1 + number % 4}", capacity=16)
            for number in range(1, room_count + 1)
        )
        cohorts = []
        staffing = set()
        for index in range(cohort_count):
            program = self.programs[index % len(self.programs)]
            # A clinician runs one morning and one evening cohort (consecutive indexes, different blocks).
            facilitator = self.clinicians[(index // 2) % len(self.clinicians)]
            co_index = (index // 2 + len(self.clinicians) // 2) % len(self.clinicians)
            co_facilitator = self.clinicians[co_index] if index % 3 == 0 and co_index != index // 2 else None
            cohort = Cohort(
                index=index,
                program=program,
                facilitator=facilitator,
                co_facilitator=co_facilitator,
                room=self.rooms[index // len(BLOCKS)],
                days=DAY_PATTERNS[index % len(DAY_PATTERNS)],
                block=BLOCKS[index % len(BLOCKS)],
            )
            staffing.add((facilitator.pk, program.pk))
            if co_facilitator:
                staffing.add((co_facilitator.pk, program.pk))
            cohorts.append(cohort)
        starts_on = self.history_start - dt.timedelta(weeks=20)
        groups = []
        for cohort in cohorts:
            rule_days = ",".join(DAY_CODES[day] for day in cohort.days)
            for title, kind, offset in GROUPS_OF_A_DAY:
                start = (dt.datetime.combine(self.today, cohort.block) + dt.timedelta(minutes=offset)).time()
                groups.append(
                    Group(
                        name=f"Cohort {cohort.index + 1:03d} {title}",
                        program=cohort.program,
                        kind=kind,
                        facilitator=cohort.facilitator,
                        co_facilitator=cohort.co_facilitator,
                        room=cohort.room,
                        capacity=SEATS_PER_COHORT,
                        rrule=f"FREQ=WEEKLY;BYDAY={rule_days}",
                        starts_on=starts_on,
                        start_time=start,
                        duration_minutes=GROUP_MINUTES,
                    )
                )
        groups = Group.objects.bulk_create(groups)
        for cohort, start in zip(cohorts, range(0, len(groups), len(GROUPS_OF_A_DAY)), strict=True):
            cohort.groups = groups[start : start + len(GROUPS_OF_A_DAY)]
        staff_link = User.programs.through
        staff_link.objects.bulk_create(
            [staff_link(user_id=user_id, program_id=program_id) for user_id, program_id in sorted(staffing)],
            ignore_conflicts=True,
        )
        return cohorts

    # --- patients and episodes ----------------------------------------------------------------

    def discharge_kind(self) -> DischargeKind:
        return self.rng.choices(DISCHARGE_KINDS, weights=[kind.weight for kind in DISCHARGE_KINDS])[0]

    def patients_and_episodes(self) -> dict:
        """Seat after seat: a run of episodes over the history window, the last one still active."""
        rng = self.rng
        plans = []  # (cohort, seat, admitted_on, discharged_on, kind, readmit_of_plan_index)
        for cohort in self.cohorts:
            for seat in range(SEATS_PER_COHORT):
                kind = self.discharge_kind()
                length = rng.randint(*kind.weeks)
                admitted = self.history_start - dt.timedelta(days=rng.randint(0, length * 7 - 1))
                seat_plans = []
                while True:
                    end = admitted + dt.timedelta(days=length * 7 - 1)
                    if end >= self.today:
                        seat_plans.append((cohort, seat, admitted, None, kind))
                        break
                    seat_plans.append((cohort, seat, admitted, end, kind))
                    admitted = end + dt.timedelta(days=rng.randint(1, 10))
                    kind = self.discharge_kind()
                    length = rng.randint(*kind.weeks)
                plans.extend(seat_plans)
        # The heavy patient: the first seat's whole history is one long episode (500+ sessions).
        heavy_cohort = self.cohorts[0]
        plans = [plan for plan in plans if not (plan[0] is heavy_cohort and plan[1] == 0)]
        plans.insert(0, (heavy_cohort, 0, self.history_start - dt.timedelta(days=3), None, DISCHARGE_KINDS[0]))
        in_window = len(plans)
        older = max(self.spec.total - in_window, 0)
        patient_ids = next_ids(Patient, in_window + older)

        # Readmissions: about one episode in twelve goes to the patient of the same seat two episodes back,
        # whose episode ended before the one in between started.
        episode_patient = []
        seat_history: dict[tuple[int, int], list[int]] = {}
        next_patient = iter(patient_ids)
        readmissions = 0
        for cohort, seat, *_ in plans:
            history = seat_history.setdefault((cohort.index, seat), [])
            if len(history) >= 2 and rng.random() < 0.08:
                patient_id = history[-2]
                readmissions += 1
            else:
                patient_id = next(next_patient)
            history.append(patient_id)
            episode_patient.append(patient_id)
        remaining_patient_ids = list(next_patient)
        episode_ids = next_ids(Episode, in_window + len(remaining_patient_ids))
        self.heavy_patient_id = episode_patient[0]

        now = self.now
        patients = {}
        for patient_id in set(episode_patient) | set(remaining_patient_ids):
            patients[patient_id] = self.patient_row(patient_id)
        self.episodes: list[SeededEpisode] = []
        episode_rows = []
        level_changes = []
        for episode_id, patient_id, (cohort, seat, admitted, discharged, kind) in zip(
            episode_ids, episode_patient, plans, strict=False
        ):
            self.episodes.append(SeededEpisode(episode_id, patient_id, cohort, seat, admitted, discharged, kind))
            status = EpisodeStatus.ACTIVE if discharged is None else EpisodeStatus.DISCHARGED
            episode_rows.append(
                self.episode_row(episode_id, patient_id, cohort.program.pk, cohort.facilitator.pk, admitted, discharged)
            )
            patients[patient_id]["status"] = (
                PatientStatus.ADMITTED if status == EpisodeStatus.ACTIVE else PatientStatus.DISCHARGED
            )
            patients[patient_id]["primary_clinician_id"] = cohort.facilitator.pk
            if kind.level_change_to and discharged is not None:
                level_changes.append(
                    LevelOfCareChange(
                        episode_id=episode_id,
                        from_level=LevelOfCare.IOP,
                        to_level=kind.level_change_to,
                        effective_on=discharged,
                        reason=f"Synthetic {kind.label}.",
                        recorded_by_id=cohort.facilitator.pk,
                    )
                )
        # Older patients: discharged before the window (no sessions kept), or referrals never admitted.
        old_episode_ids = iter(episode_ids[in_window:])
        for patient_id in remaining_patient_ids:
            if rng.random() < 0.1:
                patients[patient_id]["status"] = rng.choice([PatientStatus.REFERRAL, PatientStatus.NOT_ADMITTED])
                continue
            admitted = self.history_start - dt.timedelta(days=rng.randint(120, 5 * 365))
            discharged = admitted + dt.timedelta(days=rng.randint(14, 110))
            clinician = rng.choice(self.clinicians)
            program = rng.choice(self.programs)
            episode_rows.append(
                self.episode_row(next(old_episode_ids), patient_id, program.pk, clinician.pk, admitted, discharged)
            )
            patients[patient_id]["status"] = PatientStatus.DISCHARGED
            patients[patient_id]["primary_clinician_id"] = clinician.pk
        columns = list(next(iter(patients.values())).keys())
        copy_rows(Patient, columns, (tuple(row[c] for c in columns) for row in patients.values()))
        copy_rows(Episode, EPISODE_COLUMNS, episode_rows)
        LevelOfCareChange.objects.bulk_create(level_changes, batch_size=5000)
        enrolment_rows = []
        for episode in self.episodes:
            for group in episode.cohort.groups:
                enrolment_rows.append(
                    (now, now, episode.id, group.pk, "enrolled", episode.admitted_on, episode.discharged_on,
                     episode.cohort.facilitator.pk)
                )  # fmt: skip
        copy_rows(
            Enrolment,
            ["created_at", "updated_at", "episode_id", "group_id", "status", "starts_on", "ends_on", "enrolled_by_id"],
            enrolment_rows,
        )
        return {
            "patients": len(patients),
            "active_episodes": sum(1 for e in self.episodes if e.discharged_on is None),
            "episodes": len(episode_rows),
            "readmissions": readmissions,
            "level_of_care_changes": len(level_changes),
            "enrolments": len(enrolment_rows),
        }

    def patient_row(self, patient_id: int) -> dict:
        rng = self.rng
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        body = f"{patient_id:08d}"
        phone = f"(617) 555-{patient_id % 10000:04d}"
        born = dt.date(1950, 1, 1) + dt.timedelta(days=rng.randint(0, 365 * 55))
        return {
            "id": patient_id,
            "created_at": self.now,
            "updated_at": self.now,
            "entered_in_error_reason": "",
            "mrn": body + luhn_check_digit(body),
            "legal_first_name": first,
            "legal_last_name": last,
            "preferred_name": "",
            "pronouns": "",
            "date_of_birth": born,
            "sex_at_birth": rng.choice([SexAtBirth.FEMALE, SexAtBirth.MALE]),
            "gender_identity": "",
            "phone": phone,
            "email": f"patient{patient_id}@example.org",
            "preferred_contact_channel": "sms",
            "language": "English",
            "needs_interpreter": False,
            "address_line1": f"{patient_id % 900 + 1} Main Street",
            "address_line2": "",
            "city": "Springfield",
            "state": "MA",
            "postal_code": "01101",
            "emergency_contact_name": "",
            "emergency_contact_phone": "",
            "emergency_contact_relationship": "",
            "status": PatientStatus.REFERRAL,
            "primary_clinician_id": None,
            "search_name": fold(f"{last} {first} "),
            "phone_digits": "617555" + f"{patient_id % 10000:04d}",
            "first_name_key": name_key(first),
            "last_name_key": name_key(last),
        }

    def episode_row(self, episode_id, patient_id, program_id, clinician_id, admitted, discharged) -> tuple:
        status = EpisodeStatus.ACTIVE if discharged is None else EpisodeStatus.DISCHARGED
        return (
            episode_id, self.now, self.now, "", patient_id, program_id, status, LevelOfCare.IOP, "",
            admitted, clinician_id, Decimal("9"), 12, discharged, self.intake.pk, AsamEdition.THIRD, "", "", False,
        )  # fmt: skip

    # --- sessions and attendance --------------------------------------------------------------

    def local(self, day: dt.date, at: dt.time) -> dt.datetime:
        return dt.datetime.combine(day, at, tzinfo=self.zone).astimezone(dt.UTC)

    def sessions_and_attendance(self) -> tuple[int, int]:
        """Every group occurrence and weekly individual session, with attendance for the ones held."""
        rng = self.rng
        days = []
        day = self.history_start
        while day <= self.schedule_end:
            if day.weekday() < 5:
                days.append(day)
            day += dt.timedelta(days=1)
        by_cohort_seat: dict[tuple[int, int], list[SeededEpisode]] = {}
        for episode in self.episodes:
            by_cohort_seat.setdefault((episode.cohort.index, episode.seat), []).append(episode)
        session_columns = [
            "id", "created_at", "updated_at", "program_id", "kind", "group_id", "original_start", "patient_id",
            "episode_id", "clinician_id", "co_facilitator_id", "room_id", "join_url", "start", "end",
            "duration_minutes", "day", "week_start", "status", "is_moved", "cancel_reason", "notes",
        ]  # fmt: skip
        attendance_columns = [
            "created_at", "updated_at", "entered_in_error_reason", "session_id", "patient_id", "episode_id",
            "status", "minutes_attended", "recorded_by_id", "recorded_at",
        ]  # fmt: skip
        sessions, attendance = [], []
        session_id = itertools.count(next_ids(Session, 1).start)
        now = self.now
        heavy_id = self.heavy_patient_id

        def who_is_in(cohort: Cohort, seat: int, on: dt.date) -> SeededEpisode | None:
            for episode in by_cohort_seat.get((cohort.index, seat), ()):
                if episode.admitted_on <= on and (episode.discharged_on is None or on <= episode.discharged_on):
                    return episode
            return None

        for day in days:
            monday = week_start(day)
            weekday = day.weekday()
            for cohort in self.cohorts:
                if weekday not in cohort.days:
                    continue
                seated = [who_is_in(cohort, seat, day) for seat in range(SEATS_PER_COHORT)]
                # Each patient comes or not for the whole day; being late or leaving early is per group.
                present_today = {}
                for episode in seated:
                    if episode is not None:
                        present_today[episode.id] = rng.random() >= 0.08 + episode.kind.unexcused_rate
                for group, (_, kind, offset) in zip(cohort.groups, GROUPS_OF_A_DAY, strict=True):
                    start = self.local(day, cohort.block) + dt.timedelta(minutes=offset)
                    end = start + dt.timedelta(minutes=GROUP_MINUTES)
                    this_id = next(session_id)
                    sessions.append(
                        (this_id, now, now, cohort.program.pk, kind, group.pk, start, None, None,
                         cohort.facilitator.pk, cohort.co_facilitator.pk if cohort.co_facilitator else None,
                         cohort.room.pk, "", start, end, GROUP_MINUTES, day, monday, SessionStatus.SCHEDULED,
                         False, "", "")
                    )  # fmt: skip
                    if end > now:
                        continue
                    for episode in seated:
                        if episode is None:
                            continue
                        status, minutes = self.attendance_outcome(episode, present_today[episode.id], GROUP_MINUTES)
                        attendance.append(
                            (now, now, "", this_id, episode.patient_id, episode.id, status, minutes,
                             cohort.facilitator.pk, end)
                        )  # fmt: skip
            # Weekly individual session: each patient on a fixed weekday with their primary clinician.
            for episode in self.episodes:
                if episode.admitted_on > day or (episode.discharged_on and day > episode.discharged_on):
                    continue
                if episode.patient_id == heavy_id:
                    # The heavy patient is also seen every weekday: individual, family and medication visits.
                    kind = HEAVY_BOOKED_KINDS[weekday]
                elif weekday == episode.seat % 5:
                    kind = SessionKind.INDIVIDUAL
                else:
                    continue
                # Morning cohorts see their clinician after lunch, evening cohorts in the morning.
                hour = (10 if cohort_is_evening(episode.cohort) else 13) + episode.seat // 5
                start = self.local(day, dt.time(hour, 0))
                end = start + dt.timedelta(minutes=INDIVIDUAL_MINUTES)
                this_id = next(session_id)
                sessions.append(
                    (this_id, now, now, episode.cohort.program.pk, kind, None, None, episode.patient_id, episode.id,
                     episode.cohort.facilitator.pk, None, episode.cohort.room.pk, "", start, end, INDIVIDUAL_MINUTES,
                     day, monday, SessionStatus.SCHEDULED, False, "", "")
                )  # fmt: skip
                if end > now:
                    continue
                status, minutes = self.attendance_outcome(episode, rng.random() >= 0.1, INDIVIDUAL_MINUTES)
                attendance.append(
                    (now, now, "", this_id, episode.patient_id, episode.id, status, minutes,
                     episode.cohort.facilitator.pk, end)
                )  # fmt: skip
        self.session_rows = sessions
        session_count = copy_rows(Session, session_columns, sessions)
        with connection.cursor() as cursor:
            cursor.execute("SELECT setval(pg_get_serial_sequence(%s, 'id'), %s)", [Session._meta.db_table, this_id])
        attendance_count = copy_rows(Attendance, attendance_columns, attendance)
        return session_count, attendance_count

    def attendance_outcome(self, episode: SeededEpisode, came: bool, minutes: int) -> tuple[str, int]:
        rng = self.rng
        if not came:
            unexcused = rng.random() < 0.55 + episode.kind.unexcused_rate
            return (AttendanceStatus.UNEXCUSED if unexcused else AttendanceStatus.EXCUSED), 0
        roll = rng.random()
        if roll < 0.05:
            return AttendanceStatus.LATE, minutes - rng.choice((10, 15, 20))
        if roll < 0.08:
            return AttendanceStatus.LEFT_EARLY, minutes - rng.choice((15, 20, 30))
        return AttendanceStatus.PRESENT, minutes

    # --- drug tests ---------------------------------------------------------------------------

    def drug_tests(self) -> int:
        """About two tests a week per patient in treatment; positives mostly in the first weeks."""
        try:
            DrugTest = apps.get_model("patients", "DrugTest")
            Panel = apps.get_model("patients", "Panel")
        except LookupError:
            self.stdout.write("Drug test models not present yet: no drug tests seeded.")
            return 0

        rng = self.rng
        panel = Panel.objects.filter(specimen="urine", method="poc").first() or Panel.objects.first()
        if panel is None:
            self.stdout.write("No drug-test panel found (migrations not applied?): no drug tests seeded.")
            return 0
        columns = [
            "created_at", "updated_at", "entered_in_error_reason", "patient_id", "episode_id", "panel_id", "reason",
            "specimen", "method", "observed", "status", "ordered_at", "ordered_by_id", "collected_at", "collector_id",
            "temperature_in_range", "validity", "sent_at", "lab_name", "resulted_at", "not_collected_reason",
            "findings", "flag_count", "notes",
        ]  # fmt: skip
        now = self.now
        heavy_id = self.heavy_patient_id
        pending_since = self.today - dt.timedelta(days=2)

        def rows():
            for episode in self.episodes:
                start = max(episode.admitted_on, self.history_start)
                end = min(episode.discharged_on or self.today, self.today - dt.timedelta(days=1))
                day = start
                per_week = 3 if episode.patient_id == heavy_id else 2
                while day <= end:
                    for _ in range(per_week):
                        test_day = day + dt.timedelta(days=rng.randint(0, 4))
                        if test_day > end:
                            continue
                        week_in_episode = (test_day - episode.admitted_on).days // 7
                        # Positives cluster early in an episode and fade as recovery takes hold.
                        positive = rng.random() < 0.04 + 0.4 * (0.7**week_in_episode)
                        findings, flags = "[]", 0
                        if positive:
                            code, name = rng.choice(POSITIVE_ANALYTES)
                            findings = json.dumps(
                                [{"analyte": code, "analyte_name": name, "kind": "unexpected_positive",
                                  "flagged": True, "message": "Positive and not prescribed."}]
                            )  # fmt: skip
                            flags = 1
                        ordered = self.local(test_day, dt.time(10, rng.randint(0, 59)))
                        collected = ordered + dt.timedelta(minutes=5)
                        resulted = collected + dt.timedelta(minutes=10)
                        status = "resulted"
                        if test_day >= pending_since:
                            # The last two days' specimens are still at the lab: the "pending results" list.
                            status, resulted, findings, flags = "sent", None, "[]", 0
                        clinician = episode.cohort.facilitator.pk
                        yield (
                            now, now, "", episode.patient_id, episode.id, panel.pk,
                            "random" if rng.random() < 0.5 else "scheduled", "urine", "poc", rng.random() < 0.3,
                            status, ordered, clinician, collected, clinician, True, "normal",
                            collected if status == "sent" else None, "", resulted, "", findings, flags, "",
                        )  # fmt: skip
                    day += dt.timedelta(days=7)
                if episode.discharged_on is None and rng.random() < 0.15:
                    # Today's random draw, still to collect: the "collection list".
                    yield (
                        now, now, "", episode.patient_id, episode.id, panel.pk, "random", "urine", "poc", False,
                        "ordered", self.local(self.today, dt.time(7, 0)), None, None, None, None, "", None, "",
                        None, "", "[]", 0, "",
                    )  # fmt: skip

        return copy_rows(DrugTest, columns, rows())

    # --- the heavy patient's notes ------------------------------------------------------------

    def heavy_patient_extras(self) -> dict:
        """200 signed notes on the heavy patient's booked sessions (when the clinical app has notes)."""
        try:
            SessionNote = apps.get_model("clinical", "SessionNote")
        except LookupError:
            self.stdout.write("Clinical notes not present yet: no notes seeded.")
            return {"heavy_patient_notes": 0}
        booked = [
            row
            for row in self.session_rows
            if row[7] == self.heavy_patient_id and row[14] <= self.now and row[4] != SessionKind.MEDICATION_MANAGEMENT
        ][-200:]
        notes = []
        for row in booked:
            session_id, kind, episode_id, clinician_id, start, end = row[0], row[4], row[8], row[9], row[13], row[14]
            notes.append(
                SessionNote(
                    kind="family" if kind == SessionKind.FAMILY else "individual",
                    format="dap",
                    patient_id=self.heavy_patient_id,
                    episode_id=episode_id,
                    session_id=session_id,
                    author_id=clinician_id,
                    started_at=start,
                    ended_at=end,
                    data="Synthetic note: patient engaged, reviewed coping plan and triggers this week.",
                    assessment="Progressing toward goals; cravings reported lower than last week.",
                    plan="Continue current schedule; practise urge surfing daily.",
                    signed_at=end,
                    signed_by_id=clinician_id,
                )
            )
        SessionNote.objects.bulk_create(notes, batch_size=500)
        return {"heavy_patient_notes": len(notes)}


EPISODE_COLUMNS = [
    "id", "created_at", "updated_at", "entered_in_error_reason", "patient_id", "program_id", "status",
    "level_of_care", "level_of_care_reason", "admitted_on", "primary_clinician_id", "target_weekly_hours",
    "expected_length_weeks", "discharged_on", "admitted_by_id", "edition", "withdrawal_management",
    "level_of_care_reason_category", "admitted_below_recommendation",
]  # fmt: skip


def cohort_is_evening(cohort: Cohort) -> bool:
    return cohort.block >= dt.time(12, 0)


def benchmark_subjects() -> dict:
    """What the benchmark and the query-count tests look at in a seeded database (ids only)."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT size, summary FROM {MARKER_TABLE} LIMIT 1")  # noqa: S608
        size, summary = cursor.fetchone()
    summary = summary if isinstance(summary, dict) else json.loads(summary)
    clinician = User.objects.get(username="clinician001")
    director = User.objects.get(username="director01")
    heavy_id = summary["heavy_patient_id"]
    patient_id = (
        Episode.objects.filter(primary_clinician=clinician, status=EpisodeStatus.ACTIVE)
        .exclude(patient_id=heavy_id)
        .values_list("patient_id", flat=True)
        .first()
    )
    # The latest held occurrence of the first cohort's first group: a full roster of 15.
    session = (
        Session.objects.filter(group__name="Cohort 001 process group", end__lt=timezone.now())
        .order_by("-start")
        .first()
    )
    from scheduling.selectors import roster_episodes

    monday = week_start(timezone.localdate())
    return {
        "size": size,
        "summary": summary,
        "clinician": clinician,
        "director": director,
        "clinician_id": clinician.pk,
        "program_id": session.program_id,
        "patient_id": patient_id,
        "heavy_patient_id": heavy_id,
        "session_id": session.pk,
        "roster_patient_ids": sorted(roster_episodes(session).values_list("patient_id", flat=True)),
        "week_start": monday.isoformat(),
        "week_end": (monday + dt.timedelta(days=7)).isoformat(),
    }
