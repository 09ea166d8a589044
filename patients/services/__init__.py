"""Writes to the chart. Each service validates, saves in one transaction, and returns the record."""

from .access import MINIMUM_REASON_LENGTH, break_glass_grant, directors_to_notify
from .alerts import NOTE_NEEDED, alert_acknowledge_for_discharge, alert_resolve, finding_tasks_prefix
from .common import validated_save
from .consents import consent_record, consent_revoke, consent_sections_confirm, signature_matches
from .episodes import (
    admission_cosign_request,
    check_weekly_hours_in_band,
    episode_cosign,
    hours_text,
    level_of_care_change,
    level_of_care_change_check,
    patient_admit,
)
from .follow_up import (
    CLINIC_DAY_ENDS,
    NOW_WITHIN,
    SAME_DAY_AT_LEAST,
    FollowUp,
    due_time,
    finding_follow_up,
    finding_key_for,
    register_finding_handler,
    responsible_people,
)
from .intake import (
    INTAKE_STEP_ORDER,
    STEP_STATUS,
    asam_assessment_record,
    instrument_record,
    intake_advance,
    intake_close_not_admitted,
    intake_start,
    intake_update_referral,
    require_open_intake,
)
from .merge import MergePlan, merge_plan, patient_merge
from .registry import care_team_set, chart_record_add, patient_create, patient_update
from .work_list import authorization_tasks

__all__ = [
    "CLINIC_DAY_ENDS",
    "INTAKE_STEP_ORDER",
    "MINIMUM_REASON_LENGTH",
    "NOTE_NEEDED",
    "NOW_WITHIN",
    "SAME_DAY_AT_LEAST",
    "STEP_STATUS",
    "FollowUp",
    "MergePlan",
    "admission_cosign_request",
    "alert_acknowledge_for_discharge",
    "alert_resolve",
    "asam_assessment_record",
    "authorization_tasks",
    "break_glass_grant",
    "care_team_set",
    "chart_record_add",
    "check_weekly_hours_in_band",
    "consent_record",
    "consent_revoke",
    "consent_sections_confirm",
    "directors_to_notify",
    "due_time",
    "episode_cosign",
    "finding_follow_up",
    "finding_key_for",
    "finding_tasks_prefix",
    "hours_text",
    "instrument_record",
    "intake_advance",
    "intake_close_not_admitted",
    "intake_start",
    "intake_update_referral",
    "level_of_care_change",
    "level_of_care_change_check",
    "merge_plan",
    "patient_admit",
    "patient_create",
    "patient_merge",
    "patient_update",
    "register_finding_handler",
    "require_open_intake",
    "responsible_people",
    "signature_matches",
    "validated_save",
]
