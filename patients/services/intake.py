"""The guided intake: referral, screening instruments, ASAM assessment, and closing without admission."""

from collections.abc import Sequence
from datetime import date, datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from iop.hooks import records_changed

from ..asam import recommend_level_of_care
from ..constants import (
    EpisodeStatus,
    IntakeStatus,
    IntakeStep,
    PatientStatus,
)
from ..follow_up import instrument_findings
from ..instruments import Instrument, score
from ..models import (
    AsamAssessment,
    Episode,
    InstrumentResponse,
    Intake,
    Patient,
)
from .common import validated_save
from .follow_up import finding_follow_up

INTAKE_STEP_ORDER = list(IntakeStep.values)


STEP_STATUS = {
    IntakeStep.REFERRAL: PatientStatus.REFERRAL,
    IntakeStep.SCREENING: PatientStatus.SCREENING,
    IntakeStep.ASSESSMENT: PatientStatus.ASSESSMENT,
    IntakeStep.DECISION: PatientStatus.ASSESSMENT,
}


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
    validated_save(intake)
    patient.status = PatientStatus.REFERRAL
    patient.save(update_fields=["status", "updated_at"])
    records_changed(intake)
    return intake


@transaction.atomic
def intake_update_referral(*, intake: Intake, by, **fields) -> Intake:
    require_open_intake(intake)
    for name, value in fields.items():
        setattr(intake, name, value)
    intake.full_clean()
    _touch_intake(intake, by=by, step=IntakeStep.SCREENING)
    records_changed(intake)
    return intake


@transaction.atomic
def intake_advance(*, intake: Intake, to_step: IntakeStep, by) -> Intake:
    """Move the intake on to ``to_step`` (never backwards); staff may revisit earlier steps freely."""
    require_open_intake(intake)
    if to_step == IntakeStep.DECISION and not intake.asam_assessments.valid().exists():
        raise ValidationError("Complete the ASAM assessment before the admission decision.")
    _touch_intake(intake, by=by, step=to_step)
    return intake


def require_open_intake(intake: Intake) -> None:
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
    response = validated_save(
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
    for finding, detail in instrument_findings(response):
        finding_follow_up(
            patient=patient,
            finding=finding,
            key=f"instrument:{response.pk}",
            detail=detail,
            at=response.administered_at,
            recorded_by=administered_by,
            source_instrument=response,
        )
    if intake is not None:
        _touch_intake(intake, by=administered_by, step=IntakeStep.SCREENING)
    records_changed(response)
    return response


@transaction.atomic
def asam_assessment_record(
    *, patient: Patient, assessed_by, intake: Intake | None = None, edition: int | None = None, **fields
) -> AsamAssessment:
    """Record the six ratings and the decision table's recommendation, under the clinic's ASAM edition."""
    edition = edition or settings.ASAM_EDITION
    assessment = AsamAssessment(patient=patient, intake=intake, assessed_by=assessed_by, edition=edition, **fields)
    ratings = [fields.get(name) for name in AsamAssessment.RATING_FIELDS]
    if any(r is None for r in ratings):
        raise ValidationError("Rate every ASAM dimension from 0 to 4.")
    recommendation = recommend_level_of_care(ratings, edition)
    assessment.recommended_level = recommendation.level
    assessment.recommended_withdrawal_management = recommendation.withdrawal_management
    assessment.recommendation_rule = recommendation.rule.key
    validated_save(assessment)
    if intake is not None:
        _touch_intake(intake, by=assessed_by, step=IntakeStep.ASSESSMENT)
    return assessment


@transaction.atomic
def intake_close_not_admitted(*, intake: Intake, by, reason: str, withdrawn: bool = False) -> Intake:
    require_open_intake(intake)
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
    records_changed(intake)
    return intake
