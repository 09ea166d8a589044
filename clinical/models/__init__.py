from .notes import CounselingNote, GroupNote, GroupNoteSection, NoteAddendum, SessionNote
from .plans import Goal, Intervention, Objective, PlanReview, Problem, ProgramDocumentationPolicy, TreatmentPlan

__all__ = [
    "CounselingNote",
    "Goal",
    "GroupNote",
    "GroupNoteSection",
    "Intervention",
    "NoteAddendum",
    "Objective",
    "PlanReview",
    "Problem",
    "ProgramDocumentationPolicy",
    "SessionNote",
    "TreatmentPlan",
]
