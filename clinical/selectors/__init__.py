"""Reads for the clinical record; every patient-facing read goes through patients.selectors.patients_visible_to."""

from .notes import (
    ChartNotesPage,
    DraftNote,
    chart_notes_page,
    counseling_notes_visible_to,
    draft_notes,
    note_visible_to,
    notes_awaiting_cosign,
    sessions_needing_notes,
    unsigned_notes_overdue,
)
from .plans import (
    InterventionFlag,
    ReviewDue,
    current_plan,
    current_plan_goals,
    intervention_schedule_flags,
    plan_tree,
    plan_versions,
    plans_due_for_review,
    plans_in_force,
    review_status,
)

__all__ = [
    "ChartNotesPage",
    "DraftNote",
    "InterventionFlag",
    "ReviewDue",
    "chart_notes_page",
    "counseling_notes_visible_to",
    "current_plan",
    "current_plan_goals",
    "draft_notes",
    "intervention_schedule_flags",
    "note_visible_to",
    "notes_awaiting_cosign",
    "plan_tree",
    "plan_versions",
    "plans_due_for_review",
    "plans_in_force",
    "review_status",
    "sessions_needing_notes",
    "unsigned_notes_overdue",
]
