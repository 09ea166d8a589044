"""Writes to the chart. Each service validates, saves in one transaction, and returns the record."""

from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from iop.phones import normalize_phone
from programs.models import Program

from .asam import recommend_level_of_care
from .constants import (
    AlertKind,
    CareTeamRole,
    ConsentKind,
    EpisodeStatus,
    IntakeStatus,
    IntakeStep,
    LevelOfCare,
    PatientStatus,
)
from .instruments import Instrument, score
from .models import (
    AsamAssessment,
    CareTeamMember,
    Consent,
    Episode,
    InstrumentResponse,
    Intake,
    LevelOfCareChange,
    Patient,
    PatientAlert,
)

INTAKE_STEP_ORDER = list(IntakeStep.values)
STEP_STATUS = {
    IntakeStep.REFERRAL: PatientStatus.REFERRAL,
    IntakeStep.SCREENING: PatientStatus.SCREENING,
    IntakeStep.ASSESSMENT: PatientStatus.ASSESSMENT,
    IntakeStep.DECISION: PatientStatus.ASSESSMENT,
}


def _save(instance):
    """Validate fields and database constraints with readable messages, then save."""
    instance.full_clean()
    instance.save()
    return instance


def _normalize_phones(patient: Patient) -> None:
    for field in ("phone", "emergency_contact_phone"):
        value = getattr(patient, field)
        if value:
            setattr(patient, field, normalize_phone(value))


@transaction.atomic
def patient_create(*, created_by, **fields) -> Patient:
    patient = Patient(**fields)
    patient.ensure_mrn()
    _normalize_phones(patient)
    return _save(patient)


@transaction.atomic
def patient_update(*, patient: Patient, updated_by, **fields) -> Patient:
    for name, value in fields.items():
        setattr(patient, name, value)
    _normalize_phones(patient)
    return _save(patient)


def _touch_intake(intake: Intake, *, by, step: IntakeStep | None = None) -> None:
    intake.last_worked_by = by
    if step and INTAKE_STEP_ORDER.index(step) > INTAKE_STEP_ORDER.index(intake.step):
        intake.step = step
        intake.patient.status = STEP_STATUS[step]
        intake.patient.save(update_fields=["status", "updated_at"])
    intake.save()


@transaction.atomic
def intake_start(
    *,
    patient: Patient,
    started_by,
    referral_source: str = "",
    referred_by: str = "",
    referral_date: date | None = None,
    referral_reason: str = "",
) -> Intake:
    if patient.episodes.valid().filter(status=EpisodeStatus.ACTIVE).exists():
        raise ValidationError("This patient is already admitted; record a level-of-care change instead.")
    intake = Intake(
        patient=patient,
        started_by=started_by,
        last_worked_by=started_by,
        referral_source=referral_source,
        referred_by=referred_by,
        referral_date=referral_date or timezone.localdate(),
        referral_reason=referral_reason,
    )
    _save(intake)
    patient.status = PatientStatus.REFERRAL
    patient.save(update_fields=["status", "updated_at"])
    return intake


@transaction.atomic
def intake_update_referral(*, intake: Intake, by, **fields) -> Intake:
    _require_open(intake)
    for name, value in fields.items():
        setattr(intake, name, value)
    intake.full_clean()
    _touch_intake(intake, by=by, step=IntakeStep.SCREENING)
    return intake


@transaction.atomic
def intake_advance(*, intake: Intake, to_step: IntakeStep, by) -> Intake:
    """Move the intake on to ``to_step`` (never backwards); staff may revisit earlier steps freely."""
    _require_open(intake)
    if to_step == IntakeStep.DECISION and not intake.asam_assessments.valid().exists():
        raise ValidationError("Complete the ASAM assessment before the admission decision.")
    _touch_intake(intake, by=by, step=to_step)
    return intake


def _require_open(intake: Intake) -> None:
    if not intake.is_open:
        raise ValidationError("This intake is closed; start a new one to readmit.")


@transaction.atomic
def instrument_record(
    *,
    patient: Patient,
    instrument: str,
    answers: Sequence[int | None],
    administered_by,
    administered_at: datetime | None = None,
    intake: Intake | None = None,
    episode: Episode | None = None,
) -> InstrumentResponse:
    """Score and store one instrument; PHQ-9 item 9 above 0 raises a safety alert at once."""
    result = score(instrument, answers, sex=patient.sex_at_birth)
    response = _save(
        InstrumentResponse(
            patient=patient,
            intake=intake,
            episode=episode,
            instrument=instrument,
            items=[int(a) for a in answers],
            score=result.score,
            band=result.band,
            subscales=result.subscales,
            is_positive=result.is_positive,
            sex_for_scoring=patient.sex_at_birth if instrument == Instrument.AUDITC else "",
            administered_at=administered_at or timezone.now(),
            administered_by=administered_by,
        )
    )
    if result.safety_alert:
        PatientAlert.objects.create(
            patient=patient,
            kind=AlertKind.SAFETY,
            message=(
                f"PHQ-9 item 9 answered {answers[8]} on {timezone.localdate(response.administered_at):%b %d, %Y}: "
                "thoughts of death or self-harm. Complete a suicide risk assessment today."
            ),
            raised_at=response.administered_at,
            raised_by=administered_by,
            source_instrument=response,
        )
    if intake is not None:
        _touch_intake(intake, by=administered_by, step=IntakeStep.SCREENING)
    return response


@transaction.atomic
def asam_assessment_record(*, patient: Patient, assessed_by, intake: Intake | None = None, **fields) -> AsamAssessment:
    assessment = AsamAssessment(patient=patient, intake=intake, assessed_by=assessed_by, **fields)
    ratings = [fields.get(name) for name in AsamAssessment.RATING_FIELDS]
    if any(r is None for r in ratings):
        raise ValidationError("Rate every ASAM dimension from 0 to 4.")
    assessment.recommended_level = recommend_level_of_care(ratings)
    _save(assessment)
    if intake is not None:
        _touch_intake(intake, by=assessed_by, step=IntakeStep.ASSESSMENT)
    return assessment


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
    _require_open(intake)
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
    episode = _save(
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


def care_team_set(*, patient: Patient, primary_clinician, members: Sequence = ()) -> None:
    """Make sure the primary clinician and the named staff are on the care team."""
    CareTeamMember.objects.update_or_create(
        patient=patient, user=primary_clinician, defaults={"role": CareTeamRole.PRIMARY}
    )
    for member in members:
        if member != primary_clinician:
            CareTeamMember.objects.get_or_create(patient=patient, user=member)


@transaction.atomic
def intake_close_not_admitted(*, intake: Intake, by, reason: str, withdrawn: bool = False) -> Intake:
    _require_open(intake)
    if not reason.strip():
        raise ValidationError({"reason": "Say why the patient is not being admitted."})
    intake.status = IntakeStatus.WITHDRAWN if withdrawn else IntakeStatus.NOT_ADMITTED
    intake.closing_reason = reason.strip()
    intake.closed_at = timezone.now()
    intake.last_worked_by = by
    intake.save()
    patient = intake.patient
    if not patient.episodes.valid().filter(status=EpisodeStatus.ACTIVE).exists():
        patient.status = PatientStatus.NOT_ADMITTED
        patient.save(update_fields=["status", "updated_at"])
    return intake


@transaction.atomic
def level_of_care_change(*, episode: Episode, to_level: str, reason: str, recorded_by, effective_on=None):
    """Step up or down inside the episode: the chart stays one chart."""
    episode = Episode.objects.select_for_update().get(pk=episode.pk)
    if not episode.is_active:
        raise ValidationError("This episode is closed.")
    effective_on = effective_on or timezone.localdate()
    if effective_on < episode.admitted_on:
        raise ValidationError({"effective_on": "The change cannot take effect before admission."})
    change = _save(
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


@transaction.atomic
def chart_record_add(*, instance, recorded_by=None):
    """Save a simple chart record (contact, insurance, diagnosis…) built by a ModelForm."""
    for field in ("recorded_by", "diagnosed_by"):
        if hasattr(instance, f"{field}_id") and getattr(instance, f"{field}_id") is None:
            setattr(instance, field, recorded_by)
    if hasattr(instance, "phone") and instance.phone:
        instance.phone = normalize_phone(instance.phone)
    return _save(instance)


@transaction.atomic
def consent_revoke(*, consent: Consent, by, reason: str) -> Consent:
    if consent.revoked_at:
        raise ValidationError("This consent is already revoked.")
    if not reason.strip():
        raise ValidationError({"reason": "Record how and why the patient revoked the consent."})
    consent.revoked_at = timezone.now()
    consent.revocation_reason = reason.strip()
    return _save(consent)


@transaction.atomic
def alert_resolve(*, alert: PatientAlert, by, resolution: str) -> PatientAlert:
    if alert.resolved_at:
        raise ValidationError("This alert is already resolved.")
    if not resolution.strip():
        raise ValidationError({"resolution": "Say how the alert was resolved."})
    alert.resolved_at = timezone.now()
    alert.resolved_by = by
    alert.resolution = resolution.strip()
    return _save(alert)
