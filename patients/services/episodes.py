"""Admission to an episode of care inside the program's hours band, and level-of-care changes within it."""

from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from programs.models import Program

from ..constants import (
    ConsentKind,
    IntakeStatus,
    IntakeStep,
    LevelOfCare,
    PatientStatus,
)
from ..models import (
    Consent,
    Episode,
    Intake,
    LevelOfCareChange,
)
from .common import validated_save
from .intake import require_open_intake
from .registry import care_team_set


def hours_text(hours: Decimal) -> str:
    """12.0 → "12", 8.5 → "8.5"."""
    return format(Decimal(hours).normalize(), "f")


def check_weekly_hours_in_band(program: Program, target: Decimal) -> None:
    """ASAM 2.1: the target must sit inside the program's band (adults 9–20 by default)."""
    low, high = program.weekly_hours_band
    if target < low:
        message = (
            f"{program} needs at least {hours_text(low)} hours a week; "
            f"{hours_text(target)} is {hours_text(low - target)} short."
        )
        raise ValidationError({"target_weekly_hours": message})
    if target > high:
        message = (
            f"{program} allows at most {hours_text(high)} hours a week; {hours_text(target)} is "
            f"{hours_text(target - high)} over (20 or more is partial hospitalization)."
        )
        raise ValidationError({"target_weekly_hours": message})


@transaction.atomic
def patient_admit(
    *,
    intake: Intake,
    program: Program,
    primary_clinician,
    admitted_by,
    target_weekly_hours: Decimal,
    level_of_care: str = LevelOfCare.IOP,
    level_of_care_reason: str = "",
    admitted_on: date | None = None,
    expected_length_weeks: int | None = None,
    care_team: Sequence = (),
) -> Episode:
    """Admit: open an episode of care, set the care team and close the intake."""
    intake = Intake.objects.select_for_update().get(pk=intake.pk)
    require_open_intake(intake)
    patient = intake.patient
    check_weekly_hours_in_band(program, Decimal(target_weekly_hours))
    assessment = intake.asam_assessments.valid().order_by("-assessed_at").first()
    if assessment is None:
        raise ValidationError("Complete the ASAM assessment before admitting.")
    if level_of_care != assessment.recommended_level and not level_of_care_reason.strip():
        raise ValidationError(
            {
                "level_of_care_reason": (
                    f"The assessment recommends {assessment.get_recommended_level_display()}; "
                    "write why the patient is admitted to another level."
                )
            }
        )
    if not Consent.objects.filter(patient=patient, kind=ConsentKind.TREATMENT).active().exists():
        raise ValidationError("Record the patient's consent to treatment before admitting.")
    episode = validated_save(
        Episode(
            patient=patient,
            program=program,
            intake=intake,
            assessment=assessment,
            level_of_care=level_of_care,
            level_of_care_reason=level_of_care_reason.strip(),
            admitted_on=admitted_on or timezone.localdate(),
            primary_clinician=primary_clinician,
            target_weekly_hours=target_weekly_hours,
            expected_length_weeks=expected_length_weeks or program.typical_length_weeks,
            admitted_by=admitted_by,
        )
    )
    care_team_set(patient=patient, primary_clinician=primary_clinician, members=care_team)
    patient.status = PatientStatus.ADMITTED
    patient.primary_clinician = primary_clinician
    patient.save(update_fields=["status", "primary_clinician", "updated_at"])
    intake.status = IntakeStatus.ADMITTED
    intake.step = IntakeStep.DECISION
    intake.closed_at = timezone.now()
    intake.last_worked_by = admitted_by
    intake.save()
    return episode


@transaction.atomic
def level_of_care_change(*, episode: Episode, to_level: str, reason: str, recorded_by, effective_on=None):
    """Step up or down inside the episode: the chart stays one chart."""
    episode = Episode.objects.select_for_update().get(pk=episode.pk)
    if not episode.is_active:
        raise ValidationError("This episode is closed.")
    effective_on = effective_on or timezone.localdate()
    if effective_on < episode.admitted_on:
        raise ValidationError({"effective_on": "The change cannot take effect before admission."})
    change = validated_save(
        LevelOfCareChange(
            episode=episode,
            from_level=episode.level_of_care,
            to_level=to_level,
            effective_on=effective_on,
            reason=reason.strip(),
            recorded_by=recorded_by,
        )
    )
    episode.level_of_care = to_level
    episode.save(update_fields=["level_of_care", "updated_at"])
    return change
