"""Seed treatment plans and session notes into the demo clinic (after ``seed_demo`` and ``seed_schedule``).

Every write goes through ``clinical.services``, so the demo obeys the signing rules. Plans
for every active episode; notes for the recent held sessions when the schedule is seeded:
most signed, some left as drafts (a few past the signing limit), one late entry, and group
notes with an individual section per present patient.
"""

import contextlib
import datetime as dt
import random

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from clinical import selectors, services
from clinical.constants import (
    GROUP_NOTE_KINDS,
    NOTE_KIND_FOR_SESSION,
    FrequencyPeriod,
    InterventionModality,
    NoteFormat,
    PatientAgreement,
)
from clinical.models import GroupNote, SessionNote, TreatmentPlan
from patients.constants import AsamDimension, EpisodeStatus
from patients.models import Episode
from scheduling.constants import ATTENDED_STATUSES
from scheduling.models import Attendance, Session

# (problem, ASAM dimensions, goal, objective, interventions as (modality, times, period))
PLAN_TEMPLATES = [
    (
        "Daily alcohol use to intoxication; missed work twice last month.",
        [AsamDimension.RELAPSE, AsamDimension.ENVIRONMENT],
        "“I want to stop drinking and keep my job.”",
        "Negative breath alcohol at every visit for 4 consecutive weeks.",
        [
            (InterventionModality.GROUP, 3, FrequencyPeriod.WEEK),
            (InterventionModality.INDIVIDUAL, 1, FrequencyPeriod.WEEK),
        ],
    ),
    (
        "Opioid use disorder in early remission on buprenorphine; cravings in the evening.",
        [AsamDimension.INTOXICATION, AsamDimension.RELAPSE],
        "“Stay on my medication and off street opioids.”",
        "Attends every medication-management visit and reports cravings under 3/10 for 2 weeks.",
        [
            (InterventionModality.MEDICATION_MANAGEMENT, 2, FrequencyPeriod.MONTH),
            (InterventionModality.GROUP, 3, FrequencyPeriod.WEEK),
        ],
    ),
    (
        "Depressed mood and isolation (PHQ-9 moderate) linked to use.",
        [AsamDimension.EMOTIONAL],
        "“Feel less down and get back in touch with friends.”",
        "PHQ-9 below 10 and two sober social activities a week.",
        [(InterventionModality.INDIVIDUAL, 1, FrequencyPeriod.WEEK)],
    ),
    (
        "Conflict at home; partner's drinking in the home.",
        [AsamDimension.ENVIRONMENT, AsamDimension.READINESS],
        "“Make home a place where I can stay sober.”",
        "Two family sessions completed and a written home safety plan.",
        [(InterventionModality.FAMILY, 2, FrequencyPeriod.MONTH)],
    ),
]
# Completed with the patient's first name, so no two sections read the same.
PARTICIPATION = [
    "shared a recent high-risk situation at a family party and how they left early.",
    "was quiet for the first hour, then described cravings after payday and asked peers for ideas.",
    "led the check-in and respectfully challenged a peer's 'just one drink' plan.",
    "completed the trigger worksheet and named three internal triggers (boredom, anger, fatigue).",
    "engaged in the role play of refusal skills with a peer.",
    "described a lapse on Saturday honestly and worked out what led to it.",
    "practised the thought-stopping technique and reported using it twice this week.",
    "spoke about loneliness in early recovery and agreed to try a mutual-help meeting.",
]
PROGRESS = [
    "Moving toward the goal: 12 days abstinent by self-report and negative tests.",
    "Partial progress: one lapse this week, recognised the early warning signs.",
    "Steady: using the daily schedule and the craving log every day.",
    "Early stage: still ambivalent but attended every session this week.",
    "Good progress: first week with no cravings above 5/10.",
    "Some progress: reached out to a sober contact instead of isolating.",
]


class Command(BaseCommand):
    help = "Add treatment plans and session notes to the seeded demo clinic."

    def add_arguments(self, parser):
        parser.add_argument("--if-empty", action="store_true", help="Do nothing when any treatment plan exists.")
        parser.add_argument("--seed", type=int, default=8)

    def handle(self, *args, if_empty=False, seed=8, **options):
        if if_empty and TreatmentPlan.objects.exists():
            self.stdout.write("Treatment plans already exist; notes demo not seeded.")
            return
        self.rng = random.Random(seed)
        self.now = timezone.now()
        with transaction.atomic():
            plans = self.seed_plans()
            individual, group = self.seed_notes()
        self.stdout.write(f"Seeded {plans} treatment plans, {individual} individual/family notes, {group} group notes.")

    def seed_plans(self) -> int:
        count = 0
        episodes = (
            Episode.objects.valid().filter(status=EpisodeStatus.ACTIVE).select_related("primary_clinician", "program")
        )
        for episode in episodes.order_by("pk"):
            if episode.treatment_plans.exists():
                continue
            clinician = episode.primary_clinician
            plan = services.plan_create(episode=episode, created_by=clinician)
            templates = self.rng.sample(PLAN_TEMPLATES, k=2)
            for problem_text, dimensions, goal_text, objective_text, interventions in templates:
                problem = services.plan_problem_add(plan=plan, statement=problem_text, asam_dimensions=list(dimensions))
                goal = services.plan_goal_add(problem=problem, statement=goal_text)
                target = max(timezone.localdate(), episode.admitted_on) + dt.timedelta(
                    days=self.rng.choice([21, 30, 45])
                )
                services.plan_objective_add(goal=goal, statement=objective_text, target_on=target)
                for modality, times, period in interventions:
                    services.plan_intervention_add(
                        goal=goal,
                        modality=modality,
                        frequency_count=times,
                        frequency_period=period,
                        responsible=clinician,
                    )
            if self.rng.random() < 0.1:
                count += 1
                continue  # a few plans stay drafts, as in any clinic
            signed_on = min(episode.admitted_on + dt.timedelta(days=self.rng.randint(1, 5)), timezone.localdate())
            signed_at = timezone.make_aware(dt.datetime.combine(signed_on, dt.time(15, 0)))
            plan = services.plan_sign(plan=plan, by=clinician, now=min(signed_at, self.now))
            if self.rng.random() < 0.8:
                verbal = self.rng.random() < 0.2
                services.plan_patient_agreement_record(
                    plan=plan,
                    agreement=PatientAgreement.VERBAL if verbal else PatientAgreement.SIGNED,
                    agreed_on=signed_on,
                    witness="Front-desk coordinator" if verbal else "",
                    recorded_by=clinician,
                )
            count += 1
        return count

    def seed_notes(self) -> tuple[int, int]:
        recent = Session.objects.filter(
            start__gte=self.now - dt.timedelta(days=10), end__lte=self.now, status="scheduled"
        ).select_related("program", "topic", "group", "clinician")
        individual = group = 0
        for session in recent.filter(kind__in=list(NOTE_KIND_FOR_SESSION)).order_by("start"):
            if self.write_individual_note(session):
                individual += 1
        for session in recent.filter(kind__in=list(GROUP_NOTE_KINDS)).order_by("start"):
            if self.write_group_note(session):
                group += 1
        return individual, group

    def write_individual_note(self, session) -> bool:
        if SessionNote.objects.filter(session=session).exists():
            return False
        attendance = Attendance.objects.valid().filter(session=session, patient_id=session.patient_id).first()
        if attendance is None or attendance.status not in ATTENDED_STATUSES:
            return False
        goals = selectors.current_plan_goals([session.episode_id])[session.episode_id]
        note_format = self.rng.choice(list(NoteFormat))
        note = services.session_note_create(session=session, author=session.clinician, format=note_format)
        texts = {
            "data": "Reports 9 days without alcohol; one strong craving after an argument at home.",
            "subjective": "“This week was hard but I didn't drink.” Reports sleep improving.",
            "objective": "Alert, on time, affect brighter than last week; breath alcohol 0.000.",
            "assessment": "Engaged and gaining skills; relapse risk moderate given conflict at home.",
            "behavior": "Arrived on time; spoke openly about the argument and the craving that followed.",
            "intervention": "Motivational interviewing; chain analysis of the craving; rehearsed a time-out plan.",
            "response": "Identified the argument as a trigger and agreed to use the time-out plan.",
            "plan": "Continue weekly individual sessions; practise the time-out plan; review at next visit.",
        }
        fields = {name: texts[name] for name in note.format_field_names}
        note = services.session_note_update(note=note, by=session.clinician, goal=goals[0] if goals else None, **fields)
        if not goals or self.rng.random() < 0.25:
            return True  # left as a draft (past the limit, it shows on the author's work list)
        late = self.rng.random() < 0.15
        signed_at = session.end + dt.timedelta(hours=30 if late else 2)
        services.session_note_sign(note=note, by=session.clinician, now=min(signed_at, self.now))
        return True

    def write_group_note(self, session) -> bool:
        if GroupNote.objects.filter(session=session).exists():
            return False
        try:
            group_note = services.group_note_start(session=session, author=session.clinician)
        except ValidationError:
            return False  # no attendance taken for this occurrence
        sections = list(group_note.sections.select_related("patient"))
        goals = selectors.current_plan_goals([section.episode_id for section in sections])
        section_values = {}
        for index, section in enumerate(sections):
            patient_goals = goals.get(section.episode_id) or []
            section_values[section.pk] = {
                "participation": f"{section.patient.display_name.split()[0]} {self.rng.choice(PARTICIPATION)}",
                "progress": f"{self.rng.choice(PROGRESS)} Session {index + 1} of the week's plan.",
                "plan": "Continue group; bring the completed worksheet next session.",
                "goal": patient_goals[0] if patient_goals else None,
            }
        services.group_note_update(
            group_note=group_note,
            by=session.clinician,
            topic=group_note.topic,
            interventions="Matrix Model psychoeducation with a worksheet; CBT skills practice; role play.",
            group_dynamics="Cohesive; members supported each other and one newer member was welcomed.",
            started_at=group_note.started_at,
            ended_at=group_note.ended_at,
            sections=section_values,
        )
        if self.rng.random() < 0.2:
            return True  # a draft for the facilitator to finish
        # A patient without a plan goal keeps the note a draft, as the rules demand.
        with contextlib.suppress(ValidationError):
            services.group_note_sign(
                group_note=group_note, by=session.clinician, now=min(session.end + dt.timedelta(hours=3), self.now)
            )
        return True
