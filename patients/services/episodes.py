"""Admission to an episode of care inside the hours band its level allows, and level-of-care changes within it."""

from collections.abc import Sequence
from datetime import date, timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.constants import Role
from iop.hooks import records_changed
from iop.text import says_something
from notifications.constants import TaskKind, TaskSeverity
from notifications.services import task_create, tasks_close_for
from programs.constants import LEVELS_BY_EDITION, level_label, level_rank
from programs.models import Program
from programs.validators import ceiling_note, hours_text, weekly_hours_rule

from ..constants import (
    ADMISSION_COSIGN_HOURS,
    WITHDRAWAL_MANAGEMENT_ORDER,
    AsamEdition,
    ConsentKind,
    IntakeStatus,
    IntakeStep,
    LevelOfCare,
    LevelOfCareReasonCategory,
    PatientStatus,
)
from ..models import (
    AsamAssessment,
    Consent,
    Episode,
    Intake,
    LevelOfCareChange,
)
from .common import validated_save
from .intake import require_open_intake
from .registry import care_team_set


def check_weekly_hours_in_band(program: Program, target: Decimal, level: str | None = None) -> None:
    """The target must sit in the half-open band low <= hours < high that the episode is held to.

    At the program's own level that is the program's band (adult IOP 9–20, adolescent 6–20:
    ASAM 2.1 / SAMHSA TIP 47); at another level with a weekly range, that level's (a 2.5
    episode at least 20 hours a week, whatever its program).
    """
    level = level or program.level_of_care
    low, high = program.weekly_hours_band_for(level)
    who = str(program) if level == program.level_of_care else f"A level {level_label(level)} episode"
    if target < low:
        message = (
            f"{who} needs at least {hours_text(low)} hours a week; "
            f"{hours_text(target)} is {hours_text(low - target)} short."
        )
        raise ValidationError({"target_weekly_hours": message})
    if target >= high:
        rule = weekly_hours_rule(level, program.population)
        note = ceiling_note(level, high) if rule is not None and rule.ceiling == high else ""
        excess = f"{hours_text(target)} is {hours_text(target - high)} over" if target > high else "it is the limit"
        message = (
            f"{who} allows fewer than {hours_text(high)} hours a week{note}; "
            f"{excess}: set a target below {hours_text(high)}."
        )
        raise ValidationError({"target_weekly_hours": message})


def is_below(level: str, withdrawal_management: str, than_level: str, than_withdrawal_management: str) -> bool:
    """Less care than another placement: a lower level, or less withdrawal management alongside."""
    if level_rank(level) != level_rank(than_level):
        return level_rank(level) < level_rank(than_level)
    order = WITHDRAWAL_MANAGEMENT_ORDER
    return order.index(withdrawal_management or "") < order.index(than_withdrawal_management or "")


def check_level_choice(
    *, assessment: AsamAssessment, level: str, withdrawal_management: str, category: str, reason: str
) -> bool:
    """Another placement than the recommendation needs a category and a reason that says something.

    Returns whether the placement is below the recommendation (which a supervisor co-signs).
    """
    edition = assessment.edition
    if level not in LEVELS_BY_EDITION[edition]:
        raise ValidationError(
            {"level_of_care": f"{LevelOfCare(level).label} is not a level of the {AsamEdition(edition).label}."}
        )
    if withdrawal_management and edition != AsamEdition.THIRD:
        raise ValidationError(
            {
                "withdrawal_management": (
                    "The 4th edition integrates withdrawal management: choose 1.7, 2.7, 3.7 or 4.0 instead."
                )
            }
        )
    recommended = (assessment.recommended_level, assessment.recommended_withdrawal_management)
    if (level, withdrawal_management) == recommended:
        return False
    errors = {}
    if category not in LevelOfCareReasonCategory.values:
        errors["level_of_care_reason_category"] = (
            f"The assessment recommends {assessment.recommendation_label}; choose why the patient is admitted "
            "to another placement."
        )
    if not says_something(reason):
        errors["level_of_care_reason"] = (
            f"The assessment recommends {assessment.recommendation_label}; write why the patient is admitted to "
            "another placement, in a sentence (what the patient, payer or clinician decided and why)."
        )
    if errors:
        raise ValidationError(errors)
    return is_below(level, withdrawal_management, *recommended)


def cosigners_for(episode: Episode) -> list:
    """Who co-signs: the primary clinician's supervisor, or else the supervisors staffing the program."""
    supervisor = episode.primary_clinician.supervisor
    if supervisor is not None and supervisor.is_active and supervisor.pk != episode.admitted_by_id:
        return [supervisor]
    User = get_user_model()
    staff = (
        User.objects.filter(is_active=True, groups__name=Role.SUPERVISOR, programs=episode.program_id)
        .exclude(pk=episode.admitted_by_id)
        .distinct()
        .order_by("pk")
    )
    return list(staff)


def program_directors(program: Program) -> list:
    """The directors of the program, or every director when none is named for it."""
    directors = get_user_model().objects.filter(is_active=True, groups__name=Role.DIRECTOR)
    if directors.filter(programs=program.pk).exists():
        directors = directors.filter(programs=program.pk)
    return list(directors.distinct().order_by("pk"))


def cosign_key_prefix(episode: Episode) -> str:
    return f"admission-cosign:{episode.pk}:"


def admission_cosign_request(*, episode: Episode, now=None) -> int:
    """A task on the co-signers' work lists, due in 24 hours, escalating to the program's directors."""
    now = now or timezone.now()
    due = now + timedelta(hours=ADMISSION_COSIGN_HOURS)
    directors = program_directors(episode.program)
    cosigners = cosigners_for(episode) or directors
    recommended = episode.assessment.recommendation_label if episode.assessment else "the recommended level"
    title = (
        f"Co-sign admission of {episode.patient.display_name} at {episode.level_label} (recommended {recommended})"
    )[:200]
    for person in cosigners:
        task_create(
            assignee=person,
            kind=TaskKind.ADMISSION_COSIGN,
            title=title,
            due_at=due,
            dedupe_key=f"{cosign_key_prefix(episode)}{person.pk}",
            patient=episode.patient,
            severity=TaskSeverity.HIGH,
            escalate_at=due,
            escalate_to=directors,
            escalation_title=f"Not co-signed in {ADMISSION_COSIGN_HOURS} h: {title}",
        )
    return len(cosigners)


@transaction.atomic
def patient_admit(
    *,
    intake: Intake,
    program: Program,
    primary_clinician,
    admitted_by,
    target_weekly_hours: Decimal,
    level_of_care: str | None = None,
    withdrawal_management: str | None = None,
    level_of_care_reason_category: str = "",
    level_of_care_reason: str = "",
    admitted_on: date | None = None,
    expected_length_weeks: int | None = None,
    care_team: Sequence = (),
) -> Episode:
    """Admit: open an episode of care, set the care team and close the intake.

    The level defaults to the assessment's recommendation (with its withdrawal management).
    Another placement needs a reason category and a written reason; one below the
    recommendation also puts a co-signature task on a supervisor's work list.
    """
    intake = Intake.objects.select_for_update().get(pk=intake.pk)
    require_open_intake(intake)
    patient = intake.patient
    assessment = intake.asam_assessments.valid().order_by("-assessed_at").first()
    if assessment is None:
        raise ValidationError("Complete the ASAM assessment before admitting.")
    if level_of_care is None:
        level_of_care = assessment.recommended_level
        if withdrawal_management is None:
            withdrawal_management = assessment.recommended_withdrawal_management
    withdrawal_management = withdrawal_management or ""
    level_of_care_reason = (level_of_care_reason or "").strip()
    errors: dict = {}
    below = False
    try:
        below = check_level_choice(
            assessment=assessment,
            level=level_of_care,
            withdrawal_management=withdrawal_management,
            category=level_of_care_reason_category,
            reason=level_of_care_reason,
        )
    except ValidationError as error:
        errors.update(error.error_dict)
    if level_of_care in LEVELS_BY_EDITION[assessment.edition]:
        try:
            check_weekly_hours_in_band(program, Decimal(target_weekly_hours), level_of_care)
        except ValidationError as error:
            errors.update(error.error_dict)
    if errors:
        raise ValidationError(errors)
    recommended = (assessment.recommended_level, assessment.recommended_withdrawal_management)
    if (level_of_care, withdrawal_management) == recommended:
        level_of_care_reason_category, level_of_care_reason = "", ""
    if not Consent.objects.filter(patient=patient, kind=ConsentKind.TREATMENT).active().exists():
        raise ValidationError("Record the patient's consent to treatment before admitting.")
    episode = validated_save(
        Episode(
            patient=patient,
            program=program,
            intake=intake,
            assessment=assessment,
            edition=assessment.edition,
            level_of_care=level_of_care,
            withdrawal_management=withdrawal_management,
            level_of_care_reason_category=level_of_care_reason_category,
            level_of_care_reason=level_of_care_reason,
            admitted_below_recommendation=below,
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
    if below:
        admission_cosign_request(episode=episode)
    records_changed(episode, intake)
    return episode


@transaction.atomic
def episode_cosign(*, episode: Episode, by) -> Episode:
    """A supervisor co-signs an admission below the recommended level; the co-sign tasks close."""
    episode = Episode.objects.select_for_update().get(pk=episode.pk)
    if not episode.admitted_below_recommendation:
        raise ValidationError("This admission follows the assessment's recommendation: there is nothing to co-sign.")
    if episode.cosigned_at is not None:
        raise ValidationError("This admission is already co-signed.")
    if not by.has_perm("patients.cosign_episode"):
        raise ValidationError("Only a supervisor or director co-signs an admission below the recommended level.")
    if by.pk == episode.admitted_by_id:
        raise ValidationError("A co-signature is a second person's: someone other than who admitted must sign.")
    episode.cosigned_by = by
    episode.cosigned_at = timezone.now()
    validated_save(episode)
    tasks_close_for(
        dedupe_key_prefix=cosign_key_prefix(episode),
        reason=f"Admission co-signed by {by.get_full_name() or by.username}.",
        by=by,
    )
    return episode


def level_of_care_change_check(*, episode: Episode, to_level: str, target_weekly_hours=None) -> Decimal:
    """A level of the episode's edition, and a target that fits it: the new target (or the current one)."""
    if to_level not in LEVELS_BY_EDITION[episode.edition]:
        raise ValidationError(
            {
                "to_level": f"{to_level} is not a level of the {AsamEdition(episode.edition).label}, "
                "which this episode was assessed under."
            }
        )
    target = Decimal(target_weekly_hours) if target_weekly_hours is not None else episode.target_weekly_hours
    try:
        check_weekly_hours_in_band(episode.program, target, to_level)
    except ValidationError as error:
        if target_weekly_hours is not None:
            raise
        low, high = episode.program.weekly_hours_band_for(to_level)
        raise ValidationError(
            {
                "target_weekly_hours": (
                    f"The current target of {hours_text(target)} hours a week does not fit level "
                    f"{level_label(to_level, episode.edition)} ({hours_text(low)} to under {hours_text(high)} "
                    "hours): give the new target."
                )
            }
        ) from error
    return target


@transaction.atomic
def level_of_care_change(
    *,
    episode: Episode,
    to_level: str,
    reason: str,
    recorded_by,
    effective_on=None,
    target_weekly_hours: Decimal | None = None,
):
    """Step up or down inside the episode: the chart stays one chart.

    The level is one of the episode's edition. If the current target does not fit the new
    level's weekly hours (a step-up to 2.5 holds the patient to 20 hours or more), a new target
    is needed.
    """
    episode = Episode.objects.select_for_update().get(pk=episode.pk)
    if not episode.is_active:
        raise ValidationError("This episode is closed.")
    effective_on = effective_on or timezone.localdate()
    if effective_on < episode.admitted_on:
        raise ValidationError({"effective_on": "The change cannot take effect before admission."})
    target = level_of_care_change_check(episode=episode, to_level=to_level, target_weekly_hours=target_weekly_hours)
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
    episode.target_weekly_hours = target
    episode.save(update_fields=["level_of_care", "target_weekly_hours", "updated_at"])
    records_changed(change)
    return change
