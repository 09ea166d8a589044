"""Seed treatment plans and session notes into the demo clinic (after ``seed_demo`` and ``seed_schedule``).

Every write goes through ``clinical.services``, so the demo obeys the signing rules. Plans
for every active episode, their problems and goals taken from the patient's story (demo/stories.py);
notes for the recent held sessions when the schedule is seeded: most signed, some left as drafts
(a few past the signing limit), one late entry, and group notes with a section per present patient.
Notes quote the patient's own details and the days since their last positive screen, so no two
read the same.
"""

import contextlib
import datetime as dt
import random

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from clinical import selectors, services
from clinical.constants import GROUP_NOTE_KINDS, NOTE_KIND_FOR_SESSION, NoteFormat, PatientAgreement
from clinical.models import GroupNote, SessionNote, TreatmentPlan
from demo.stories import story_of
from medications.models import Medication
from patients.constants import EpisodeStatus
from patients.instruments import Instrument
from patients.models import Episode, InstrumentResponse
from scheduling.constants import ATTENDED_STATUSES, SessionKind
from scheduling.models import Attendance, Session
from testing.constants import AnalyteOutcome
from testing.models import AnalyteResult

# The shared part of a group note, by the group's kind of work (the group's name says it).
GROUP_INTERVENTIONS = {
    "Matrix": "Matrix Model session on “{topic}”: handout read aloud, guided discussion, each member "
    "applied it to their own week.",
    "Relapse prevention": "Relapse-prevention psychoeducation on “{topic}”; CBT skill rehearsal in pairs.",
    "Early recovery": "Early-recovery skills: “{topic}”, with a worksheet and a brief role play.",
    "Process": "Process group, theme “{topic}”: check-in round, then open discussion steered to coping skills.",
    "Family": "Family education on “{topic}”: short presentation, questions from family members.",
    "Teen": "Adolescent skills group on “{topic}”: game-based warm-up, worksheet, refusal-skill role play.",
    "Coping": "Coping skills workshop on “{topic}”: demonstration and practice of the skill in the room.",
}
GROUP_DYNAMICS = (
    "{present} present. Cohesive; members gave each other specific feedback.",
    "{present} present. Slow start; energy picked up during the role play.",
    "{present} present. One member dominated early; redirected, and quieter members spoke more.",
    "{present} present. Supportive; a newer member was welcomed and shared for the first time.",
    "{present} present. Some tension over lateness; addressed with the group agreement.",
    "{present} present. Serious, reflective tone after a member spoke about a lapse.",
)
# The Assessment line of an individual note, by how long the patient has gone without using.
ASSESSMENTS = (
    (7, "Early in abstinence and still ambivalent; relapse risk high around {trigger}."),
    (21, "Building skills; relapse risk moderate, highest around {trigger}."),
    (60, "Engaged and using skills between sessions; relapse risk moderate."),
    (10**6, "Stable in early remission; relapse risk lower, watch for complacency."),
)


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
        self.stories: dict = {}
        with transaction.atomic():
            plans = self.seed_plans()
            individual, group = self.seed_notes()
        self.stdout.write(f"Seeded {plans} treatment plans, {individual} individual/family notes, {group} group notes.")

    def seed_plans(self) -> int:
        count = 0
        episodes = (
            Episode.objects.valid()
            .filter(status=EpisodeStatus.ACTIVE)
            .select_related("primary_clinician", "program", "patient")
            .prefetch_related("patient__diagnoses")
        )
        bands = self.intake_bands()
        for episode in episodes.order_by("pk"):
            if episode.treatment_plans.exists():
                continue
            story, life = self.story(episode.patient)
            if story is None:
                continue  # a chart the demo did not write
            clinician = episode.primary_clinician
            plan = services.plan_create(episode=episode, created_by=clinician)
            phq_band, gad_band = bands.get(episode.patient_id, ("moderate", "moderate"))
            for item in story.problems:
                statement = life.fill(item.statement, phq_band=phq_band.lower(), gad_band=gad_band.lower())
                problem = services.plan_problem_add(
                    plan=plan, statement=statement, asam_dimensions=list(item.dimensions)
                )
                goal = services.plan_goal_add(problem=problem, statement=life.fill(life.rng.choice(item.goals)))
                target = max(timezone.localdate(), episode.admitted_on) + dt.timedelta(
                    days=self.rng.choice([21, 30, 45])
                )
                services.plan_objective_add(goal=goal, statement=life.fill(item.objective), target_on=target)
                for modality, times, period in item.interventions:
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

    def story(self, patient):
        """The patient's story and personal details, cached: notes ask for them once per session."""
        if patient.pk not in self.stories:
            self.stories[patient.pk] = story_of(patient, [d.code for d in patient.diagnoses.all()])
        return self.stories[patient.pk]

    @staticmethod
    def intake_bands() -> dict[int, tuple[str, str]]:
        """Each patient's PHQ-9 and GAD-7 bands at intake, which the plan's problems quote."""
        bands: dict[int, dict[str, str]] = {}
        for patient_id, instrument, band in (
            InstrumentResponse.objects.filter(intake__isnull=False, instrument__in=[Instrument.PHQ9, Instrument.GAD7])
            .order_by("administered_at")
            .values_list("patient_id", "instrument", "band")
        ):
            bands.setdefault(patient_id, {})[instrument] = band
        return {
            pk: (row.get(Instrument.PHQ9, "moderate"), row.get(Instrument.GAD7, "moderate"))
            for pk, row in bands.items()
        }

    def last_use_before(self, patient_id: int, day: dt.date, admitted_on: dt.date) -> dt.date:
        """The day before the latest positive screen for a used substance (prescribed ones aside), or admission."""
        earlier = [used for used in self.use_days.get(patient_id, ()) if used < day]
        return max(earlier) if earlier else admitted_on - dt.timedelta(days=4)

    def load_use_days(self) -> None:
        """Days each patient used, read off positive results for analytes their medications do not explain."""
        self.use_days: dict[int, list[dt.date]] = {}
        explained: dict[int, set[str]] = {}
        for patient_id, code in Medication.objects.valid().values_list("patient_id", "expected_analytes__code"):
            explained.setdefault(patient_id, set()).add(code)
        positives = AnalyteResult.objects.filter(outcome=AnalyteOutcome.POSITIVE).values_list(
            "result_set__drug_test__patient_id", "analyte__code", "result_set__drug_test__collected_at"
        )
        for patient_id, code, collected_at in positives:
            if code not in explained.get(patient_id, set()):
                day = timezone.localdate(collected_at) - dt.timedelta(days=1)
                self.use_days.setdefault(patient_id, []).append(day)

    def seed_notes(self) -> tuple[int, int]:
        recent = Session.objects.filter(
            start__gte=self.now - dt.timedelta(days=10), end__lte=self.now, status="scheduled"
        ).select_related("program", "topic", "group", "clinician", "episode__patient")
        self.load_use_days()
        # Every note body written so far: no two read the same ("cloned notes" are an audit finding).
        self.bodies: set[str] = set()
        self.section_texts: set[str] = set()
        individual = group = 0
        for session in recent.filter(kind__in=list(NOTE_KIND_FOR_SESSION)).order_by("start"):
            if self.write_individual_note(session):
                individual += 1
        for session in recent.filter(kind__in=list(GROUP_NOTE_KINDS)).order_by("start"):
            if self.write_group_note(session):
                group += 1
        return individual, group

    def facts(self, patient, episode, day: dt.date) -> dict:
        """Numbers the note quotes: days without use (from the screens) and a craving that eases with them."""
        days = (day - self.last_use_before(patient.pk, day, episode.admitted_on)).days
        craving = max(1, min(8, 8 - days // 7 + self.rng.randint(-1, 1)))
        return {"days": days, "craving": craving}

    def individual_texts(self, session, story, life, facts) -> dict[str, str]:
        rng = self.rng
        theme = life.fill(rng.choice(story.themes), **facts)
        intervention, plan = (life.fill(text, **facts) for text in rng.choice(story.work))
        assessment = life.fill(next(text for limit, text in ASSESSMENTS if facts["days"] < limit), **facts)
        if session.kind == SessionKind.FAMILY:
            family = ", ".join(contact.name for contact in session.family_contacts.all()) or life.person
            theme = f"Family session with {family}. {theme}"
            intervention = f"{intervention} Family members were coached to respond without blame."
        return {
            "data": theme,
            "subjective": theme,
            "objective": f"On time, alert and oriented; engaged throughout. {facts['days']} days since last use "
            "by screens and report.",
            "assessment": assessment,
            "behavior": theme,
            "intervention": intervention,
            "response": f"Receptive; agreed to the plan and named {life.activity} as a back-up for hard moments.",
            "plan": f"{plan} Next individual session in one week.",
        }

    def write_individual_note(self, session) -> bool:
        if SessionNote.objects.filter(session=session).exists():
            return False
        attendance = Attendance.objects.valid().filter(session=session, patient_id=session.patient_id).first()
        if attendance is None or attendance.status not in ATTENDED_STATUSES:
            return False
        patient = session.episode.patient
        story, life = self.story(patient)
        if story is None:
            return False
        goals = selectors.current_plan_goals([session.episode_id])[session.episode_id]
        note_format = self.rng.choice(list(NoteFormat))
        note = services.session_note_create(session=session, author=session.clinician, format=note_format)
        facts = self.facts(patient, session.episode, timezone.localdate(session.start))
        for _ in range(10):
            texts = self.individual_texts(session, story, life, facts)
            fields = {name: texts[name] for name in note.format_field_names}
            body = " ".join(fields.values())
            if body not in self.bodies:
                break
        else:
            fields["plan"] = f"{fields['plan']} Reviewed again at the {session.start:%b %d} session."
            body = " ".join(fields.values())
        self.bodies.add(body)
        note = services.session_note_update(note=note, by=session.clinician, goal=goals[0] if goals else None, **fields)
        if not goals or self.rng.random() < 0.25:
            return True  # left as a draft (past the limit, it shows on the author's work list)
        late = self.rng.random() < 0.15
        signed_at = session.end + dt.timedelta(hours=30 if late else 2)
        services.session_note_sign(note=note, by=session.clinician, now=min(signed_at, self.now))
        return True

    def unique(self, candidates: list[str], *, fallback: str) -> str:
        """The first candidate no other section has used; else the first with a distinguishing detail."""
        text = next((text for text in candidates if text not in self.section_texts), candidates[0] + fallback)
        self.section_texts.add(text)
        return text

    def group_shared_part(self, session, topic: str, present: int) -> tuple[str, str]:
        name = session.group.name if session.group_id else ""
        template = next(
            (text for key, text in GROUP_INTERVENTIONS.items() if key.lower() in name.lower()),
            GROUP_INTERVENTIONS["Process"],
        )
        return template.format(topic=topic), self.rng.choice(GROUP_DYNAMICS).format(present=present)

    def write_group_note(self, session) -> bool:
        if GroupNote.objects.filter(session=session).exists():
            return False
        try:
            group_note = services.group_note_start(session=session, author=session.clinician)
        except ValidationError:
            return False  # no attendance taken for this occurrence
        sections = list(group_note.sections.select_related("patient", "episode").prefetch_related("patient__diagnoses"))
        goals = selectors.current_plan_goals([section.episode_id for section in sections])
        topic = group_note.topic or "Check-in and goals"
        day = timezone.localdate(session.start)
        section_values = {}
        for section in sections:
            patient = section.patient
            story, life = self.story(patient)
            patient_goals = goals.get(section.episode_id) or []
            first = patient.display_name.split()[0]
            facts = self.facts(patient, section.episode, day)
            goal = patient_goals[0] if patient_goals else None
            toward = f"Toward {goal.statement}: " if goal else ""
            if story is None:
                lines, plan = ["took part in the discussion."], "Continue group."
            else:
                lines = self.rng.sample(story.group_lines, k=len(story.group_lines))
                plan = life.fill(self.rng.choice(story.work)[1], **facts)
            participation = self.unique(
                [f"{first} {life.fill(line, topic=topic.lower(), **facts)}" for line in lines],
                fallback=f" ({day:%b %d})",
            )
            progress = self.unique(
                [
                    f"{toward}{facts['days']} days since last use; cravings about {facts['craving']}/10.",
                    f"{toward}{facts['days']} days since last use; rates cravings {facts['craving']} out of 10.",
                ],
                fallback=f" ({first}, {day:%b %d})",
            )
            section_values[section.pk] = {
                "participation": participation,
                "progress": progress,
                "plan": plan,
                "goal": goal,
            }
        interventions, dynamics = self.group_shared_part(session, topic, len(sections))
        services.group_note_update(
            group_note=group_note,
            by=session.clinician,
            topic=group_note.topic,
            interventions=interventions,
            group_dynamics=dynamics,
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
