"""Seed the demo clinic's schedule: rooms, Matrix-Model-style groups, enrolments, bookings, past attendance.

Runs after ``seed_demo``. Every write goes through ``scheduling.services``, so the demo
obeys the same rules as staff (conflicts, capacity, the weekly hours band). With the
same ``--seed`` the same attendance comes out; dates are relative to today.
"""

import datetime as dt
import random
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from patients.constants import EpisodeStatus
from patients.models import Episode
from programs.models import Program
from scheduling import services
from scheduling.constants import AttendanceStatus, SessionKind, WorkshopTopic
from scheduling.models import Group, Room, Session
from scheduling.recurrence import week_start
from scheduling.selectors import roster_episodes

# Matrix Model (Rawson et al.; SAMHSA TIP 47 / Matrix Model IOP manual) session titles.
EARLY_RECOVERY_TOPICS = [
    "Stopping the cycle",
    "Identifying external triggers",
    "Identifying internal triggers",
    "Getting started: scheduling and structure",
    "Thought-stopping techniques",
    "Body chemistry in recovery",
    "Introduction to 12-step and mutual help",
    "Roadmap for recovery",
]
RELAPSE_PREVENTION_TOPICS = [
    "Alcohol: the legal drug",
    "Boredom",
    "Avoiding relapse drift",
    "Work and recovery",
    "Guilt and shame",
    "Staying busy",
    "Motivation for recovery",
    "Truthfulness",
    "Total abstinence",
    "Sex and recovery",
    "Anticipating and preventing relapse",
    "Trust",
    "Be smart, not strong",
    "Defining spirituality",
    "Managing life, managing money",
    "Acceptance",
]
FAMILY_EDUCATION_TOPICS = [
    "Triggers and cravings: what families see",
    "The biology of addiction",
    "Recovery and relapse: the family's part",
    "Communication in recovery",
]
COPING_TOPICS = ["Stress and the body", "Handling peer pressure", "Emotional regulation skills", "Sleep and recovery"]
PROCESS_TOPICS = ["Check-in and goals", "Cravings this week", "Relationships", "Plans for the weekend"]


@dataclass(frozen=True)
class GroupSpec:
    program: str
    name: str
    kind: str
    rrule: str
    start: dt.time
    minutes: int
    room: str
    topics: list[str]
    workshop_topic: str = ""
    core: bool = True


ROOMS = [
    ("Group room A", "Main building, 2nd floor", False),
    ("Group room B", "Main building, 2nd floor", False),
    ("Group room C", "Annex", False),
    ("Family room", "Main building, 1st floor", False),
    ("Office 1", "Main building, 1st floor", False),
    ("Office 2", "Main building, 1st floor", False),
    ("Office 3", "Annex", False),
    ("Telehealth room", "Video", True),
]
PROGRAM_DAYS = {
    "adult-evenings": ("MO,WE,TH", dt.time(18, 0), dt.time(21, 0)),
    "adolescent-afternoons": ("MO,TU,TH", dt.time(15, 30), dt.time(17, 30)),
    "matrix-stimulant": ("MO,WE,FR", dt.time(9, 0), dt.time(11, 30)),
}
GROUPS = [
    GroupSpec(
        "adult-evenings",
        "Early recovery skills",
        SessionKind.GROUP_THERAPY,
        "FREQ=WEEKLY;BYDAY=MO",
        dt.time(18, 0),
        180,
        "Group room A",
        EARLY_RECOVERY_TOPICS,
    ),
    GroupSpec(
        "adult-evenings",
        "Relapse prevention",
        SessionKind.GROUP_THERAPY,
        "FREQ=WEEKLY;BYDAY=WE",
        dt.time(18, 0),
        180,
        "Group room A",
        RELAPSE_PREVENTION_TOPICS,
    ),
    GroupSpec(
        "adult-evenings",
        "Process group",
        SessionKind.GROUP_THERAPY,
        "FREQ=WEEKLY;BYDAY=TH",
        dt.time(18, 0),
        180,
        "Group room A",
        PROCESS_TOPICS,
    ),
    GroupSpec(
        "adult-evenings",
        "Family education",
        SessionKind.PSYCHOEDUCATION,
        "FREQ=WEEKLY;BYDAY=TU",
        dt.time(18, 0),
        90,
        "Family room",
        FAMILY_EDUCATION_TOPICS,
        WorkshopTopic.FAMILY_EDUCATION,
        core=False,
    ),
    GroupSpec(
        "adolescent-afternoons",
        "Teen skills group",
        SessionKind.GROUP_THERAPY,
        "FREQ=WEEKLY;BYDAY=MO,TU,TH",
        dt.time(15, 30),
        120,
        "Group room B",
        EARLY_RECOVERY_TOPICS,
    ),
    GroupSpec(
        "adolescent-afternoons",
        "Coping skills workshop",
        SessionKind.PSYCHOEDUCATION,
        "FREQ=WEEKLY;BYDAY=WE",
        dt.time(15, 30),
        120,
        "Group room B",
        COPING_TOPICS,
        WorkshopTopic.COPING,
        core=False,
    ),
    GroupSpec(
        "matrix-stimulant",
        "Matrix early recovery skills",
        SessionKind.GROUP_THERAPY,
        "FREQ=WEEKLY;BYDAY=MO,WE,FR",
        dt.time(9, 0),
        60,
        "Group room C",
        EARLY_RECOVERY_TOPICS,
        WorkshopTopic.EARLY_RECOVERY,
    ),
    GroupSpec(
        "matrix-stimulant",
        "Matrix relapse prevention",
        SessionKind.GROUP_THERAPY,
        "FREQ=WEEKLY;BYDAY=MO,WE,FR",
        dt.time(10, 0),
        90,
        "Group room C",
        RELAPSE_PREVENTION_TOPICS,
        WorkshopTopic.RELAPSE_PREVENTION,
    ),
    GroupSpec(
        "matrix-stimulant",
        "Matrix social support",
        SessionKind.GROUP_THERAPY,
        "FREQ=WEEKLY;BYDAY=TU",
        dt.time(9, 0),
        90,
        "Group room C",
        PROCESS_TOPICS,
        WorkshopTopic.SOCIAL_SUPPORT,
        core=False,
    ),
]
WEEKS_BACK = 5


class Command(BaseCommand):
    help = "Seed rooms, groups, enrolments, bookings and 4 weeks of attendance for the demo clinic."

    def add_arguments(self, parser):
        parser.add_argument("--if-empty", action="store_true", help="Do nothing when groups already exist.")
        parser.add_argument("--seed", type=int, default=3)

    def handle(self, *args, if_empty=False, seed=3, **options):
        if if_empty and Group.objects.exists():
            self.stdout.write("Schedule already seeded; nothing to do.")
            return
        programs = {program.code: program for program in Program.objects.filter(code__in=PROGRAM_DAYS)}
        if not programs:
            self.stderr.write("No demo programs: run `manage.py seed_demo` first.")
            return
        rng = random.Random(seed)
        with transaction.atomic():
            rooms = self._rooms()
            groups = self._groups(programs, rooms)
            enrolled = self._enrol(programs, groups)
            booked = self._bookings(rooms, rng)
        attended = self._attendance(rng)
        self.stdout.write(
            self.style.SUCCESS(
                f"Seeded schedule: {len(rooms)} rooms, {Group.objects.count()} groups, "
                f"{Session.objects.count()} sessions, {enrolled} patients scheduled, {booked} individual/family "
                f"sessions, {attended} attendance rows."
            )
        )

    def _rooms(self) -> dict[str, Room]:
        rooms = {}
        for name, location, virtual in ROOMS:
            rooms[name], _ = Room.objects.get_or_create(
                name=name,
                defaults={
                    "location": location,
                    "is_virtual": virtual,
                    "join_url": "https://video.example.org/riverside-telehealth" if virtual else "",
                    "capacity": 16,
                },
            )
        return rooms

    def _groups(self, programs, rooms) -> dict[str, list[tuple[GroupSpec, Group]]]:
        first_monday = week_start(timezone.localdate()) - dt.timedelta(weeks=WEEKS_BACK)
        for code, (days, starts, ends) in PROGRAM_DAYS.items():
            if code in programs:
                Program.objects.filter(pk=programs[code].pk).update(
                    meeting_days=days, day_starts_at=starts, day_ends_at=ends
                )
        User = get_user_model()
        by_program: dict[str, list[tuple[GroupSpec, Group]]] = {}
        for spec in GROUPS:
            program = programs.get(spec.program)
            if program is None:
                continue
            staff = list(
                User.objects.filter(programs=program, groups__name__in=["Counselor", "Clinical supervisor"])
                .distinct()
                .order_by("username")
            )
            index = len(by_program.get(spec.program, []))
            facilitator = staff[index % len(staff)]
            co = staff[(index + 1) % len(staff)] if len(staff) > 1 else None
            group = services.group_create(
                created_by=facilitator,
                topics=spec.topics,
                name=spec.name,
                program=program,
                kind=spec.kind,
                workshop_topic=spec.workshop_topic,
                facilitator=facilitator,
                co_facilitator=co if co != facilitator else None,
                room=rooms[spec.room],
                capacity=24,
                rrule=spec.rrule,
                starts_on=first_monday,
                start_time=spec.start,
                duration_minutes=spec.minutes,
            )
            services.group_generate_occurrences(group=group, since=first_monday)
            by_program.setdefault(spec.program, []).append((spec, group))
        return by_program

    def _enrol(self, programs, groups) -> int:
        count = 0
        for episode in (
            Episode.objects.valid()
            .filter(status=EpisodeStatus.ACTIVE, program__in=programs.values())
            .select_related("program", "primary_clinician")
        ):
            specs = groups.get(episode.program.code, [])
            core = [group for spec, group in specs if spec.core]
            extra = [group for spec, group in specs if not spec.core]
            core_hours = (
                sum(group.duration_minutes * len(group.rrule.split("BYDAY=")[1].split(",")) for group in core) / 60
            )
            chosen = core + (extra if episode.target_weekly_hours > core_hours else [])
            starts_on = max(episode.admitted_on, core[0].starts_on if core else episode.admitted_on)
            try:
                services.patient_schedule_save(
                    episode=episode,
                    groups=chosen,
                    starts_on=starts_on,
                    by=episode.primary_clinician,
                    reason="Admission week: joined mid-week.",
                )
                count += 1
            except ValidationError as error:
                self.stderr.write(f"Episode {episode.pk} not scheduled: {' '.join(error.messages)}")
        return count

    def _bookings(self, rooms, rng) -> int:
        """A weekly individual session for most patients, a family session for some, on non-group hours."""
        offices = [rooms["Office 1"], rooms["Office 2"], rooms["Office 3"]]
        today = timezone.localdate()
        first = week_start(today) - dt.timedelta(weeks=4)
        booked = 0
        episodes = list(
            Episode.objects.valid()
            .filter(status=EpisodeStatus.ACTIVE)
            .select_related("program", "patient", "primary_clinician")
            .order_by("pk")
        )
        for index, episode in enumerate(episodes):
            weekday = 1 if episode.program.code != "adult-evenings" else 4  # Tuesday, or Friday for evening patients
            hour = 11 + index % 4 if episode.program.code != "matrix-stimulant" else 13 + index % 4
            for week in range(6):
                day = first + dt.timedelta(weeks=week, days=weekday)
                if day < episode.admitted_on or rng.random() < 0.25:
                    continue
                start = timezone.make_aware(dt.datetime.combine(day, dt.time(hour, 0)))
                kind, contacts, room = SessionKind.INDIVIDUAL, [], offices[index % len(offices)]
                family = list(episode.patient.contacts.valid().filter(takes_part_in_family_sessions=True)[:2])
                if family and week % 3 == 2:
                    kind, contacts, room = SessionKind.FAMILY, family, rooms["Family room"]
                try:
                    services.session_book(
                        episode=episode,
                        kind=kind,
                        clinician=episode.primary_clinician,
                        room=room,
                        start=start,
                        duration_minutes=60,
                        contacts=contacts,
                        by=episode.primary_clinician,
                        reason="Extra individual session this week.",
                    )
                    booked += 1
                except ValidationError:
                    continue  # clinician or room already taken at that hour: the demo just skips it
        return booked

    def _attendance(self, rng) -> int:
        """About 85% present (some late or leaving early), the rest excused or unexcused absences."""
        now = timezone.now()
        since = week_start(timezone.localdate()) - dt.timedelta(weeks=4)
        written = 0
        sessions = (
            Session.objects.filter(status="scheduled", end__lte=now, day__gte=since)
            .select_related("group")
            .order_by("start")
        )
        for session in sessions:
            entries = []
            for patient_id in roster_episodes(session).values_list("patient_id", flat=True):
                roll = rng.random()
                if roll < 0.74:
                    entries.append(services.AttendanceEntry(patient_id, AttendanceStatus.PRESENT, None))
                elif roll < 0.80:
                    entries.append(
                        services.AttendanceEntry(
                            patient_id, AttendanceStatus.LATE, session.duration_minutes - rng.choice([10, 15, 20, 30])
                        )
                    )
                elif roll < 0.86:
                    entries.append(
                        services.AttendanceEntry(
                            patient_id, AttendanceStatus.LEFT_EARLY, session.duration_minutes - rng.choice([15, 30, 45])
                        )
                    )
                elif roll < 0.93:
                    entries.append(services.AttendanceEntry(patient_id, AttendanceStatus.EXCUSED, 0))
                else:
                    entries.append(services.AttendanceEntry(patient_id, AttendanceStatus.UNEXCUSED, 0))
            if entries:
                with transaction.atomic():
                    written += len(
                        services.attendance_record_many(
                            session=session, entries=entries, by=session.clinician, now=session.end
                        )
                    )
        return written
