"""What the outcome-measure forms ask and prefill: the substances, earlier answers, what the chart already says."""

from django.db.models import Q

from medications.constants import MedicationCategory
from medications.models import Medication
from patients.constants import Substance
from patients.models import Episode

from ..constants import PRIOR_EPISODES_MAX, TEDS_CODES, MeasurePoint
from ..models import AdmissionProfile, OutcomeMeasures

# ICD-10-CM F10–F19 are substance use disorders; other F codes are the co-occurring mental disorders
# TEDS PSYPROB asks about (SAMHSA TEDS State Instruction Manual: co-occurring mental and substance use).
SUBSTANCE_DIAGNOSIS_PREFIXES = tuple(f"F1{digit}" for digit in range(10))


def measures_at(episode: Episode, point: str, checkin=None) -> OutcomeMeasures | None:
    measures = OutcomeMeasures.objects.valid().filter(episode=episode, point=point)
    if checkin is not None:
        measures = measures.filter(checkin=checkin)
    return measures.first()


def _rows_of(measures: OutcomeMeasures) -> list[dict]:
    return [
        {
            "substance": row.substance,
            "days": row.days,
            "rank": row.rank,
            "route": row.route,
            "first_use_age": row.first_use_age,
        }
        for row in measures.substance_days.valid().order_by("rank", "substance")
    ]


def chart_substances(episode: Episode) -> list[dict]:
    """The chart's substance use (not nicotine, which TEDS and the NOMs leave out), primary first."""
    rows, seen = [], set()
    for use in episode.patient.substance_use.valid().order_by("-is_primary", "pk"):
        if use.substance in seen or use.substance not in TEDS_CODES["SUB"]:
            continue
        seen.add(use.substance)
        rank = len(rows) + 1 if len(rows) < 3 else None
        rows.append(
            {
                "substance": use.substance,
                "days": None,
                "rank": rank,
                "route": use.route,
                "first_use_age": use.age_of_first_use,
            }
        )
    return rows


def substances_to_ask(episode: Episode, point: str, checkin=None) -> list[dict]:
    """The substances a measures form asks about, prefilled with what was answered before."""
    current = measures_at(episode, point, checkin)
    if current is not None:
        return _rows_of(current)
    if point == MeasurePoint.ADMISSION:
        return chart_substances(episode)
    admission = measures_at(episode, MeasurePoint.ADMISSION)
    rows = _rows_of(admission) if admission else chart_substances(episode)
    return [{"substance": row["substance"], "days": None} for row in rows]


def measures_initial(measures: OutcomeMeasures | None) -> dict:
    if measures is None:
        return {}
    return {
        name: getattr(measures, name)
        for name in (
            "employment",
            "not_in_labor_force",
            "in_school",
            "living_arrangement",
            "arrests",
            "self_help_times",
        )
    }


def profile_initial(episode: Episode) -> dict:
    """The profile as recorded, or prefilled from the chart: earlier episodes, MOUD, mental health diagnoses."""
    profile = AdmissionProfile.objects.valid().filter(episode=episode).first()
    if profile is not None:
        return {
            "race": profile.race,
            "ethnicity": profile.ethnicity,
            "marital_status": profile.marital_status,
            "education": profile.education,
            "veteran": profile.veteran,
            "pregnant": profile.pregnant,
            "prior_episodes": profile.prior_episodes,
            "medication_planned": profile.medication_planned,
            "co_occurring": profile.co_occurring,
            "health_insurance": profile.health_insurance,
            "primary_payer": profile.primary_payer,
        }
    patient = episode.patient
    earlier = patient.episodes.valid().filter(admitted_on__lt=episode.admitted_on).count()
    on_moud = (
        Medication.objects.valid()
        .filter(patient=patient, category=MedicationCategory.MOUD, start_date__lte=episode.admitted_on)
        .filter(Q(stop_date__isnull=True) | Q(stop_date__gte=episode.admitted_on))
        .exists()
    )
    mental = (
        patient.diagnoses.valid()
        .filter(code__istartswith="F", resolved_on__isnull=True)
        .exclude(code__iregex=r"^F1[0-9]")
        .exists()
    )
    opioid = patient.substance_use.valid().filter(substance__in=[Substance.OPIOIDS, Substance.FENTANYL]).exists()
    return {
        "prior_episodes": min(earlier, PRIOR_EPISODES_MAX),
        "medication_planned": True if on_moud else (None if opioid else False),
        "co_occurring": mental,
    }
