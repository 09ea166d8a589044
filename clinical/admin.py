"""The clinical record in the admin: configuration is editable; plans and notes are read-only there.

Plans and notes are written in the chart, through the services that enforce signing, locking
and the group-note rules; the admin shows them for support and audit, and never deletes them.
SUD counseling notes appear by their metadata only: their content never reaches the admin.
"""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import (
    CounselingNote,
    Goal,
    GroupNote,
    GroupNoteSection,
    Intervention,
    NoteAddendum,
    Objective,
    PlanReview,
    Problem,
    ProgramDocumentationPolicy,
    SessionNote,
    TreatmentPlan,
)

PATIENT_SEARCH = ("patient__mrn", "patient__legal_last_name", "patient__legal_first_name")


@admin.register(ProgramDocumentationPolicy)
class ProgramDocumentationPolicyAdmin(admin.ModelAdmin):
    list_display = ("program", "plans_require_supervisor_cosign")
    list_select_related = ("program",)


class ReadOnlyAdminMixin:
    """Shown, never changed or deleted here."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyInline(ReadOnlyAdminMixin, admin.TabularInline):
    extra = 0
    show_change_link = True


class ProblemInline(ReadOnlyInline):
    model = Problem
    fields = ("position", "statement", "asam_dimensions")


class PlanReviewInline(ReadOnlyInline):
    model = PlanReview
    fields = ("reviewed_on", "reviewed_by", "outcome", "progress_summary")


@admin.register(TreatmentPlan)
class TreatmentPlanAdmin(ReadOnlyAdminMixin, SimpleHistoryAdmin):
    list_display = (
        "patient",
        "version",
        "signed_at",
        "patient_agreement",
        "cosign_required",
        "cosigned_at",
        "review_due_on",
    )
    list_filter = ("cosign_required",)
    list_select_related = ("patient",)
    search_fields = PATIENT_SEARCH
    raw_id_fields = ("episode", "patient", "revised_from")
    inlines = [ProblemInline, PlanReviewInline]


class GoalInline(ReadOnlyInline):
    model = Goal
    fields = ("position", "statement")


@admin.register(Problem)
class ProblemAdmin(ReadOnlyAdminMixin, SimpleHistoryAdmin):
    list_display = ("statement", "plan")
    list_select_related = ("plan__patient",)
    inlines = [GoalInline]


class ObjectiveInline(ReadOnlyInline):
    model = Objective
    fields = ("statement", "target_on", "achieved_on")


class InterventionInline(ReadOnlyInline):
    model = Intervention
    fields = ("modality", "frequency_count", "frequency_period", "responsible", "description")


@admin.register(Goal)
class GoalAdmin(ReadOnlyAdminMixin, SimpleHistoryAdmin):
    list_display = ("statement", "problem")
    list_select_related = ("problem",)
    inlines = [ObjectiveInline, InterventionInline]


@admin.register(Objective)
class ObjectiveAdmin(ReadOnlyAdminMixin, SimpleHistoryAdmin):
    list_display = ("statement", "target_on", "achieved_on")


@admin.register(Intervention)
class InterventionAdmin(ReadOnlyAdminMixin, SimpleHistoryAdmin):
    list_display = ("modality", "frequency_count", "frequency_period", "responsible")
    list_select_related = ("responsible",)


@admin.register(PlanReview)
class PlanReviewAdmin(ReadOnlyAdminMixin, SimpleHistoryAdmin):
    list_display = ("plan", "reviewed_on", "reviewed_by", "outcome")
    list_select_related = ("plan", "reviewed_by")


class NoteAddendumInline(ReadOnlyInline):
    model = NoteAddendum
    fields = ("text", "author", "signed_at")


@admin.register(SessionNote)
class SessionNoteAdmin(ReadOnlyAdminMixin, SimpleHistoryAdmin):
    list_display = ("patient", "kind", "format", "started_at", "author", "signed_at", "is_late_entry", "cosigned_at")
    list_filter = ("kind", "format", "is_late_entry", "cosign_required")
    list_select_related = ("patient", "author")
    search_fields = PATIENT_SEARCH
    date_hierarchy = "started_at"
    inlines = [NoteAddendumInline]


class GroupNoteSectionInline(ReadOnlyInline):
    model = GroupNoteSection
    fields = ("patient", "attendance_status", "minutes_attended", "participation", "goal", "progress", "plan")


@admin.register(GroupNote)
class GroupNoteAdmin(ReadOnlyAdminMixin, SimpleHistoryAdmin):
    list_display = ("topic", "session", "author", "signed_at", "is_late_entry", "cosigned_at")
    list_filter = ("is_late_entry", "cosign_required")
    list_select_related = ("session__group", "author")
    date_hierarchy = "started_at"
    inlines = [GroupNoteSectionInline]


@admin.register(NoteAddendum)
class NoteAddendumAdmin(ReadOnlyAdminMixin, SimpleHistoryAdmin):
    list_display = ("note", "author", "signed_at")
    list_select_related = ("note", "author")


@admin.register(CounselingNote)
class CounselingNoteAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Metadata only (who wrote about whom, when): 42 CFR §2.11 keeps the content to its author."""

    list_display = ("patient", "author", "written_at")
    list_select_related = ("patient", "author")
    fields = ("patient", "author", "session", "written_at")
    readonly_fields = fields
    exclude = ("content",)
    search_fields = PATIENT_SEARCH

    def get_queryset(self, request):
        return super().get_queryset(request).defer("content")
