"""Writes to the schedule; views, forms, the admin and tasks call these."""

from .attendance import (
    AttendanceEntry,
    attendance_check,
    attendance_minutes,
    attendance_record,
    attendance_record_many,
    authorization_units_recount,
)
from .common import session_times_set, time_range_text, validated_save
from .conflicts import check_conflicts, require_telehealth_consent
from .enrolment import ScheduleResult, enrolment_end, enrolment_promote, patient_schedule_save, require_active_episode
from .feeds import calendar_feed_token_create, calendar_feed_token_revoke, feed_user_for_token, hash_feed_token
from .follow_up import hours_shortfall_tasks, missed_sessions_follow_up
from .groups import (
    SERIES_FIELDS,
    group_create,
    group_generate_occurrences,
    group_update_series,
    occurrences_generate_all,
)
from .hours_band import band_problems, enforce_band, week_note_record, weeks_to_check
from .reminders import (
    REMINDER_PLANNING_HOURS,
    session_cancelled_notify,
    session_moved_notify,
    session_patients,
    session_reminders_plan,
)
from .sessions import clinic_closure_add, session_book, session_cancel, session_move

__all__ = [
    "REMINDER_PLANNING_HOURS",
    "SERIES_FIELDS",
    "AttendanceEntry",
    "ScheduleResult",
    "attendance_check",
    "attendance_minutes",
    "attendance_record",
    "attendance_record_many",
    "authorization_units_recount",
    "band_problems",
    "calendar_feed_token_create",
    "calendar_feed_token_revoke",
    "check_conflicts",
    "clinic_closure_add",
    "enforce_band",
    "enrolment_end",
    "enrolment_promote",
    "feed_user_for_token",
    "group_create",
    "group_generate_occurrences",
    "group_update_series",
    "hash_feed_token",
    "hours_shortfall_tasks",
    "missed_sessions_follow_up",
    "occurrences_generate_all",
    "patient_schedule_save",
    "require_active_episode",
    "require_telehealth_consent",
    "session_book",
    "session_cancel",
    "session_cancelled_notify",
    "session_move",
    "session_moved_notify",
    "session_patients",
    "session_reminders_plan",
    "session_times_set",
    "time_range_text",
    "validated_save",
    "week_note_record",
    "weeks_to_check",
]
