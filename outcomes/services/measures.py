"""Recording the National Outcome Measures and the TEDS admission profile, and where the flows ask for them."""

from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlencode

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from aftercare.models import AlumniCheckIn
from patients.constants import EpisodeStatus, SexAtBirth, Substance
from patients.models import Episode

from ..constants import (
    DAYS_IN_30,
    FOLLOW_UP_POINTS,
    Employment,
    MeasurePoint,
)
from ..models import AdmissionProfile, OutcomeMeasures, SubstanceDays
from .episode_facts import episode_facts_refresh

MEASURE_FIELDS = ("employment", "not_in_labor_force", "in_school", "living_arrangement", "arrests", "self_help_times")
PROFILE_FIELDS = (
    "race",
    "ethnicity",
    "marital_status",
    "education",
    "veteran",
    "pregnant",
    "prior_episodes",
    "medication_planned",
    "co_occurring",
    "health_insurance",
    "primary_payer",
)


@dataclass(frozen=True)
class SubstanceAnswer:
    """One substance as asked: days used in the past 30, and at admission its TEDS rank, route and age at first use."""

    substance: str
    days: int
    rank: int | None = None
    route: str = ""
    first_use_age: int | None = None


def _save(instance):
    instance.full_clean()
    instance.save()
    return instance


def _check_point(episode: Episode, point: str, checkin: AlumniCheckIn | None) -> None:
    if point == MeasurePoint.DISCHARGE and episode.status != EpisodeStatus.DISCHARGED:
        raise ValidationError("The measures at discharge are recorded once the episode is discharged.")
    if point in FOLLOW_UP_POINTS.values():
        if checkin is None or checkin.discharge.episode_id != episode.pk:
            raise ValidationError("Measures at a check-in belong to a check-in of this episode's discharge.")
        if FOLLOW_UP_POINTS.get(checkin.days_after_discharge) != point:
            raise ValidationError("This check-in is not one the measures are asked at (30, 90 or 180 days).")
        if not (checkin.is_completed and checkin.reached):
            raise ValidationError("Record the check-in, with the patient reached, before the measures.")


def _check_answers(fields: Mapping, substances: list[SubstanceAnswer], point: str) -> None:
    errors = {}
    if fields.get("employment") == Employment.NOT_IN_LABOR_FORCE and not fields.get("not_in_labor_force"):
        errors["not_in_labor_force"] = "Say why they are not looking for work."
    if not substances:
        errors["__all__"] = "Record the substances the patient uses on the chart first: days of use are asked for each."
    seen_ranks = set()
    for answer in substances:
        if answer.substance not in Substance.values:
            errors["__all__"] = f"Unknown substance {answer.substance!r}."
            continue
        if not 0 <= answer.days <= DAYS_IN_30:
            errors[f"days_{answer.substance}"] = "Days of use in the past 30 run from 0 to 30."
        if point != MeasurePoint.ADMISSION and (answer.rank or answer.route or answer.first_use_age):
            errors["__all__"] = "Rank, route and age at first use are asked at admission only."
        if answer.rank is not None:
            if answer.rank in seen_ranks:
                errors[f"rank_{answer.substance}"] = "Only one substance has each rank."
            seen_ranks.add(answer.rank)
    if errors:
        raise ValidationError(errors)


def _write_substances(measures: OutcomeMeasures, substances: list[SubstanceAnswer], by) -> None:
    """Update the substances in place; one no longer asked is marked entered in error, never deleted."""
    current = {row.substance: row for row in measures.substance_days.valid()}
    wanted = {answer.substance: answer for answer in substances}
    for substance, row in current.items():
        if substance not in wanted:
            row.mark_entered_in_error(by=by, reason="No longer among the substances asked about.")
    # Ranks move between rows: clear them first so the one-per-rank constraint holds at every step.
    moving = [row for substance, row in current.items() if substance in wanted and row.rank is not None]
    for row in moving:
        if row.rank != wanted[row.substance].rank:
            row.rank = None
            row.save(update_fields=["rank", "updated_at"])
    for substance, answer in wanted.items():
        row = current.get(substance) or SubstanceDays(measures=measures, substance=substance)
        row.days, row.rank, row.route, row.first_use_age = answer.days, answer.rank, answer.route, answer.first_use_age
        _save(row)


@transaction.atomic
def outcome_measures_record(
    *,
    episode: Episode,
    point: str,
    by,
    substances: list[SubstanceAnswer],
    checkin: AlumniCheckIn | None = None,
    asked_on=None,
    **fields,
) -> OutcomeMeasures:
    """Record (or correct) the measures of one point; the outcome facts follow in the same transaction."""
    episode = Episode.objects.select_for_update().get(pk=episode.pk)
    if episode.is_entered_in_error:
        raise ValidationError("This episode was entered in error.")
    unknown = set(fields) - set(MEASURE_FIELDS)
    if unknown:
        raise ValueError(f"Unknown measures: {', '.join(sorted(unknown))}")
    _check_point(episode, point, checkin)
    _check_answers(fields, substances, point)
    measures = OutcomeMeasures.objects.valid().filter(episode=episode, point=point).first()
    if measures is None:
        measures = OutcomeMeasures(episode=episode, patient_id=episode.patient_id, point=point, checkin=checkin)
    for name, value in fields.items():
        setattr(measures, name, value)
    if measures.employment != Employment.NOT_IN_LABOR_FORCE:
        measures.not_in_labor_force = ""
    measures.asked_on = asked_on or measures.asked_on or timezone.localdate()
    measures.recorded_by = by
    _save(measures)
    _write_substances(measures, substances, by)
    episode_facts_refresh([episode.pk])
    return measures


@transaction.atomic
def admission_profile_save(*, episode: Episode, by, **fields) -> AdmissionProfile:
    """What TEDS asks once per admission; pregnancy is asked of women only."""
    unknown = set(fields) - set(PROFILE_FIELDS)
    if unknown:
        raise ValueError(f"Unknown profile fields: {', '.join(sorted(unknown))}")
    if episode.patient.sex_at_birth != SexAtBirth.FEMALE:
        fields["pregnant"] = None
    elif fields.get("pregnant") is None:
        raise ValidationError({"pregnant": "Say whether she was pregnant at admission."})
    profile = AdmissionProfile.objects.valid().filter(episode=episode).first() or AdmissionProfile(
        episode=episode, patient_id=episode.patient_id
    )
    for name, value in fields.items():
        setattr(profile, name, value)
    profile.recorded_by = by
    return _save(profile)


@transaction.atomic
def admission_measures_record(
    *, episode: Episode, by, profile: Mapping, measures: Mapping, substances: list[SubstanceAnswer]
) -> OutcomeMeasures:
    """The admission form: the TEDS profile and the measures at admission, saved together or not at all."""
    errors = {}
    saved = None
    try:
        admission_profile_save(episode=episode, by=by, **profile)
    except ValidationError as error:
        errors.update(error.message_dict if hasattr(error, "error_dict") else {"__all__": error.messages})
    try:
        saved = outcome_measures_record(
            episode=episode, point=MeasurePoint.ADMISSION, by=by, substances=substances, **measures
        )
    except ValidationError as error:
        errors.update(error.message_dict if hasattr(error, "error_dict") else {"__all__": error.messages})
    if errors:
        raise ValidationError(errors)
    return saved


# --- where the admission, discharge and check-in flows go next (iop.hooks) ----------------------


def _with_then(url: str, then: str) -> str:
    return f"{url}?{urlencode({'then': then})}" if then else url


def after_admission(episode, *, then: str) -> str:
    return _with_then(reverse("outcomes:admission_measures", args=[episode.patient_id, episode.pk]), then)


def after_discharge(discharge, *, then: str) -> str:
    return _with_then(reverse("outcomes:discharge_measures", args=[discharge.patient_id, discharge.episode_id]), then)


def after_checkin(checkin, *, then: str) -> str | None:
    if not checkin.reached or checkin.days_after_discharge not in FOLLOW_UP_POINTS:
        return None
    return _with_then(reverse("outcomes:follow_up_measures", args=[checkin.patient_id, checkin.pk]), then)


FOLLOW_ONS = {
    "patients.admitted": after_admission,
    "aftercare.discharged": after_discharge,
    "aftercare.checkin_recorded": after_checkin,
}
